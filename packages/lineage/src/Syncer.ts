/**
 * Repeat import: a package that may overlap with what this home already has, applied per
 * session by lineage, as one journaled transaction.
 *
 * Each incoming session is matched to local ones (the sidecar's lineage, then the same id, then
 * adoption by fingerprint), classified (see {@link Comparison.classify}) and acted on:
 * - `new_lineage`: imported as a first install would (new id, localized, rows);
 * - `unchanged`: nothing;
 * - `fast_forward_import`: the localized records the local copy lacks are appended to it, its
 *   row is updated and its paginated-history projection dropped (Codex rebuilds it);
 * - `diverged_lineage`: the local session is kept; the incoming one is imported as a branch
 *   (new id, `forked_from_id` = the local session, a name that says it is a branch);
 * - `id_collision_unrelated`: the local session is kept; the incoming one imported under a new id.
 *
 * The sidecar's rows change in the same transaction. Nothing local is ever overwritten.
 *
 * @since 0.1.0
 */
import { FileSystem } from "@effect/platform"
import { CodexHome, type CodexHomeError, Installer, StateDb } from "@sessionport/codex-home"
import type * as SqlClient from "@effect/sql/SqlClient"
import { Journal, JournalError, SqlChange } from "@sessionport/journal"
import { type PathRules, Rewriter } from "@sessionport/localize"
import { FileChunks, type PackageError } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { LineCheck } from "@sessionport/schema"
import { Context, Effect, Layer } from "effect"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import * as Comparison from "./Comparison.js"
import * as Fingerprint from "./Fingerprint.js"
import { LineageError } from "./LineageError.js"
import * as Sidecar from "./Sidecar.js"
import { currentPrint, listLocalFiles, type LocalFile, sizeOf } from "./internal/locals.js"
import { type Planned, sidecarChangesFor } from "./internal/sidecarChanges.js"
import { endsWithNewline, suffixChunks } from "./internal/suffix.js"

/** @since 0.1.0 @category models */
export interface SyncRequest {
  readonly package: string
  readonly maps: ReadonlyArray<PathRules.Mapping>
  readonly dryRun: boolean
  /** asked with the plan before anything is written; `false` stops with `declined` */
  readonly confirm?: ((plan: SyncResult) => Effect.Effect<boolean>) | undefined
}

/** What happens to a session. @since 0.1.0 @category models */
export type Action = "import" | "none" | "append" | "import_branch" | "import_new_id"

/** @since 0.1.0 @category models */
export interface SessionDecision {
  readonly sourceId: string
  readonly entry: string
  readonly class: Comparison.SyncClass
  readonly relation: Comparison.Relation | undefined
  /** how the class was reached, in a few words */
  readonly detail: string
  /** how the local session was found */
  readonly via: Comparison.Candidate["via"] | "seen" | undefined
  /** the local session compared with (kept as it is, or fast-forwarded) */
  readonly localId: string | undefined
  /** the session created by this sync (new lineage, branch, collision) */
  readonly newLocalId: string | undefined
  readonly action: Action
  /** records of the incoming session; of them, in common with the local one */
  readonly records: number | undefined
  readonly common: number | undefined
  /** records appended by a fast-forward */
  readonly appended: number | undefined
}

/** @since 0.1.0 @category models */
export interface SyncResult {
  readonly package: string
  readonly codexHome: string
  readonly dryRun: boolean
  /** `undefined`: a dry run, or nothing to change */
  readonly transactionId: string | undefined
  readonly sessions: ReadonlyArray<SessionDecision>
  readonly counts: Readonly<Record<Comparison.SyncClass, number>>
  readonly rules: ReadonlyArray<PathRules.RuleDescription>
  readonly warnings: ReadonlyArray<string>
}

/** @since 0.1.0 @category models */
export type SyncFailure =
  | LineageError
  | Installer.InstallError
  | PackageError.PackageError
  | CodexHomeError.CodexHomeError
  | JournalError.JournalError
  | Rewriter.RewriteError
  | Fingerprint.FingerprintError

/** @since 0.1.0 @category models */
export interface SyncerShape {
  /** the plan and, unless a dry run (or declined), its application */
  readonly sync: (request: SyncRequest) => Effect.Effect<SyncResult, SyncFailure>
}

/** @since 0.1.0 @category tags */
export class Syncer extends Context.Tag("@sessionport/lineage/Syncer")<Syncer, SyncerShape>() {}

const CLASSES: ReadonlyArray<Comparison.SyncClass> = [
  "new_lineage",
  "unchanged",
  "fast_forward_import",
  "diverged_lineage",
  "id_collision_unrelated"
]

const ACTION: Readonly<Record<Comparison.SyncClass, Action>> = {
  new_lineage: "import",
  unchanged: "none",
  fast_forward_import: "append",
  diverged_lineage: "import_branch",
  id_collision_unrelated: "import_new_id"
}

/** Columns a fast-forward brings up to date on the local row, when both rows have them. */
const ADVANCED_COLUMNS = ["updated_at", "updated_at_ms", "recency_at", "recency_at_ms", "tokens_used", "has_user_event"]

/**
 * The thread rows' updates, read again under the write lock: each row must still hold what the
 * sync read when it planned them (Codex moves `updated_at` on as it writes), else nothing is
 * written (`changed_under`).
 */
const unchangedRows = (
  sql: SqlClient.SqlClient,
  dbPath: string,
  read: ReadonlyMap<string, Record<string, unknown>>,
  updates: ReadonlyArray<SqlChange.SqlChange>
) =>
  Effect.gen(function*() {
    for (const update of updates) {
      const id = String((update as SqlChange.Update).key.id)
      const rows = yield* sql<Record<string, unknown>>`SELECT * FROM threads WHERE id = ${id}`.pipe(
        Effect.mapError((cause) => new LineageError({ reason: "unreadable", path: dbPath, detail: cause.message, cause }))
      )
      const before = read.get(id)
      const moved = ADVANCED_COLUMNS.find((column) => before !== undefined && rows[0] !== undefined && rows[0][column] !== before[column])
      if (rows.length !== 1 || moved !== undefined) {
        return yield* new JournalError.JournalError({
          reason: "changed_under",
          path: dbPath,
          detail: rows.length !== 1 ? `thread ${id} is gone` : `the ${moved} of thread ${id} changed since it was read`
        })
      }
    }
    return updates
  })

/** Codex's paginated-history projection of a thread, rebuilt from the rollout when missing. */
const PROJECTION_TABLES = ["thread_turns", "thread_items", "thread_history_projection_state"]
const HISTORY_DB = "thread_history_1.sqlite"


/** @since 0.1.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* CodexHome.CodexHome
  const db = yield* StateDb.StateDb
  const journal = yield* Journal.Journal
  const installer = yield* Installer.Installer
  const sidecar = yield* Sidecar.Sidecar
  const fs = yield* FileSystem.FileSystem
  const progress = yield* Progress.Progress

  const sync = Effect.fn("Syncer.sync")(function*(request: SyncRequest) {
    return yield* Effect.scoped(Effect.gen(function*() {
      const prepared = yield* installer.prepare({ package: request.package, maps: request.maps })
      const snapshot = yield* sidecar.snapshot
      let localFiles: Map<string, LocalFile> | undefined
      const locals = () =>
        localFiles === undefined
          ? Effect.map(listLocalFiles(home), (files) => (localFiles = files))
          : Effect.succeed(localFiles)
      let roots: Map<string, Array<LocalFile>> | undefined

      // a package file its lineage already holds costs a lookup and a stat: no Effect per session
      const planned: Array<Planned> = new Array(prepared.sources.length)
      const toRead: Array<number> = []
      prepared.sources.forEach((source, i) => {
        const known = seenPlan(source, snapshot)
        if (known === undefined) toRead.push(i)
        else planned[i] = known
      })
      // the incoming sessions read, and the local sessions each is to be compared with
      type Candidates = Map<string, { readonly file: LocalFile; readonly via: Comparison.Candidate["via"]; readonly tracked: boolean }>
      const found = yield* Progress.track("fingerprint", toRead.length, "items", (task) =>
        Effect.forEach(toRead, (i) =>
          Effect.gen(function*() {
            const source = prepared.sources[i]!
            const sourceId = source.meta.id
            const lineageId = snapshot.lineageOf.get(sourceId)
            const incoming = yield* Fingerprint.fromFile(nodePath.join(prepared.stagedDir, ...source.entry.split("/")), {
              label: `session ${sourceId}`
            })
            const candidates: Candidates = new Map()
            const files = yield* locals()
            const add = (localId: string, via: Comparison.Candidate["via"]) => {
              if (candidates.has(localId)) return
              const tracked = snapshot.locals.get(localId)
              const file = files.get(localId) ?? (tracked === undefined ? undefined : fileAt(tracked.rolloutPath, localId))
              if (file !== undefined) candidates.set(localId, { file, via, tracked: tracked !== undefined })
            }
            if (lineageId !== undefined) for (const s of snapshot.byLineage.get(lineageId) ?? []) add(s.localId, "sidecar")
            if (files.has(sourceId)) add(sourceId, "same_id")
            const rootKey = Fingerprint.rootKey(incoming)
            if (rootKey !== undefined) {
              for (const s of snapshot.byRoot.get(rootKey) ?? []) add(s.localId, "fingerprint")
              if (candidates.size === 0) {
                roots ??= yield* rootIndex(files, snapshot)
                for (const file of roots.get(rootKey) ?? []) add(file.id, "fingerprint")
              }
            }
            task.advance(1)
            return { i, source, lineageId, incoming, candidates }
          })))

      // the sidecar's prints of every tracked candidate, in one read
      const tracked = new Set(found.flatMap((f) => [...f.candidates].filter(([, c]) => c.tracked).map(([id]) => id)))
      const recorded = yield* sidecar.prints([...tracked])
      const prints = new Map<string, Fingerprint.SessionPrint>()
      const printOf = (localId: string, file: LocalFile) =>
        Effect.gen(function*() {
          const known = prints.get(localId)
          if (known !== undefined) return known
          const session = snapshot.locals.get(localId)
          const stored = recorded.get(localId)
          const print = yield* currentPrint(file.path, file.size, session === undefined || stored === undefined ? undefined : { session, print: stored })
          prints.set(localId, print)
          return print
        })

      for (const { candidates, i, incoming, lineageId, source } of found) {
        const compared: Array<Comparison.Candidate> = []
        for (const [localId, c] of candidates) compared.push({ localId, print: yield* printOf(localId, c.file), via: c.via })
        const classification = Comparison.classify(incoming, compared)
        const matched = classification.localId === undefined ? undefined : candidates.get(classification.localId)
        planned[i] = {
          source,
          lineageId: lineageId ?? (matched === undefined ? undefined : snapshot.locals.get(classification.localId!)?.lineageId),
          incoming,
          local: matched === undefined ? undefined : { file: matched.file, print: prints.get(classification.localId!)!, tracked: matched.tracked },
          decision: {
            sourceId: source.meta.id,
            entry: source.entry,
            class: classification.class,
            relation: classification.relation,
            detail: classification.detail,
            via: matched?.via,
            localId: classification.localId,
            action: ACTION[classification.class],
            records: incoming.records,
            common: classification.common
          }
        }
      }

      const warnings: Array<string> = []
      // a fast-forward appends after the last complete line; a local file cut mid-line is being written
      for (const p of planned) {
        if (p.decision.class === "fast_forward_import" && p.local !== undefined && !endsWithNewline(p.local.file.path)) {
          warnings.push(`${p.local.file.path} ends in an unfinished line (is Codex writing it?); ${p.decision.sourceId} left for the next sync`)
          Object.assign(p, { decision: { ...p.decision, class: "unchanged", action: "none", detail: "skipped: the local rollout ends in an unfinished line" } })
        }
      }

      const toImport = planned.filter((p) => p.decision.action === "import" || p.decision.action === "import_branch" || p.decision.action === "import_new_id")
      const names = yield* home.sessionIndex
      // what each fast-forward appends: the incoming records the local copy lacks, localized
      const forwards = planned.filter((p) => p.decision.action === "append")
      // each written, localized, to a file of its own first: any size, in flat memory
      const appendedFile = new Map<string, string>()
      if (forwards.length > 0) {
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-sync-" }).pipe(
          Effect.mapError((cause) => new LineageError({ reason: "unreadable", path: "temp folder", detail: cause.message, cause }))
        )
        for (const [i, p] of forwards.entries()) {
          const file = nodePath.join(dir, `${i}.jsonl`)
          // the appended lines Codex would skip, numbered as in the package's rollout
          const lines = new LineCheck.LineCheck({ lineOffset: p.local!.print.records })
          yield* writeLocalized(
            file,
            checked(
              suffixChunks(nodePath.join(prepared.stagedDir, ...p.source.entry.split("/")), p.local!.print.records, p.incoming!.records),
              lines
            ),
            {
              idMap: new Map([[p.decision.sourceId, p.local!.file.id]]),
              pathRules: prepared.rules,
              label: `session ${p.decision.sourceId}`,
              // Codex writes no blank lines: the records before the suffix are its lines
              lineOffset: p.local!.print.records
            }
          )
          appendedFile.set(p.decision.sourceId, file)
          const skipped = Installer.skippedLinesWarning(p.source, "appended", lines.end())
          if (skipped !== undefined) warnings.push(skipped)
        }
      }
      // sessions kept here: a fork of one that is imported points at the local copy
      const known = new Map<string, Installer.KnownSession>()
      for (const p of planned) {
        const { class: kind, localId, sourceId } = p.decision
        if (localId === undefined || (kind !== "unchanged" && kind !== "fast_forward_import")) continue
        const rollout = p.local?.file.path ?? snapshot.locals.get(localId)?.rolloutPath
        if (rollout !== undefined) known.set(sourceId, { localId, rollout, appended: appendedFile.get(sourceId) })
      }
      const importPlan = yield* installer.plan(prepared, toImport.map((p) => ({
        source: p.source,
        branchOf: p.decision.action === "import_branch" && p.decision.localId !== undefined
          ? { localId: p.decision.localId, name: names.get(p.decision.localId) }
          : undefined
      })), known)
      const newIds = new Map(importPlan.sessions.map((s) => [s.sourceId, s.localId]))

      const decisions = (appended: ReadonlyMap<string, number>): Array<SessionDecision> =>
        planned.map((p) => ({
          ...p.decision,
          newLocalId: p.decision.action === "none" || p.decision.action === "append" ? undefined : newIds.get(p.decision.sourceId),
          appended: appended.get(p.decision.sourceId)
        }))
      const counts = Object.fromEntries(CLASSES.map((c) => [c, planned.filter((p) => p.decision.class === c).length])) as Record<
        Comparison.SyncClass,
        number
      >
      const appendedCounts = new Map(forwards.map((p) => [p.decision.sourceId, p.incoming!.records - p.local!.print.records]))
      const result = (transactionId: string | undefined): SyncResult => ({
        package: request.package,
        codexHome: home.root,
        dryRun: request.dryRun,
        transactionId,
        sessions: decisions(appendedCounts),
        counts,
        rules: prepared.rules.describe(),
        warnings: [...warnings, ...importPlan.warnings]
      })

      const now = Date.now()
      const sidecarChanges = sidecarChangesFor(planned, snapshot, newIds, now)
      const changesSomething = toImport.length > 0 || forwards.length > 0 || sidecarChanges.pending
      if (request.dryRun || !changesSomething) return result(undefined)
      if (request.confirm !== undefined && !(yield* request.confirm(result(undefined)))) {
        return yield* new LineageError({ reason: "declined", path: request.package, detail: "sync cancelled; nothing was changed" })
      }

      yield* db.assertIdle
      yield* sidecar.ensure
      const historyDb = nodePath.join(home.sqliteHome, HISTORY_DB)
      const historyExists = yield* fs.exists(historyDb).pipe(Effect.orElseSucceed(() => false))
      const localRows = db.exists && forwards.length > 0 ? yield* db.threads(forwards.map((p) => p.local!.file.id)) : []
      const rowById = new Map(localRows.map((row) => [row.id, row as unknown as Record<string, unknown>]))
      const threadColumns = new Set(db.exists ? yield* db.columns("threads") : [])

      return yield* journal.transaction({
        kind: "sync",
        summary: {
          package: request.package,
          package_id: prepared.packageId ?? null,
          sessions: planned.map((p) => ({
            source_id: p.decision.sourceId,
            class: p.decision.class,
            local_id: p.decision.localId ?? null,
            new_local_id: newIds.get(p.decision.sourceId) ?? null,
            lineage_id: p.lineageId ?? null
          }))
        }
      }, (tx) =>
        Effect.gen(function*() {
          const written = yield* installer.write(tx, importPlan)
          // every fast-forward as one append step, every row update as one SQL step
          const appends: Array<Journal.AppendFile<Rewriter.RewriteError>> = []
          const rowUpdates: Array<SqlChange.SqlChange> = []
          for (const p of forwards) {
            const localId = p.local!.file.id
            // only onto the very bytes classified: Codex may have gone on with this session since
            appends.push({
              path: p.local!.file.path,
              content: Journal.chunks(FileChunks.read(appendedFile.get(p.decision.sourceId)!)),
              expectSize: p.local!.file.size
            })
            const row = rowById.get(localId)
            const incomingRow = p.source.row
            if (row === undefined || incomingRow === undefined) continue
            const values: Record<string, SqlChange.SqlValue> = {}
            for (const column of ADVANCED_COLUMNS) {
              const value = incomingRow[column]
              if (!threadColumns.has(column) || (typeof value !== "number" && typeof value !== "string")) continue
              // only what moves on: an update that writes the same values changes nothing
              if (row[column] !== value && String(row[column]) !== String(value)) values[column] = value
            }
            if (Object.keys(values).length > 0) rowUpdates.push(SqlChange.updateRows("threads", { id: localId }, values))
          }
          const appended = yield* tx.appendFiles(appends)
          const forwardSizes = new Map(forwards.map((p, i) => [p.local!.file.id, p.local!.file.size + appended[i]!.size]))
          if (rowUpdates.length > 0) yield* tx.sql(db.path, (sql) => unchangedRows(sql, db.path, rowById, rowUpdates))
          if (historyExists && forwards.length > 0) {
            yield* tx.sql(historyDb, (sql) =>
              Effect.map(
                sql<{ readonly name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.pipe(
                  Effect.mapError((cause) => new LineageError({ reason: "unreadable", path: historyDb, detail: cause.message, cause }))
                ),
                (tables) => {
                  const keys = forwards.map((p) => ({ thread_id: p.local!.file.id }))
                  return PROJECTION_TABLES.filter((t) => tables.some((row) => row.name === t)).map((table) => SqlChange.deleteRows(table, keys))
                }
              ))
          }
          const changes = sidecarChanges.build(tx.id, written.written, forwardSizes, forwards, request.package, prepared.packageId)
          if (changes.length > 0) yield* tx.sql(sidecar.path, changes)
          return result(tx.id)
        }))
    })).pipe(Effect.provideService(Progress.Progress, progress))
  })

  return Syncer.of({ sync })
})

/** `unchanged` without reading: this lineage already holds this very package file (by SHA-256). */
const seenPlan = (source: Installer.SourceSession, snapshot: Sidecar.Snapshot): Planned | undefined => {
  const lineageId = snapshot.lineageOf.get(source.meta.id)
  if (lineageId === undefined) return undefined
  const seen = snapshot.seen.get(Sidecar.seenKey(lineageId, source.sha256))
  const local = seen === undefined ? undefined : snapshot.locals.get(seen.localId)
  // Codex only appends: a local file at least as long still holds it
  if (seen === undefined || local === undefined || (sizeOf(local.rolloutPath) ?? -1) < seen.localSize) return undefined
  return {
    source,
    lineageId,
    incoming: undefined,
    local: undefined,
    decision: {
      sourceId: source.meta.id,
      entry: source.entry,
      class: "unchanged",
      relation: undefined,
      detail: "this package file was synced before and the local session still holds it",
      via: "seen",
      localId: seen.localId,
      action: "none",
      records: undefined,
      common: undefined
    }
  }
}

const fileAt = (path: string, id: string): LocalFile | undefined => {
  const size = sizeOf(path)
  return size === undefined ? undefined : { id, path, size }
}

/** Root keys of the local sessions the sidecar does not track, for adoption by fingerprint. */
const rootIndex = (files: ReadonlyMap<string, LocalFile>, snapshot: Sidecar.Snapshot) =>
  Effect.gen(function*() {
    const out = new Map<string, Array<LocalFile>>()
    for (const file of files.values()) {
      if (snapshot.locals.has(file.id)) continue
      const key = yield* Fingerprint.rootKeyOfFile(file.path).pipe(Effect.orElseSucceed(() => undefined))
      if (key === undefined) continue
      const list = out.get(key)
      if (list === undefined) out.set(key, [file])
      else list.push(file)
    }
    return out
  })

/** The chunks, each shown to `lines` as it goes by. */
const checked = (chunks: Iterable<Uint8Array>, lines: LineCheck.LineCheck): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    for (const chunk of chunks) {
      lines.push(chunk)
      yield chunk
    }
  }
})

/** The localized form of `chunks`, written to `file` (synchronously: one chunk in memory at a time). */
const writeLocalized = (file: string, chunks: Iterable<Uint8Array>, plan: Rewriter.Plan) =>
  Effect.suspend(() => {
    const fd = nodeFs.openSync(file, "w")
    try {
      for (const chunk of Rewriter.reportingChunks(chunks, plan).chunks) nodeFs.writeSync(fd, chunk)
      return Effect.void
    } catch (error) {
      return Rewriter.isRewriteError(error) ? Effect.fail(error) : Effect.die(error)
    } finally {
      nodeFs.closeSync(fd)
    }
  })

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<
  Syncer,
  never,
  | CodexHome.CodexHome
  | StateDb.StateDb
  | Journal.Journal
  | Installer.Installer
  | Sidecar.Sidecar
  | FileSystem.FileSystem
  | Progress.Progress
> = Layer.effect(Syncer, make)
