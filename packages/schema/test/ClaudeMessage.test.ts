import { assert, describe, it } from "@effect/vitest"
import { ClaudeMessage } from "@sessionport/schema"
import { Schema } from "effect"
import { claudeTranscripts, nonEmptyLines, readWhole } from "./utils/files.js"

const isBlock = Schema.is(ClaudeMessage.ContentBlock)

describe("content blocks", () => {
  it("real blocks are modelled ones (text, tool_use, tool_result, thinking with its signature)", () => {
    const seen = new Set<string>()
    for (const file of claudeTranscripts()) {
      for (const raw of nonEmptyLines(readWhole(file))) {
        const line = JSON.parse(raw)
        if ((line.type !== "user" && line.type !== "assistant") || typeof line.message.content === "string") continue
        for (const block of line.message.content) {
          assert.isTrue(isBlock(block))
          assert.include(ClaudeMessage.contentBlockTypes, block.type)
          seen.add(block.type)
          if (block.type === "thinking") assert.isString(block.signature)
        }
      }
    }
    assert.deepStrictEqual([...seen].sort(), ["text", "thinking", "tool_result", "tool_use"])
  })

  it("a block of another kind passes; a modelled kind whose fields do not match does not", () => {
    assert.isTrue(isBlock({ type: "web_search_tool_result", tool_use_id: "s", content: { error: 1 } }))
    assert.isTrue(isBlock({ type: "container_upload", file_id: "f" }))
    assert.isTrue(isBlock({ type: "redacted_thinking", data: "opaque" }))
    assert.isFalse(isBlock({ type: "text" }))
    assert.isFalse(isBlock({ type: "tool_use", id: "t", input: {} }))
    assert.isFalse(isBlock({ type: "tool_result", tool_use_id: "t", content: 5 }))
    assert.isFalse(isBlock({ type: "thinking", thinking: "x", signature: 1 }))
  })

  it("a tool result is text or blocks; toolUseResult is an object, an error text or blocks", () => {
    const result = Schema.is(ClaudeMessage.ToolResultBlock)
    assert.isTrue(result({ type: "tool_result", tool_use_id: "t", content: "a.txt", is_error: false }))
    assert.isTrue(result({ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "x" }, { type: "image", source: {} }] }))
    assert.isTrue(result({ type: "tool_result", tool_use_id: "t", content: [{ type: "tool_reference", tool_name: "Monitor" }] }))
    assert.isFalse(result({ type: "tool_result", tool_use_id: "t", content: [{ type: "text" }] }))
    const toolUseResult = Schema.is(ClaudeMessage.ToolUseResult)
    assert.isTrue(toolUseResult({ type: "create", filePath: "/p/a", content: "x", structuredPatch: [], originalFile: null }))
    assert.isTrue(toolUseResult("Error: refused"))
    assert.isTrue(toolUseResult([{ type: "text", text: "mcp" }]))
    assert.isFalse(toolUseResult({ filePath: 5 }))
  })

  it("user content is a string or blocks; assistant content blocks", () => {
    assert.isTrue(Schema.is(ClaudeMessage.UserMessage)({ role: "user", content: "hi" }))
    assert.isFalse(Schema.is(ClaudeMessage.UserMessage)({ role: "assistant", content: "hi" }))
    const assistant = Schema.is(ClaudeMessage.AssistantMessage)
    assert.isTrue(assistant({ role: "assistant", model: "<synthetic>", content: [{ type: "text", text: "API Error" }] }))
    assert.isFalse(assistant({ role: "assistant", content: "text" }))
  })
})
