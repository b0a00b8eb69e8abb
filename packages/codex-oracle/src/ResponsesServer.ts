/**
 * A scripted OpenAI Responses endpoint on loopback, so the real Codex CLI runs offline.
 *
 * Each `POST /v1/responses` takes the next reply from the queue (or the fallback when the
 * queue is empty) and streams it as Server-Sent Events. Every request body is recorded so
 * tests can assert which history Codex sent.
 *
 * @since 0.1.0
 */
import { Context, Data, Effect, Layer } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"
import { assignIds, responseStream } from "./internal/sse.js"
import * as OutputItem from "./OutputItem.js"

/**
 * The output items of one model response (one sampling request).
 *
 * @since 0.1.0
 * @category models
 */
export type Reply = ReadonlyArray<OutputItem.OutputItem>

/** @since 0.1.0 @category models */
export interface Script {
  /** Served in order, one per `POST /v1/responses`. */
  readonly replies?: ReadonlyArray<Reply>
  /** Served when the queue is empty; defaults to a single assistant message "OK.". */
  readonly fallback?: Reply
}

/** @since 0.1.0 @category models */
export interface RecordedRequest {
  readonly method: string
  /** Path with query, e.g. `/v1/responses`. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (after content decoding). */
  readonly text: string
  /** The parsed JSON body, or `undefined` when it was empty or not JSON. */
  readonly body: unknown
}

/** @since 0.1.0 @category errors */
export class ResponsesServerError extends Data.TaggedError("ResponsesServerError")<{
  readonly reason: "Listen"
  readonly cause: unknown
}> {
  override get message() {
    return `ResponsesServer could not listen on 127.0.0.1: ${String(this.cause)}`
  }
}

/** @since 0.1.0 @category models */
export interface ResponsesServerShape {
  readonly port: number
  /** `http://127.0.0.1:<port>/v1`, the `base_url` of the model provider. */
  readonly baseUrl: string
  /** Appends replies to the queue. */
  readonly enqueue: (...replies: ReadonlyArray<Reply>) => Effect.Effect<void>
  readonly setFallback: (reply: Reply) => Effect.Effect<void>
  /** Replies still queued. */
  readonly pending: Effect.Effect<number>
  /** Every `POST /v1/responses`, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** Every other request (answered 404, or a harmless model list). */
  readonly otherRequests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
}

/** @since 0.1.0 @category tags */
export class ResponsesServer extends Context.Tag("@sessionport/codex-oracle/ResponsesServer")<
  ResponsesServer,
  ResponsesServerShape
>() {}

/** @since 0.1.0 @category constants */
export const defaultFallback: Reply = [OutputItem.message("OK.")]

interface State {
  readonly queue: Array<Reply>
  fallback: Reply
  requests: Array<RecordedRequest>
  others: Array<RecordedRequest>
  itemCounter: number
  responseCounter: number
}

// Codex may compress request bodies; zstd needs Node >= 22.15, so it is optional here.
const decodeBody = (raw: Buffer, encoding: string | undefined): string => {
  try {
    switch (encoding) {
      case "gzip":
        return Zlib.gunzipSync(raw).toString("utf8")
      case "deflate":
        return Zlib.inflateSync(raw).toString("utf8")
      case "br":
        return Zlib.brotliDecompressSync(raw).toString("utf8")
      case "zstd": {
        const zstd = (Zlib as { readonly zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync
        return zstd === undefined ? "" : zstd(raw).toString("utf8")
      }
      default:
        return raw.toString("utf8")
    }
  } catch {
    return ""
  }
}

const parseJson = (text: string): unknown => {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const flatHeaders = (headers: Http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v]])
  )

const handler = (state: State) => (req: Http.IncomingMessage, res: Http.ServerResponse) => {
  const chunks: Array<Buffer> = []
  req.on("data", (chunk: Buffer) => chunks.push(chunk))
  req.on("error", () => res.destroy())
  req.on("end", () => {
    const text = decodeBody(Buffer.concat(chunks), req.headers["content-encoding"])
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: flatHeaders(req.headers),
      text,
      body: parseJson(text)
    }
    const path = recorded.path.split("?")[0]
    if (recorded.method === "POST" && path === "/v1/responses") {
      state.requests.push(recorded)
      const reply = state.queue.shift() ?? state.fallback
      const items = reply.map((item) => assignIds(item, () => ++state.itemCounter))
      const body = responseStream(`resp_${++state.responseCounter}`, items)
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      res.end(body)
      return
    }
    state.others.push(recorded)
    if (recorded.method === "GET" && path === "/v1/models") {
      // OpenAI-shaped and empty: Codex keeps its configured catalog.
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ object: "list", data: [] }))
      return
    }
    res.writeHead(404, { "content-type": "application/json" })
    res.end(JSON.stringify({ error: { message: `no route for ${recorded.method} ${path}`, type: "not_found" } }))
  })
}

/**
 * Starts the server on a random free port of 127.0.0.1; it is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("ResponsesServer.make")(function*(script: Script = {}) {
  const state: State = {
    queue: [...(script.replies ?? [])],
    fallback: script.fallback ?? defaultFallback,
    requests: [],
    others: [],
    itemCounter: 0,
    responseCounter: 0
  }
  const server = yield* Effect.acquireRelease(
    Effect.async<Http.Server, ResponsesServerError>((resume) => {
      const server = Http.createServer(handler(state))
      server.once("error", (cause) => resume(Effect.fail(new ResponsesServerError({ reason: "Listen", cause }))))
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        // Codex keeps connections alive; without this close() waits for them.
        server.closeAllConnections()
      })
  )
  const port = (server.address() as AddressInfo).port
  return ResponsesServer.of({
    port,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    enqueue: (...replies) => Effect.sync(() => void state.queue.push(...replies)),
    setFallback: (reply) => Effect.sync(() => void (state.fallback = reply)),
    pending: Effect.sync(() => state.queue.length),
    requests: Effect.sync(() => [...state.requests]),
    otherRequests: Effect.sync(() => [...state.others]),
    clearRequests: Effect.sync(() => {
      state.requests = []
      state.others = []
    })
  })
})

/** @since 0.1.0 @category layers */
export const layer = (script: Script = {}): Layer.Layer<ResponsesServer, ResponsesServerError> =>
  Layer.scoped(ResponsesServer, make(script))
