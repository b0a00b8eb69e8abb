// The README's main job until the CLIs exist: validate every session of the bundled fixtures
// (made by the real Codex CLI) and of ../shared/corpus/codex when present, and print a summary.
import { NodeContext } from "@effect/platform-node"
import { RolloutReader, RolloutSummary } from "@sessionport/schema"
import { Console, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const walk = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]
    )
    : []
const rollouts = [
  ...walk(path.join(root, "fixtures", "codex")),
  ...walk(path.join(root, "..", "shared", "corpus", "codex"))
].filter((file) => /(^rollout-.*|__.*)\.jsonl(\.zst)?$/.test(path.basename(file)))

const program = Effect.gen(function*() {
  let totals = { files: 0, lines: 0, known: 0, legacy: 0, unknown: 0, invalid: 0 }
  for (const file of rollouts) {
    const s = yield* RolloutSummary.fromLines(RolloutReader.readFile(file))
    totals = {
      files: totals.files + 1,
      lines: totals.lines + s.lines,
      known: totals.known + s.known,
      legacy: totals.legacy + s.legacy,
      unknown: totals.unknown + s.unknown,
      invalid: totals.invalid + s.invalid
    }
    const verdict = s.invalid > 0 ? "INVALID" : s.unknown > 0 ? "ok (unknown lines passed through)" : "ok"
    yield* Console.log(
      `${verdict.padEnd(5)} ${path.relative(root, file)}: ${s.lines} lines, ${s.known} known, ` +
        `${s.legacy} legacy, ${s.unknown} unknown, ${s.invalid} not JSON`
    )
  }
  yield* Console.log(
    `\n${totals.files} sessions, ${totals.lines} lines: ${totals.known} known, ${totals.legacy} legacy, ` +
      `${totals.unknown} unknown (passed through), ${totals.invalid} not JSON`
  )
  if (totals.invalid > 0) process.exitCode = 1
})

Effect.runPromise(program.pipe(Effect.provide(NodeContext.layer))).catch((error) => {
  console.error(String(error?.message ?? error))
  process.exitCode = 1
})
