/**
 * `session-transfer validate PATH`: a rollout file or a whole Codex home, line by line.
 *
 * @since 0.1.0
 */
import { Args, Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { RolloutReader, RolloutSummary } from "@sessionport/schema"
import { Effect } from "effect"
import * as Options from "../Options.js"
import * as Output from "../Output.js"

const render = (path: string, s: RolloutSummary.RolloutSummary): Array<string> => {
  const out = [`${path}: ${s.lines} lines, ${s.known} known, ${s.legacy} legacy, ${s.unknown} unknown, ${s.invalid} not JSON`]
  for (const [type, n] of Object.entries(s.byType).sort()) out.push(`  ${String(n).padStart(7)}  ${type}`)
  for (const [type, n] of Object.entries(s.unknownByType).sort()) out.push(`  ${String(n).padStart(7)}  ${type} (passed through)`)
  for (const { lineNumber, reason } of s.invalidLines) out.push(`  line ${lineNumber}: not JSON (${reason})`)
  return out
}

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "validate",
  { path: Args.text({ name: "PATH" }).pipe(Args.withDescription("A rollout file (.jsonl or .jsonl.zst).")), json: Options.json },
  Effect.fn("validate")(function*({ json, path }) {
    const summary = yield* RolloutSummary.fromLines(RolloutReader.readFile(path)).pipe(Effect.provide(NodeContext.layer))
    const ok = summary.invalid === 0
    yield* json ? Output.json({ ok, files: [{ path, ...summary }] }) : Output.lines(render(path, summary))
    if (!ok) process.exitCode = 1
  })
).pipe(Command.withDescription("Check every line of a rollout file: counts by type, unknown variants, lines that are not JSON. Exit 1 when any line is not JSON."))
