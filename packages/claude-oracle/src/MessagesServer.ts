/**
 * A scripted Anthropic Messages API on loopback, so the real Claude Code CLI runs offline.
 *
 * Each `POST /v1/messages` takes the next reply from the queue, or asks the fallback responder
 * when the queue is empty (by default {@link defaultResponder}, which scripts tool turns from
 * keywords in the prompt), and streams it as Server-Sent Events (or as one JSON message when the
 * request is not streamed). Every request is recorded so tests can assert which history Claude
 * sent.
 *
 * @since 0.1.0
 */
import * as LoopbackServer from "@sessionport/codex-oracle/LoopbackServer"
import { Context, Data, Effect, Layer } from "effect"
import * as Crypto from "node:crypto"
import type * as Http from "node:http"
import * as Block from "./Block.js"
import * as Request from "./internal/request.js"
import { message, messageStream } from "./internal/sse.js"

/**
 * What a responder sees of one `POST /v1/messages`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Turn {
  /** 1-based number of this Messages request in the server's lifetime. */
  readonly n: number
  readonly body: unknown
  /** The last `role:"user"` message as text (tool results as `tool_result …`). */
  readonly lastUserText: string
  /** The last user message carries a `tool_result`: the model is told what its tool did. */
  readonly toolResult: boolean
  /** From "Primary working directory: …" in the request, when present. */
  readonly cwd: string | undefined
  /** Names of the tools the request offers. */
  readonly toolNames: ReadonlyArray<string>
}

/** @since 0.1.0 @category models */
export type Responder = (turn: Turn) => Block.Reply

/** @since 0.1.0 @category models */
export interface Script {
  /** Served in order, one per `POST /v1/messages`; a function is asked at that moment. */
  readonly replies?: ReadonlyArray<Block.Reply | Responder>
  /** Asked when the queue is empty; defaults to {@link defaultResponder}. */
  readonly fallback?: Responder
}

/**
 * A request the server received (path with query, e.g. `/v1/messages?beta=true`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest extends LoopbackServer.RecordedRequest {
  /** For Messages requests: the reply sent, with the ids the server filled in. */
  readonly reply?: Block.Reply
}

/** @since 0.1.0 @category errors */
export class MessagesServerError extends Data.TaggedError("MessagesServerError")<{
  readonly reason: "Listen"
  readonly cause: unknown
}> {
  override get message() {
    return `MessagesServer could not listen on 127.0.0.1: ${String(this.cause)}`
  }
}

/**
 * `requests` are the `POST /v1/messages` (count_tokens excluded); `otherRequests` the rest (HEAD,
 * count_tokens, model lists, unknown paths).
 *
 * @since 0.1.0
 * @category models
 */
export interface MessagesServerShape extends LoopbackServer.Controls<Block.Reply | Responder, Responder, RecordedRequest> {
  readonly port: number
  /** `http://127.0.0.1:<port>`, the `ANTHROPIC_BASE_URL` (Claude appends `/v1/messages`). */
  readonly baseUrl: string
  /** Random per server; part of every generated tool id and message id. */
  readonly runId: string
}

/** @since 0.1.0 @category tags */
export class MessagesServer extends Context.Tag("@sessionport/claude-oracle/MessagesServer")<
  MessagesServer,
  MessagesServerShape
>() {}

/**
 * The recipe behaviour, decided from the last user message:
 * - it carries a tool result: `Done (reply n).`
 * - it contains `use-tool` (and Bash is offered): `Listing.` and a Bash `ls`
 * - it contains `write-file` (and Write is offered): a Write of `<cwd>/notes-<n>.txt`
 * - otherwise: `Plain answer n.`
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultResponder: Responder = (turn) => {
  if (turn.toolResult) return [Block.text(`Done (reply ${turn.n}).`)]
  if (turn.lastUserText.includes("use-tool") && turn.toolNames.includes("Bash")) {
    return [Block.text("Listing."), Block.bash("ls", "List files")]
  }
  if (turn.lastUserText.includes("write-file") && turn.toolNames.includes("Write")) {
    return [Block.write(`${turn.cwd ?? "/tmp"}/notes-${turn.n}.txt`, `note ${turn.n}\n`)]
  }
  return [Block.text(`Plain answer ${turn.n}.`)]
}

/**
 * The conversation a request carried, one entry per message: text blocks as is, tools as
 * `tool_use Name {json}` and `tool_result …`. For assertions on what Claude sent.
 *
 * @since 0.1.0
 * @category getters
 */
export const conversation = (
  request: RecordedRequest
): ReadonlyArray<{ readonly role: string; readonly text: string }> =>
  Request.messagesOf(request.body).map(({ role, text }) => ({ role, text }))

/**
 * The view a responder gets of a request body (also handy in tests).
 *
 * @since 0.1.0
 * @category constructors
 */
export const turnOf = (n: number, body: unknown): Turn => {
  const last = Request.lastUser(body)
  return {
    n,
    body,
    lastUserText: last?.text ?? "",
    toolResult: last?.blocks.some((b) => b["type"] === "tool_result") ?? false,
    cwd: Request.workingDirectory(body),
    toolNames: Request.toolNames(body)
  }
}

const withIds = (runId: string, n: number, reply: Block.Reply): Block.Reply =>
  reply.map((block, i) =>
    block.type === "tool_use" && block.id === undefined
      ? { ...block, id: `toolu_${runId}_${n}${i === 0 ? "" : `_${i}`}` }
      : block
  )

const answerOther = (recorded: RecordedRequest, path: string, res: Http.ServerResponse) => {
  if (recorded.method === "HEAD") {
    // e.g. `HEAD /api/hello`, a reachability probe sent without the DISABLE_* variables.
    res.writeHead(200)
    res.end()
  } else if (recorded.method === "POST" && path === "/v1/messages/count_tokens") {
    LoopbackServer.sendJson(res, 200, { input_tokens: 42 })
  } else if (recorded.method === "GET" && path === "/v1/models") {
    LoopbackServer.sendJson(res, 200, { data: [], has_more: false, first_id: null, last_id: null })
  } else {
    LoopbackServer.sendJson(res, 404, {
      type: "error",
      error: { type: "not_found_error", message: `no route for ${recorded.method} ${path}` }
    })
  }
}

/**
 * Starts the server on a random free port of 127.0.0.1; it is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("MessagesServer.make")(function*(script: Script = {}) {
  // Tool ids must not repeat across restarts: a resumed history with a reused id breaks.
  const runId = `${Date.now().toString(36)}${Crypto.randomBytes(3).toString("hex")}`
  let counter = 0
  const answer = (recorded: RecordedRequest, next: Block.Reply | Responder, res: Http.ServerResponse) => {
    const n = ++counter
    const planned = typeof next === "function" ? next(turnOf(n, recorded.body)) : next
    const reply = withIds(runId, n, planned)
    const id = `msg_${runId}_${n}`
    const model = Request.modelOf(recorded.body)
    const headers = { "request-id": `req_${runId}_${n}` }
    if (!Request.isStream(recorded.body)) {
      LoopbackServer.sendJson(res, 200, message(id, model, reply), headers)
    } else {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers })
      res.end(messageStream(id, model, reply))
    }
    return { ...recorded, reply } satisfies RecordedRequest
  }
  const { controls, origin, port } = yield* LoopbackServer.make({
    replies: script.replies ?? [],
    fallback: script.fallback ?? defaultResponder,
    modelPath: "/v1/messages",
    answer,
    answerOther,
    onListenError: (cause) => new MessagesServerError({ reason: "Listen", cause })
  })
  return MessagesServer.of({ port, baseUrl: origin, runId, ...controls })
})

/** @since 0.1.0 @category layers */
export const layer = (script: Script = {}): Layer.Layer<MessagesServer, MessagesServerError> =>
  Layer.scoped(MessagesServer, make(script))
