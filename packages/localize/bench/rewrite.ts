// Rewrite throughput against bare JSON.parse of the same lines, and peak memory as the file
// grows. `tsx packages/localize/bench/rewrite.ts [MB]` (default 200). Prints figures; asserts nothing.
// Three cases over a generated 0.125-era session: "matching" (its id and cwd are mapped: a quarter
// of the lines change), "all checked" (the pre-check forced to pass: every line is parsed and
// walked, the target of >= 0.5), "no match" (nothing is mapped: lines are only pre-checked).
import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { bareJsonParse, measure } from "@sessionport/codex-oracle/Bench"
import { generateRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PathRules, Rewriter } from "../src/index.js"

const CHUNK = 256 * 1024
const ID = "019e1625-789d-76c0-80ab-3724b5ddb799"

const rewrite = (file: string, out: string, cwd: string, checkAll: boolean) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const fsys = yield* FileSystem.FileSystem
      const rules = PathRules.make({ maps: [{ from: cwd, to: "/home/bob/app" }], sourceHome: "/Users/u", targetHome: "/home/bob", targetPlatform: "posix" })
      const plan: Rewriter.Plan = {
        idMap: new Map([[ID, "01a00000-0000-7000-8000-000000000001"]]),
        pathRules: checkAll ? { ...rules, mayChangeJson: () => true, jsonNeedles: [""] } : rules
      }
      const [, report] = yield* Rewriter.run(fsys.stream(file, { chunkSize: CHUNK }), plan, fsys.sink(out))
      return report
    }).pipe(Effect.provide(NodeContext.layer))
  )

const main = async () => {
  const targetMb = Number(process.argv[2] ?? 200)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-localize-"))
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores`)
    const cases = [
      ["matching", "/Users/u/repos/app", true, false],
      ["all checked", "/Users/u/repos/app", true, true],
      ["no match", "/srv/other/app", false, false]
    ] as const
    for (const [label, cwd, mapped, checkAll] of cases) {
      for (const mb of [targetMb / 4, targetMb / 2, targetMb]) {
        const file = path.join(dir, `rollout-${mb}.jsonl`)
        const out = path.join(dir, `out-${mb}.jsonl`)
        const { bytes, lines } = await generateRollout(file, mb * 2 ** 20, { id: mapped ? ID : "019e1625-0000-7000-8000-000000000000", cwd })
        const reference = await measure(() => bareJsonParse(file))
        const ours = await measure(() => rewrite(file, out, "/Users/u/repos/app", checkAll))
        const mbps = (ms: number) => (bytes / 2 ** 20 / (ms / 1000)).toFixed(0)
        console.log(
          `${label}: ${(bytes / 2 ** 20).toFixed(0).padStart(4)} MB, ${lines} lines (${ours.result.rewritten} rewritten): ` +
            `JSON.parse ${mbps(reference.ms)} MB/s, rewrite ${mbps(ours.ms)} MB/s, ` +
            `ratio ${(reference.ms / ours.ms).toFixed(2)} (target >= 0.5), ` +
            `peak memory +${ours.peakMb.toFixed(0)} MB (reference +${reference.peakMb.toFixed(0)} MB)`
        )
        fs.rmSync(file)
        fs.rmSync(out)
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
