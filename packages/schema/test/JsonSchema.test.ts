import { assert, describe, it } from "@effect/vitest"
import { ClaudeLine, JsonSchema, RolloutRecord } from "@sessionport/schema"
import { Ajv } from "ajv"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { writerShapedLines } from "./utils/claudeSamples.js"
import { claudeTranscripts, corpusRollouts, fixtureRollouts, nonEmptyLines, readWhole } from "./utils/files.js"

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

  it("claude-line.schema.json accepts every Claude line ClaudeLine calls known, and rejects what it does not", () => {
    const ajv = new Ajv({ strict: false, allErrors: false })
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(docsDir, "claude-line.schema.json"), "utf8")))
    const lines = [...claudeTranscripts().flatMap((file) => nonEmptyLines(readWhole(file)).map((raw) => JSON.parse(raw))), ...writerShapedLines]
    let rejected = 0
    for (const json of lines) {
      assert.isTrue(validate(json), JSON.stringify(json).slice(0, 200))
      // a modelled kind with a field of the wrong type: unknown to both
      for (const broken of [{ ...json, type: json.type, sessionId: 5 }, { ...json, timestamp: [] }]) {
        const known = ClaudeLine.decode(broken)._tag === "Known"
        assert.strictEqual(validate(broken), known, JSON.stringify(broken).slice(0, 200))
        if (!known) rejected++
      }
    }
    assert.isAbove(rejected, 100)
    const date = { type: "attachment", uuid: "u", timestamp: "t", sessionId: "s", attachment: { type: "date", date: 5 } }
    assert.isFalse(validate(date))
    assert.isTrue(validate({ ...date, attachment: { type: "future_kind", date: 5 } }))
    assert.isTrue(validate({ type: "system", uuid: "u", timestamp: "t", sessionId: "s", subtype: "informational" }))
  })
})
