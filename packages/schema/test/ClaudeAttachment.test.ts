import { assert, describe, it } from "@effect/vitest"
import { ClaudeAttachment } from "@sessionport/schema"
import { Schema } from "effect"
import { claudeTranscripts, nonEmptyLines, readWhole } from "./utils/files.js"

const isAttachment = Schema.is(ClaudeAttachment.Attachment)
const isOther = Schema.is(ClaudeAttachment.OtherAttachment)

describe("attachments", () => {
  it("every real attachment is of a modelled kind, and every modelled kind was seen", () => {
    const seen = new Set<string>()
    for (const file of claudeTranscripts()) {
      for (const raw of nonEmptyLines(readWhole(file))) {
        const line = JSON.parse(raw)
        if (line.type !== "attachment") continue
        assert.isTrue(isAttachment(line.attachment), raw.slice(0, 200))
        assert.isFalse(isOther(line.attachment))
        seen.add(line.attachment.type)
      }
    }
    assert.deepStrictEqual([...seen].sort(), [...ClaudeAttachment.attachmentTypes].sort())
  })

  it("another kind is an OtherAttachment; a modelled kind that does not match is not", () => {
    assert.isTrue(isOther({ type: "nested_memory", path: "/p/CLAUDE.md", content: {} }))
    assert.isTrue(isAttachment({ type: "edited_text_file", filename: "/p/a", snippet: "x" }))
    assert.isFalse(isAttachment({ type: "environment", snapshot: { isGitRepo: true } }))
    assert.isFalse(isOther({ type: "environment", snapshot: {} }))
    assert.isFalse(isAttachment({ type: "file", content: {} }))
    assert.isFalse(isAttachment({ kind: "date" }))
  })
})
