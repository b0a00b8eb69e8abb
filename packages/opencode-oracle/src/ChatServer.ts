/**
 * A scripted OpenAI-compatible Chat Completions API on loopback, so the real OpenCode CLI (a
 * custom provider `mock`, npm `@ai-sdk/openai-compatible`) runs offline.
 *
 * Each `POST /v1/chat/completions` takes the next reply from the queue, or asks the fallback
 * responder when the queue is empty (by default {@link defaultResponder}, which scripts tool turns
 * from keywords in the prompt), and streams it as `chat.completion.chunk` Server-Sent Events ending
 * in `data: [DONE]` (or as one `chat.completion` when the request is not streamed). OpenCode's title
 * requests (one per new session, asked beside the first turn) never take a queued reply: they are
 * answered by the title responder, so scripts stay in step whenever the title request comes. Every
 * request is recorded so tests can assert which history OpenCode sent.
 *
 * @since 0.1.0
 */
import * as LoopbackServer from "@sessionport/codex-oracle/LoopbackServer"
import { Context, Data, Effect, Layer } from "effect"
import * as Crypto from "node:crypto"
import type * as Http from "node:http"
import * as Request from "./internal/request.js"

/** @since 0.1.0 @category models */
export interface ToolCall {
  readonly name: string
  readonly arguments: Readonly<Record<string, unknown>>
  /** Default `call_<runId>_<n>[_<i>]`, unique across servers. */
  readonly id?: string
}

/**
 * One assistant reply: optional text, then tool calls (finish reason `tool_calls` when there are
 * any, else `stop`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Reply {
  readonly text?: string
  readonly toolCalls?: ReadonlyArray<ToolCall>
}

/** @since 0.1.0 @category constructors */
export const text = (value: string): Reply => ({ text: value })

/** A `bash` tool call (OpenCode 1.18.33's tool: `command`, `description`). @since 0.1.0 @category constructors */
export const bash = (command: string, description = "Run a command"): ToolCall => ({
  name: "bash",
  arguments: { command, description }
})

/** A `write` tool call (`filePath` must be absolute). @since 0.1.0 @category constructors */
export const write = (filePath: string, content: string): ToolCall => ({ name: "write", arguments: { filePath, content } })

/**
 * What a responder sees of one chat request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Turn {
  /** 1-based number of this request among the chat requests (title requests counted apart). */
  readonly n: number
  readonly body: unknown
  /** The last `role:"user"` message as text. */
  readonly lastUserText: string
  /** The last message is a `role:"tool"` result: the model is told what its tool did. */
  readonly toolResult: boolean
  /** From "Working directory: …" in the system prompt, when present. */
  readonly cwd: string | undefined
  /** Names of the tools the request offers. */
  readonly toolNames: ReadonlyArray<string>
}

/** @since 0.1.0 @category models */
export type Responder = (turn: Turn) => Reply

/** @since 0.1.0 @category models */
export interface Script {
  /** Served in order, one per chat request; a function is asked at that moment. */
  readonly replies?: ReadonlyArray<Reply | Responder>
  /** Asked when the queue is empty; defaults to {@link defaultResponder}. */
  readonly fallback?: Responder
  /** Answers title requests (`n` counts title requests); defaults to {@link defaultTitle}. */
  readonly title?: Responder
}

/** @since 0.1.0 @category models */
export interface RecordedRequest extends LoopbackServer.RecordedRequest {
  /** `title` for OpenCode's title requests, else `chat`. */
  readonly kind: "chat" | "title"
  /** The reply sent, with the ids the server filled in. */
  readonly reply: Reply
}

/** @since 0.1.0 @category errors */
export class ChatServerError extends Data.TaggedError("ChatServerError")<{
  readonly reason: "Listen"
  readonly cause: unknown
}> {
  override get message() {
    return `ChatServer could not listen on 127.0.0.1: ${String(this.cause)}`
  }
}

/**
 * `requests` are every `POST /v1/chat/completions` (title requests included, see `kind`);
 * `chatRequests` the ones that are not title requests; `otherRequests` the rest (model lists,
 * unknown paths). `enqueue`, `setFallback` and `pending` concern chat requests only.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatServerShape extends LoopbackServer.Controls<Reply | Responder, Responder, RecordedRequest> {
  readonly port: number
  /** `http://127.0.0.1:<port>/v1`, the provider's `baseURL` (the SDK appends `/chat/completions`). */
  readonly baseUrl: string
  /** Random per server; part of every generated tool-call id and completion id. */
  readonly runId: string
  readonly chatRequests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly setTitle: (title: Responder) => Effect.Effect<void>
}

/** @since 0.1.0 @category tags */
export class ChatServer extends Context.Tag("@sessionport/opencode-oracle/ChatServer")<ChatServer, ChatServerShape>() {}

/**
 * The recipe behaviour, decided from the last messages:
 * - the last message is a tool result: `Done (reply n).`
 * - the last user text contains `use-tool` (and bash is offered): `Listing.` and a bash `ls`
 * - it contains `write-file` (and write is offered): a write of `<cwd>/notes-<n>.txt`
 * - otherwise: `Plain answer n.`
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultResponder: Responder = (turn) => {
  if (turn.toolResult) return text(`Done (reply ${turn.n}).`)
  if (turn.lastUserText.includes("use-tool") && turn.toolNames.includes("bash")) {
    return { text: "Listing.", toolCalls: [bash("ls", "List files")] }
  }
  if (turn.lastUserText.includes("write-file") && turn.toolNames.includes("write")) {
    return { toolCalls: [write(`${turn.cwd ?? "/tmp"}/notes-${turn.n}.txt`, `note ${turn.n}\n`)] }
  }
  return text(`Plain answer ${turn.n}.`)
}

/** `Mock title <n>` (n counts title requests). @since 0.1.0 @category constants */
export const defaultTitle: Responder = (turn) => text(`Mock title ${turn.n}`)

/**
 * The view a responder gets of a request body (also handy in tests).
 *
 * @since 0.1.0
 * @category constructors
 */
export const turnOf = (n: number, body: unknown): Turn => {
  const messages = Request.messagesOf(body)
  return {
    n,
    body,
    lastUserText: [...messages].reverse().find((m) => m.role === "user")?.text ?? "",
    toolResult: messages.at(-1)?.role === "tool",
    cwd: Request.workingDirectory(body),
    toolNames: Request.toolNames(body)
  }
}

/**
 * The conversation a request carried, one entry per message; an assistant's tool calls are
 * `tool_call <name> <arguments>` lines after its text. For assertions on what OpenCode sent.
 *
 * @since 0.1.0
 * @category getters
 */
export const conversation = (
  request: LoopbackServer.RecordedRequest
): ReadonlyArray<{ readonly role: string; readonly text: string }> =>
  Request.messagesOf(request.body).map(({ role, text }) => ({ role, text }))

const withIds = (runId: string, n: string, reply: Reply): Reply =>
  reply.toolCalls === undefined ? reply : {
    ...reply,
    toolCalls: reply.toolCalls.map((call, i) => call.id !== undefined ? call : { ...call, id: `call_${runId}_${n}${i === 0 ? "" : `_${i}`}` })
  }

const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }

/**
 * The SSE body of a streamed reply: a role chunk, the text, per tool call a chunk with its id and
 * name (empty arguments) and one with its arguments, a finish chunk, a usage chunk, `[DONE]`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const streamBody = (id: string, model: string, created: number, reply: Reply): string => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${
      JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })
    }\n\n`
  const calls = reply.toolCalls ?? []
  return [
    chunk({ role: "assistant", content: "" }),
    ...(reply.text === undefined || reply.text === "" ? [] : [chunk({ content: reply.text })]),
    ...calls.flatMap((call, index) => [
      chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }),
      chunk({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.arguments) } }] })
    ]),
    chunk({}, calls.length > 0 ? "tool_calls" : "stop"),
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`,
    "data: [DONE]\n\n"
  ].join("")
}

/**
 * The body of a reply that was not streamed.
 *
 * @since 0.1.0
 * @category encoding
 */
export const completion = (id: string, model: string, created: number, reply: Reply): unknown => {
  const calls = reply.toolCalls ?? []
  return {
    id,
    object: "chat.completion",
    created,
    model,
    usage,
    choices: [{
      index: 0,
      finish_reason: calls.length > 0 ? "tool_calls" : "stop",
      message: {
        role: "assistant",
        content: reply.text ?? null,
        ...(calls.length === 0 ? {} : {
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.name, arguments: JSON.stringify(c.arguments) }
          }))
        })
      }
    }]
  }
}

const answerOther = (recorded: LoopbackServer.RecordedRequest, path: string, res: Http.ServerResponse) => {
  if (recorded.method === "GET" && path === "/v1/models") {
    LoopbackServer.sendJson(res, 200, { object: "list", data: [{ id: "mock-model", object: "model", owned_by: "mock" }] })
  } else if (recorded.method === "HEAD") {
    res.writeHead(200)
    res.end()
  } else {
    LoopbackServer.sendJson(res, 404, {
      error: { message: `no route for ${recorded.method} ${path}`, type: "invalid_request_error", code: "not_found" }
    })
  }
}

/**
 * Starts the server on a random free port of 127.0.0.1; it is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("ChatServer.make")(function*(script: Script = {}) {
  // Tool-call ids must not repeat across restarts: a resumed history with a reused id breaks.
  const runId = `${Date.now().toString(36)}${Crypto.randomBytes(3).toString("hex")}`
  // The queue lives here, not in LoopbackServer: title requests must not take queued replies.
  const queue: Array<Reply | Responder> = [...(script.replies ?? [])]
  let fallback = script.fallback ?? defaultResponder
  let title = script.title ?? defaultTitle
  let chats = 0
  let titles = 0
  const answer = (recorded: LoopbackServer.RecordedRequest, _next: void, res: Http.ServerResponse): RecordedRequest => {
    const kind = Request.isTitleRequest(recorded.body) ? "title" : "chat"
    const n = kind === "title" ? ++titles : ++chats
    const next = kind === "title" ? title : queue.shift() ?? fallback
    const tag = kind === "title" ? `t${n}` : `${n}`
    const reply = withIds(runId, tag, typeof next === "function" ? next(turnOf(n, recorded.body)) : next)
    const id = `chatcmpl-${runId}-${tag}`
    const model = Request.modelOf(recorded.body)
    const created = Math.floor(Date.now() / 1000)
    if (Request.isStream(recorded.body)) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      res.end(streamBody(id, model, created, reply))
    } else {
      LoopbackServer.sendJson(res, 200, completion(id, model, created, reply))
    }
    return { ...recorded, kind, reply }
  }
  const { controls, origin, port } = yield* LoopbackServer.make<void, void, RecordedRequest, ChatServerError>({
    replies: [],
    fallback: undefined,
    modelPath: "/v1/chat/completions",
    answer,
    answerOther,
    onListenError: (cause) => new ChatServerError({ reason: "Listen", cause })
  })
  return ChatServer.of({
    port,
    baseUrl: `${origin}/v1`,
    runId,
    requests: controls.requests,
    otherRequests: controls.otherRequests,
    clearRequests: controls.clearRequests,
    chatRequests: Effect.map(controls.requests, (all) => all.filter((r) => r.kind === "chat")),
    enqueue: (...replies) => Effect.sync(() => void queue.push(...replies)),
    setFallback: (next) => Effect.sync(() => void (fallback = next)),
    setTitle: (next) => Effect.sync(() => void (title = next)),
    pending: Effect.sync(() => queue.length)
  })
})

/** @since 0.1.0 @category layers */
export const layer = (script: Script = {}): Layer.Layer<ChatServer, ChatServerError> =>
  Layer.scoped(ChatServer, make(script))
