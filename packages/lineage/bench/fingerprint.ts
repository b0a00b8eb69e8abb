// Fingerprint throughput against `sha256sum` of the same file, and peak memory as the file grows.
// `tsx packages/lineage/bench/fingerprint.ts [MB]` (default 200). Prints figures; asserts nothing.
// The file is a generated 0.125-era session: about a quarter of its lines hold a surface value
// (turn_context, function_call workdir, exec_command_end cwd) and are neutralized before hashing;
// the others are hashed as they are. Both runs read from the page cache (a warm-up run first).
import { measure } from "@sessionport/codex-oracle/Bench"
import { generateRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Fingerprint } from "../src/index.js"

const sha256sum = async (file: string) => execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0]!
const fingerprint = (file: string) => Effect.runPromise(Fingerprint.fromFile(file))

/** One size: generate, warm up, measure both; the figures as one line. */
const row = async (file: string, mb: number): Promise<string> => {
  const { bytes, lines } = await generateRollout(file, mb * 2 ** 20)
  await sha256sum(file)
  await fingerprint(file)
  const reference = await measure(() => sha256sum(file))
  const ours = await measure(() => fingerprint(file))
  fs.rmSync(file)
  const mbps = (ms: number) => (bytes / 2 ** 20 / (ms / 1000)).toFixed(0)
  return `${(bytes / 2 ** 20).toFixed(0).padStart(4)} MB, ${lines} lines (${ours.result.records} records): ` +
    `sha256sum ${mbps(reference.ms)} MB/s, fingerprint ${mbps(ours.ms)} MB/s, ` +
    `ratio ${(ours.ms / reference.ms).toFixed(2)}x the time of sha256sum, ` +
    `peak memory +${ours.peakMb.toFixed(0)} MB (prints ${(ours.result.prints.length / 2 ** 20).toFixed(1)} MB)`
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-lineage-"))
const targetMb = Number(process.argv[2] ?? 200)
console.log(`node ${process.version}, ${os.cpus().length} cores`)
;(async () => {
  for (const mb of [targetMb / 4, targetMb / 2, targetMb]) console.log(await row(path.join(dir, `rollout-${mb}.jsonl`), mb))
})().finally(() => fs.rmSync(dir, { recursive: true, force: true }))
