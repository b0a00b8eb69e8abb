import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import type { Scanner } from "../src/index.js"
import { type Corpus, plant } from "./seed/Corpus.js"
import { coveredText, describeMiss, linesOf, perTenMb, recall, redactedLines, scan, shapeOf } from "./seed/Evaluate.js"
import { NEGATIVES } from "./seed/Negatives.js"
import { fixtureSources, sharedSources, type Source } from "./seed/Sources.js"

// The acceptance figures on the seeded corpus (200 secrets of 42 kinds planted in the
// fixtures' real transcripts of the three agents): recall >= 99 %, at most 1 false finding per
// 10 MB of the clean corpus (fixtures + ../shared/corpus, unplanted), and redaction leaving no
// planted secret and every line valid. Expected values come from the truth list, never from the
// scanner.

let work: string
let corpus: Corpus
let negatives: Corpus
let clean: ReadonlyArray<Source>
const results = new Map<string, Scanner.ScanResult>()
const cleanResults = new Map<Source, Scanner.ScanResult>()
const negativeResults = new Map<string, Scanner.ScanResult>()
const fileLines = new Map<string, Array<string>>()

const linesIn = (c: Corpus) => (file: string) => {
  const key = path.join(c.dir, file)
  let lines = fileLines.get(key)
  if (lines === undefined) fileLines.set(key, (lines = linesOf(key)))
  return lines
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "seeded-corpus-"))
  const fixtures = fixtureSources(work)
  corpus = plant({ dir: path.join(work, "planted"), sources: fixtures })
  negatives = plant({ dir: path.join(work, "negatives"), sources: fixtures, kinds: NEGATIVES, count: 10 * NEGATIVES.length })
  clean = [...fixtures, ...sharedSources()]
  for (const f of corpus.files) results.set(f.file, await scan(f.abs, f.agent, f.format))
  for (const s of clean) cleanResults.set(s, await scan(s.abs, s.agent, s.format))
  for (const f of negatives.files) negativeResults.set(f.file, await scan(f.abs, f.agent, f.format))
}, 600_000)

afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const falseFindings = (entries: Iterable<[string, Scanner.ScanResult]>, lines: (file: string) => ReadonlyArray<string>) =>
  [...entries].flatMap(([file, r]) =>
    r.findings.map((f) => `${f.kind} at ${file}#${f.record} ${JSON.stringify(f.path)}: ${shapeOf(coveredText(lines(file)[f.record - 1] ?? "", f))}`)
  )

describe("seeded corpus", () => {
  it("finds at least 99 % of the planted secrets (same record, covering the secret, kind of its family)", () => {
    const r = recall(corpus.truth, results, linesIn(corpus))
    assert.strictEqual(r.planted, 200)
    const misses = r.misses.map(describeMiss).join("\n")
    assert.isAtLeast(r.found / r.planted, 0.99, `found ${r.found} of ${r.planted}; misses:\n${misses}`)
  })

  it("makes at most 1 false finding per 10 MB of the clean corpus (fixtures and ../shared/corpus)", () => {
    const bytes = clean.reduce((n, s) => n + fs.statSync(s.abs).size, 0)
    const found = falseFindings([...cleanResults].map(([s, r]) => [s.abs, r]), (abs) => linesOf(abs))
    assert.isAtMost(perTenMb(found.length, bytes), 1, `${found.length} in ${bytes} bytes:\n${found.join("\n")}`)
  })

  it("reports nothing in the hard negatives (digests, SHAs, UUIDs, lockfile hashes, minified JS, public keys)", () => {
    const found = falseFindings(negativeResults, linesIn(negatives))
    assert.deepStrictEqual(found, [])
  })

  it("redacts every secret it found away, keeping every line valid and lines without findings as they were", () => {
    // a secret the scanner missed is a recall miss (above); every one it covered must be gone
    const missed = new Set(recall(corpus.truth, results, linesIn(corpus)).misses.filter((m) => m.reason !== "other kind").map((m) => m.entry))
    const problems: Array<string> = []
    for (const f of corpus.files) {
      const original = linesIn(corpus)(f.file)
      const result = results.get(f.file)!
      const out = redactedLines(original, result)
      const withFindings = new Set(result.findings.map((x) => x.record))
      out.forEach((line, i) => {
        if (f.format === "jsonl") {
          try {
            JSON.parse(line)
          } catch {
            problems.push(`${f.file}#${i + 1}: not JSON after redaction`)
          }
        }
        if (!withFindings.has(i + 1) && line !== original[i]) problems.push(`${f.file}#${i + 1}: changed without a finding`)
      })
      const text = out.join("\n")
      for (const e of corpus.truth.filter((e) => e.file === f.file && !missed.has(e))) {
        if (e.secret.parts.some((part) => text.includes(part))) problems.push(`${e.kind} (${e.carrier}) left in ${e.file}#${e.record}: ${shapeOf(e.secret.value)}`)
      }
    }
    assert.deepStrictEqual(problems, [])
  })
})
