/**
 * What the official Agent SDK (`@anthropic-ai/claude-agent-sdk`, paired with the pinned CLI)
 * reads from a Claude config dir: `listSessions`, `getSessionInfo`, `getSessionMessages`. Plain
 * file readers: no model, no network.
 *
 * Each call runs in a child `node` whose `CLAUDE_CONFIG_DIR` and `HOME` are the machine's, and
 * returns plain data.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as ChildRun from "@sessionport/codex-oracle/ChildRun"
import { Data, Duration, Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { resolveSdkModule } from "./internal/binary.js"
import { realTime } from "@sessionport/codex-oracle/ChildRun"
import { contentText } from "./internal/request.js"
import { sdkChildSource } from "./internal/sdkChild.js"

/** @since 0.1.0 @category errors */
export class SdkSessionsError extends Data.TaggedError("SdkSessionsError")<{
  readonly reason: "Spawn" | "ExitCode" | "Timeout" | "Output"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message() {
    return `SdkSessions ${this.reason}: ${this.detail}`
  }
}

/**
 * Whose sessions: a config dir and its `HOME` (a `ClaudeCli` fits).
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly configDir: string
  readonly home?: string
}

/** `SDKSessionInfo` of the SDK. @since 0.1.0 @category models */
export interface SessionInfo {
  readonly sessionId: string
  /** Custom title, summary or first prompt. */
  readonly summary: string
  readonly lastModified: number
  readonly fileSize?: number
  readonly customTitle?: string
  readonly firstPrompt?: string
  readonly gitBranch?: string
  readonly cwd?: string
  readonly tag?: string
  readonly createdAt?: number
  readonly archived?: boolean
}

/** `SessionMessage` of the SDK. @since 0.1.0 @category models */
export interface SessionMessage {
  readonly type: "user" | "assistant" | "system"
  readonly uuid: string
  readonly session_id: string
  readonly message: unknown
  readonly parent_tool_use_id: string | null
}

/** @since 0.1.0 @category models */
export interface ListOptions {
  /** A project folder: its sessions (and its git worktrees'); all projects when omitted. */
  readonly dir?: string
  /**
   * Include `-p`/SDK sessions (entrypoint `sdk-cli`, `sdk-ts`, `sdk-py`); the SDK's default is
   * true. `false` gives what the terminal `/resume` picker shows.
   */
  readonly includeProgrammatic?: boolean
  readonly includeWorktrees?: boolean
  readonly limit?: number
  readonly offset?: number
}

/** @since 0.1.0 @category models */
export interface MessagesOptions {
  readonly dir?: string
  readonly includeSystemMessages?: boolean
  readonly limit?: number
  readonly offset?: number
}

const timeout = Duration.seconds(30)

/**
 * The installed `@anthropic-ai/claude-agent-sdk` version (its `claudeCodeVersion` is the CLI's).
 *
 * @since 0.1.0
 * @category getters
 */
export const sdkVersion = (): string => {
  const manifest = Path.join(Path.dirname(resolveSdkModule()), "package.json")
  return String((JSON.parse(Fs.readFileSync(manifest, "utf8")) as { readonly version?: unknown }).version)
}

const call = <A>(target: Target, fn: string, args: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const sdkModule = yield* Effect.try({
      try: resolveSdkModule,
      catch: (cause) => new SdkSessionsError({ reason: "Spawn", detail: String(cause), cause })
    })
    const env = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: target.home ?? target.configDir,
      CLAUDE_CONFIG_DIR: target.configDir
    }
    const command = Command.make(
      process.execPath,
      "--input-type=module",
      "-e",
      sdkChildSource,
      sdkModule,
      fn,
      JSON.stringify(args)
    ).pipe(Command.env(env, { extendEnv: false }))
    const { exitCode, stderr, stdout } = yield* ChildRun.run(command, {
      timeout,
      onError: (cause) => new SdkSessionsError({ reason: "Spawn", detail: `${fn}: ${String(cause)}`, cause }),
      onTimeout: () => new SdkSessionsError({ reason: "Timeout", detail: fn })
    })
    if (exitCode !== 0) {
      return yield* new SdkSessionsError({ reason: "ExitCode", detail: `${fn} exited ${exitCode}: ${stderr.slice(-2000)}` })
    }
    return yield* Effect.try({
      try: () => JSON.parse(stdout) as A,
      catch: (cause) => new SdkSessionsError({ reason: "Output", detail: `${fn}: not JSON: ${stdout.slice(0, 500)}`, cause })
    })
  }).pipe(realTime)

/**
 * `listSessions(options)`: newest first.
 *
 * @since 0.1.0
 * @category queries
 */
export const listSessions = (
  target: Target,
  options: ListOptions = {}
): Effect.Effect<ReadonlyArray<SessionInfo>, SdkSessionsError, CommandExecutor> =>
  call<ReadonlyArray<SessionInfo>>(target, "listSessions", [options]).pipe(
    Effect.withSpan("SdkSessions.listSessions")
  )

/**
 * `getSessionInfo(id, options)`; `undefined` when not found.
 *
 * @since 0.1.0
 * @category queries
 */
export const getSessionInfo = (
  target: Target,
  sessionId: string,
  options: { readonly dir?: string } = {}
): Effect.Effect<SessionInfo | undefined, SdkSessionsError, CommandExecutor> =>
  call<SessionInfo | null>(target, "getSessionInfo", [sessionId, options]).pipe(
    Effect.map((info) => info ?? undefined),
    Effect.withSpan("SdkSessions.getSessionInfo")
  )

/**
 * `getSessionMessages(id, options)`: the conversation chain, oldest first; empty when not found.
 *
 * @since 0.1.0
 * @category queries
 */
export const getSessionMessages = (
  target: Target,
  sessionId: string,
  options: MessagesOptions = {}
): Effect.Effect<ReadonlyArray<SessionMessage>, SdkSessionsError, CommandExecutor> =>
  call<ReadonlyArray<SessionMessage>>(target, "getSessionMessages", [sessionId, options]).pipe(
    Effect.withSpan("SdkSessions.getSessionMessages")
  )

/**
 * A message as `role: text` (tools as `tool_use Name {json}` / `tool_result …`), for assertions.
 *
 * @since 0.1.0
 * @category getters
 */
export const messageText = (message: SessionMessage): string => {
  const inner = message.message as { readonly content?: unknown } | null | undefined
  return `${message.type}: ${contentText(inner?.content)}`
}
