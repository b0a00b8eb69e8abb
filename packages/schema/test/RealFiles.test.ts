import { assert, describe, it } from "@effect/vitest"
import { RolloutRecord } from "@sessionport/schema"
import { Effect, Either } from "effect"
import * as path from "node:path"
import { corpusRollouts, fixtureRollouts, independentKinds, isLowFidelity, readWhole } from "./utils/files.js"
import { kindOf, readAll } from "./utils/read.js"

// Every rollout the real Codex CLI wrote for our fixtures, and every real rollout of the shared
// corpus: each line decodes, round-trips, and is recognised.
const files = [...fixtureRollouts(), ...corpusRollouts()]

describe("real rollout files", () => {
  it("finds the fixtures and the corpus", () => {
    assert.isAtLeast(fixtureRollouts().length, 6, "fixtures/codex holds the real-Codex sessions")
    assert.isTrue(fixtureRollouts().some((file) => file.endsWith(".jsonl.zst")), "a zstd rollout is among them")
  })

  for (const file of files) {
    const name = path.relative(path.resolve(import.meta.dirname, "..", "..", ".."), file)
    it.effect(`decodes every line of ${name}`, () =>
      Effect.gen(function*() {
        const results = yield* readAll(file)
        const text = readWhole(file)
        const expectedKinds = independentKinds(text)

        // no line is undecodable, and the raw text joined again is the file, byte for byte
        const records = results.map((result) => Either.getOrThrow(result))
        const rejoined = records.map((r) => r.raw + (r.terminated ? "\n" : "")).join("")
        assert.strictEqual(rejoined, text)

        // decode -> encode is JSON-equal for every line
        for (const record of records) {
          if (record.entry._tag === "Blank") continue
          assert.deepStrictEqual(
            JSON.parse(JSON.stringify(RolloutRecord.encodeEntry(record.entry))),
            JSON.parse(record.raw),
            `line ${record.lineNumber}`
          )
        }

        // the same kinds of lines, as many of each, as a plain JSON.parse reading finds
        const kinds = new Map<string, number>()
        for (const record of records) {
          if (record.entry._tag === "Blank") continue
          kinds.set(kindOf(record), (kinds.get(kindOf(record)) ?? 0) + 1)
        }
        assert.deepStrictEqual(kinds, expectedKinds)

        // verbatim Codex output is fully known; the low-fidelity baseline may have unknowns
        if (!isLowFidelity(file)) {
          const unknown = records.filter((r) => r.entry._tag === "Unknown")
          assert.deepStrictEqual(
            unknown.map((r) => `${r.lineNumber}: ${kindOf(r)} ${(r.entry as RolloutRecord.UnknownEntry).detail}`),
            []
          )
        }
      }))
  }
})
