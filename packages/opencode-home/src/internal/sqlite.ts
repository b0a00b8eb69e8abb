/**
 * better-sqlite3 (the driver under `@effect/sql-sqlite-node`), used directly for reading: its
 * statements iterate rows one at a time, so a session of any size streams out of a snapshot.
 */
import { createRequire } from "node:module"

/** @internal */
export type Row = Record<string, unknown>

/** @internal */
export interface Statement {
  all(...params: ReadonlyArray<unknown>): Array<Row>
  get(...params: ReadonlyArray<unknown>): Row | undefined
  iterate(...params: ReadonlyArray<unknown>): IterableIterator<Row>
  pluck(toggle?: boolean): Statement
}

/** @internal */
export interface Database {
  prepare(sql: string): Statement
  exec(sql: string): void
  close(): void
  readonly inTransaction: boolean
}

type Constructor = new(file: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => Database

const BetterSqlite3 = createRequire(import.meta.url)("better-sqlite3") as Constructor

/** How long a read waits for OpenCode's write lock (a checkpoint), as OpenCode's own connection does. */
const BUSY_TIMEOUT_MS = 5000

/**
 * @internal
 * A read-only connection holding one read transaction: every read through it sees the database
 * as it was at the first one (SQLite's snapshot isolation, WAL or not), never a torn state while
 * OpenCode writes. `close` ends the transaction and the connection.
 */
export const openSnapshot = (path: string): { readonly db: Database; readonly close: () => void } => {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  try {
    db.exec("BEGIN")
    // the snapshot begins at the first read
    db.prepare("SELECT count(*) AS n FROM sqlite_master").get()
  } catch (error) {
    db.close()
    throw error
  }
  return {
    db,
    close: () => {
      try {
        if (db.inTransaction) db.exec("COMMIT")
      } finally {
        db.close()
      }
    }
  }
}

/** @internal the columns of a table (empty: no such table) */
export const columnsOf = (db: Database, table: string): Array<string> =>
  db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid").pluck().all(table) as unknown as Array<string>

/** @internal the message of a thrown driver error, one line */
export const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0]!
