// Scan-speed probe: one Codex JSONL file through Scanner.scanFile, its findings and MB/s.
//   node --import tsx packages/secrets/bench/_prof.ts FILE.jsonl
// With a CPU profile: node --import tsx --cpu-prof --cpu-prof-dir=DIR packages/secrets/bench/_prof.ts FILE.jsonl
import { Effect } from "effect"
import { Scanner } from "@sessionport/secrets"
const t = performance.now()
const r = await Effect.runPromise(Scanner.scanFile(process.argv[2]!, { agent: "codex", format: "jsonl" }))
const s = (performance.now() - t) / 1000
const size = (await import("node:fs")).statSync(process.argv[2]!).size
console.log(`findings ${r.findings.length}, ${(size / 1e6 / s).toFixed(1)} MB/s, ${s.toFixed(2)} s`)
