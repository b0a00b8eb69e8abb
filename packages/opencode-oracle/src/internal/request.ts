/** Reading a Chat Completions request body the way the scripted model needs it. */

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null

/** A message's `content` (a string or an array of parts) as text, text parts joined by newlines. */
export const contentText = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
    ? content.filter(isRecord).map((p) => typeof p["text"] === "string" ? p["text"] : `[${String(p["type"])}]`).join(
      "\n"
    )
    : ""

/** @internal */
export interface Message {
  readonly role: string
  /** The content as text; an assistant's tool calls follow as `tool_call <name> <arguments>` lines. */
  readonly text: string
  readonly raw: Json
}

const toolCallLines = (message: Json): ReadonlyArray<string> =>
  Array.isArray(message["tool_calls"])
    ? message["tool_calls"].filter(isRecord).map((call) => {
      const fn = isRecord(call["function"]) ? call["function"] : {}
      return `tool_call ${String(fn["name"])} ${String(fn["arguments"] ?? "")}`
    })
    : []

export const messagesOf = (body: unknown): ReadonlyArray<Message> =>
  isRecord(body) && Array.isArray(body["messages"])
    ? body["messages"].filter(isRecord).map((m) => ({
      role: String(m["role"]),
      text: [contentText(m["content"]), ...toolCallLines(m)].filter((t) => t !== "").join("\n"),
      raw: m
    }))
    : []

export const systemText = (body: unknown): string =>
  messagesOf(body).filter((m) => m.role === "system").map((m) => m.text).join("\n")

export const toolNames = (body: unknown): ReadonlyArray<string> =>
  isRecord(body) && Array.isArray(body["tools"])
    ? body["tools"].filter(isRecord).flatMap((t) =>
      isRecord(t["function"]) && typeof t["function"]["name"] === "string" ? [t["function"]["name"]] : []
    )
    : []

/** OpenCode puts `Working directory: <path>` into its `<env>` system block. */
export const workingDirectory = (body: unknown): string | undefined =>
  /[Ww]orking directory: ([^\n]+)/.exec(systemText(body))?.[1]?.trim()

export const modelOf = (body: unknown): string =>
  isRecord(body) && typeof body["model"] === "string" ? body["model"] : "mock-model"

export const isStream = (body: unknown): boolean => isRecord(body) && body["stream"] === true

/** OpenCode's title request: system "You are a title generator…", no tools. */
export const isTitleRequest = (body: unknown): boolean => /title generator/i.test(systemText(body))
