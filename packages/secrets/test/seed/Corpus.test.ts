import { assert, describe, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { CARRIERS } from "./Carriers.js"
import { AGENTS, type Corpus, plant } from "./Corpus.js"
import { NEGATIVES } from "./Negatives.js"
import { fixtureSources, type Source } from "./Sources.js"

// The planted corpus checked by reading its files back: every line valid, the untouched lines
// the fixtures' own bytes, each truth entry's secret at its place, the truth file without secrets.

let work: string
let sources: ReadonlyArray<Source>
let corpus: Corpus

const lines = (abs: string): Array<string> => {
  const all = fs.readFileSync(abs, "utf8").split("\n")
  assert.strictEqual(all.pop(), "", `${abs} ends with a newline`)
  return all
}

const getAt = (root: unknown, p: ReadonlyArray<string | number>): unknown => p.reduce<any>((o, k) => o?.[k], root)

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "seed-corpus-"))
  sources = fixtureSources(work)
  corpus = plant({ dir: path.join(work, "planted"), sources })
}, 120_000)

afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

describe("seeded corpus", () => {
  it("plants 200 secrets of at least 20 kinds, in every agent's transcripts and every carrier", () => {
    assert.strictEqual(corpus.truth.length, 200)
    assert.isAtLeast(new Set(corpus.truth.map((e) => e.kind)).size, 20)
    assert.deepStrictEqual(new Set(corpus.truth.map((e) => e.agent)), new Set(AGENTS))
    assert.deepStrictEqual(new Set(corpus.truth.map((e) => e.carrier)), new Set(CARRIERS))
    for (const agent of AGENTS) assert.isAtLeast(corpus.truth.filter((e) => e.agent === agent).length, 60, agent)
    // each kind of at least 3 secrets in each agent's transcripts
    for (const kind of new Set(corpus.truth.map((e) => e.kind))) {
      assert.deepStrictEqual(new Set(corpus.truth.filter((e) => e.kind === kind).map((e) => e.agent)), new Set(AGENTS), kind)
    }
  })

  it("keeps every line valid JSON and every unplanted line as the fixture has it", () => {
    const planted = new Set(corpus.truth.map((e) => `${e.file}#${e.record}`))
    for (const file of corpus.files) {
      const source = sources.find((s) => file.file.endsWith(`/${s.rel}`))
      const out = lines(file.abs)
      if (file.format === "jsonl") for (const line of out) JSON.parse(line)
      if (source === undefined) continue // a new file-history backup
      const original = lines(source.abs)
      assert.strictEqual(out.length, original.length, file.file)
      out.forEach((line, i) => {
        if (!planted.has(`${file.file}#${i + 1}`)) assert.strictEqual(line, original[i], `${file.file}#${i + 1}`)
      })
    }
  })

  it("has each secret at its truth entry's record and path, and the truth file without any", () => {
    const truthText = fs.readFileSync(path.join(corpus.dir, "truth.jsonl"), "utf8")
    const listed = truthText.trimEnd().split("\n").map((l) => JSON.parse(l))
    assert.strictEqual(listed.length, 200)
    corpus.truth.forEach((e, i) => {
      const line = lines(path.join(corpus.dir, e.file))[e.record - 1]!
      const value = e.format === "text" ? line : getAt(JSON.parse(line), e.path)
      assert.isString(value)
      for (const part of e.secret.parts) {
        assert.include(value as string, part, `${e.kind} at ${e.file}#${e.record}`)
        assert.notInclude(truthText, part)
      }
      assert.strictEqual(listed[i].sha256, createHash("sha256").update(e.secret.value).digest("hex"))
      assert.deepStrictEqual(listed[i].path, e.path)
    })
  })

  it("puts a PEM JSON-escaped into a Codex function_call's arguments", () => {
    const e = corpus.truth.find((e) => e.agent === "codex" && e.kind.startsWith("private-key") && e.path.join(".") === "payload.arguments")
    assert.isDefined(e)
    const raw = lines(path.join(corpus.dir, e!.file))[e!.record - 1]!
    // the arguments are JSON inside a JSON string: a newline is `\\n` in the line's bytes
    assert.include(raw, `\\\\n${e!.secret.parts[0]}\\\\n`)
  })

  it("is the same for the same seed and another for another seed", () => {
    const again = plant({ dir: path.join(work, "again"), sources })
    const other = plant({ dir: path.join(work, "other"), sources, seed: "another seed" })
    const read = (c: Corpus) => fs.readFileSync(path.join(c.dir, "truth.jsonl"), "utf8")
    assert.strictEqual(read(again), read(corpus))
    for (const f of corpus.files) assert.strictEqual(fs.readFileSync(path.join(again.dir, f.file), "utf8"), fs.readFileSync(f.abs, "utf8"))
    assert.notStrictEqual(read(other), read(corpus))
  })

  it("plants hard negatives the same way, the same for the same seed", () => {
    const options = { sources, kinds: NEGATIVES, count: 3 * NEGATIVES.length, copies: { codex: 1, claude: 1, opencode: 2 } }
    const negatives = plant({ dir: path.join(work, "negatives"), ...options })
    const again = plant({ dir: path.join(work, "negatives-again"), ...options })
    assert.deepStrictEqual(new Set(negatives.truth.map((e) => e.kind)), new Set(NEGATIVES.map((k) => k.kind)))
    for (const file of negatives.files) {
      if (file.format === "jsonl") for (const line of lines(file.abs)) JSON.parse(line)
      assert.strictEqual(fs.readFileSync(path.join(again.dir, file.file), "utf8"), fs.readFileSync(file.abs, "utf8"), file.file)
    }
  })
})
