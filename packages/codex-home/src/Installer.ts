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
import { InstallWarnings, PackageInstall, ShownChanges } from "@sessionport/agent"
import { Journal, JournalError, SqlChange } from "@sessionport/journal"
import { PathRules, Rewriter } from "@sessionport/localize"
import { FileChunks, Layout, PackageError, PackageReader } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { LineCheck, SessionStats } from "@sessionport/schema"
import { Context, Effect, Layer, Schema, type Scope } from "effect"
import * as CodexHome from "./CodexHome.js"
import type { CodexHomeError } from "./CodexHomeError.js"
import * as BaselineRow from "./internal/baselineRow.js"
import { mapJsonStrings, newLocalId, offsetAfterRecords, rolloutRelativePath, rowFor } from "./internal/installPlan.js"
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
export type InstallFailure =
  | InstallError
  | PackageError.PackageError
  | CodexHomeError
  | JournalError.JournalError
  | Rewriter.RewriteError

/**
 * A session of a verified package, as install reads it: its head (session_meta, first prompt),
 * its `threads` row from the package, and the file's size and SHA-256.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceSession {
  readonly entry: string
  readonly stats: SessionStats.SessionStats
  readonly meta: NonNullable<SessionStats.SessionStats["meta"]>
  readonly row: Record<string, unknown> | undefined
  readonly size: number
  readonly sha256: string
  /** its lines Codex would skip (not JSON, NUL bytes): installed as they are, with a warning */
  readonly skipped: LineCheck.SkippedLines
}

/**
 * A package checked whole and ready to be read: its sessions, staged on disk (a folder package
 * in place; a `.tgz` unpacked for the scope), and the path rules for this machine.
 *
 * @since 0.1.0
 * @category models
 */
export interface Prepared {
  readonly package: string
  readonly packageId: string | undefined
  readonly sources: ReadonlyArray<SourceSession>
  readonly stagedDir: string
  readonly rules: PathRules.PathRules
  readonly database: "rows" | "files-only"
  /** `session_index.jsonl` lines of the package, by source id */
  readonly names: ReadonlyMap<string, Record<string, unknown>>
  readonly tools: ReadonlyArray<Record<string, unknown>>
}

/**
 * A session to import, and how: as is (a first install), or as a branch of a local session
 * (its session_meta gets `forked_from_id`, its title and name say it is a branch).
 *
 * @since 0.1.0
 * @category models
 */
export interface Choice {
  readonly source: SourceSession
  readonly branchOf?: { readonly localId: string; readonly name: string | undefined } | undefined
}

/**
 * A session of the package that is not imported because this home already has it (a sync found
 * it unchanged or fast-forwarded it): a fork of it that is imported points at the local copy.
 *
 * @since 0.1.0
 * @category models
 */
export interface KnownSession {
  readonly localId: string
  /** the local rollout */
  readonly rollout: string
  /** a file holding what the same transaction appends to it first (a fast-forward) */
  readonly appended?: string | undefined
}

/** The sessions to import with their new ids and places. @since 0.1.0 @category models */
export interface ImportPlan {
  readonly prepared: Prepared
  /** source id → the local session standing for it (not imported) */
  readonly known: ReadonlyMap<string, KnownSession>
  readonly sessions: ReadonlyArray<InstalledSession>
  readonly warnings: ReadonlyArray<string>
  /** internal: what the rewrite and the rows need */
  readonly planned: ReadonlyArray<PlannedSession>
}

/** What an import wrote (or, for a preview, would write). @since 0.1.0 @category models */
export interface ImportReport {
  readonly sessions: ReadonlyArray<InstalledSession>
  readonly changes: ReadonlyArray<Rewriter.Change & { readonly session: string }>
  /** local id → the new rollout and its size */
  readonly written: ReadonlyMap<string, { readonly rollout: string; readonly size: number }>
}

/** @since 0.1.0 @category models */
export interface InstallerShape {
  /** verify, stage and plan a whole package, then write it as one transaction (or preview it) */
  readonly install: (request: InstallRequest) => Effect.Effect<InstallResult, InstallFailure>
  /** the package checked whole (nothing is written), staged for the scope */
  readonly prepare: (
    request: { readonly package: string; readonly maps: ReadonlyArray<PathRules.Mapping> }
  ) => Effect.Effect<Prepared, InstallFailure, Scope.Scope>
  /**
   * The Codex sessions of a package verified (with {@link scanSession}) and staged by the
   * caller, with the caller's path rules; `undefined` when it holds none.
   */
  readonly fromVerified: (
    verified: PackageReader.VerifiedPackage<unknown>,
    rules: PathRules.PathRules,
    stagedDir: string
  ) => Effect.Effect<Prepared | undefined, InstallError | CodexHomeError>
  /**
   * New ids, rollout paths and working directories for the chosen sessions; a fork whose parent
   * is `known` (already here) points at the local parent. A working directory the path rules
   * refuse (localized out of its rule's target) fails it, naming the session.
   */
  readonly plan: (
    prepared: Prepared,
    choices: ReadonlyArray<Choice>,
    known?: ReadonlyMap<string, KnownSession>
  ) => Effect.Effect<ImportPlan, Rewriter.RewriteError>
  /** every rewrite run to nowhere: the report of a dry run */
  readonly preview: (plan: ImportPlan) => Effect.Effect<ImportReport, InstallFailure>
  /** the rollouts, names and rows of the plan, written in the caller's transaction */
  readonly write: (tx: Journal.Transaction, plan: ImportPlan) => Effect.Effect<ImportReport, InstallFailure>
}

/** @since 0.1.0 @category tags */
export class Installer extends Context.Tag("@sessionport/codex-home/Installer")<Installer, InstallerShape>() {}


/** @internal */
export interface PlannedSession {
  readonly source: SourceSession
  readonly localId: string
  readonly archived: boolean
  readonly rollout: string
  readonly cwd: string
  readonly canonicalCwd: string
  readonly cwdExists: boolean
  readonly forkOf: string | undefined
  readonly name: Record<string, unknown> | undefined
  readonly branchOf: Choice["branchOf"]
  readonly title: string
}

const basename = (p: string) => p.split(/[\\/]/).pop() ?? p

const jsonLines = (text: string | undefined): Array<Record<string, unknown>> =>
  (text ?? "").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line))

/** The id of the session a fork reads its first turns from, or was forked from. */
const parentOf = (meta: SourceSession["meta"]): string | undefined =>
  meta.history_base?.thread_id ?? meta.forked_from_id ?? undefined

/** Parents before the forks that depend on them, otherwise in package order. */
const parentsFirst = <A extends { readonly source: SourceSession }>(choices: ReadonlyArray<A>): Array<A> => {
  const byId = new Map(choices.map((c) => [c.source.meta.id, c]))
  const out: Array<A> = []
  const placed = new Set<string>()
  const place = (c: A, depth: number) => {
    if (placed.has(c.source.meta.id) || depth > choices.length) return
    const parent = parentOf(c.source.meta)
    if (parent !== undefined && byId.has(parent)) place(byId.get(parent)!, depth + 1)
    placed.add(c.source.meta.id)
    out.push(c)
  }
  for (const c of choices) place(c, 0)
  return out
}

/** How a branch is titled and named: it says what it is. */
const branchTitle = (title: string): string => `[branch] ${title}`

/** @since 0.1.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* CodexHome.CodexHome
  const db = yield* StateDb.StateDb
  const journal = yield* Journal.Journal
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const progress = yield* Progress.Progress

  // a verified, staged package read as Codex install needs it: its Codex sessions with their
  // rows, names and tools (`undefined`: it holds none)
  const fromVerified = Effect.fn("Installer.fromVerified")(function*(
    verified: PackageReader.VerifiedPackage<unknown>,
    rules: PathRules.PathRules,
    stagedDir: string
  ) {
    const rows = jsonLines(verified.metadata.get(Layout.THREADS))
    const rowByFile = new Map(rows.map((row) => [basename(String(row.rollout_path)), row]))
    const files = new Map(verified.files.map((f) => [f.path, f]))
    const sources: Array<SourceSession> = []
    for (const [entry, scanned] of verified.sessions) {
      if (!Layout.isSessionEntry(entry)) continue
      const { skipped, stats } = scanned as SessionScan
      if (stats.meta === undefined) {
        return yield* new InstallError({ reason: "bad_session", detail: `${entry} has no session_meta line` })
      }
      const file = basename(entry)
      sources.push({
        entry,
        stats,
        meta: stats.meta,
        row: rowByFile.get(file) ?? rowByFile.get(file.replace(/\.zst$/, "")),
        size: files.get(entry)?.size ?? 0,
        sha256: files.get(entry)?.sha256 ?? "",
        skipped
      })
    }
    if (sources.length === 0) return undefined
    const seen = new Set<string>()
    for (const s of sources) {
      if (seen.has(s.meta.id)) {
        return yield* new InstallError({ reason: "bad_session", detail: `session ${s.meta.id} is twice in ${verified.path}` })
      }
      seen.add(s.meta.id)
    }
    return {
      package: verified.path,
      packageId: verified.manifest.package_id ?? undefined,
      sources,
      stagedDir,
      rules,
      database: db.exists && (yield* db.tableExists("threads")) ? "rows" : "files-only",
      names: new Map(jsonLines(verified.metadata.get(Layout.SESSION_INDEX)).map((line) => [String(line.id), line])),
      tools: jsonLines(verified.metadata.get(Layout.DYNAMIC_TOOLS))
    } satisfies Prepared
  })

  const prepare = Effect.fn("Installer.prepare")(function*(
    request: { readonly package: string; readonly maps: ReadonlyArray<PathRules.Mapping> }
  ) {
    // the package, checked whole before anything else happens
    const stageInto = yield* PackageInstall.stagingFolder.pipe(Effect.provideService(FileSystem.FileSystem, fs))
    const verified = yield* PackageReader.verify(request.package, { scanSession, stageInto })
    const rules = PackageInstall.rulesFor(verified, request.maps)
    const stagedDir = yield* PackageInstall.stage(verified).pipe(Effect.provideService(FileSystem.FileSystem, fs))
    const prepared = yield* fromVerified(verified, rules, stagedDir)
    if (prepared === undefined) {
      return yield* new InstallError({ reason: "nothing_to_install", detail: `${request.package} holds no session` })
    }
    return { ...prepared, package: request.package }
  })

  const plan = Effect.fn("Installer.plan")(function*(
    prepared: Prepared,
    choices: ReadonlyArray<Choice>,
    known: ReadonlyMap<string, KnownSession> = new Map()
  ) {
    const ordered = parentsFirst(choices)
    const idMap = new Map(ordered.map((c) => [c.source.meta.id, newLocalId(Date.parse(c.source.meta.timestamp))]))
    // sessions share a few working directories: each is looked up once
    const folders = new Map<string, { readonly exists: boolean; readonly canonical: string }>()
    const folder = (cwd: string) =>
      Effect.gen(function*() {
        const known = folders.get(cwd)
        if (known !== undefined) return known
        const exists = yield* fs.exists(cwd).pipe(Effect.orElseSucceed(() => false))
        // Codex stores the canonical folder (symlinks resolved) when it exists
        const canonical = exists ? yield* fs.realPath(cwd).pipe(Effect.orElseSucceed(() => cwd)) : cwd
        folders.set(cwd, { exists, canonical })
        return { exists, canonical }
      })
    const planned: Array<PlannedSession> = []
    for (const { branchOf, source: s } of ordered) {
      const localId = idMap.get(s.meta.id)!
      const archived = s.row?.archived === 1 || s.row?.archived === true
      const rollout = path.join(home.root, ...rolloutRelativePath(localId, new Date(s.meta.timestamp), archived).split("/"))
      const cwd = yield* Rewriter.localizePath(prepared.rules, s.meta.cwd, `session ${s.meta.id}`)
      const { canonical: canonicalCwd, exists: cwdExists } = yield* folder(cwd)
      const parent = parentOf(s.meta)
      const title = s.stats.firstUserMessage ?? ""
      const sourceName = prepared.names.get(s.meta.id)
      planned.push({
        source: s,
        localId,
        archived,
        rollout,
        cwd,
        canonicalCwd,
        cwdExists,
        forkOf: branchOf?.localId ?? (parent === undefined ? undefined : idMap.get(parent) ?? known.get(parent)?.localId),
        branchOf,
        title: branchOf === undefined ? title : branchTitle(title),
        name: branchOf === undefined
          ? sourceName
          : { ...sourceName, id: s.meta.id, thread_name: branchTitle(branchOf.name ?? String(sourceName?.thread_name ?? title).slice(0, 80)), updated_at: new Date().toISOString() }
      })
    }
    return {
      prepared,
      known,
      planned,
      warnings: [...InstallWarnings.missingFolders(planned.map((p) => ({ ...p, sourceCwd: p.source.meta.cwd }))), ...planned.flatMap((p) => skippedLinesWarning(p.source, "installed") ?? [])],
      sessions: planned.map((p) => installed(p, 0))
    } satisfies ImportPlan
  })

  // One rewrite per session, run in order (parents first): a fork's plan reads its parent's
  // offsets from `offsets`, filled in as each parent's rewrite ends.
  const rewrites = (importPlan: ImportPlan, advance: (n: number) => void) => {
    const { known, planned, prepared } = importPlan
    const imported = new Map(planned.map((p) => [p.source.meta.id, p.localId]))
    const offsets = new Map<string, ReadonlyMap<number, number>>()
    // a paginated fork points into its parent's file at a byte offset: ask the parent's rewrite
    // where that offset lands in the rewritten file; a parent already here is read for it (the
    // end of the same number of records)
    const wantedEnds = new Map<string, Set<number>>()
    const localParents = new Map<string, string>()
    for (const p of planned) {
      const base = p.source.meta.history_base
      if (base == null) continue
      const local = imported.has(base.thread_id) ? undefined : known.get(base.thread_id)
      if (local !== undefined) {
        const at = offsetAfterRecords(local.rollout, base.end_ordinal_exclusive, local.appended)
        if (at === undefined) continue
        const moved = new Map(offsets.get(base.thread_id) ?? [])
        offsets.set(base.thread_id, moved.set(base.end_byte_offset, at))
        localParents.set(base.thread_id, local.localId)
        continue
      }
      if (!imported.has(base.thread_id)) continue
      const set = wantedEnds.get(base.thread_id) ?? new Set<number>()
      set.add(base.end_byte_offset)
      wantedEnds.set(base.thread_id, set)
    }
    // ids: the imported sessions' new ones; a parent already here, its local id (a legacy fork
    // names it; a paginated one only when its offset was found)
    const idMap = new Map(imported)
    for (const p of planned) {
      const parent = parentOf(p.source.meta)
      if (parent === undefined || imported.has(parent) || !known.has(parent)) continue
      if (p.source.meta.history_base == null || localParents.has(parent)) idMap.set(parent, known.get(parent)!.localId)
    }
    // the rewriter keeps nothing of its input: every file is read into the same buffer
    const buffer = Buffer.allocUnsafe(FileChunks.CHUNK_SIZE)
    const sessions = planned.map((p) => {
      const rewrite = Rewriter.reportingChunks(
        counted(FileChunks.read(path.join(prepared.stagedDir, ...p.source.entry.split("/")), { buffer }), advance),
        {
          idMap,
          pathRules: prepared.rules,
          historyBaseOffsets: offsets,
          lineEnds: wantedEnds.get(p.source.meta.id),
          // the plan shows the first changes of each session; the rest are only counted
          maxChanges: ShownChanges.PER_SESSION,
          label: `session ${p.source.meta.id}`
        }
      )
      // a branch names the local session it parted from (its own forks' offsets would move: not then)
      const chunks = p.branchOf !== undefined && !wantedEnds.has(p.source.meta.id)
        ? withForkedFrom(rewrite.chunks, p.branchOf.localId)
        : rewrite.chunks
      return { p, rewrite, chunks }
    })
    const shown = new ShownChanges.ShownChanges()
    const counts = new Map<string, number>()
    const ended = (i: number) =>
      Effect.map(sessions[i]!.rewrite.report, (report) => {
        const { p } = sessions[i]!
        if (wantedEnds.has(p.source.meta.id)) offsets.set(p.source.meta.id, report.lineEnds)
        counts.set(p.localId, report.changeCount)
        shown.add(p.localId, report.changes)
      })
    const report = (written: ImportReport["written"]): ImportReport => ({
      sessions: planned.map((p) => installed(p, counts.get(p.localId) ?? 0)),
      changes: shown.changes,
      written
    })
    return { sessions, ended, report }
  }
  const totalBytes = (importPlan: ImportPlan) => importPlan.planned.reduce((n, p) => n + p.source.size, 0)

  const preview = Effect.fn("Installer.preview")(function*(importPlan: ImportPlan) {
    return yield* Progress.track("plan", totalBytes(importPlan), "bytes", (task) =>
      Effect.gen(function*() {
        const files = rewrites(importPlan, task.advance)
        for (let i = 0; i < files.sessions.length; i++) {
          yield* Rewriter.drain(files.sessions[i]!.chunks)
          yield* files.ended(i)
        }
        return files.report(new Map())
      })).pipe(Effect.provideService(Progress.Progress, progress))
  })

  const write = Effect.fn("Installer.write")(function*(tx: Journal.Transaction, importPlan: ImportPlan) {
    const { planned, prepared } = importPlan
    if (planned.length === 0) return { sessions: [], changes: [], written: new Map() } satisfies ImportReport
    const rows = prepared.database === "rows"
    const threadColumns = rows ? yield* db.columnInfo("threads") : []
    const toolColumns = rows ? yield* db.columnInfo("thread_dynamic_tools") : []
    // every rollout in one journal operation: a thousand sessions cost three journal writes
    const files = rewrites(importPlan, () => undefined)
    const written = yield* Progress.track("install", totalBytes(importPlan), "bytes", (task) =>
      tx.createFiles(
        files.sessions.map(({ chunks, p }) => ({
          path: p.rollout,
          content: Journal.chunks(counted(chunks, task.advance), Rewriter.isRewriteError),
          mtime: lastActivity(p.source)
        })),
        { onWritten: (_, i) => files.ended(i) }
      )).pipe(Effect.provideService(Progress.Progress, progress))
    const indexLines = planned.flatMap((p) => p.name === undefined ? [] : [JSON.stringify({ ...p.name, id: p.localId }) + "\n"])
    if (indexLines.length > 0) yield* tx.appendText(home.sessionIndexPath, indexLines.join(""))
    if (rows) {
      const idMap = new Map(planned.map((p) => [p.source.meta.id, p.localId]))
      const threadRows = planned.map((p) => threadRow(p, threadColumns, prepared.rules))
      const toolRows = toolColumns.length === 0 ? [] : prepared.tools.flatMap((tool) => {
        const localId = idMap.get(String(tool.thread_id))
        return localId === undefined ? [] : [rowFor(toolColumns, tool, { thread_id: localId })]
      })
      yield* tx.sql(db.path, [
        SqlChange.insertRows("threads", threadRows, ["id"]),
        ...(toolRows.length === 0 ? [] : [SqlChange.insertRows("thread_dynamic_tools", toolRows, ["thread_id", "position"])])
      ])
    }
    return files.report(new Map(written.map((w, i) => [planned[i]!.localId, { rollout: w.path, size: w.size }])))
  })

  const install = Effect.fn("Installer.install")(function*(request: InstallRequest) {
    return yield* Effect.scoped(Effect.gen(function*() {
      const prepared = yield* prepare(request)
      const importPlan = yield* plan(prepared, prepared.sources.map((source) => ({ source })))
      const result = (transactionId: string | undefined, report: ImportReport): InstallResult => ({
        package: request.package,
        codexHome: home.root,
        dryRun: request.dryRun,
        transactionId,
        sessions: report.sessions,
        rules: prepared.rules.describe(),
        database: prepared.database,
        changes: report.changes,
        warnings: importPlan.warnings
      })
      if (request.dryRun) return result(undefined, yield* preview(importPlan))
      yield* db.assertIdle
      return yield* journal.transaction(
        {
          kind: "install",
          summary: {
            package: request.package,
            package_id: prepared.packageId ?? null,
            sessions: importPlan.planned.map((p) => ({ source_id: p.source.meta.id, local_id: p.localId, rollout: p.rollout }))
          }
        },
        (tx) => Effect.map(write(tx, importPlan), (report) => result(tx.id, report))
      )
    }))
  })

  return Installer.of({ install, prepare, fromVerified, plan, preview, write })
})

const installed = (p: PlannedSession, rewrites: number): InstalledSession => ({
  sourceId: p.source.meta.id,
  localId: p.localId,
  sourceCwd: p.source.meta.cwd,
  cwd: p.cwd,
  cwdExists: p.cwdExists,
  rollout: p.rollout,
  archived: p.archived,
  name: p.name === undefined ? undefined : String(p.name.thread_name),
  title: p.title,
  forkOf: p.forkOf,
  rewrites
})

/**
 * The chunks of a rewritten rollout with `forked_from_id` set in its first line (its
 * session_meta); every later byte as it was.
 */
const withForkedFrom = (chunks: Iterable<Uint8Array>, parentId: string): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    const head: Array<Uint8Array> = []
    let done = false
    for (const chunk of chunks) {
      if (done) {
        yield chunk
        continue
      }
      const nl = chunk.indexOf(10)
      if (nl === -1) {
        head.push(chunk)
        continue
      }
      done = true
      const first = Buffer.concat([...head, chunk.subarray(0, nl)]).toString("utf8")
      yield Buffer.from(setForkedFrom(first, parentId), "utf8")
      yield chunk.subarray(nl)
    }
    if (!done && head.length > 0) yield Buffer.from(setForkedFrom(Buffer.concat(head).toString("utf8"), parentId), "utf8")
  }
})

const setForkedFrom = (line: string, parentId: string): string => {
  try {
    const json = JSON.parse(line)
    if (json?.type !== "session_meta" || typeof json.payload !== "object" || json.payload === null) return line
    json.payload.forked_from_id = parentId
    return JSON.stringify(json) + (line.endsWith("\r") ? "\r" : "")
  } catch {
    return line
  }
}

/**
 * A warning for a session with lines Codex would skip (`undefined` when it has none); `done`
 * says what became of them (`installed`, `appended`).
 *
 * @since 0.1.0
 * @category rendering
 */
export const skippedLinesWarning = (
  source: Pick<SourceSession, "meta" | "skipped">,
  done: string,
  skipped: LineCheck.SkippedLines = source.skipped
): string | undefined => {
  const found = LineCheck.describe(skipped)
  return found === undefined ? undefined : `session ${source.meta.id}: ${found}; Codex skips such lines; ${done} as they are`
}

/** What install keeps of a session's transcript while the package is verified. @since 0.2.0 @category models */
export interface SessionScan {
  readonly stats: SessionStats.SessionStats
  readonly skipped: LineCheck.SkippedLines
}

/**
 * What install needs of a session before rewriting it: its first `session_meta` and first prompt,
 * after which lines are not even parsed; and, on the bytes of every line, those Codex would skip.
 *
 * @since 0.2.0
 * @category reading
 */
export const scanSession = (): PackageReader.Scan<SessionScan> => {
  const scan = SessionStats.scanner((s) => s.meta !== undefined && s.firstUserMessage !== undefined)
  const lines = new LineCheck.LineCheck()
  let reading = true
  return {
    push: (bytes) => {
      if (reading) reading = scan.push(bytes)
      lines.push(bytes)
      return true
    },
    end: () => {
      const skipped = lines.end()
      const result = scan.end()
      if (result.meta === undefined) return { stats: result, skipped }
      // kept for every session until the end: without the instructions (tens of kB each), which
      // install never reads from here
      const { base_instructions: _, dynamic_tools: __, instructions: ___, ...meta } = result.meta
      return { stats: { ...result, meta }, skipped }
    }
  }
}

/** The chunks of a staged file, counted for progress as they are read. */
const counted = (chunks: Iterable<Uint8Array>, advance: (n: number) => void): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    for (const chunk of chunks) {
      advance(chunk.length)
      yield chunk
    }
  }
})


/** The session's last activity: the row's `updated_at`, else its last line's timestamp. */
const lastActivity = (s: SourceSession): Date => {
  const ms = Number(s.row?.updated_at_ms ?? (typeof s.row?.updated_at === "number" ? s.row.updated_at * 1000 : NaN))
  if (Number.isFinite(ms) && ms > 0) return new Date(ms)
  const last = Date.parse(s.stats.lastTimestamp ?? "")
  return Number.isFinite(last) ? new Date(last) : new Date()
}

const threadRow = (p: PlannedSession, columns: ReadonlyArray<StateDb.ColumnInfo>, rules: PathRules.PathRules): SqlChange.Row => {
  const source = p.source.row ?? {}
  const title = p.title
  const sandbox = typeof source.sandbox_policy === "string" ? localizeJsonText(source.sandbox_policy, rules) : undefined
  const created = Date.parse(p.source.meta.timestamp)
  const updated = lastActivity(p.source).getTime()
  return rowFor(columns, source, {
    id: p.localId,
    rollout_path: p.rollout,
    cwd: p.canonicalCwd,
    ...(sandbox === undefined ? {} : { sandbox_policy: sandbox }),
    // a branch says so where Codex shows it
    ...(p.branchOf === undefined ? {} : { title, name: p.name === undefined ? null : String(p.name.thread_name) })
  }, {
    created_at: Math.floor(created / 1000),
    created_at_ms: created,
    updated_at: Math.floor(updated / 1000),
    updated_at_ms: updated,
    recency_at: Math.floor(updated / 1000),
    recency_at_ms: updated,
    // the defaults export writes too (a row made by an older sessionport or another tool may lack them)
    source: BaselineRow.sourceText(p.source.meta.source),
    model_provider: p.source.meta.model_provider ?? BaselineRow.DEFAULT_MODEL_PROVIDER,
    cli_version: p.source.meta.cli_version,
    title,
    first_user_message: p.source.stats.firstUserMessage ?? "",
    preview: p.source.stats.firstUserMessage ?? "",
    sandbox_policy: BaselineRow.READ_ONLY_POLICY,
    approval_mode: BaselineRow.DEFAULT_APPROVAL_MODE,
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
