/**
 * SQLite for the journal: one short-lived read-write connection per step that takes the write
 * lock first (`BEGIN IMMEDIATE`, busy timeout 5 s), typed values, and the row changes with their
 * exact undo.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, type Scope } from "effect"
import { JournalError } from "../JournalError.js"
import type { Row, SqlChange, SqlValue } from "../SqlChange.js"
import type { RecordedChange, StoredRow, StoredValue } from "../TransactionRecord.js"
import { errorText, lstatOrUndefined } from "./files.js"

/** @internal Codex opens its database with the same timeout */
export const BUSY_TIMEOUT_MS = 5000

const sqliteCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

const messageOf = (error: unknown): string => {
  let current: unknown = error
  let last = errorText(error)
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const message = (current as { readonly message?: unknown }).message
    if (typeof message === "string" && message.length > 0) last = message
    current = (current as { readonly cause?: unknown }).cause
  }
  return last
}

/** @internal SQLite failures as journal errors; a lock held elsewhere is `busy` (Codex is running) */
export const toJournalError = (path: string) => (error: unknown): JournalError => {
  if (error instanceof JournalError) return error
  const code = sqliteCode(error)
  if (code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))) {
    return new JournalError({ reason: "busy", path, detail: messageOf(error), cause: error })
  }
  if (code !== undefined && (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR"))) {
    return new JournalError({ reason: "io", path, detail: messageOf(error), cause: error })
  }
  return new JournalError({ reason: "sql", path, detail: messageOf(error), cause: error })
}

/** @internal */
export const quoteId = (name: string): string => `"${name.replace(/"/g, "\"\"")}"`

// ---------------------------------------------------------------------------------------------
// values

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** @internal a value as read with safe integers (bigint = INTEGER, number = REAL) */
export const fromDriver = (value: unknown): StoredValue => {
  if (value === null || value === undefined) return null
  if (typeof value === "string") return value
  if (typeof value === "bigint") return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : { $int: value.toString() }
  if (typeof value === "number") return { $real: String(value) }
  if (value instanceof Uint8Array) return { $blob: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") }
  return String(value)
}

/** @internal what a caller's value binds as */
export const toBind = (value: SqlValue): unknown => {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value)
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  }
  return value
}

/** @internal a caller's value as stored (before column affinity) */
export const fromCaller = (value: SqlValue): StoredValue => fromDriver(toBind(value))

/** @internal a stored value, bound again with its type */
export const bindStored = (value: StoredValue): unknown => {
  if (value === null || typeof value === "string") return value
  if (typeof value === "number") return BigInt(value)
  if ("$int" in value) return BigInt(value.$int)
  if ("$real" in value) return Number(value.$real)
  return Buffer.from(value.$blob, "base64")
}

const sameValue = (a: StoredValue, b: StoredValue): boolean =>
  a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b))

/** @internal same columns, same typed values */
export const sameRow = (a: StoredRow, b: StoredRow): boolean => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameValue(a[key]!, b[key]!))
}

const sameRows = (a: ReadonlyArray<StoredRow>, b: ReadonlyArray<StoredRow>): boolean => {
  if (a.length !== b.length) return false
  const left = a.map((row) => JSON.stringify(Object.entries(row).sort())).sort()
  const right = b.map((row) => JSON.stringify(Object.entries(row).sort())).sort()
  return left.every((row, i) => row === right[i])
}

const showValue = (value: StoredValue): string => {
  if (value === null) return "NULL"
  if (typeof value === "string") return `'${value.length > 60 ? `${value.slice(0, 57)}…` : value}'`
  if (typeof value === "number") return String(value)
  if ("$int" in value) return value.$int
  if ("$real" in value) return value.$real
  return `<blob ${Buffer.from(value.$blob, "base64").byteLength} bytes>`
}

/** @internal `threads row id='…'` */
export const showKey = (table: string, key: StoredRow): string =>
  `${table} row ${Object.entries(key).map(([column, value]) => `${column}=${showValue(value)}`).join(", ")}`

// ---------------------------------------------------------------------------------------------
// connection

/** @internal one read-write connection inside a write transaction */
export interface WriteConnection {
  readonly path: string
  readonly client: SqlClient.SqlClient
  readonly query: (sql: string, params?: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, JournalError>
  /** `total_changes()`: rows changed by this connection, triggers and foreign-key actions included */
  readonly totalChanges: Effect.Effect<number, JournalError>
  readonly commit: Effect.Effect<void, JournalError>
}

const open = (path: string, busyTimeoutMs: number): Effect.Effect<SqliteClient.SqliteClient, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    // better-sqlite3 would create a missing database: that is never ours to do
    const stat = yield* Effect.tryPromise({ try: () => lstatOrUndefined(path), catch: toJournalError(path) })
    if (stat === undefined) return yield* new JournalError({ reason: "target_missing", path, detail: "the database does not exist" })
    if (!stat.isFile()) return yield* new JournalError({ reason: "not_a_file", path })
    // disableWAL: Codex chose WAL; the journal must not switch journal modes
    const client = yield* SqliteClient.make({ filename: path, disableWAL: true }).pipe(Effect.provide(Reactivity.layer))
    yield* client.unsafe(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`)
    // a commit is durable before the journal records it
    yield* client.unsafe("PRAGMA synchronous = FULL")
    yield* client.unsafe("SELECT count(*) AS n FROM sqlite_master")
    return client
  }).pipe(
    // better-sqlite3 throws from its constructor: a defect in SqliteClient.make
    Effect.catchAllDefect((defect) => Effect.fail(defect)),
    Effect.mapError(toJournalError(path))
  )

/**
 * @internal
 * Runs `use` inside `BEGIN IMMEDIATE` (the write lock is taken first, waiting up to the busy
 * timeout); rolled back unless `use` commits.
 */
export const withWriteTransaction = <A, E, R>(
  path: string,
  busyTimeoutMs: number,
  use: (connection: WriteConnection) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | JournalError, R> =>
  Effect.scoped(
    Effect.gen(function*() {
      const client = yield* open(path, busyTimeoutMs)
      const fail = toJournalError(path)
      const query = (sql: string, params: ReadonlyArray<unknown> = []) =>
        client.unsafe<Record<string, unknown>>(sql, params).pipe(
          Effect.provideService(SqlClient.SafeIntegers, true),
          Effect.mapError(fail)
        )
      let committed = false
      yield* Effect.acquireRelease(
        query("BEGIN IMMEDIATE"),
        () => committed ? Effect.void : Effect.ignore(client.unsafe("ROLLBACK"))
      )
      return yield* use({
        path,
        client,
        query,
        totalChanges: Effect.map(query("SELECT total_changes() AS n"), (rows) => Number(rows[0]!["n"])),
        commit: Effect.tap(query("COMMIT"), () => {
          committed = true
        })
      })
    })
  )

// ---------------------------------------------------------------------------------------------
// row changes

const where = (key: StoredRow): { readonly sql: string; readonly params: Array<unknown> } => {
  const columns = Object.keys(key)
  return {
    sql: columns.map((column) => `${quoteId(column)} IS ?`).join(" AND "),
    params: columns.map((column) => bindStored(key[column]!))
  }
}

const select = (
  connection: WriteConnection,
  table: string,
  columns: ReadonlyArray<string> | "*",
  key: StoredRow
): Effect.Effect<Array<StoredRow>, JournalError> => {
  const w = where(key)
  const list = columns === "*" ? "*" : columns.map((column) => `${quoteId(column)} AS ${quoteId(column)}`).join(", ")
  return Effect.map(
    connection.query(`SELECT ${list} FROM ${quoteId(table)} WHERE ${w.sql}`, w.params),
    (rows) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, fromDriver(value)])))
  )
}

const insertRow = (connection: WriteConnection, table: string, row: StoredRow) => {
  const columns = Object.keys(row)
  return connection.query(
    `INSERT INTO ${quoteId(table)} (${columns.map(quoteId).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    columns.map((column) => bindStored(row[column]!))
  )
}

const updateRow = (connection: WriteConnection, table: string, key: StoredRow, values: StoredRow) => {
  const columns = Object.keys(values)
  const w = where(key)
  return connection.query(
    `UPDATE ${quoteId(table)} SET ${columns.map((column) => `${quoteId(column)} = ?`).join(", ")} WHERE ${w.sql}`,
    [...columns.map((column) => bindStored(values[column]!)), ...w.params]
  )
}

const deleteWhere = (connection: WriteConnection, table: string, key: StoredRow) => {
  const w = where(key)
  return connection.query(`DELETE FROM ${quoteId(table)} WHERE ${w.sql}`, w.params)
}

const storedRow = (row: Row): StoredRow =>
  Object.fromEntries(Object.entries(row).map(([column, value]) => [column, fromCaller(value)]))

const invalid = (path: string, detail: string) => new JournalError({ reason: "invalid", path, detail })

/**
 * @internal
 * Makes one change (inside the caller's write transaction), answering what it did with the
 * values as stored, and how many rows it changed directly.
 */
export const applyChange = (
  connection: WriteConnection,
  change: SqlChange
): Effect.Effect<{ readonly recorded: ReadonlyArray<RecordedChange>; readonly rows: number }, JournalError> =>
  Effect.gen(function*() {
    const path = connection.path
    switch (change._tag) {
      case "Insert": {
        if (change.keyColumns.length === 0) return yield* invalid(path, `insert into ${change.table}: no key columns`)
        const rows: Array<{ key: StoredRow; values: StoredRow }> = []
        for (const row of change.rows) {
          const missing = change.keyColumns.filter((column) => !(column in row))
          if (missing.length > 0) {
            return yield* invalid(path, `insert into ${change.table}: a row lacks key column ${missing.join(", ")}`)
          }
          const key = storedRow(Object.fromEntries(change.keyColumns.map((column) => [column, row[column]!])))
          if ((yield* select(connection, change.table, [change.keyColumns[0]!], key)).length > 0) {
            return yield* new JournalError({ reason: "target_exists", path, detail: `${showKey(change.table, key)} already exists` })
          }
          yield* insertRow(connection, change.table, storedRow(row))
          const stored = yield* select(connection, change.table, Object.keys(row), key)
          if (stored.length !== 1) {
            return yield* invalid(path, `${showKey(change.table, key)} does not identify the inserted row`)
          }
          rows.push({ key, values: stored[0]! })
        }
        return { recorded: [{ kind: "insert", table: change.table, key_columns: change.keyColumns, rows }], rows: rows.length }
      }
      case "Update": {
        const key = storedRow(change.key)
        const columns = Object.keys(change.values)
        if (Object.keys(key).length === 0 || columns.length === 0) {
          return yield* invalid(path, `update of ${change.table}: empty key or values`)
        }
        for (const column of columns) {
          if (column in key && !sameValue(key[column]!, fromCaller(change.values[column]!))) {
            return yield* invalid(path, `update of ${showKey(change.table, key)}: cannot change key column ${column}`)
          }
        }
        const old = yield* select(connection, change.table, columns, key)
        if (old.length === 0) {
          return yield* new JournalError({ reason: "target_missing", path, detail: `no ${showKey(change.table, key)}` })
        }
        if (old.length > 1) {
          return yield* invalid(path, `${showKey(change.table, key)} matches ${old.length} rows, not one`)
        }
        yield* updateRow(connection, change.table, key, storedRow(change.values))
        const updated = yield* select(connection, change.table, columns, key)
        return { recorded: [{ kind: "update", table: change.table, key, old: old[0]!, new: updated[0]! }], rows: 1 }
      }
      case "Delete": {
        const recorded: Array<RecordedChange> = []
        let count = 0
        for (const given of change.keys) {
          const key = storedRow(given)
          if (Object.keys(key).length === 0) return yield* invalid(path, `delete from ${change.table}: empty key`)
          const rows = yield* select(connection, change.table, "*", key)
          yield* deleteWhere(connection, change.table, key)
          recorded.push({ kind: "delete", table: change.table, key, rows })
          count += rows.length
        }
        return { recorded, rows: count }
      }
    }
  })

/** @internal what a rollback found for one row (or row set) */
export interface RowFinding {
  /** `after`: as the transaction left it; `before`: as it was before; `changed`: neither */
  readonly state: "after" | "before" | "changed"
  readonly target: string
  readonly detail?: string
}

/**
 * @internal
 * Undoes one recorded change inside the caller's write transaction: rows found as the
 * transaction left them are put back; rows found as they were before are left alone; rows
 * changed since are reported and, only when `force`, put back anyway.
 */
export const undoChange = (
  connection: WriteConnection,
  change: RecordedChange,
  force: boolean
): Effect.Effect<Array<RowFinding>, JournalError> =>
  Effect.gen(function*() {
    const findings: Array<RowFinding> = []
    // a write that changes more rows than asked (triggers, foreign-key actions) is a change since
    const guarded = (target: string, run: Effect.Effect<unknown, JournalError>, expected: number) =>
      Effect.gen(function*() {
        const before = yield* connection.totalChanges
        yield* run
        const extra = (yield* connection.totalChanges) - before - expected
        return extra > 0 ? `undoing it also changes ${extra} other row(s) (triggers or foreign keys)` : undefined
      }).pipe(Effect.map((detail) => ({ target, detail })))
    const act = (target: string, state: "after" | "changed", detail: string | undefined, run: Effect.Effect<unknown, JournalError>, expected: number) =>
      Effect.gen(function*() {
        if (state === "changed" && !force) {
          findings.push({ state, target, ...(detail === undefined ? {} : { detail }) })
          return
        }
        const side = yield* guarded(target, run, expected)
        if (side.detail !== undefined && !force) findings.push({ state: "changed", target, detail: side.detail })
        else findings.push({ state, target, ...(detail === undefined ? {} : { detail }) })
      })

    switch (change.kind) {
      case "insert": {
        for (const row of [...change.rows].reverse()) {
          const target = showKey(change.table, row.key)
          const current = yield* select(connection, change.table, Object.keys(row.values), row.key)
          if (current.length === 0) {
            findings.push({ state: "before", target })
          } else if (current.length === 1 && sameRow(current[0]!, row.values)) {
            yield* act(target, "after", undefined, deleteWhere(connection, change.table, row.key), 1)
          } else {
            yield* act(target, "changed", "changed since it was inserted", deleteWhere(connection, change.table, row.key), current.length)
          }
        }
        return findings
      }
      case "update": {
        const target = showKey(change.table, change.key)
        const current = yield* select(connection, change.table, Object.keys(change.old), change.key)
        if (current.length === 0) {
          // nothing to write the old values into: even force cannot bring the row back
          findings.push({ state: "changed", target, detail: "was deleted since it was updated" })
        } else if (current.length === 1 && sameRow(current[0]!, change.new)) {
          yield* act(target, "after", undefined, updateRow(connection, change.table, change.key, change.old), 1)
        } else if (current.length === 1 && sameRow(current[0]!, change.old)) {
          findings.push({ state: "before", target })
        } else {
          yield* act(target, "changed", "changed since it was updated", updateRow(connection, change.table, change.key, change.old), current.length)
        }
        return findings
      }
      case "delete": {
        const target = showKey(change.table, change.key)
        const current = yield* select(connection, change.table, "*", change.key)
        const restore = Effect.gen(function*() {
          yield* deleteWhere(connection, change.table, change.key)
          for (const row of change.rows) yield* insertRow(connection, change.table, row)
        })
        if (current.length === 0) {
          if (change.rows.length === 0) findings.push({ state: "before", target })
          else yield* act(target, "after", undefined, restore, change.rows.length)
        } else if (sameRows(current, change.rows)) {
          findings.push({ state: "before", target })
        } else {
          yield* act(target, "changed", "rows were added since they were deleted", restore, current.length + change.rows.length)
        }
        return findings
      }
    }
  })
