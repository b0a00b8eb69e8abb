// Decode throughput of RolloutReader against bare JSON.parse of the same lines, and peak memory
// as the file grows. `pnpm bench:schema [MB]` (default 200). Prints figures; asserts nothing.
import { NodeContext } from "@effect/platform-node"
import { RolloutReader } from "@sessionport/schema"
import { Effect, Either, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bareJsonParse, measure } from "@sessionport/codex-oracle/Bench"
import { generateRollout } from "@sessionport/codex-oracle/SyntheticRollout"


const rolloutReader = (file: string) =>
  Effect.runPromise(
    RolloutReader.readFile(file).pipe(
      Stream.runFold({ known: 0, other: 0 }, (acc, result) => {
        if (Either.isRight(result) && result.right.entry._tag === "Known") acc.known++
        else acc.other++
        return acc
      }),
      Effect.provide(NodeContext.layer)
    )
  )

const main = async () => {
  const targetMb = Number(process.argv[2] ?? 200)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-schema-"))
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores`)
    for (const mb of [targetMb / 4, targetMb / 2, targetMb]) {
      const file = path.join(dir, `rollout-${mb}.jsonl`)
      const { lines, bytes } = await generateRollout(file, mb * 2 ** 20)
      const reference = await measure(() => bareJsonParse(file))
      const ours = await measure(() => rolloutReader(file))
      if (ours.result.known !== lines || reference.result !== lines) throw new Error("line counts differ")
      const mbps = (ms: number) => (bytes / 2 ** 20 / (ms / 1000)).toFixed(0)
      console.log(
        `${(bytes / 2 ** 20).toFixed(0).padStart(4)} MB, ${lines} lines: ` +
          `JSON.parse ${reference.ms.toFixed(0)} ms (${mbps(reference.ms)} MB/s), ` +
          `RolloutReader ${ours.ms.toFixed(0)} ms (${mbps(ours.ms)} MB/s), ` +
          `throughput ratio ${(reference.ms / ours.ms).toFixed(2)} (target >= 0.5), ` +
          `peak memory +${ours.peakMb.toFixed(0)} MB (reference +${reference.peakMb.toFixed(0)} MB, RSS ${ours.rssMb.toFixed(0)} MB)`
      )
      fs.rmSync(file)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
