/**
 * First import: a session package installed into this Codex home, as one journaled
 * transaction. Each session gets a new local UUIDv7 id (its time field is the session's own
 * start) and a rollout path derived from it; every machine path on the rewrite surface is
 * localized (`--map`, the source home, the `\Documents\` rule); the `threads` row, dynamic tools
 * and name are written for the new id. The package's files are never modified; the home is
 * changed only through the journal, so a failure, a crash or `rollback` restores it exactly.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import { Journal, JournalError, SqlChange } from "@sessionport/journal"
import { PathRules, Rewriter } from "@sessionport/localize"
import { Layout, PackageError, PackageReader, PathLocalization } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { RolloutReader, SessionStats } from "@sessionport/schema"
import { Context, Effect, Layer, Option, Schema, Sink, Stream } from "effect"
import * as nodeFs from "node:fs"
import * as os from "node:os"
import * as CodexHome from "./CodexHome.js"
import type { CodexHomeError } from "./CodexHomeError.js"
import { mapJsonStrings, newLocalId, rolloutRelativePath, rowFor } from "./internal/installPlan.js"
import * as StateDb from "./StateDb.js"

/** @since 0.1.0 @category models */
export interface InstallRequest {
  readonly package: string
  readonly maps: ReadonlyArray<PathRules.Mapping>
  readonly dryRun: boolean
}

/** @since 0.1.0 @category models */
export interface InstalledSession {
  readonly sourceId: string
  readonly localId: string
  readonly sourceCwd: string
  readonly cwd: string
  /** false: the working directory does not exist on this machine (map it with --map) */
  readonly cwdExists: boolean
  readonly rollout: string
  readonly archived: boolean
  readonly name: string | undefined
  readonly title: string | undefined
  /** the local id of the session this one was forked from, when it came in the same package */
  readonly forkOf: string | undefined
  /** values rewritten in the transcript (ids, paths, timestamps) */
  readonly rewrites: number
}

/** @since 0.1.0 @category models */
export interface InstallResult {
  readonly package: string
  readonly codexHome: string
  readonly dryRun: boolean
  /** the journal transaction; `undefined` for a dry run */
  readonly transactionId: string | undefined
  readonly sessions: ReadonlyArray<InstalledSession>
  readonly rules: ReadonlyArray<PathRules.RuleDescription>
  /** `rows`: written to state_5.sqlite; `files-only`: no database yet, Codex indexes the files */
  readonly database: "rows" | "files-only"
  /** the first changes of every session (line, field, old, new), for the plan */
  readonly changes: ReadonlyArray<Rewriter.Change & { readonly session: string }>
  readonly warnings: ReadonlyArray<string>
}

/**
 * A package whose content cannot be installed (no session_meta, a session twice).
 *
 * @since 0.1.0
 * @category errors
 */
export class InstallError extends Schema.TaggedError<InstallError>("@sessionport/codex-home/InstallError")("InstallError", {
  reason: Schema.Literal("bad_session", "nothing_to_install"),
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** @since 0.1.0 @category models */
export interface InstallerShape {
  readonly install: (
    request: InstallRequest
  ) => Effect.Effect<
    InstallResult,
    InstallError | PackageError.PackageError | CodexHomeError | JournalError.JournalError | Rewriter.RewriteError
  >
}

/** @since 0.1.0 @category tags */
export class Installer extends Context.Tag("@sessionport/codex-home/Installer")<Installer, InstallerShape>() {}

const CHANGES_SHOWN_PER_SESSION = 20

interface SourceSession {
  readonly entry: string
  readonly stats: SessionStats.SessionStats
  readonly meta: NonNullable<SessionStats.SessionStats["meta"]>
  readonly row: Record<string, unknown> | undefined
}

const basename = (p: string) => p.split(/[\\/]/).pop() ?? p

const jsonLines = (text: string | undefined): Array<Record<string, unknown>> =>
  (text ?? "").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line))

/** The id of the session a fork reads its first turns from, or was forked from. */
const parentOf = (meta: SourceSession["meta"]): string | undefined =>
  meta.history_base?.thread_id ?? meta.forked_from_id ?? undefined

/** Parents before the forks that depend on them, otherwise in package order. */
const parentsFirst = (sessions: ReadonlyArray<SourceSession>): Array<SourceSession> => {
  const byId = new Map(sessions.map((s) => [s.meta.id, s]))
  const out: Array<SourceSession> = []
  const placed = new Set<string>()
  const place = (s: SourceSession, depth: number) => {
    if (placed.has(s.meta.id) || depth > sessions.length) return
    const parent = parentOf(s.meta)
    if (parent !== undefined && byId.has(parent)) place(byId.get(parent)!, depth + 1)
    placed.add(s.meta.id)
    out.push(s)
  }
  for (const s of sessions) place(s, 0)
  return out
}

/** @since 0.1.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* CodexHome.CodexHome
  const db = yield* StateDb.StateDb
  const journal = yield* Journal.Journal
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const progress = yield* Progress.Progress

  const install = Effect.fn("Installer.install")(function*(request: InstallRequest) {
    // 1. the package, checked whole before anything else happens
    const verified = yield* PackageReader.verify(request.package, {
      inspectSession: (entry, content) =>
        sessionHead(RolloutReader.decodeBytes(content, (detail) =>
          new PackageError.PackageError({ reason: "corrupt_archive", package: request.package, entry, detail })))
    })
    const rows = jsonLines(verified.metadata.get(Layout.THREADS))
    const rowByFile = new Map(rows.map((row) => [basename(String(row.rollout_path)), row]))
    const sources: Array<SourceSession> = []
    for (const [entry, stats] of verified.sessions) {
      if (stats.meta === undefined) {
        return yield* new InstallError({ reason: "bad_session", detail: `${entry} has no session_meta line` })
      }
      const file = basename(entry)
      sources.push({ entry, stats, meta: stats.meta, row: rowByFile.get(file) ?? rowByFile.get(file.replace(/\.zst$/, "")) })
    }
    if (sources.length === 0) {
      return yield* new InstallError({ reason: "nothing_to_install", detail: `${request.package} holds no session` })
    }
    const seen = new Set<string>()
    for (const s of sources) {
      if (seen.has(s.meta.id)) {
        return yield* new InstallError({ reason: "bad_session", detail: `session ${s.meta.id} is twice in ${request.package}` })
      }
      seen.add(s.meta.id)
    }

    // 2. the plan: ids, paths, rows
    const localization = JSON.parse(verified.metadata.get(Layout.PATH_LOCALIZATION) ?? "{}") as Partial<
      PathLocalization.PathLocalization
    >
    const rules = PathRules.make({
      maps: request.maps,
      sourceHome: localization.source_home,
      targetHome: os.homedir(),
      targetPlatform: process.platform === "win32" ? "windows" : "posix"
    })
    const ordered = parentsFirst(sources)
    const idMap = new Map(ordered.map((s) => [s.meta.id, newLocalId(Date.parse(s.meta.timestamp))]))
    const names = new Map(
      jsonLines(verified.metadata.get(Layout.SESSION_INDEX)).map((line) => [String(line.id), line])
    )
    const tools = jsonLines(verified.metadata.get(Layout.DYNAMIC_TOOLS))
    const planned = yield* Effect.forEach(ordered, (s) =>
      Effect.gen(function*() {
        const localId = idMap.get(s.meta.id)!
        const archived = s.row?.archived === 1 || s.row?.archived === true
        const rollout = path.join(home.root, ...rolloutRelativePath(localId, new Date(s.meta.timestamp), archived).split("/"))
        const cwd = rules.map(s.meta.cwd)
        const cwdExists = yield* fs.exists(cwd).pipe(Effect.orElseSucceed(() => false))
        // Codex stores the canonical folder (symlinks resolved) when it exists
        const canonicalCwd = cwdExists ? yield* fs.realPath(cwd).pipe(Effect.orElseSucceed(() => cwd)) : cwd
        const parent = parentOf(s.meta)
        return {
          source: s,
          localId,
          archived,
          rollout,
          cwd,
          canonicalCwd,
          cwdExists,
          forkOf: parent === undefined ? undefined : idMap.get(parent),
          name: names.get(s.meta.id)
        }
      }))

    // a paginated fork points into its parent's file at a byte offset: ask the parent's rewrite
    // where that offset lands in the rewritten file
    const wantedEnds = new Map<string, Set<number>>()
    for (const p of planned) {
      const base = p.source.meta.history_base
      if (base == null || !idMap.has(base.thread_id)) continue
      const set = wantedEnds.get(base.thread_id) ?? new Set<number>()
      set.add(base.end_byte_offset)
      wantedEnds.set(base.thread_id, set)
    }

    const stagedRoot = verified.format === "directory" ? verified.path : undefined
    const warnings: Array<string> = planned.flatMap((p) =>
      p.cwdExists ? [] : [`${p.cwd} (working directory of ${p.localId}) does not exist on this machine; map it with --map FROM=TO`]
    )
    const database: InstallResult["database"] = db.exists && (yield* db.tableExists("threads")) ? "rows" : "files-only"

    // One rewrite per session, run in order (parents first): a fork's plan reads its parent's
    // offsets from `offsets`, filled in as each parent's rewrite ends.
    const rewrites = (stagedDir: string, advance: (n: number) => void) => {
      const offsets = new Map<string, ReadonlyMap<number, number>>()
      const sessions = planned.map((p) => ({
        p,
        rewrite: Rewriter.reporting(fileBytes(path.join(stagedDir, ...p.source.entry.split("/")), advance), {
          idMap,
          pathRules: rules,
          historyBaseOffsets: offsets,
          lineEnds: wantedEnds.get(p.source.meta.id),
          // the plan shows the first changes of each session; the rest are only counted
          maxChanges: CHANGES_SHOWN_PER_SESSION
        })
      }))
      const changes: Array<Rewriter.Change & { readonly session: string }> = []
      const counts = new Map<string, number>()
      const ended = (i: number) =>
        Effect.map(sessions[i]!.rewrite.report, (report) => {
          const { p } = sessions[i]!
          if (wantedEnds.has(p.source.meta.id)) offsets.set(p.source.meta.id, report.lineEnds)
          counts.set(p.localId, report.changeCount)
          for (const change of report.changes.slice(0, CHANGES_SHOWN_PER_SESSION)) changes.push({ ...change, session: p.localId })
        })
      return { sessions, ended, changes, counts }
    }
    const sizes = new Map(verified.files.map((f) => [f.path, f.size]))
    const totalBytes = planned.reduce((n, p) => n + (sizes.get(p.source.entry) ?? 0), 0)

    const result = (transactionId: string | undefined, changes: InstallResult["changes"], rewrites: ReadonlyMap<string, number>): InstallResult => ({
      package: request.package,
      codexHome: home.root,
      dryRun: request.dryRun,
      transactionId,
      sessions: planned.map((p) => ({
        sourceId: p.source.meta.id,
        localId: p.localId,
        sourceCwd: p.source.meta.cwd,
        cwd: p.cwd,
        cwdExists: p.cwdExists,
        rollout: p.rollout,
        archived: p.archived,
        name: p.name === undefined ? undefined : String(p.name.thread_name),
        title: p.source.stats.firstUserMessage,
        forkOf: p.forkOf,
        rewrites: rewrites.get(p.localId) ?? 0
      })),
      rules: rules.describe(),
      database,
      changes,
      warnings
    })

    return yield* Effect.scoped(Effect.gen(function*() {
      const stagedDir = stagedRoot ?? (yield* staging(fs, verified))
      if (request.dryRun) {
        return yield* Progress.track("plan", totalBytes, "bytes", (task) =>
          Effect.gen(function*() {
            const plan = rewrites(stagedDir, task.advance)
            for (let i = 0; i < plan.sessions.length; i++) {
              yield* Stream.run(plan.sessions[i]!.rewrite.bytes, Sink.drain)
              yield* plan.ended(i)
            }
            return result(undefined, plan.changes, plan.counts)
          }))
      }
      yield* db.assertIdle
      const threadColumns = database === "rows" ? yield* db.columnInfo("threads") : []
      const toolColumns = database === "rows" ? yield* db.columnInfo("thread_dynamic_tools") : []
      return yield* journal.transaction(
        {
          kind: "install",
          summary: {
            package: request.package,
            package_id: verified.manifest.package_id ?? null,
            sessions: planned.map((p) => ({ source_id: p.source.meta.id, local_id: p.localId, rollout: p.rollout }))
          }
        },
        (tx) =>
          Effect.gen(function*() {
            // every rollout in one journal operation: a thousand sessions cost three journal writes
            const plan = rewrites(stagedDir, () => undefined)
            yield* Progress.track("install", totalBytes, "bytes", (task) =>
              tx.createFiles(
                plan.sessions.map(({ p, rewrite }) => ({
                  path: p.rollout,
                  content: rewrite.bytes.pipe(Stream.tap((chunk) => Effect.sync(() => task.advance(chunk.length)))),
                  mtime: lastActivity(p.source)
                })),
                { onWritten: (_, i) => plan.ended(i) }
              ))
            const indexLines = planned.flatMap((p) =>
              p.name === undefined ? [] : [JSON.stringify({ ...p.name, id: p.localId }) + "\n"]
            )
            if (indexLines.length > 0) yield* tx.appendText(home.sessionIndexPath, indexLines.join(""))
            if (database === "rows") {
              const threadRows = planned.map((p) => threadRow(p, threadColumns, rules))
              const toolRows = toolColumns.length === 0 ? [] : tools.flatMap((tool) => {
                const localId = idMap.get(String(tool.thread_id))
                return localId === undefined ? [] : [rowFor(toolColumns, tool, { thread_id: localId })]
              })
              yield* tx.sql(db.path, [
                SqlChange.insertRows("threads", threadRows, ["id"]),
                ...(toolRows.length === 0 ? [] : [SqlChange.insertRows("thread_dynamic_tools", toolRows, ["thread_id", "position"])])
              ])
            }
            return result(tx.id, plan.changes, plan.counts)
          })
      )
    })).pipe(Effect.provideService(Progress.Progress, progress))
  })

  return Installer.of({ install })
})

/**
 * What install needs of a session before rewriting it: its first `session_meta` and first prompt.
 * Reading stops there; the package reader still hashes the rest.
 */
const sessionHead = <E>(lines: Stream.Stream<RolloutReader.LineResult, E>) =>
  Effect.suspend(() => {
    const stats = SessionStats.make()
    const done = () => {
      const s = stats.result()
      return s.meta !== undefined && s.firstUserMessage !== undefined
    }
    return Stream.runFoldWhile(lines, undefined, () => !done(), (_, result) => {
      if (result._tag === "Right") stats.add(result.right)
      else stats.addInvalid()
      return undefined
    }).pipe(Effect.map(() => stats.result()))
  })

/**
 * The bytes of a staged session file, counted for progress as they are read. Synchronous 1 MiB
 * reads: a staged file is local and in the page cache, and a read stream per file costs more
 * than the reads themselves over a thousand sessions.
 */
const fileBytes = (file: string, advance: (n: number) => void): Stream.Stream<Uint8Array> =>
  Stream.acquireRelease(Effect.sync(() => nodeFs.openSync(file, "r")), (fd) => Effect.sync(() => nodeFs.closeSync(fd))).pipe(
    Stream.flatMap((fd) =>
      Stream.repeatEffectOption(Effect.suspend(() => {
        // a fresh buffer per chunk: the journal writes a chunk after the stream moved on
        const buffer = Buffer.allocUnsafe(READ_CHUNK)
        const read = nodeFs.readSync(fd, buffer, 0, READ_CHUNK, null)
        if (read === 0) return Effect.fail(Option.none())
        advance(read)
        return Effect.succeed(buffer.subarray(0, read))
      }))
    ),
    Stream.orDie
  )

const READ_CHUNK = 1024 * 1024

/** A `.tgz` package unpacked (verified again on the way) into a temp folder removed afterwards. */
const staging = (fs: FileSystem.FileSystem, verified: PackageReader.VerifiedPackage<unknown>) =>
  Effect.gen(function*() {
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-install-" }).pipe(Effect.orDie)
    return yield* PackageReader.extract(verified, `${dir}/package`)
  })

/** The session's last activity: the row's `updated_at`, else its last line's timestamp. */
const lastActivity = (s: SourceSession): Date => {
  const ms = Number(s.row?.updated_at_ms ?? (typeof s.row?.updated_at === "number" ? s.row.updated_at * 1000 : NaN))
  if (Number.isFinite(ms) && ms > 0) return new Date(ms)
  const last = Date.parse(s.stats.lastTimestamp ?? "")
  return Number.isFinite(last) ? new Date(last) : new Date()
}

const threadRow = (
  p: {
    readonly source: SourceSession
    readonly localId: string
    readonly rollout: string
    readonly canonicalCwd: string
    readonly archived: boolean
  },
  columns: ReadonlyArray<StateDb.ColumnInfo>,
  rules: PathRules.PathRules
): SqlChange.Row => {
  const source = p.source.row ?? {}
  const title = p.source.stats.firstUserMessage ?? ""
  const sandbox = typeof source.sandbox_policy === "string" ? localizeJsonText(source.sandbox_policy, rules) : undefined
  const created = Date.parse(p.source.meta.timestamp)
  const updated = lastActivity(p.source).getTime()
  return rowFor(columns, source, {
    id: p.localId,
    rollout_path: p.rollout,
    cwd: p.canonicalCwd,
    ...(sandbox === undefined ? {} : { sandbox_policy: sandbox })
  }, {
    created_at: Math.floor(created / 1000),
    created_at_ms: created,
    updated_at: Math.floor(updated / 1000),
    updated_at_ms: updated,
    recency_at: Math.floor(updated / 1000),
    recency_at_ms: updated,
    source: typeof p.source.meta.source === "string" ? p.source.meta.source : JSON.stringify(p.source.meta.source ?? "vscode"),
    model_provider: p.source.meta.model_provider ?? "openai",
    cli_version: p.source.meta.cli_version,
    title,
    first_user_message: title,
    preview: title,
    sandbox_policy: "{\"type\":\"read-only\"}",
    approval_mode: "on-request",
    archived: p.archived ? 1 : 0,
    history_mode: p.source.meta.history_mode ?? "legacy"
  })
}

const localizeJsonText = (text: string, rules: PathRules.PathRules): string => {
  try {
    return JSON.stringify(mapJsonStrings(JSON.parse(text), rules.map))
  } catch {
    return text
  }
}

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<
  Installer,
  never,
  CodexHome.CodexHome | StateDb.StateDb | Journal.Journal | FileSystem.FileSystem | Path.Path | Progress.Progress
> = Layer.effect(Installer, make)

/**
 * The installer with everything it uses: the home (resolved from `config`), its database and
 * the journal under it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHome = (
  config: CodexHome.CodexHomeConfig = {}
): Layer.Layer<Installer | Journal.Journal | CodexHome.CodexHome, CodexHomeError, FileSystem.FileSystem | Path.Path | Progress.Progress> =>
  layer.pipe(
    Layer.provideMerge(StateDb.layer({ mode: "read-only" })),
    Layer.provideMerge(journalLayer),
    Layer.provideMerge(CodexHome.layer(config))
  )

/**
 * The journal of the home in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const journalLayer: Layer.Layer<Journal.Journal, never, CodexHome.CodexHome> = Layer.unwrapEffect(
  Effect.map(CodexHome.CodexHome, (home) => Journal.layer({ codexHome: home.root }))
)
