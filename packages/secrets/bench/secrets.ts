// Secret-scan benchmark (`pnpm bench:secrets [--mb N]`, default N = 100). Prints a markdown table;
// asserts nothing (the thresholds are test/SeededCorpus.test.ts).
//   1. Recall on the seeded corpus: 200 secrets of 42 kinds planted into copies of the fixtures'
//      real transcripts of Codex, Claude Code and OpenCode (test/seed), found / planted.
//   2. False findings on the clean corpus (the fixtures and ../shared/corpus as they are), and
//      per 10 MB; the same on the hard negatives (digests, SHAs, UUIDs, lockfile hashes, minified
//      JS, public keys planted into fixture copies).
//   3. Scan throughput on the clean corpus (Scanner.make, 64 KiB chunks, best of 3) and its ratio
//      to `sha256sum` of the same files (spawned, best of 3), measured in the same run.
//   4. Scaled: each agent's clean JSONL repeated into one file per agent, >= N MB in all, streamed
//      through Scanner.make in 64 KiB reads of one buffer; RSS sampled every ~5 % of the bytes to
//      show memory stays flat; throughput and the sha256sum ratio on those files.
// Peak RSS: process.resourceUsage().maxRSS. SPBENCH_KEEP=1 keeps the folder.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { type Corpus, plant } from "../test/seed/Corpus.js"
import { coveredText, describeMiss, linesOf, perTenMb, recall, scan, shapeOf } from "../test/seed/Evaluate.js"
import { NEGATIVES } from "../test/seed/Negatives.js"
import { type Agent, fixtureSources, type Format, sharedCorpusDir, sharedSources, type Source } from "../test/seed/Sources.js"
import { RuleSet, type Scanner } from "../src/index.js"

const MB = 2 ** 20
const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`
const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000)

interface Scannable {
  readonly name: string
  readonly abs: string
  readonly agent: Agent
  readonly format: Format
}

const timed = async <A>(f: () => Promise<A>): Promise<{ readonly ms: number; readonly result: A }> => {
  const start = performance.now()
  const result = await f()
  return { ms: performance.now() - start, result }
}

const scanAll = async (files: ReadonlyArray<Scannable>) => {
  const out = new Map<string, Scanner.ScanResult>()
  for (const f of files) out.set(f.name, await scan(f.abs, f.agent, f.format))
  return out
}

const bestOf = async (n: number, f: () => Promise<unknown> | unknown): Promise<number> => {
  let best = Infinity
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    await f()
    best = Math.min(best, performance.now() - start)
  }
  return best
}

const sha256sum = (files: ReadonlyArray<string>): Promise<number> =>
  bestOf(3, () => {
    const r = spawnSync("sha256sum", files, { stdio: ["ignore", "ignore", "pipe"] })
    if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`)
  })

const findingsOf = (results: ReadonlyMap<string, Scanner.ScanResult>, lines: (name: string) => ReadonlyArray<string>) =>
  [...results].flatMap(([name, r]) =>
    r.findings.map((f) => `${f.kind} at ${name}#${f.record} ${JSON.stringify(f.path)}: ${shapeOf(coveredText(lines(name)[f.record - 1] ?? "", f))}`)
  )

const asScannable = (c: Corpus): Array<Scannable> => c.files.map((f) => ({ name: f.file, abs: f.abs, agent: f.agent, format: f.format }))

/** each agent's clean JSONL files, repeated into one file per agent until all hold >= `target` bytes */
const scaledFiles = (dir: string, clean: ReadonlyArray<Source>, target: number): Array<Scannable & { readonly bytes: number }> => {
  const jsonl = clean.filter((s) => s.format === "jsonl")
  const total = jsonl.reduce((n, s) => n + fs.statSync(s.abs).size, 0)
  const rounds = Math.ceil(target / total)
  const agents = [...new Set(jsonl.map((s) => s.agent))]
  return agents.map((agent) => {
    const abs = path.join(dir, `scaled-${agent}.jsonl`)
    const fd = fs.openSync(abs, "w")
    let bytes = 0
    try {
      const contents = jsonl.filter((s) => s.agent === agent).map((s) => {
        const b = fs.readFileSync(s.abs)
        return b[b.length - 1] === 0x0a ? b : Buffer.concat([b, Buffer.from("\n")])
      })
      for (let r = 0; r < rounds; r++) {
        for (const b of contents) {
          fs.writeSync(fd, b)
          bytes += b.length
        }
      }
    } finally {
      fs.closeSync(fd)
    }
    return { name: path.basename(abs), abs, agent, format: "jsonl" as const, bytes }
  })
}

const main = async () => {
  const mbArg = process.argv.indexOf("--mb")
  const targetMb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 100
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-secrets-"))
  const rows: Array<[string, string]> = []
  const notes: Array<string> = []
  try {
    console.error(`node ${process.version}, ${os.cpus().length} cores; rules: ${RuleSet.RULESET_VERSION}`)
    const fixtures = fixtureSources(dir)
    const shared = sharedSources()
    if (shared.length === 0) notes.push(`${sharedCorpusDir} is absent: the clean corpus is the fixtures only`)
    const clean = [...fixtures, ...shared]

    // 1. recall
    const corpus = plant({ dir: path.join(dir, "planted"), sources: fixtures })
    const plantedBytes = corpus.files.reduce((n, f) => n + f.bytes, 0)
    const planted = await timed(() => scanAll(asScannable(corpus)))
    const r = recall(corpus.truth, planted.result, (file) => linesOf(path.join(corpus.dir, file)))
    const kinds = new Set(corpus.truth.map((e) => e.kind)).size
    const perAgent = ["codex", "claude", "opencode"].map((a) => `${a} ${corpus.truth.filter((e) => e.agent === a).length}`).join(", ")
    rows.push(["seeded corpus", `${mb(plantedBytes)} in ${corpus.files.length} files; ${r.planted} secrets of ${kinds} kinds (${perAgent})`])
    rows.push(["**recall**", `**${r.found}/${r.planted} (${((100 * r.found) / r.planted).toFixed(1)} %)**`])

    // 2. false findings
    const cleanFiles: Array<Scannable> = clean.map((s) => ({ name: s.rel, abs: s.abs, agent: s.agent, format: s.format }))
    const cleanBytes = clean.reduce((n, s) => n + fs.statSync(s.abs).size, 0)
    const fixtureBytes = fixtures.reduce((n, s) => n + fs.statSync(s.abs).size, 0)
    const cleanResults = await scanAll(cleanFiles)
    const byName = new Map(cleanFiles.map((f) => [f.name, f.abs]))
    const falseClean = findingsOf(cleanResults, (name) => linesOf(byName.get(name)!))
    rows.push(["clean corpus", `${mb(cleanBytes)} in ${clean.length} files (fixtures ${mb(fixtureBytes)}, ../shared/corpus ${mb(cleanBytes - fixtureBytes)})`])
    rows.push(["**false findings (clean)**", `**${falseClean.length} (${perTenMb(falseClean.length, cleanBytes).toFixed(2)} per 10 MB)**`])
    const negatives = plant({ dir: path.join(dir, "negatives"), sources: fixtures, kinds: NEGATIVES, count: 10 * NEGATIVES.length })
    const negativeBytes = negatives.files.reduce((n, f) => n + f.bytes, 0)
    const falseNegatives = findingsOf(await scanAll(asScannable(negatives)), (file) => linesOf(path.join(negatives.dir, file)))
    rows.push([
      "false findings (hard negatives)",
      `${falseNegatives.length} in ${mb(negativeBytes)} (${negatives.truth.length} planted: ${NEGATIVES.map((k) => k.kind).join(", ")})`
    ])

    // 3. throughput on the clean corpus
    const scanMs = await bestOf(3, () => scanAll(cleanFiles))
    const shaMs = await sha256sum(clean.map((s) => s.abs))
    rows.push([
      "**scan throughput (clean corpus)**",
      `**${rate(cleanBytes, scanMs).toFixed(1)} MB/s** (${scanMs.toFixed(0)} ms, best of 3); sha256sum ${rate(cleanBytes, shaMs).toFixed(0)} MB/s (${shaMs.toFixed(1)} ms incl. its start) → **${(scanMs / shaMs).toFixed(1)}× sha256sum's time**`
    ])
    rows.push(["seeded corpus scan", `${rate(plantedBytes, planted.ms).toFixed(1)} MB/s (one pass)`])
    rows.push(["peak RSS (runs 1-3)", `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`])

    // 4. scaled
    const scaled = scaledFiles(dir, clean, targetMb * MB)
    const scaledBytes = scaled.reduce((n, f) => n + f.bytes, 0)
    const samples: Array<number> = []
    let done = 0
    let next = 0
    const scaledRun = await timed(async () => {
      let findings = 0
      for (const f of scaled) {
        const result = await scan(f.abs, f.agent, f.format, {
          progress: (bytes) => {
            if (done + bytes >= next) {
              samples.push(process.memoryUsage().rss)
              next += scaledBytes / 20
            }
          }
        })
        done += f.bytes
        findings += result.findings.length
      }
      return findings
    })
    const scaledSha = await sha256sum(scaled.map((f) => f.abs))
    const steady = samples.slice(2) // after the first 10 %: rules loaded, buffers warm
    rows.push(["scaled corpus", `${mb(scaledBytes)} (${scaled.map((f) => `${f.agent} ${mb(f.bytes)}`).join(", ")}), 64 KiB chunks`])
    rows.push([
      "**scaled scan throughput**",
      `**${rate(scaledBytes, scaledRun.ms).toFixed(1)} MB/s** (${(scaledRun.ms / 1000).toFixed(1)} s); sha256sum ${rate(scaledBytes, scaledSha).toFixed(0)} MB/s (${scaledSha.toFixed(0)} ms, best of 3) → **${(scaledRun.ms / scaledSha).toFixed(1)}× sha256sum's time**`
    ])
    rows.push(["scaled false findings", `${scaledRun.result} (${perTenMb(scaledRun.result, scaledBytes).toFixed(2)} per 10 MB)`])
    rows.push([
      "RSS while streaming (10 %–100 %)",
      `${(Math.min(...steady) / MB).toFixed(0)}–${(Math.max(...steady) / MB).toFixed(0)} MB over ${steady.length} samples (first ${(steady[0]! / MB).toFixed(0)} MB, last ${(steady[steady.length - 1]! / MB).toFixed(0)} MB)`
    ])
    rows.push(["**peak RSS (all)**", `**${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB**`])

    console.log(`\nSecret scan (${RuleSet.RULESET_VERSION}; node ${process.version}, ${os.cpus().length} cores)\n`)
    console.log("| figure | value |\n|---|---|")
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`)
    if (r.misses.length > 0) console.log(`\nMisses (${r.misses.length}):\n${r.misses.map((m) => `- ${describeMiss(m)}`).join("\n")}`)
    if (falseClean.length > 0) console.log(`\nFalse findings, clean corpus:\n${falseClean.map((f) => `- ${f}`).join("\n")}`)
    if (falseNegatives.length > 0) console.log(`\nFalse findings, hard negatives:\n${falseNegatives.map((f) => `- ${f}`).join("\n")}`)
    for (const n of notes) console.log(`\nNote: ${n}`)
  } finally {
    if (process.env.SPBENCH_KEEP === "1") console.error(`kept ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
