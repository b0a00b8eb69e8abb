/**
 * The local Codex home (`CODEX_HOME`, default `~/.codex`) as an Effect service: where things
 * are, the rollout files (listed lazily, folder by folder), the head of each rollout, and the
 * thread names of `session_index.jsonl`.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { RolloutReader, RolloutRecord, SessionIndex, type SessionMeta } from "@sessionport/schema"
import { Config, Context, Effect, Either, Layer, Option, Schema, Stream } from "effect"
import * as os from "node:os"
import { CodexHomeError } from "./CodexHomeError.js"
import { missingMetaReason, scanFile } from "./internal/head.js"
import { dayFolders, ListingError, rolloutsIn } from "./internal/listing.js"

/** @since 0.1.0 @category constants */
export const SESSIONS_DIR = "sessions"
/** @since 0.1.0 @category constants */
export const ARCHIVED_DIR = "archived_sessions"
/** @since 0.1.0 @category constants */
export const SESSION_INDEX = "session_index.jsonl"
/** @since 0.1.0 @category constants */
export const HISTORY = "history.jsonl"
/** @since 0.1.0 @category constants */
export const STATE_DB = "state_5.sqlite"

/**
 * @since 0.1.0
 * @category models
 */
export interface CodexHomeConfig {
  /** the CLI's `--codex-home`; wins over `CODEX_HOME` and `~/.codex` */
  readonly root?: string | undefined
  /** Codex's `sqlite_home`; default `CODEX_SQLITE_HOME`, then the home itself */
  readonly sqliteHome?: string | undefined
  /**
   * the longest line a head read decodes, in bytes (default `LineLimit.MAX_LINE_BYTES`, as every
   * reader); a rollout with a longer one in its head is unreadable. Smaller only in tests.
   */
  readonly headLineLimit?: number | undefined
}

/**
 * One rollout file, known from its name and `stat` alone (nothing read yet).
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionFile {
  /** from the file name (lower-case UUID); `SessionHead.threadId` is the canonical one */
  readonly threadId: string
  readonly path: string
  /** POSIX, relative to the Codex home: `sessions/2026/11/21/rollout-….jsonl` */
  readonly relativePath: string
  /** in `archived_sessions/` */
  readonly archived: boolean
  /** `.jsonl.zst` */
  readonly compressed: boolean
  readonly size: number
  readonly mtimeMs: number
  /** the name's time; Codex writes local time there and reads it back as UTC */
  readonly fileTime: Date
  /**
   * relative path of a `.jsonl.zst` copy next to this plain file, left aside: Codex decompresses
   * before it appends, so the plain file is the newer one
   */
  readonly ignoredCopy: string | undefined
}

/**
 * The history base of a paginated fork: the parent's records before `endOrdinalExclusive`
 * belong to the fork, and are read from the parent's file.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryBase {
  readonly threadId: string
  readonly endOrdinalExclusive: number
  readonly endByteOffset: number
}

/** @since 0.1.0 @category models */
export interface GitInfo {
  readonly commitHash: string | undefined
  readonly branch: string | undefined
  readonly repositoryUrl: string | undefined
}

/**
 * What the head of a rollout says: its first `session_meta` and first real user message.
 * Small on purpose (no instructions, no tools): one is kept per listed session.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionHead {
  /** `session_meta.id` of the first `session_meta` */
  readonly threadId: string
  /** root of the agent tree; defaults to the thread id */
  readonly sessionId: string
  /** thread start, RFC 3339 UTC */
  readonly timestamp: string
  readonly cwd: string
  readonly originator: string
  readonly cliVersion: string
  readonly source: SessionMeta.SessionMeta["source"]
  readonly threadSource: string | undefined
  readonly modelProvider: string | undefined
  readonly forkedFromId: string | undefined
  readonly historyBase: HistoryBase | undefined
  readonly historyMode: "legacy" | "paginated" | undefined
  readonly parentThreadId: string | undefined
  readonly agentNickname: string | undefined
  readonly agentRole: string | undefined
  readonly git: GitInfo | undefined
  /**
   * the first real prompt within Codex's scan limit (10 + 200 non-empty lines); `undefined`
   * means Codex lists the thread with no preview, i.e. hides it
   */
  readonly firstUserMessage: string | undefined
}

/** @since 0.1.0 @category models */
export interface CodexHomeShape {
  readonly root: string
  readonly sessionsDir: string
  readonly archivedDir: string
  readonly sessionIndexPath: string
  readonly historyPath: string
  readonly sqliteHome: string
  readonly stateDbPath: string
  /** POSIX path relative to the root */
  readonly relativePath: (absolute: string) => string
  /**
   * `sessions/YYYY/MM/DD/rollout-*.jsonl[.zst]` in date order, then `archived_sessions/rollout-*`.
   * Lazy: one folder listed at a time, files only `stat`ed. Names Codex would not parse are
   * skipped.
   */
  readonly sessionFiles: Stream.Stream<SessionFile, CodexHomeError>
  /**
   * the head of a rollout; reads only the first lines. Fails `bad_rollout` without session_meta
   * (the detail says why: empty, first line not JSON, …), `unreadable` when the OS refuses the
   * read or a head line is over `headLineLimit`.
   */
  readonly readHead: (file: Pick<SessionFile, "path">) => Effect.Effect<SessionHead, CodexHomeError>
  /** thread id → name from `session_index.jsonl` (newest line wins; missing file: empty) */
  readonly sessionIndex: Effect.Effect<ReadonlyMap<string, string>, CodexHomeError>
  /** thread id → the `session_index.jsonl` line that names it (newest wins, blank names skipped) */
  readonly sessionIndexLines: Effect.Effect<ReadonlyMap<string, SessionIndex.SessionIndexLine>, CodexHomeError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class CodexHome extends Context.Tag("@sessionport/codex-home/CodexHome")<CodexHome, CodexHomeShape>() {}

const envPath = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.string(name).pipe(
    Config.option,
    Effect.map(Option.filter((value) => value.trim().length > 0)),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/**
 * The home folder: `config.root` (the CLI's `--codex-home`), else `CODEX_HOME`, else
 * `~/.codex`; made absolute against the working directory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveRoot = (config: CodexHomeConfig = {}): Effect.Effect<string, never, Path.Path> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    if (config.root !== undefined && config.root.trim().length > 0) return path.resolve(config.root)
    const env = yield* envPath("CODEX_HOME")
    if (Option.isSome(env)) return path.resolve(env.value)
    return path.join(os.homedir(), ".codex")
  })

const isNotFound = (error: PlatformError): boolean => error._tag === "SystemError" && error.reason === "NotFound"

const unreadable = (path: string) => (error: PlatformError) =>
  new CodexHomeError({ reason: "unreadable", path, detail: error.message, cause: error })

/**
 * Builds the service for an existing home; fails `not_found` when the folder does not exist.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: CodexHomeConfig = {}
): Effect.Effect<CodexHomeShape, CodexHomeError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* resolveRoot(config)

    const info = yield* fs.stat(root).pipe(
      Effect.mapError((error) =>
        isNotFound(error) ? new CodexHomeError({ reason: "not_found", path: root }) : unreadable(root)(error)
      )
    )
    if (info.type !== "Directory") return yield* new CodexHomeError({ reason: "not_a_directory", path: root })

    const sqliteHomeEnv = yield* envPath("CODEX_SQLITE_HOME")
    const sqliteHome = config.sqliteHome !== undefined
      ? path.resolve(config.sqliteHome)
      : Option.match(sqliteHomeEnv, { onNone: () => root, onSome: (dir) => path.resolve(dir) })

    const sessionsDir = path.join(root, SESSIONS_DIR)
    const archivedDir = path.join(root, ARCHIVED_DIR)
    const sessionIndexPath = path.join(root, SESSION_INDEX)

    const relativePath = (absolute: string): string => path.relative(root, absolute).split(path.sep).join("/")

    const listed = <A>(f: () => A): Effect.Effect<A, CodexHomeError> =>
      Effect.try({
        try: f,
        catch: (error) =>
          error instanceof ListingError
            ? new CodexHomeError({ reason: "unreadable", path: error.path, detail: error.message, cause: error.cause })
            : new CodexHomeError({ reason: "unreadable", path: root, detail: String(error), cause: error })
      })

    // one chunk per folder: a name list and a stat per file, no effect per file
    const filesIn = (dir: string, archived: boolean): Stream.Stream<SessionFile, CodexHomeError> =>
      Stream.fromIterableEffect(listed(() =>
        rolloutsIn(dir).map((listed): SessionFile => ({
          threadId: listed.rollout.threadId,
          path: listed.path,
          relativePath: relativePath(listed.path),
          archived,
          compressed: listed.rollout.compressed,
          size: listed.size,
          mtimeMs: listed.mtimeMs,
          fileTime: listed.rollout.fileTime,
          ignoredCopy: listed.ignoredCopy === undefined ? undefined : relativePath(listed.ignoredCopy)
        }))
      ).pipe(
        Effect.tap((files) =>
          Effect.forEach(
            files.filter((file) => file.ignoredCopy !== undefined),
            (file) => Effect.logDebug(`${file.relativePath}: ignoring ${file.ignoredCopy}, the plain file is newer`),
            { discard: true }
          )
        )
      ))

    const sessionFiles: Stream.Stream<SessionFile, CodexHomeError> = Stream.concat(
      Stream.fromIterableEffect(listed(() => dayFolders(sessionsDir))).pipe(Stream.flatMap((day) => filesIn(day, false))),
      Stream.suspend(() => filesIn(archivedDir, true))
    )

    const readHead = Effect.fn("CodexHome.readHead")(function*(file: Pick<SessionFile, "path">) {
      const scan = yield* Effect.try({
        try: () => scanFile(file.path, config.headLineLimit),
        catch: (error) =>
          (error as NodeJS.ErrnoException)?.code === "ENOENT"
            ? new CodexHomeError({ reason: "missing_file", path: file.path, cause: error })
            : new CodexHomeError({
              reason: "unreadable",
              path: file.path,
              detail: error instanceof Error ? error.message : String(error),
              cause: error
            })
      })
      if (scan.meta === undefined) {
        return yield* new CodexHomeError({
          reason: "bad_rollout",
          path: file.path,
          detail: missingMetaReason(scan)
        })
      }
      return toHead(scan.meta, scan.firstUserMessage)
    })

    const decodeIndexLine = Schema.decodeUnknownEither(SessionIndex.SessionIndexLine)

    const sessionIndexLines = Effect.gen(function*() {
      const exists = yield* fs.exists(sessionIndexPath).pipe(Effect.mapError(unreadable(sessionIndexPath)))
      if (!exists) return new Map<string, SessionIndex.SessionIndexLine>() as ReadonlyMap<string, SessionIndex.SessionIndexLine>
      const lines: Array<SessionIndex.SessionIndexLine> = []
      yield* RolloutReader.readFile(sessionIndexPath).pipe(
        Stream.provideService(FileSystem.FileSystem, fs),
        Stream.mapError((error) =>
          new CodexHomeError({ reason: "unreadable", path: sessionIndexPath, detail: error.reason, cause: error })
        ),
        Stream.runForEach((result) => {
          if (Either.isLeft(result)) {
            return Effect.logWarning(`${SESSION_INDEX}: skipping ${result.left.message}`)
          }
          const entry = result.right.entry
          if (entry._tag === "Blank") return Effect.void
          const decoded = decodeIndexLine(RolloutRecord.encodeEntry(entry))
          if (Either.isLeft(decoded)) {
            return Effect.logWarning(
              `${SESSION_INDEX}: skipping line ${result.right.lineNumber}, not an {id, thread_name, updated_at} object`
            )
          }
          lines.push(decoded.right)
          return Effect.void
        })
      )
      return SessionIndex.latestLines(lines) as ReadonlyMap<string, SessionIndex.SessionIndexLine>
    }).pipe(Effect.withSpan("CodexHome.sessionIndexLines"))

    const sessionIndex = Effect.map(
      sessionIndexLines,
      (lines) => new Map([...lines].map(([id, line]) => [id, line.thread_name])) as ReadonlyMap<string, string>
    )

    return {
      root,
      sessionsDir,
      archivedDir,
      sessionIndexPath,
      historyPath: path.join(root, HISTORY),
      sqliteHome,
      stateDbPath: path.join(sqliteHome, STATE_DB),
      relativePath,
      sessionFiles,
      readHead,
      sessionIndex,
      sessionIndexLines
    } satisfies CodexHomeShape
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: CodexHomeConfig = {}
): Layer.Layer<CodexHome, CodexHomeError, FileSystem.FileSystem | Path.Path> => Layer.effect(CodexHome, make(config))

const orUndefined = <A>(value: A | null | undefined): A | undefined => value ?? undefined

const toHead = (meta: SessionMeta.SessionMeta, firstUserMessage: string | undefined): SessionHead => ({
  threadId: meta.id,
  sessionId: meta.session_id ?? meta.id,
  timestamp: meta.timestamp,
  cwd: meta.cwd,
  originator: meta.originator,
  cliVersion: meta.cli_version,
  source: meta.source,
  threadSource: orUndefined(meta.thread_source),
  modelProvider: orUndefined(meta.model_provider),
  forkedFromId: orUndefined(meta.forked_from_id),
  historyBase: meta.history_base == null ? undefined : {
    threadId: meta.history_base.thread_id,
    endOrdinalExclusive: meta.history_base.end_ordinal_exclusive,
    endByteOffset: meta.history_base.end_byte_offset
  },
  historyMode: meta.history_mode,
  parentThreadId: orUndefined(meta.parent_thread_id),
  agentNickname: orUndefined(meta.agent_nickname),
  agentRole: orUndefined(meta.agent_role),
  git: meta.git == null ? undefined : {
    commitHash: orUndefined(meta.git.commit_hash),
    branch: orUndefined(meta.git.branch),
    repositoryUrl: orUndefined(meta.git.repository_url)
  },
  firstUserMessage
})
