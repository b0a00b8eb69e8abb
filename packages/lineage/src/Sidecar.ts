/**
 * The sync sidecar, `<codex home>/sessionport/sidecar.sqlite`: what sync knows about lineages.
 *
 * - `lineages`: one row per conversation followed across machines;
 * - `lineage_ids`: every session id seen for a lineage (ids in packages, local ids) → lineage;
 * - `local_sessions`: the local sessions of each lineage with their fingerprint chain (record
 *   count, chain head, root key, the 8-byte prints) as of the size their rollout had then;
 * - `incoming_seen`: package files (by SHA-256) already contained in a local session, so a
 *   repeat sync of an unchanged package skips them without reading them again;
 * - `packages_seen`: the packages synced, by transaction.
 *
 * It is derived state: every row can be rebuilt from the rollouts and the journal
 * (`rebuild-sidecar`, `replay-transactions-sidecar`). Sync changes it inside its journal
 * transaction (the change builders below), so a rollback or a crash recovery undoes them too.
 *
 * @since 0.1.0
 */
import { SqlChange } from "@sessionport/journal"
import { Context, Effect, Layer } from "effect"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import type { SessionPrint } from "./Fingerprint.js"
import * as StateDb from "./internal/stateDb.js"
import { LineageError } from "./LineageError.js"

/** @since 0.1.0 @category constants */
export const SCHEMA_VERSION = "1"

/** The sidecar's place under a Codex home. @since 0.1.0 @category constants */
export const relativePath = "sessionport/sidecar.sqlite"

// the meta table (`sidecar_meta`, holding the schema) is made by `StateDb`
const DDL = [
  `CREATE TABLE IF NOT EXISTS lineages (lineage_id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS lineage_ids (session_id TEXT PRIMARY KEY, lineage_id TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS local_sessions (
    local_id TEXT PRIMARY KEY, lineage_id TEXT NOT NULL, rollout_path TEXT NOT NULL, role TEXT NOT NULL,
    size INTEGER NOT NULL, bytes INTEGER NOT NULL, records INTEGER NOT NULL, head TEXT NOT NULL, root_index INTEGER, root_key TEXT,
    prints BLOB NOT NULL, updated_at_ms INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS local_sessions_by_lineage ON local_sessions (lineage_id)`,
  `CREATE INDEX IF NOT EXISTS local_sessions_by_root ON local_sessions (root_key)`,
  `CREATE TABLE IF NOT EXISTS incoming_seen (
    lineage_id TEXT NOT NULL, sha256 TEXT NOT NULL, local_id TEXT NOT NULL, local_size INTEGER NOT NULL,
    PRIMARY KEY (lineage_id, sha256))`,
  `CREATE TABLE IF NOT EXISTS packages_seen (
    transaction_id TEXT PRIMARY KEY, package_id TEXT, path TEXT NOT NULL, seen_at_ms INTEGER NOT NULL,
    sessions INTEGER NOT NULL)`
]

/**
 * How a local session came under lineage tracking: `imported` (a new lineage or a collision),
 * `branch` (a diverged copy imported next to the local one), `adopted` (found on disk: an
 * earlier install, Codex's own session).
 *
 * @since 0.1.0
 * @category models
 */
export type Role = "imported" | "branch" | "adopted"

/** A local session as the sidecar knows it (its prints are loaded on demand). @since 0.1.0 @category models */
export interface LocalSession {
  readonly localId: string
  readonly lineageId: string
  readonly rolloutPath: string
  readonly role: Role
  /** the rollout's size when its prints were taken; Codex only appends, so a larger file still starts with them */
  readonly size: number
  readonly records: number
  readonly head: string
  readonly rootIndex: number | undefined
  readonly rootKey: string | undefined
  readonly updatedAtMs: number
}

/** @since 0.1.0 @category models */
export interface Seen {
  readonly localId: string
  readonly localSize: number
}

/** Everything but the prints, read once per command. @since 0.1.0 @category models */
export interface Snapshot {
  /** false: no sidecar yet (nothing is tracked) */
  readonly exists: boolean
  readonly lineages: ReadonlySet<string>
  /** session id (in a package or local) → lineage */
  readonly lineageOf: ReadonlyMap<string, string>
  readonly locals: ReadonlyMap<string, LocalSession>
  /** a lineage's local sessions, branches last (ties in a classification go to the original) */
  readonly byLineage: ReadonlyMap<string, ReadonlyArray<LocalSession>>
  readonly byRoot: ReadonlyMap<string, ReadonlyArray<LocalSession>>
  /** `${lineage} ${sha256}` → the local session that contains that package file */
  readonly seen: ReadonlyMap<string, Seen>
  readonly packages: number
}

/** @since 0.1.0 @category models */
export interface SidecarShape {
  readonly path: string
  /** creates the file and its tables when missing; refuses a sidecar of another schema */
  readonly ensure: Effect.Effect<void, LineageError>
  readonly snapshot: Effect.Effect<Snapshot, LineageError>
  /** the full prints of these local sessions (as recorded: see {@link LocalSession.size}) */
  readonly prints: (localIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, SessionPrint>, LineageError>
}

/** @since 0.1.0 @category tags */
export class Sidecar extends Context.Tag("@sessionport/lineage/Sidecar")<Sidecar, SidecarShape>() {}

/** @since 0.1.0 @category constructors */
export const seenKey = (lineageId: string, sha256: string): string => `${lineageId} ${sha256}`

/** What a home without a sidecar tracks: nothing. @since 0.1.0 @category constants */
export const emptySnapshot: Snapshot = {
  exists: false,
  lineages: new Set(),
  lineageOf: new Map(),
  locals: new Map(),
  byLineage: new Map(),
  byRoot: new Map(),
  seen: new Map(),
  packages: 0
}

interface LocalRow {
  readonly local_id: string
  readonly lineage_id: string
  readonly rollout_path: string
  readonly role: string
  readonly size: number
  readonly records: number
  readonly head: string
  readonly root_index: number | null
  readonly root_key: string | null
  readonly updated_at_ms: number
}

const toLocal = (row: LocalRow): LocalSession => ({
  localId: row.local_id,
  lineageId: row.lineage_id,
  rolloutPath: row.rollout_path,
  role: row.role as Role,
  size: Number(row.size),
  records: Number(row.records),
  head: row.head,
  rootIndex: row.root_index === null ? undefined : Number(row.root_index),
  rootKey: row.root_key ?? undefined,
  updatedAtMs: Number(row.updated_at_ms)
})

const group = <K>(items: Iterable<LocalSession>, key: (s: LocalSession) => K | undefined): Map<K, Array<LocalSession>> => {
  const out = new Map<K, Array<LocalSession>>()
  for (const item of items) {
    const k = key(item)
    if (k === undefined) continue
    const list = out.get(k)
    if (list === undefined) out.set(k, [item])
    else list.push(item)
  }
  return out
}

/**
 * The sidecar of the Codex home at `codexHome`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (codexHome: string): SidecarShape => {
  const path = nodePath.join(codexHome, ...relativePath.split("/"))
  // opening, the tables and the schema check, a read-only home told from a bad file: `StateDb`
  const { ensure: ensureDb, query } = StateDb.make({
    home: codexHome,
    path,
    metaTable: "sidecar_meta",
    schema: SCHEMA_VERSION,
    ddl: DDL,
    bad: (detail, cause) => new LineageError({ reason: "bad_sidecar", path, detail, cause })
  })
  const ensure = ensureDb.pipe(Effect.withSpan("Sidecar.ensure"))

  const snapshot = Effect.suspend(() => {
    if (!nodeFs.existsSync(path)) return Effect.succeed(emptySnapshot)
    return query((sql) =>
      Effect.all({
        lineages: sql<{ readonly lineage_id: string }>`SELECT lineage_id FROM lineages`,
        ids: sql<{ readonly session_id: string; readonly lineage_id: string }>`SELECT session_id, lineage_id FROM lineage_ids`,
        locals: sql<LocalRow>`SELECT local_id, lineage_id, rollout_path, role, size, records, head, root_index, root_key,
          updated_at_ms FROM local_sessions ORDER BY role = 'branch', local_id`,
        seen: sql<{ readonly lineage_id: string; readonly sha256: string; readonly local_id: string; readonly local_size: number }>`
          SELECT lineage_id, sha256, local_id, local_size FROM incoming_seen`,
        packages: sql<{ readonly n: number }>`SELECT count(*) AS n FROM packages_seen`
      })
    ).pipe(Effect.map((rows): Snapshot => {
      const locals = new Map(rows.locals.map((row) => [row.local_id, toLocal(row)]))
      return {
        exists: true,
        lineages: new Set(rows.lineages.map((row) => row.lineage_id)),
        lineageOf: new Map(rows.ids.map((row) => [row.session_id, row.lineage_id])),
        locals,
        byLineage: group(locals.values(), (s) => s.lineageId),
        byRoot: group(locals.values(), (s) => s.rootKey),
        seen: new Map(rows.seen.map((row) => [seenKey(row.lineage_id, row.sha256), { localId: row.local_id, localSize: Number(row.local_size) }])),
        packages: Number(rows.packages[0]?.n ?? 0)
      }
    }))
  }).pipe(Effect.withSpan("Sidecar.snapshot"))

  const prints = (localIds: ReadonlyArray<string>) =>
    localIds.length === 0 ? Effect.succeed(new Map<string, SessionPrint>()) : query((sql) =>
      Effect.forEach(StateDb.chunksOf(localIds, 500), (ids) =>
        sql<{
          readonly local_id: string
          readonly records: number
          readonly head: string
          readonly root_index: number | null
          readonly bytes: number
          readonly prints: Uint8Array
        }>`SELECT local_id, records, head, root_index, bytes, prints FROM local_sessions WHERE ${sql.in("local_id", ids)}`)
    ).pipe(Effect.map((batches) =>
      new Map(batches.flat().map((row): [string, SessionPrint] => [row.local_id, {
        records: Number(row.records),
        prints: new Uint8Array(row.prints),
        head: row.head,
        rootIndex: row.root_index === null ? undefined : Number(row.root_index),
        bytes: Number(row.bytes)
      }]))
    ))

  return { path, ensure, snapshot, prints }
}


/** @since 0.1.0 @category layers */
export const layer = (codexHome: string): Layer.Layer<Sidecar> => Layer.succeed(Sidecar, make(codexHome))

// ---------------------------------------------------------------------------------------------
// changes, applied through the journal (`tx.sql(sidecar.path, [...])`)

/** @since 0.1.0 @category changes */
export const addLineages = (lineageIds: ReadonlyArray<string>, nowMs: number): SqlChange.SqlChange =>
  SqlChange.insertRows("lineages", lineageIds.map((lineage_id) => ({ lineage_id, created_at_ms: nowMs })), ["lineage_id"])

/** Session ids newly known to belong to a lineage. @since 0.1.0 @category changes */
export const mapIds = (ids: ReadonlyArray<{ readonly sessionId: string; readonly lineageId: string }>): SqlChange.SqlChange =>
  SqlChange.insertRows("lineage_ids", ids.map((id) => ({ session_id: id.sessionId, lineage_id: id.lineageId })), ["session_id"])

/** @since 0.1.0 @category models */
export interface LocalPrint {
  readonly localId: string
  readonly lineageId: string
  readonly rolloutPath: string
  readonly role: Role
  /** the rollout's size with these prints */
  readonly size: number
  readonly print: SessionPrint
  readonly rootKey: string | undefined
}

const localRow = (local: LocalPrint, nowMs: number): SqlChange.Row => ({
  local_id: local.localId,
  lineage_id: local.lineageId,
  rollout_path: local.rolloutPath,
  role: local.role,
  size: local.size,
  bytes: local.print.bytes,
  records: local.print.records,
  head: local.print.head,
  root_index: local.print.rootIndex ?? null,
  root_key: local.rootKey ?? null,
  prints: local.print.prints,
  updated_at_ms: nowMs
})

/** @since 0.1.0 @category changes */
export const addLocals = (locals: ReadonlyArray<LocalPrint>, nowMs: number): SqlChange.SqlChange =>
  SqlChange.insertRows("local_sessions", locals.map((local) => localRow(local, nowMs)), ["local_id"])

/** A tracked local session's new prints (after a fast-forward, or Codex went on). @since 0.1.0 @category changes */
export const updateLocal = (local: LocalPrint, nowMs: number): SqlChange.SqlChange => {
  const { local_id, ...values } = localRow(local, nowMs)
  return SqlChange.updateRows("local_sessions", { local_id }, values)
}

/** @since 0.1.0 @category changes */
export const removeLocals = (localIds: ReadonlyArray<string>): SqlChange.SqlChange =>
  SqlChange.deleteRows("local_sessions", localIds.map((local_id) => ({ local_id })))

/** Package files now contained in a local session. @since 0.1.0 @category changes */
export const markSeen = (
  seen: ReadonlyArray<{ readonly lineageId: string; readonly sha256: string; readonly localId: string; readonly localSize: number }>
): SqlChange.SqlChange =>
  SqlChange.insertRows(
    "incoming_seen",
    seen.map((s) => ({ lineage_id: s.lineageId, sha256: s.sha256, local_id: s.localId, local_size: s.localSize })),
    ["lineage_id", "sha256"]
  )

/** @since 0.1.0 @category changes */
export const addPackage = (
  pkg: { readonly transactionId: string; readonly packageId: string | undefined; readonly path: string; readonly sessions: number },
  nowMs: number
): SqlChange.SqlChange =>
  SqlChange.insertRows("packages_seen", [{
    transaction_id: pkg.transactionId,
    package_id: pkg.packageId ?? null,
    path: pkg.path,
    seen_at_ms: nowMs,
    sessions: pkg.sessions
  }], ["transaction_id"])

/** @since 0.1.0 @category changes */
export const unmapIds = (sessionIds: ReadonlyArray<string>): SqlChange.SqlChange =>
  SqlChange.deleteRows("lineage_ids", sessionIds.map((session_id) => ({ session_id })))
