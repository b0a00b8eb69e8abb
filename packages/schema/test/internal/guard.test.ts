import { assert, describe, it } from "@effect/vitest"
import { Legacy, RolloutLine, StateRow } from "@sessionport/schema"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { compileGuard } from "../../src/internal/guard.js"
import { mutate } from "../utils/mutate.js"
import { corpusRollouts, fixtureRollouts, readWhole } from "../utils/files.js"

// The compiled guard must give the schema's own answer, always.
const schemas: ReadonlyArray<Schema.Schema.Any> = [...RolloutLine.RolloutLine.members, Legacy.LegacyLine, StateRow.ThreadRow]


describe("compileGuard", () => {
  it("gives the schema's answer on every value the schema's arbitrary makes", () => {
    for (const schema of schemas) {
      const guard = compileGuard(schema)
      const is = Schema.is(schema)
      // the arbitrary of a filtered bigint can now and then make a value its own schema refuses
      // (e.g. a 256-bit `archived`): the guard must refuse it too
      fc.assert(fc.property(Arbitrary.make(schema as Schema.Schema<unknown, unknown, never>), (value) => guard(value) === is(value)), {
        numRuns: 200
      })
    }
  })

  it("agrees with Schema.is on near-misses of every real line and on random JSON", () => {
    const guards = schemas.map((schema) => [compileGuard(schema), Schema.is(schema)] as const)
    let seed = 7
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    let checked = 0
    for (const file of [...fixtureRollouts(), ...corpusRollouts()]) {
      for (const raw of readWhole(file).split("\n").slice(0, 400)) {
        if (raw.trim() === "") continue
        const json = JSON.parse(raw)
        for (const value of [json, mutate(json, rnd), mutate(json, rnd)]) {
          for (const [compiled, is] of guards) assert.strictEqual(compiled(value), is(value), raw.slice(0, 200))
          checked++
        }
      }
    }
    fc.assert(
      fc.property(fc.jsonValue(), (value) => guards.every(([compiled, is]) => compiled(value) === is(value))),
      { numRuns: 500 }
    )
    assert.isAbove(checked, 300)
  })
})
