import { assert, describe, it } from "@effect/vitest"
import { JsonSchema, RolloutRecord } from "@sessionport/schema"
import { Ajv } from "ajv"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { corpusRollouts, fixtureRollouts, readWhole } from "./utils/files.js"

const docsDir = path.resolve(import.meta.dirname, "..", "..", "..", "docs", "json-schema")

describe("JSON Schema in docs/", () => {
  it("is what the Effect schemas generate (run `pnpm docs:json-schema` after a schema change)", () => {
    for (const [name, document] of Object.entries(JsonSchema.documents())) {
      const committed = JSON.parse(fs.readFileSync(path.join(docsDir, name), "utf8"))
      assert.deepStrictEqual(committed, JSON.parse(JSON.stringify(document)), name)
    }
    const published = fs.readdirSync(docsDir).filter((name) => name.endsWith(".schema.json")).sort()
    assert.deepStrictEqual(published, Object.keys(JsonSchema.documents()).sort())
  })

  it("accepts every line the Effect schemas call known, and rejects what they do not", () => {
    const ajv = new Ajv({ strict: false, allErrors: false })
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(docsDir, "rollout-line.schema.json"), "utf8")))
    let known = 0
    for (const file of [...fixtureRollouts(), ...corpusRollouts()]) {
      readWhole(file).split("\n").forEach((raw, i) => {
        const result = RolloutRecord.decodeLine(raw, i + 1)
        if (Either.isLeft(result) || result.right.entry._tag === "Blank") return
        const entry = result.right.entry
        if (entry._tag === "Known") known++
        if (entry._tag === "Known" || (entry._tag === "Unknown" && entry.reason === "shape_mismatch")) {
          assert.strictEqual(validate(JSON.parse(raw)), entry._tag === "Known", `${path.basename(file)}:${i + 1}`)
        }
      })
    }
    assert.isAbove(known, 100)
  })
})
