/**
 * A JSON-RPC 2.0 client for `codex app-server` over stdio: the query oracle for what Codex
 * itself sees (thread lists, metadata, turns) and the only way to fork, archive or name
 * a thread without the interactive UI.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import {
  Context,
  Data,
  Deferred,
  Duration,
  Effect,
  Layer,
  ParseResult,
  PubSub,
  Queue,
  Schema,
  type Scope,
  Stream
} from "effect"
import { CodexCli } from "./CodexCli.js"
import { classify, encodeLine } from "./internal/rpc.js"

/** @since 0.1.0 @category errors */
export class AppServerError extends Data.TaggedError("AppServerError")<{
  readonly reason: "Spawn" | "Rpc" | "Exited" | "Timeout" | "Decode"
  readonly method: string
  readonly detail: string
  /** The JSON-RPC error code when `reason` is `"Rpc"`. */
  readonly code?: number
  readonly cause?: unknown
}> {
  override get message() {
    return `AppServer ${this.method} ${this.reason}: ${this.detail}`
  }
}

const Extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const NullableString = Schema.optional(Schema.NullOr(Schema.String))

/**
 * A thread item (`userMessage`, `agentMessage`, `reasoning`, `commandExecution`, …); every
 * other field is kept as received.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadItem = Schema.Struct({ type: Schema.String, id: Schema.String }, Extra)

/** @since 0.1.0 @category schemas */
export const Turn = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  items: Schema.Array(ThreadItem)
}, Extra)

/**
 * A thread as the app-server reports it; the fields tests use are checked, the rest is kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Thread = Schema.Struct({
  id: Schema.String,
  sessionId: Schema.String,
  preview: Schema.String,
  cwd: Schema.String,
  cliVersion: Schema.String,
  modelProvider: Schema.String,
  createdAt: Schema.Number,
  updatedAt: Schema.Number,
  source: Schema.Unknown,
  status: Schema.Unknown,
  path: NullableString,
  name: NullableString,
  forkedFromId: NullableString,
  historyMode: NullableString,
  turns: Schema.Array(Turn)
}, Extra)

/** @since 0.1.0 @category schemas */
export const ThreadPage = Schema.Struct({ data: Schema.Array(Thread), nextCursor: NullableString }, Extra)

/** @since 0.1.0 @category schemas */
export const TurnPage = Schema.Struct({ data: Schema.Array(Turn), nextCursor: NullableString }, Extra)

/** @since 0.1.0 @category schemas */
export const ThreadResponse = Schema.Struct({ thread: Thread }, Extra)

/** @since 0.1.0 @category schemas */
export const TurnResponse = Schema.Struct({ turn: Turn }, Extra)

/** @since 0.1.0 @category models */
export type ThreadItem = typeof ThreadItem.Type
/** @since 0.1.0 @category models */
export type Turn = typeof Turn.Type
/** @since 0.1.0 @category models */
export type Thread = typeof Thread.Type
/** @since 0.1.0 @category models */
export type ThreadPage = typeof ThreadPage.Type
/** @since 0.1.0 @category models */
export type TurnPage = typeof TurnPage.Type
/** @since 0.1.0 @category models */
export type ThreadResponse = typeof ThreadResponse.Type

/** @since 0.1.0 @category models */
export type ThreadSourceKind =
  | "cli"
  | "vscode"
  | "exec"
  | "appServer"
  | "subAgent"
  | "subAgentReview"
  | "subAgentCompact"
  | "subAgentThreadSpawn"
  | "subAgentOther"
  | "unknown"

/**
 * Every source kind that is not a sub-agent; the default list hides `exec`.
 *
 * @since 0.1.0
 * @category constants
 */
export const allSourceKinds: ReadonlyArray<ThreadSourceKind> = ["cli", "vscode", "exec", "appServer", "unknown"]

/** `thread/list` parameters (Codex 0.169 `ThreadListParams`). @since 0.1.0 @category models */
export interface ThreadListParams {
  readonly archived?: boolean | null
  readonly cursor?: string | null
  readonly cwd?: string | ReadonlyArray<string> | null
  readonly limit?: number | null
  readonly modelProviders?: ReadonlyArray<string> | null
  readonly searchTerm?: string | null
  readonly sortDirection?: "asc" | "desc" | null
  readonly sortKey?: "created_at" | "updated_at" | "recency_at" | "section_position" | null
  readonly sourceKinds?: ReadonlyArray<ThreadSourceKind> | null
  readonly useStateDbOnly?: boolean
  readonly [key: string]: unknown
}

/** @since 0.1.0 @category models */
export interface ThreadIdParams {
  readonly threadId: string
  readonly [key: string]: unknown
}

/** `thread/read`. @since 0.1.0 @category models */
export interface ThreadReadParams extends ThreadIdParams {
  readonly includeTurns?: boolean
}

/** `thread/resume` (also takes model/cwd/sandbox overrides). @since 0.1.0 @category models */
export interface ThreadResumeParams extends ThreadIdParams {
  readonly cwd?: string | null
  readonly excludeTurns?: boolean
}

/** `thread/turns/list`. @since 0.1.0 @category models */
export interface ThreadTurnsListParams extends ThreadIdParams {
  readonly cursor?: string | null
  readonly limit?: number | null
  readonly sortDirection?: "asc" | "desc" | null
  readonly itemsView?: "notLoaded" | "summary" | "full" | null
}

/** `thread/fork`. @since 0.1.0 @category models */
export interface ThreadForkParams extends ThreadIdParams {
  readonly cwd?: string | null
  readonly lastTurnId?: string | null
  readonly ephemeral?: boolean
  readonly excludeTurns?: boolean
}

/** `thread/name/set`. @since 0.1.0 @category models */
export interface ThreadNameSetParams extends ThreadIdParams {
  readonly name: string
}

/** `turn/start` with text input only; see `TurnStartParams` in the generated schema for more. @since 0.1.0 @category models */
export interface TurnStartParams extends ThreadIdParams {
  readonly input: ReadonlyArray<{ readonly type: "text"; readonly text: string } | Record<string, unknown>>
  readonly cwd?: string | null
}

/** @since 0.1.0 @category models */
export interface Notification {
  readonly method: string
  readonly params: unknown
}

/** @since 0.1.0 @category models */
export interface Options {
  /** Working directory of the app-server process. */
  readonly cwd?: string
  /** Per-request timeout; default 60 s. A turn waits up to 4× this. */
  readonly timeout?: Duration.DurationInput
}

/** @since 0.1.0 @category models */
export interface AppServerShape {
  /** Any method; the raw `result`. */
  readonly request: (method: string, params?: unknown) => Effect.Effect<unknown, AppServerError>
  /** A queue of every notification from now on, for the lifetime of the scope. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Notification>, never, Scope.Scope>
  /** What the app-server wrote to stderr so far (the last 16 KB). */
  readonly stderr: Effect.Effect<string>
  readonly threadList: (params?: ThreadListParams) => Effect.Effect<ThreadPage, AppServerError>
  readonly threadRead: (params: ThreadReadParams) => Effect.Effect<ThreadResponse, AppServerError>
  readonly threadResume: (params: ThreadResumeParams) => Effect.Effect<ThreadResponse, AppServerError>
  readonly threadTurnsList: (params: ThreadTurnsListParams) => Effect.Effect<TurnPage, AppServerError>
  readonly threadFork: (params: ThreadForkParams) => Effect.Effect<ThreadResponse, AppServerError>
  readonly threadArchive: (params: ThreadIdParams) => Effect.Effect<void, AppServerError>
  readonly threadUnarchive: (params: ThreadIdParams) => Effect.Effect<ThreadResponse, AppServerError>
  readonly threadNameSet: (params: ThreadNameSetParams) => Effect.Effect<void, AppServerError>
  /** `turn/start`: returns as soon as the turn is accepted. */
  readonly turnStart: (params: TurnStartParams) => Effect.Effect<Turn, AppServerError>
  /** `turn/start`, then waits for its `turn/completed` notification. */
  readonly turnRun: (params: TurnStartParams) => Effect.Effect<Turn, AppServerError>
}

/** @since 0.1.0 @category tags */
export class AppServer extends Context.Tag("@sessionport/codex-oracle/AppServer")<AppServer, AppServerShape>() {}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/**
 * Spawns `codex app-server` for the `CodexCli`'s home, initializes the connection, and kills
 * the process when the scope closes (after closing stdin to let it exit cleanly first).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("AppServer.make")(function*(options: Options = {}) {
  const cli = yield* CodexCli
  const timeout = Duration.decode(options.timeout ?? Duration.seconds(60))
  const stdin = yield* Queue.unbounded<Uint8Array>()
  const notifications = yield* PubSub.unbounded<Notification>()
  const pending = new Map<number, Deferred.Deferred<unknown, AppServerError>>()
  let nextId = 0
  let stderrTail = ""
  let exited = false

  const proc = yield* Command.start(
    cli.command(["app-server"], options.cwd === undefined ? {} : { cwd: options.cwd }).pipe(
      Command.stdin(Stream.fromQueue(stdin))
    )
  ).pipe(
    Effect.mapError((cause) => new AppServerError({ reason: "Spawn", method: "spawn", detail: String(cause), cause }))
  )
  yield* Effect.addFinalizer(() =>
    Queue.shutdown(stdin).pipe(
      Effect.zipRight(proc.exitCode.pipe(Effect.timeout(Duration.seconds(5)), Effect.ignore))
    )
  )

  const send = (message: Record<string, unknown>) => Queue.offer(stdin, encodeLine(message))

  const failPending = (detail: string) =>
    Effect.forEach([...pending.entries()], ([id, deferred]) => {
      pending.delete(id)
      return Deferred.fail(deferred, new AppServerError({ reason: "Exited", method: `#${id}`, detail }))
    })

  const handleLine = (line: string) => {
    const message = classify(line)
    switch (message._tag) {
      case "Response":
      case "ErrorResponse": {
        const deferred = pending.get(message.id)
        if (deferred === undefined) return Effect.void
        pending.delete(message.id)
        return message._tag === "Response"
          ? Deferred.succeed(deferred, message.result)
          : Deferred.fail(
            deferred,
            new AppServerError({
              reason: "Rpc",
              method: `#${message.id}`,
              detail: message.error.message,
              code: message.error.code,
              cause: message.error
            })
          )
      }
      case "ServerRequest":
        // approval_policy "never" should prevent these; refuse rather than hang the turn.
        return send({ id: message.id, error: { code: -32601, message: `codex-oracle does not handle ${message.method}` } })
      case "Notification":
        return PubSub.publish(notifications, { method: message.method, params: message.params })
      case "Garbage":
        return Effect.void
    }
  }

  yield* proc.stdout.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.runForEach(handleLine),
    Effect.ignore,
    Effect.ensuring(Effect.suspend(() => {
      exited = true
      return failPending(`app-server exited\n${stderrTail}`)
    })),
    Effect.forkScoped
  )
  yield* proc.stderr.pipe(
    Stream.decodeText(),
    Stream.runForEach((chunk) => Effect.sync(() => void (stderrTail = (stderrTail + chunk).slice(-16_384)))),
    Effect.ignore,
    Effect.forkScoped
  )

  const requestWithin = (method: string, params: unknown, within: Duration.Duration) =>
    Effect.gen(function*() {
      if (exited) {
        return yield* new AppServerError({ reason: "Exited", method, detail: `app-server exited\n${stderrTail}` })
      }
      const id = nextId++
      const deferred = yield* Deferred.make<unknown, AppServerError>()
      pending.set(id, deferred)
      yield* send(params === undefined ? { id, method } : { id, method, params })
      return yield* Deferred.await(deferred).pipe(
        Effect.mapError((error) => new AppServerError({ ...error, method })),
        Effect.timeoutFail({
          duration: within,
          onTimeout: () => new AppServerError({ reason: "Timeout", method, detail: `no response within ${Duration.format(within)}` })
        }),
        Effect.ensuring(Effect.sync(() => pending.delete(id)))
      )
    }).pipe(Effect.withSpan(`AppServer.request ${method}`))

  const request = (method: string, params?: unknown) => requestWithin(method, params, timeout)

  const decoded = <A, I>(schema: Schema.Schema<A, I>, method: string) => (result: unknown) =>
    Schema.decodeUnknown(schema)(result).pipe(
      Effect.mapError((error) =>
        new AppServerError({ reason: "Decode", method, detail: ParseResult.TreeFormatter.formatErrorSync(error), cause: error })
      )
    )

  const call = <A, I>(method: string, schema: Schema.Schema<A, I>) => (params: unknown) =>
    Effect.flatMap(request(method, params), decoded(schema, method))

  yield* request("initialize", {
    clientInfo: { name: "sessionport-codex-oracle", title: null, version: "0.1.0" }
  })
  yield* send({ method: "initialized" })

  const turnStart = (params: TurnStartParams) =>
    call("turn/start", TurnResponse)(params).pipe(Effect.map((r) => r.turn))

  const turnRun = Effect.fn("AppServer.turnRun")(
    function*(params: TurnStartParams) {
      // Subscribe before starting: the turn may complete before `turn/start` returns.
      const events = yield* PubSub.subscribe(notifications)
      const started = yield* turnStart(params)
      while (true) {
        const event = yield* Queue.take(events)
        if (event.method !== "turn/completed" || !isRecord(event.params)) continue
        const { threadId, turn } = event.params
        if (threadId === params.threadId && isRecord(turn) && turn["id"] === started.id) {
          return yield* decoded(Turn, "turn/completed")(turn)
        }
      }
    },
    Effect.scoped,
    Effect.timeoutFail({
      duration: Duration.times(timeout, 4),
      onTimeout: () => new AppServerError({ reason: "Timeout", method: "turn/completed", detail: "turn did not complete" })
    })
  )

  return AppServer.of({
    request,
    subscribe: PubSub.subscribe(notifications),
    stderr: Effect.sync(() => stderrTail),
    threadList: (params = {}) => call("thread/list", ThreadPage)(params),
    threadRead: call("thread/read", ThreadResponse),
    threadResume: call("thread/resume", ThreadResponse),
    threadTurnsList: call("thread/turns/list", TurnPage),
    threadFork: call("thread/fork", ThreadResponse),
    threadArchive: (params) => Effect.asVoid(request("thread/archive", params)),
    threadUnarchive: call("thread/unarchive", ThreadResponse),
    threadNameSet: (params) => Effect.asVoid(request("thread/name/set", params)),
    turnStart,
    turnRun
  })
})

/** @since 0.1.0 @category layers */
export const layer = (
  options: Options = {}
): Layer.Layer<AppServer, AppServerError, CodexCli | CommandExecutor> => Layer.scoped(AppServer, make(options))
