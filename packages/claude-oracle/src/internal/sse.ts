import type { Reply } from "../Block.js"
import { stopReason } from "../Block.js"

const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }

const event = (data: { readonly type: string } & Record<string, unknown>): string =>
  `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`

/** A complete (non-streamed) assistant message. */
export const message = (id: string, model: string, reply: Reply) => ({
  id,
  type: "message",
  role: "assistant",
  model,
  content: reply,
  stop_reason: stopReason(reply),
  stop_sequence: null,
  usage
})

/**
 * The whole SSE body of one streamed message: `message_start`, per block `content_block_start`,
 * its deltas (`text_delta`, `input_json_delta`, or `thinking_delta` then `signature_delta`) and
 * `content_block_stop`, then `message_delta` with the stop reason and `message_stop`.
 */
export const messageStream = (id: string, model: string, reply: Reply): string => {
  const events = [
    event({
      type: "message_start",
      message: { ...message(id, model, []), stop_reason: null }
    })
  ]
  reply.forEach((block, index) => {
    if (block.type === "text") {
      events.push(event({ type: "content_block_start", index, content_block: { type: "text", text: "" } }))
      events.push(event({ type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } }))
    } else if (block.type === "thinking") {
      events.push(event({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }))
      events.push(event({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: block.thinking } }))
      events.push(event({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } }))
    } else {
      events.push(event({
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} }
      }))
      events.push(event({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) }
      }))
    }
    events.push(event({ type: "content_block_stop", index }))
  })
  events.push(event({
    type: "message_delta",
    delta: { stop_reason: stopReason(reply), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens }
  }))
  events.push(event({ type: "message_stop" }))
  return events.join("")
}
