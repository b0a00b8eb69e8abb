/**
 * What the exchange knows of one home, `<home>/sessionport/exchange.sqlite`:
 *
 * - `applied`: the packages of other machines this home has taken fully, by machine and stem
 *   (`how`: `applied`, or `superseded` by packages applied in the same pull); a pull's receipts;
 * - `marks`: the sessions a pull imported, fast-forwarded or found identical, with their
 *   `(size, updated_at)` right after it, so that push does not publish them back until they
 *   are continued here.
 *
 * A file of its own, apart from the sync sidecar: `rebuild-sidecar` must not lose receipts.
 * Pull changes it inside its journal transaction (the change builders below), so a rollback or
 * a crash recovery undoes them too.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import { SqlChange } from "@sessionport/journal"
import { Effect } from "effect"
import * as nodePath from "node:path"
import { chunksOf, describe, make as makeStateDb } from "./internal/stateDb.js"
import { LineageError } from "./LineageError.js"

/** @since 0.1.0 @category constants */
export const SCHEMA_VERSION = "1"

/** The file's place under a home. @since 0.1.0 @category constants */
export const relativePath = "sessionport/exchange.sqlite"

const DDL = [
  `CREATE TABLE IF NOT EXISTS marks (
    local_id TEXT PRIMARY KEY, size INTEGER NOT NULL, updated_at TEXT NOT NULL,
    machine_id TEXT NOT NULL, package TEXT NOT NULL, transaction_id TEXT NOT NULL, at_ms INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS applied (
    machine_id TEXT NOT NULL, package TEXT NOT NULL, seq INTEGER NOT NULL, sha256 TEXT NOT NULL, how TEXT NOT NULL,
    transaction_id TEXT NOT NULL, at_ms INTEGER NOT NULL, PRIMARY KEY (machine_id, package))`
]

/** A session as a pull left it. @since 0.1.0 @category models */
export interface MarkedAt {
  readonly size: number
  /** RFC 3339, as the store lists it */
  readonly updatedAt: string
}

/** @since 0.1.0 @category models */
export interface Snapshot {
  /** {@link appliedKey}s of the packages taken */
  readonly applied: ReadonlySet<string>
  /** local session id → its mark */
  readonly marks: ReadonlyMap<string, MarkedAt>
}

/** @since 0.1.0 @category models */
export interface ExchangeStateShape {
  readonly path: string
  /** creates the file and its tables when missing (before the transaction); refuses another schema */
  readonly ensure: Effect.Effect<void, LineageError>
  /** a missing file reads as empty and is not created */
  readonly snapshot: Effect.Effect<Snapshot, LineageError>
}

/** A package's key in {@link Snapshot.applied}: `<machine id> <stem>`. @since 0.1.0 @category constructors */
export const appliedKey = (machineId: string, stem: string): string => `${machineId} ${stem}`

/** @since 0.1.0 @category constants */
export const emptySnapshot: Snapshot = { applied: new Set(), marks: new Map() }

/**
 * The exchange state of the home at `home`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (home: string): ExchangeStateShape => {
  const path = nodePath.join(home, ...relativePath.split("/"))
  const db = makeStateDb({
    home,
    path,
    metaTable: "exchange_meta",
    schema: SCHEMA_VERSION,
    ddl: DDL,
    bad: (detail, cause) => new LineageError({ reason: "unreadable", path, detail, cause })
  })

  const snapshot = Effect.suspend(() =>
    db.exists()
      ? db.query((sql) =>
        Effect.all({
          applied: sql<{ readonly machine_id: string; readonly package: string }>`SELECT machine_id, package FROM applied`,
          marks: sql<{ readonly local_id: string; readonly size: number; readonly updated_at: string }>`
            SELECT local_id, size, updated_at FROM marks`
        })
      ).pipe(Effect.map((rows): Snapshot => ({
        applied: new Set(rows.applied.map((row) => appliedKey(row.machine_id, row.package))),
        marks: new Map(rows.marks.map((row) => [row.local_id, { size: Number(row.size), updatedAt: row.updated_at }]))
      })))
      : Effect.succeed(emptySnapshot)
  ).pipe(Effect.withSpan("ExchangeState.snapshot"))

  return { path, ensure: db.ensure.pipe(Effect.withSpan("ExchangeState.ensure")), snapshot }
}

// ---------------------------------------------------------------------------------------------
// changes, applied through the journal: `tx.sql(state.path, ExchangeState.all([addApplied(…), setMarks(…)]))`

/**
 * Changes planned inside the journal's SQLite transaction (the form `tx.sql` takes a function
 * in): each builder reads the rows it is about to set, so one pull can set the same mark once
 * per package without tracking what earlier steps wrote.
 *
 * @since 0.1.0
 * @category models
 */
export type Changes = (sql: SqlClient) => Effect.Effect<ReadonlyArray<SqlChange.SqlChange>, LineageError>

/** @since 0.1.0 @category models */
export interface Applied {
  readonly machineId: string
  /** the package's file name without `.tgz` */
  readonly package: string
  readonly seq: number
  readonly sha256: string
  readonly how: "applied" | "superseded"
  readonly transactionId: string
  readonly atMs: number
}

/** @since 0.1.0 @category models */
export interface Mark extends MarkedAt {
  readonly localId: string
  /** the package that brought it */
  readonly machineId: string
  readonly package: string
  readonly transactionId: string
  readonly atMs: number
}

/** Receipts: inserted, or updated (`--recheck` applies a package again). @since 0.1.0 @category changes */
export const addApplied = (rows: ReadonlyArray<Applied>): Changes =>
  upsert("applied", ["machine_id", "package"], ["seq", "sha256", "how"], rows.map((row) => ({
    machine_id: row.machineId,
    package: row.package,
    seq: row.seq,
    sha256: row.sha256,
    how: row.how,
    transaction_id: row.transactionId,
    at_ms: row.atMs
  })))

/** Marks: inserted, or updated by local id. @since 0.1.0 @category changes */
export const setMarks = (rows: ReadonlyArray<Mark>): Changes =>
  upsert("marks", ["local_id"], ["size", "updated_at"], rows.map((row) => ({
    local_id: row.localId,
    size: row.size,
    updated_at: row.updatedAt,
    machine_id: row.machineId,
    package: row.package,
    transaction_id: row.transactionId,
    at_ms: row.atMs
  })))

/**
 * One `tx.sql` step of several builders. Each reads the rows as they were before the step, so
 * give each table one builder per step.
 *
 * @since 0.1.0
 * @category changes
 */
export const all = (changes: ReadonlyArray<Changes>): Changes => (sql) =>
  Effect.map(Effect.forEach(changes, (plan) => plan(sql)), (lists) => lists.flat())

type Row = Record<string, SqlChange.SqlValue>

const keyOf = (row: Readonly<Row>, keyColumns: ReadonlyArray<string>): string =>
  JSON.stringify(keyColumns.map((column) => row[column]))

const sameValue = (a: unknown, b: unknown): boolean => a === b || String(a) === String(b)

// inserts the rows that are new, updates those that differ in a `significant` column, leaves the
// others alone (which pull wrote them is no news: a repeat `--recheck` writes nothing); a row
// given twice: the last wins
const upsert = (
  table: string,
  keyColumns: readonly [string, ...Array<string>],
  significant: ReadonlyArray<string>,
  given: ReadonlyArray<Row>
): Changes => (sql) => {
  const rows = [...new Map(given.map((row) => [keyOf(row, keyColumns), row])).values()]
  if (rows.length === 0) return Effect.succeed([])
  const first = keyColumns[0]
  // rows are selected by their first key column, then matched on the whole key
  return Effect.forEach(
    chunksOf([...new Set(rows.map((row) => row[first]!))], 500),
    (values) => sql<Row>`SELECT * FROM ${sql(table)} WHERE ${sql.in(first, values)}`
  ).pipe(
    Effect.mapError((cause) =>
      new LineageError({ reason: "unreadable", path: relativePath, detail: `${table}: ${describe(cause)}`, cause })
    ),
    Effect.map((batches) => {
      const existing = new Map(batches.flat().map((row) => [keyOf(row, keyColumns), row]))
      const inserts: Array<Row> = []
      const updates: Array<SqlChange.SqlChange> = []
      for (const row of rows) {
        const old = existing.get(keyOf(row, keyColumns))
        if (old === undefined) inserts.push(row)
        else if (significant.some((column) => !sameValue(old[column], row[column]))) {
          const values = Object.fromEntries(Object.entries(row).filter(([column]) => !keyColumns.includes(column)))
          updates.push(SqlChange.updateRows(table, Object.fromEntries(keyColumns.map((c) => [c, row[c]!])), values))
        }
      }
      return inserts.length === 0 ? updates : [SqlChange.insertRows(table, inserts, keyColumns), ...updates]
    })
  )
}
