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
import { assignIds, responseStream } from "./internal/sse.js"
import * as LoopbackServer from "./LoopbackServer.js"
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

/**
 * A request the server received (path with query, e.g. `/v1/responses`).
 *
 * @since 0.1.0
 * @category models
 */
export type RecordedRequest = LoopbackServer.RecordedRequest

/** @since 0.1.0 @category errors */
export class ResponsesServerError extends Data.TaggedError("ResponsesServerError")<{
  readonly reason: "Listen"
  readonly cause: unknown
}> {
  override get message() {
    return `ResponsesServer could not listen on 127.0.0.1: ${String(this.cause)}`
  }
}

/**
 * `requests` are the `POST /v1/responses`; `otherRequests` the rest (answered 404, or a harmless
 * model list).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponsesServerShape extends LoopbackServer.Controls<Reply, Reply, RecordedRequest> {
  readonly port: number
  /** `http://127.0.0.1:<port>/v1`, the `base_url` of the model provider. */
  readonly baseUrl: string
}

/** @since 0.1.0 @category tags */
export class ResponsesServer extends Context.Tag("@sessionport/codex-oracle/ResponsesServer")<
  ResponsesServer,
  ResponsesServerShape
>() {}

/** @since 0.1.0 @category constants */
export const defaultFallback: Reply = [OutputItem.message("OK.")]

/**
 * Starts the server on a random free port of 127.0.0.1; it is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("ResponsesServer.make")(function*(script: Script = {}) {
  let itemCounter = 0
  let responseCounter = 0
  const { controls, origin, port } = yield* LoopbackServer.make({
    replies: script.replies ?? [],
    fallback: script.fallback ?? defaultFallback,
    modelPath: "/v1/responses",
    answer: (recorded, reply, res) => {
      const items = reply.map((item) => assignIds(item, () => ++itemCounter))
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      res.end(responseStream(`resp_${++responseCounter}`, items))
      return recorded
    },
    answerOther: (recorded, path, res) =>
      recorded.method === "GET" && path === "/v1/models"
        // OpenAI-shaped and empty: Codex keeps its configured catalog.
        ? LoopbackServer.sendJson(res, 200, { object: "list", data: [] })
        : LoopbackServer.sendJson(res, 404, {
          error: { message: `no route for ${recorded.method} ${path}`, type: "not_found" }
        }),
    onListenError: (cause) => new ResponsesServerError({ reason: "Listen", cause })
  })
  return ResponsesServer.of({ port, baseUrl: `${origin}/v1`, ...controls })
})

/** @since 0.1.0 @category layers */
export const layer = (script: Script = {}): Layer.Layer<ResponsesServer, ResponsesServerError> =>
  Layer.scoped(ResponsesServer, make(script))
