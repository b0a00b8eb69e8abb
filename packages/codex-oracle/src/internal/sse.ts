import type { OutputItem } from "../OutputItem.js"

/** Fills missing `id` / `call_id` so every item a server sends is unique. */
export const assignIds = (item: OutputItem, next: () => number): OutputItem => {
  const n = next()
  const prefix = idPrefix[item.type] ?? "item"
  const needsCallId = item.type === "function_call" || item.type === "custom_tool_call"
  return {
    ...item,
    ...(typeof item.id === "string" ? {} : { id: `${prefix}_${n}` }),
    ...(needsCallId && typeof item.call_id !== "string" ? { call_id: `call_${n}` } : {})
  }
}

const idPrefix: Record<string, string> = {
  message: "msg",
  reasoning: "rs",
  function_call: "fc",
  custom_tool_call: "ctc",
  web_search_call: "ws"
}

const event = (data: { readonly type: string } & Record<string, unknown>): string =>
  `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`

/** The whole SSE body of one streamed response: created, one `output_item.done` per item, completed. */
export const responseStream = (responseId: string, items: ReadonlyArray<OutputItem>): string => {
  const outputTokens = 5 * Math.max(1, items.length)
  return [
    event({ type: "response.created", response: { id: responseId } }),
    ...items.map((item, output_index) => event({ type: "response.output_item.done", output_index, item })),
    event({
      type: "response.completed",
      response: {
        id: responseId,
        usage: {
          input_tokens: 10,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 10 + outputTokens
        }
      }
    })
  ].join("")
}
