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
import * as SqliteErrors from "../SqliteErrors.js"
import type { Row, SqlChange, SqlValue } from "../SqlChange.js"
import { createHash } from "node:crypto"
import type { RecordedChange, StoredRow, StoredValue } from "../TransactionRecord.js"
import type { Asked, Capture, Mark } from "./capture.js"
import { lstatOrUndefined } from "./files.js"

/** @internal Codex opens its database with the same timeout */
export const BUSY_TIMEOUT_MS = 5000

const sqliteCode = SqliteErrors.code
const messageOf = SqliteErrors.message

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
  if (value instanceof Uint8Array) {
    return { $blob: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") }
  }
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

/** @internal a row's canonical JSON (columns sorted), hashed: what an insert of a large row records */
export const rowDigest = (row: StoredRow): string =>
  createHash("sha256").update(JSON.stringify(Object.keys(row).sort().map((key) => [key, row[key]]))).digest("hex")

/** @internal what an insert records of a row it wrote: the row, or its digest when asked */
const insertedRecord = (key: StoredRow, row: StoredRow, digest: boolean): { key: StoredRow; row?: StoredRow; digest?: string } =>
  digest ? { key, digest: rowDigest(row) } : { key, row }

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
  readonly query: (
    sql: string,
    params?: ReadonlyArray<unknown>
  ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, JournalError>
  /** `total_changes()`: rows changed by this connection, triggers and foreign-key actions included */
  readonly totalChanges: Effect.Effect<number, JournalError>
  readonly commit: Effect.Effect<void, JournalError>
}

const open = (path: string, busyTimeoutMs: number): Effect.Effect<SqliteClient.SqliteClient, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    // better-sqlite3 would create a missing database: that is never ours to do
    const stat = yield* Effect.tryPromise({ try: () => lstatOrUndefined(path), catch: toJournalError(path) })
    if (stat === undefined) {
      return yield* new JournalError({ reason: "target_missing", path, detail: "the database does not exist" })
    }
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
// tables

/** @internal what the journal needs to address a table's rows exactly */
export interface TableShape {
  readonly name: string
  /** the columns an insert can write, in order */
  readonly columns: ReadonlyArray<string>
  /** the declared primary key, in key order; empty when none */
  readonly primaryKey: ReadonlyArray<string>
  /**
   * the name its rowid answers to (`rowid`, else `_rowid_`, else `oid`: a column may take the
   * name); `undefined` for a WITHOUT ROWID table
   */
  readonly rowid: string | undefined
}

const ROWID_NAMES = ["rowid", "_rowid_", "oid"]

/** @internal */
export const tableShape = (connection: WriteConnection, table: string): Effect.Effect<TableShape, JournalError> =>
  Effect.gen(function*() {
    const info = yield* connection.query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", [table])
    const listed = yield* connection.query("SELECT wr FROM pragma_table_list(?) WHERE schema = 'main'", [table])
    const columns = info.map((column) => String(column["name"]))
    const taken = new Set(columns.map((column) => column.toLowerCase()))
    const withoutRowid = listed.length > 0 && Number(listed[0]!["wr"]) === 1
    return {
      name: table,
      columns,
      primaryKey: info.filter((column) => Number(column["pk"]) > 0)
        .sort((a, b) => Number(a["pk"]) - Number(b["pk"]))
        .map((column) => String(column["name"])),
      rowid: withoutRowid ? undefined : ROWID_NAMES.find((name) => !taken.has(name))
    }
  })

/**
 * @internal
 * The SQL expression that names one row of `shape` (as `alias`: a table alias, `NEW` or `OLD`)
 * for as long as it exists: its rowid, else (WITHOUT ROWID) its primary key, quoted;
 * `undefined` when it has neither.
 */
export const rowIdentity = (shape: TableShape, alias: string): string | undefined =>
  shape.rowid !== undefined
    ? `${alias}.${quoteId(shape.rowid)}`
    : shape.primaryKey.length > 0
    ? shape.primaryKey.map((column) => `quote(${alias}.${quoteId(column)})`).join(" || ',' || ")
    : undefined

// ---------------------------------------------------------------------------------------------
// row changes
//
// Rows are recorded whole (every column) after the statement, so what triggers filled in is
// recorded too: Codex's own triggers on `threads` set `*_ms` and `recency_*` columns of the row
// being written. Every other row the statement changed (a trigger's delete in another table, a
// foreign-key cascade) is found by the change log of `capture.ts` and recorded as a side effect.
// A deleted row is recorded with its rowid and inserted again with it.

const where = (key: StoredRow): { readonly sql: string; readonly params: Array<unknown> } => {
  const columns = Object.keys(key)
  return {
    sql: columns.map((column) => `${quoteId(column)} IS ?`).join(" AND "),
    params: columns.map((column) => bindStored(key[column]!))
  }
}

/** the column a select names each row's identity in (see {@link rowIdentity}) */
const IDENT = "sessionport_ident"

/** a row read with its identity (`null` when none was asked) */
interface IdentifiedRow {
  readonly ident: StoredValue
  readonly row: StoredRow
}

const identified = (rows: ReadonlyArray<StoredRow>): Array<IdentifiedRow> =>
  rows.map(({ [IDENT]: ident, ...row }) => ({ ident: ident ?? null, row }))

/** the rows `key` matches; with `identity` (an expression on alias `t`), each names it in {@link IDENT} */
const select = (
  connection: WriteConnection,
  table: string,
  columns: ReadonlyArray<string> | "*",
  key: StoredRow,
  identity?: string
): Effect.Effect<Array<StoredRow>, JournalError> => {
  const w = where(key)
  const list = columns === "*" ? "t.*" : columns.map((column) => `${quoteId(column)} AS ${quoteId(column)}`).join(", ")
  const ident = identity === undefined ? "" : `${identity} AS ${IDENT}, `
  return Effect.map(
    connection.query(`SELECT ${ident}${list} FROM ${quoteId(table)} AS t WHERE ${w.sql}`, w.params),
    (rows) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, fromDriver(value)])))
  )
}

/** keys matched in one query, at most */
const KEYS_PER_QUERY = 500
const KEYS = "sessionport_keys"
const KEY_INDEX = "sessionport_key_index"

/**
 * @internal
 * The rows of `table` each key matches (whole, or `{}` each when `whole` is false), by key, a
 * few hundred keys a query: each key compared as `WHERE column IS ?` would (with the column's
 * affinity), through an index when there is one. With `identity` (an expression on alias `t`),
 * each row also names it in {@link IDENT}.
 */
export const selectByKeys = (
  connection: WriteConnection,
  table: string,
  keyColumns: ReadonlyArray<string>,
  keys: ReadonlyArray<StoredRow>,
  whole: boolean,
  identity?: string
): Effect.Effect<Array<Array<StoredRow>>, JournalError> =>
  Effect.gen(function*() {
    const found = keys.map((): Array<StoredRow> => [])
    const names = keyColumns.map((_, j) => `c${j}`)
    const on = keyColumns.map((column, j) => `t.${quoteId(column)} IS k.${names[j]}`).join(" AND ")
    const tuple = `(${["?", ...names.map(() => "?")].join(", ")})`
    for (let from = 0; from < keys.length; from += KEYS_PER_QUERY) {
      const part = keys.slice(from, from + KEYS_PER_QUERY)
      const rows = yield* connection.query(
        `WITH ${KEYS}(i, ${names.join(", ")}) AS (VALUES ${part.map(() => tuple).join(", ")}) ` +
          `SELECT ${identity === undefined ? "" : `${identity} AS ${IDENT}, `}${whole ? "t.*, " : ""}k.i AS ${KEY_INDEX} FROM ${KEYS} AS k JOIN ${quoteId(table)} AS t ON ${on}`,
        part.flatMap((key, i) => [BigInt(from + i), ...keyColumns.map((column) => bindStored(key[column]!))])
      )
      for (const { [KEY_INDEX]: index, ...row } of rows) {
        found[Number(index)]!.push(Object.fromEntries(Object.entries(row).map(([column, value]) => [column, fromDriver(value)])))
      }
    }
    return found
  })

const exists = (path: string, table: string, key: StoredRow) =>
  new JournalError({ reason: "target_exists", path, detail: `${showKey(table, key)} already exists` })

/** `row`; under the given rowid (by the name the table's rowid answers to) when there is one */
const insertRow = (
  connection: WriteConnection,
  table: string,
  row: StoredRow,
  rowid?: { readonly name: string; readonly value: StoredValue }
) => {
  const columns = Object.keys(row)
  const names = [...(rowid === undefined ? [] : [rowid.name]), ...columns]
  return connection.query(
    `INSERT INTO ${quoteId(table)} (${names.map(quoteId).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    [...(rowid === undefined ? [] : [bindStored(rowid.value)]), ...columns.map((column) => bindStored(row[column]!))]
  )
}

/** bound values in one statement, at most (SQLite allows 32766) */
const VALUES_PER_QUERY = 10_000

/** `rows` in order, consecutive rows with the same columns in one statement */
const insertRows = (connection: WriteConnection, table: string, rows: ReadonlyArray<StoredRow>) =>
  Effect.gen(function*() {
    let from = 0
    while (from < rows.length) {
      const columns = Object.keys(rows[from]!)
      const same = columns.join("\0")
      const limit = Math.max(1, Math.floor(VALUES_PER_QUERY / Math.max(1, columns.length)))
      let to = from + 1
      while (to < rows.length && to - from < limit && Object.keys(rows[to]!).join("\0") === same) to++
      const tuple = `(${columns.map(() => "?").join(", ")})`
      yield* connection.query(
        `INSERT INTO ${quoteId(table)} (${columns.map(quoteId).join(", ")}) VALUES ${
          Array.from({ length: to - from }, () => tuple).join(", ")
        }`,
        rows.slice(from, to).flatMap((row) => columns.map((column) => bindStored(row[column]!)))
      )
      from = to
    }
  })

const updateRow = (connection: WriteConnection, table: string, key: StoredRow, values: StoredRow) => {
  const columns = Object.keys(values)
  if (columns.length === 0) return Effect.void
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

const hasTriggers = (connection: WriteConnection, table: string) =>
  Effect.map(
    connection.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE", [table]),
    (rows) => Number(rows[0]!["n"]) > 0
  )

const rowidTaken = (connection: WriteConnection, table: string, rowidName: string, rowid: StoredValue) =>
  Effect.map(
    connection.query(`SELECT count(*) AS n FROM ${quoteId(table)} WHERE ${quoteId(rowidName)} = ?`, [bindStored(rowid)]),
    (rows) => Number(rows[0]!["n"]) > 0
  )

/** the columns that identify one row of `table`: its primary key, else the rowid */
const identityOf = (connection: WriteConnection, table: string, row: StoredRow) =>
  Effect.gen(function*() {
    const pk = (yield* connection.query(`SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, [table]))
      .map((column) => String(column["name"]))
    if (pk.length > 0 && pk.every((column) => column in row)) {
      return Object.fromEntries(pk.map((column) => [column, row[column]!])) as StoredRow
    }
    const rowid = yield* connection.query("SELECT last_insert_rowid() AS id")
    return { rowid: fromDriver(rowid[0]!["id"]) } as StoredRow
  })

/** @internal the columns of `target` whose values `current` does not have */
export const differing = (current: StoredRow, target: StoredRow): StoredRow =>
  Object.fromEntries(
    Object.entries(target).filter(([column, value]) => !(column in current) || !sameValue(current[column]!, value))
  )

/**
 * Writes back `target` (a complete row) into the row at `identity`: the columns that differ,
 * again if a trigger changed some on the way; fails when it cannot be made exact.
 */
const restoreRow = (connection: WriteConnection, table: string, identity: StoredRow, target: StoredRow) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = yield* select(connection, table, "*", identity)
      if (current.length !== 1) break
      const diff = differing(current[0]!, target)
      if (Object.keys(diff).length === 0) return
      if (attempt < 2) yield* updateRow(connection, table, identity, diff)
    }
    return yield* new JournalError({
      reason: "unjournaled_write",
      path: connection.path,
      detail: `${showKey(table, identity)} cannot be restored exactly (a trigger keeps changing it)`
    })
  })

/** what a write changed besides its rows, refused when some of it could not be seen (nor undone) */
const sideEffectsOf = (connection: WriteConnection, capture: Capture, mark: Mark, asked: Asked) =>
  Effect.gen(function*() {
    const { changes, unseen } = yield* capture.since(mark, asked)
    if (unseen === 0) return changes
    return yield* new JournalError({
      reason: "unjournaled_write",
      path: connection.path,
      detail: `changing ${asked.table} also changed ${unseen} row(s) the journal cannot see (${UNSEEN}), so it could not undo them`
    })
  })

/** where changes the journal cannot see are made */
const UNSEEN = "a virtual table, or a table without rowid and primary key"

/**
 * @internal
 * Makes one change (inside the caller's write transaction), answering what it did, rows whole,
 * followed by what it changed besides (triggers, foreign-key actions), as `capture` saw it.
 */
export const applyChange = (
  connection: WriteConnection,
  change: SqlChange,
  capture: Capture
): Effect.Effect<ReadonlyArray<RecordedChange>, JournalError> =>
  Effect.gen(function*() {
    const path = connection.path
    const shape = yield* capture.shape(change.table)
    const identity = rowIdentity(shape, "t")
    switch (change._tag) {
      case "Insert": {
        const { keyColumns, table } = change
        if (keyColumns.length === 0) return yield* invalid(path, `insert into ${table}: no key columns`)
        const keys: Array<StoredRow> = []
        const given = new Set<string>()
        for (const row of change.rows) {
          const missing = keyColumns.filter((column) => !(column in row))
          if (missing.length > 0) return yield* invalid(path, `insert into ${table}: a row lacks key column ${missing.join(", ")}`)
          const key = storedRow(Object.fromEntries(keyColumns.map((column) => [column, row[column]!])))
          const text = JSON.stringify(keyColumns.map((column) => key[column]))
          if (given.has(text)) return yield* exists(path, table, key)
          given.add(text)
          keys.push(key)
        }
        const before = yield* selectByKeys(connection, table, keyColumns, keys, false)
        const taken = before.findIndex((found) => found.length > 0)
        if (taken !== -1) return yield* exists(path, table, keys[taken]!)
        const mark = yield* capture.mark
        yield* insertRows(connection, table, change.rows.map(storedRow))
        const stored = yield* selectByKeys(connection, table, keyColumns, keys, true, identity)
        const rows: Array<{ key: StoredRow; row?: StoredRow; digest?: string }> = []
        const idents: Array<StoredValue> = []
        for (let i = 0; i < keys.length; i++) {
          if (stored[i]!.length !== 1) return yield* invalid(path, `${showKey(table, keys[i]!)} does not identify the inserted row`)
          const { ident, row } = identified(stored[i]!)[0]!
          rows.push(insertedRecord(keys[i]!, row, change.digest === true))
          idents.push(ident)
        }
        const besides = yield* sideEffectsOf(connection, capture, mark, { table, idents, rows: rows.length })
        return [{ kind: "insert", table, key_columns: keyColumns, rows }, ...besides]
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
        const old = identified(yield* select(connection, change.table, "*", key, identity))
        if (old.length === 0) {
          return yield* new JournalError({ reason: "target_missing", path, detail: `no ${showKey(change.table, key)}` })
        }
        if (old.length > 1) {
          return yield* invalid(path, `${showKey(change.table, key)} matches ${old.length} rows, not one`)
        }
        const mark = yield* capture.mark
        yield* updateRow(connection, change.table, key, storedRow(change.values))
        const updated = yield* select(connection, change.table, "*", key)
        const besides = yield* sideEffectsOf(connection, capture, mark, { table: change.table, idents: [old[0]!.ident], rows: 1 })
        return [{ kind: "update", table: change.table, key, columns, old: old[0]!.row, new: updated[0]! }, ...besides]
      }
      case "Delete": {
        const recorded: Array<RecordedChange> = []
        for (const given of change.keys) {
          const key = storedRow(given)
          if (Object.keys(key).length === 0) return yield* invalid(path, `delete from ${change.table}: empty key`)
          const rows = identified(yield* select(connection, change.table, "*", key, identity))
          const mark = yield* capture.mark
          yield* deleteWhere(connection, change.table, key)
          const idents = rows.map((row) => row.ident)
          const besides = yield* sideEffectsOf(connection, capture, mark, { table: change.table, idents, rows: rows.length })
          recorded.push({
            kind: "delete",
            table: change.table,
            key,
            rows: rows.map((row) => row.row),
            // inserted again with them, the rows come back exactly
            ...(shape.rowid === undefined ? {} : { rowids: idents })
          }, ...besides)
        }
        return recorded
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

/** how deep the undo of what an undo's triggers did may go before it is called endless */
const MAX_UNDO_DEPTH = 3

/**
 * @internal
 * Undoes one recorded change inside the caller's write transaction: rows found as the
 * transaction left them are put back; rows found as they were before are left alone; rows
 * changed since are reported and, only when `force`, put back anyway.
 *
 * Undoing writes, so triggers fire again: what they insert or update elsewhere is put back as
 * it was just before (the same way, as `capture` saw it); rows they, or foreign-key actions,
 * would delete elsewhere are someone else's (rows added since that depend on this one), so
 * that is reported as a change since, done only when `force`.
 */
export const undoChange = (
  connection: WriteConnection,
  change: RecordedChange,
  force: boolean,
  capture: Capture,
  depth = 0
): Effect.Effect<Array<RowFinding>, JournalError> =>
  Effect.gen(function*() {
    const findings: Array<RowFinding> = []
    const triggers = yield* hasTriggers(connection, change.table)
    const identity = rowIdentity(yield* capture.shape(change.table), "t")
    const identsAt = (key: StoredRow) => {
      const w = where(key)
      return identity === undefined ? Effect.succeed([]) : Effect.map(
        connection.query(`SELECT ${identity} AS ${IDENT} FROM ${quoteId(change.table)} AS t WHERE ${w.sql}`, w.params),
        (rows) => rows.map((row) => fromDriver(row[IDENT]))
      )
    }
    const act = (
      target: string,
      state: "after" | "changed",
      detail: string | undefined,
      key: StoredRow,
      write: Effect.Effect<unknown, JournalError>,
      expected: number
    ) =>
      Effect.gen(function*() {
        if (state === "changed" && !force) {
          findings.push({ state, target, ...(detail === undefined ? {} : { detail }) })
          return
        }
        // the rows at `key` before and after are the ones it restores
        const before = yield* identsAt(key)
        const mark = yield* capture.mark
        yield* write
        const asked = { table: change.table, idents: [...before, ...(yield* identsAt(key))], rows: expected }
        const { changes, unseen } = yield* capture.since(mark, asked)
        const deletes = changes.filter((besides) => besides.kind === "delete").length
        if ((unseen !== 0 || deletes > 0) && !force) {
          const detail = unseen !== 0
            ? `undoing it also changes ${unseen} row(s) the journal cannot see (${UNSEEN})`
            : `undoing it also deletes ${deletes} other row(s) (foreign-key actions or triggers)`
          findings.push({ state: "changed", target, detail })
          return
        }
        for (const besides of changes.filter((besides) => besides.kind !== "delete").reverse()) {
          if (depth >= MAX_UNDO_DEPTH) {
            return yield* new JournalError({
              reason: "unjournaled_write",
              path: connection.path,
              detail: `${target} cannot be restored exactly (triggers keep changing ${besides.table})`
            })
          }
          yield* undoChange(connection, besides, true, capture, depth + 1)
        }
        findings.push({ state, target, ...(detail === undefined ? {} : { detail }) })
      })

    switch (change.kind) {
      case "insert": {
        for (const { digest, key, row } of [...change.rows].reverse()) {
          const target = showKey(change.table, key)
          const current = yield* select(connection, change.table, "*", key)
          if (current.length === 0) {
            findings.push({ state: "before", target })
          } else if (current.length === 1 && (row !== undefined ? sameRow(current[0]!, row) : rowDigest(current[0]!) === digest)) {
            yield* act(target, "after", undefined, key, deleteWhere(connection, change.table, key), 1)
          } else {
            const remove = deleteWhere(connection, change.table, key)
            yield* act(target, "changed", "changed since it was inserted", key, remove, current.length)
          }
        }
        return findings
      }
      case "update": {
        const target = showKey(change.table, change.key)
        const current = yield* select(connection, change.table, "*", change.key)
        const restore = restoreRow(connection, change.table, change.key, change.old)
        if (current.length === 0) {
          // nothing to write the old values into: even force cannot bring the row back
          findings.push({ state: "changed", target, detail: "was deleted since it was updated" })
        } else if (current.length === 1 && sameRow(current[0]!, change.new) && sameRow(current[0]!, change.old)) {
          // the update wrote the values the row had: nothing to undo
          findings.push({ state: "before", target })
        } else if (current.length === 1 && sameRow(current[0]!, change.new)) {
          yield* act(target, "after", undefined, change.key, restore, 1)
        } else if (current.length === 1 && sameRow(current[0]!, change.old)) {
          findings.push({ state: "before", target })
        } else {
          yield* act(target, "changed", "changed since it was updated", change.key, restore, 1)
        }
        return findings
      }
      case "delete": {
        const target = showKey(change.table, change.key)
        const current = yield* select(connection, change.table, "*", change.key)
        const reinsert = Effect.gen(function*() {
          // older records have no rowids; a rowid another row took since cannot be given back
          const rowidName = change.rowids === undefined ? undefined : (yield* tableShape(connection, change.table)).rowid
          for (const [i, row] of change.rows.entries()) {
            const recorded = change.rowids?.[i]
            const rowid = rowidName === undefined || recorded === undefined || (yield* rowidTaken(connection, change.table, rowidName, recorded))
              ? undefined
              : { name: rowidName, value: recorded }
            yield* insertRow(connection, change.table, row, rowid)
            // an insert trigger may fill columns the old row had otherwise
            if (triggers) {
              const identity = rowid === undefined ? yield* identityOf(connection, change.table, row) : { [rowid.name]: rowid.value }
              yield* restoreRow(connection, change.table, identity, row)
            }
          }
        })
        if (current.length === 0) {
          if (change.rows.length === 0) findings.push({ state: "before", target })
          else yield* act(target, "after", undefined, change.key, reinsert, change.rows.length)
        } else if (sameRows(current, change.rows)) {
          findings.push({ state: "before", target })
        } else {
          const replace = Effect.zipRight(deleteWhere(connection, change.table, change.key), reinsert)
          const expected = current.length + change.rows.length
          yield* act(target, "changed", "rows were added since they were deleted", change.key, replace, expected)
        }
        return findings
      }
    }
  })
