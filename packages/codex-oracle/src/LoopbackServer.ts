/**
 * What a scripted model server on loopback does whatever API it speaks (`ResponsesServer` here,
 * `MessagesServer` of `@sessionport/claude-oracle`): it listens on a random free port of
 * 127.0.0.1 for the scope, reads and decodes every request body, records every request, and
 * serves a queue of scripted replies, then a fallback.
 *
 * The server names its model endpoint and how to answer: each `POST` to that path takes the next
 * reply and is recorded as a model request; anything else is recorded apart and answered by
 * `answerOther`.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"

/** @since 0.1.0 @category models */
export interface RecordedRequest {
  readonly method: string
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (after content decoding). */
  readonly text: string
  /** The parsed JSON body, or `undefined` when it was empty or not JSON. */
  readonly body: unknown
}

/**
 * What a test steers and reads of a server: `Q` is a queued reply, `F` the fallback, `A` what a
 * model request is recorded as.
 *
 * @since 0.1.0
 * @category models
 */
export interface Controls<Q, F, A> {
  /** Appends replies to the queue. */
  readonly enqueue: (...replies: ReadonlyArray<Q>) => Effect.Effect<void>
  /** What answers once the queue is empty. */
  readonly setFallback: (fallback: F) => Effect.Effect<void>
  /** Replies still queued. */
  readonly pending: Effect.Effect<number>
  /** Every request to the model endpoint, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<A>>
  /** Every other request, oldest first. */
  readonly otherRequests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
}

/** @since 0.1.0 @category models */
export interface Options<Q, F, A, E> {
  /** Served in order, one per model request. */
  readonly replies: ReadonlyArray<Q>
  readonly fallback: F
  /** The model endpoint, e.g. `/v1/messages`: its `POST`s (whatever the query) take the next reply. */
  readonly modelPath: string
  /** Answers a model request with `next` (the next queued reply, or the fallback); returns what is recorded. */
  readonly answer: (request: RecordedRequest, next: Q | F, res: Http.ServerResponse) => A
  /** Answers any other request; `path` is without its query. */
  readonly answerOther: (request: RecordedRequest, path: string, res: Http.ServerResponse) => void
  readonly onListenError: (cause: unknown) => E
}

/** @since 0.1.0 @category models */
export interface LoopbackServer<Q, F, A> {
  readonly port: number
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  readonly controls: Controls<Q, F, A>
}

/**
 * Answers with `body` as JSON.
 *
 * @since 0.1.0
 * @category utils
 */
export const sendJson = (
  res: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

// CLIs may compress request bodies (Codex does); zstd needs Node >= 22.15, so it is optional here.
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

/**
 * Starts the server on a random free port of 127.0.0.1; it is closed (open connections too)
 * when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <Q, F, A, E>(
  options: Options<Q, F, A, E>
): Effect.Effect<LoopbackServer<Q, F, A>, E, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = [...options.replies]
    let fallback = options.fallback
    let requests: Array<A> = []
    let others: Array<RecordedRequest> = []

    const handler = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
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
        const path = recorded.path.split("?")[0]!
        if (recorded.method === "POST" && path === options.modelPath) {
          const next = queue.shift() ?? fallback
          requests.push(options.answer(recorded, next, res))
          return
        }
        others.push(recorded)
        options.answerOther(recorded, path, res)
      })
    }

    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server, E>((resume) => {
        const server = Http.createServer(handler)
        server.once("error", (cause) => resume(Effect.fail(options.onListenError(cause))))
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          // CLIs keep connections alive; without this close() waits for them.
          server.closeAllConnections()
        })
    )
    const port = (server.address() as AddressInfo).port
    const controls: Controls<Q, F, A> = {
      enqueue: (...replies) => Effect.sync(() => void queue.push(...replies)),
      setFallback: (next) => Effect.sync(() => void (fallback = next)),
      pending: Effect.sync(() => queue.length),
      requests: Effect.sync(() => [...requests]),
      otherRequests: Effect.sync(() => [...others]),
      clearRequests: Effect.sync(() => {
        requests = []
        others = []
      })
    }
    return { port, origin: `http://127.0.0.1:${port}`, controls }
  })
