import { assert, describe, it } from "@effect/vitest"
import { ClaudeLine } from "@sessionport/schema"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { compileGuard } from "../../src/internal/guard.js"
import { mutate } from "../utils/mutate.js"
import { writerShapedLines } from "../utils/claudeSamples.js"
import { claudeTranscripts, nonEmptyLines, readWhole } from "../utils/files.js"

// ClaudeLine.decode checks a line against one schema chosen by its type (and attachment kind, or
// system subtype), with compiled guards: its answer must always be the whole union's.


const isLine = Schema.is(ClaudeLine.ClaudeLine)
const compiled = compileGuard(ClaudeLine.ClaudeLine)
const known = (value: unknown) => ClaudeLine.decode(value)._tag === "Known"

describe("ClaudeLine.decode", () => {
  it("agrees with the union's Schema.is on near-misses of every real line, and on random JSON", () => {
    let seed = 11
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    let checked = 0
    let mismatches = 0
    const lines = [...claudeTranscripts().flatMap((file) => nonEmptyLines(readWhole(file)).map((raw) => JSON.parse(raw))), ...writerShapedLines]
    for (const json of lines) {
      for (const value of [json, mutate(json, rnd, ["type", "subtype"]), mutate(json, rnd, ["type", "subtype"]), mutate(json, rnd, ["type", "subtype"])]) {
        const expected = isLine(value)
        assert.strictEqual(known(value), expected, JSON.stringify(value).slice(0, 300))
        assert.strictEqual(compiled(value), expected)
        if (!expected) mismatches++
        checked++
      }
    }
    fc.assert(fc.property(fc.jsonValue(), (value) => known(value) === isLine(value)), { numRuns: 500 })
    assert.isAbove(checked, 500)
    assert.isAbove(mismatches, 50, "the mutations make near-misses")
  })

  it("calls every value the schema's arbitrary makes known", () => {
    fc.assert(fc.property(Arbitrary.make(ClaudeLine.ClaudeLine), (value) => known(value)), { numRuns: 300 })
  })
})
