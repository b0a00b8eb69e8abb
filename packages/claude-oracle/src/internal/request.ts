/** Reading a Messages API request body the way the scripted model needs it. */

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null

const blocksOf = (content: unknown): ReadonlyArray<Json> =>
  typeof content === "string"
    ? [{ type: "text", text: content }]
    : Array.isArray(content)
    ? content.filter(isRecord)
    : []

const resultText = (content: unknown): string =>
  typeof content === "string" ? content : blocksOf(content).map((b) => String(b["text"] ?? "")).join("\n")

/** One block as a line of text: text as is, tools as `tool_use Name {json}` / `tool_result …`. */
const blockText = (block: Json): string => {
  switch (block["type"]) {
    case "text":
      return String(block["text"] ?? "")
    case "tool_use":
      return `tool_use ${String(block["name"])} ${JSON.stringify(block["input"] ?? {})}`
    case "tool_result":
      return `tool_result ${resultText(block["content"])}`
    default:
      return `[${String(block["type"])}]`
  }
}

/** A message's `content` (string or blocks) as text, one block per line. */
export const contentText = (content: unknown): string => blocksOf(content).map(blockText).join("\n")

export interface Message {
  readonly role: string
  readonly text: string
  readonly blocks: ReadonlyArray<Json>
}

export const messagesOf = (body: unknown): ReadonlyArray<Message> => {
  const messages = isRecord(body) && Array.isArray(body["messages"]) ? body["messages"].filter(isRecord) : []
  return messages.map((m) => {
    const blocks = blocksOf(m["content"])
    return { role: String(m["role"]), blocks, text: contentText(m["content"]) }
  })
}

const systemText = (body: unknown): string => {
  if (!isRecord(body)) return ""
  const system = body["system"]
  return typeof system === "string" ? system : blocksOf(system).map((b) => String(b["text"] ?? "")).join("\n")
}

/**
 * The last "Primary working directory: …" of the request: Claude Code 2.1.332 sends its
 * environment block as a `role:"system"` message (older versions in `system`); after a move it
 * appends "(was …)", which is cut off.
 */
export const workingDirectory = (body: unknown): string | undefined => {
  const texts = [systemText(body), ...messagesOf(body).filter((m) => m.role === "system").map((m) => m.text)]
  let found: string | undefined
  for (const text of texts) {
    for (const match of text.matchAll(/Primary working directory: (.+)$/gm)) {
      found = match[1]!.replace(/ \(was .*\)$/, "").trim()
    }
  }
  return found
}

export const toolNames = (body: unknown): ReadonlyArray<string> =>
  isRecord(body) && Array.isArray(body["tools"])
    ? body["tools"].filter(isRecord).map((t) => String(t["name"]))
    : []

/** The last `role:"user"` message (2.1.332 may put a `role:"system"` message after it). */
export const lastUser = (body: unknown): Message | undefined =>
  [...messagesOf(body)].reverse().find((m) => m.role === "user")

export const modelOf = (body: unknown): string =>
  isRecord(body) && typeof body["model"] === "string" ? body["model"] : "claude-mock"

export const isStream = (body: unknown): boolean => isRecord(body) && body["stream"] === true
