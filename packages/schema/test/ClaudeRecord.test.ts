import { assert, describe, it } from "@effect/vitest"
import { ClaudeRecord, RolloutRecord } from "@sessionport/schema"
import { Either } from "effect"

const decode = (raw: string, lineNumber = 1) => Either.getOrThrow(ClaudeRecord.decodeLine(raw, lineNumber))

describe("ClaudeRecord.decodeLine", () => {
  it("keeps the raw text of every line, known or not, byte for byte", () => {
    for (const raw of [
      `{"type":"mode","mode":"normal","sessionId":"s"}`,
      `{ "type" : "mode",  "mode":"normal","sessionId":"s"}\r`,
      `{"type":"future-kind","x":"\\u00e9 é"}`
    ]) {
      const record = decode(raw, 3)
      assert.strictEqual(ClaudeRecord.encodeRecord(record), raw)
      assert.strictEqual(record.lineNumber, 3)
      assert.isTrue(record.terminated)
    }
    assert.strictEqual(decode(`{"type":"mode","mode":"normal","sessionId":"s"}`).entry._tag, "Known")
    assert.strictEqual(decode(`{"type":"future-kind"}`).entry._tag, "Unknown")
  })

  it("encodes an entry back to its JSON", () => {
    const raw = `{"type":"future-kind","a":[1,{"b":null}]}`
    const entry = decode(raw).entry
    assert.notStrictEqual(entry._tag, "Blank")
    if (entry._tag !== "Blank") assert.deepStrictEqual(ClaudeRecord.encodeEntry(entry), JSON.parse(raw))
  })

  it("blank lines are Blank; text that is not JSON is an InvalidLine with its number", () => {
    assert.strictEqual(decode("").entry._tag, "Blank")
    assert.strictEqual(decode("  \t").entry._tag, "Blank")
    const result = ClaudeRecord.decodeLine(`{"type":"user","message":{"ro`, 9, false)
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.instanceOf(result.left, RolloutRecord.InvalidLine)
      assert.strictEqual(result.left.lineNumber, 9)
      assert.isFalse(result.left.terminated)
      assert.match(result.left.message, /^line 9 is not JSON/)
    }
  })
})
