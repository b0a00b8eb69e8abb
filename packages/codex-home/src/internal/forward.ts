import type * as SqlClient from "@effect/sql/SqlClient"
import { type Journal, JournalError, SqlChange } from "@sessionport/journal"
import { Effect } from "effect"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import type * as CodexHome from "../CodexHome.js"
import { CodexHomeError } from "../CodexHomeError.js"
import type * as StateDb from "../StateDb.js"

/** @internal Columns a fast-forward brings up to date on the local row, when both rows have them. */
export const ADVANCED_COLUMNS = ["updated_at", "updated_at_ms", "recency_at", "recency_at_ms", "tokens_used", "has_user_event"]

/** Codex's paginated-history projection of a thread, rebuilt from the rollout when missing. */
const PROJECTION_TABLES = ["thread_turns", "thread_items", "thread_history_projection_state"]
const HISTORY_DB = "thread_history_1.sqlite"

/**
 * The thread rows' updates, read again under the write lock: each row must still hold what was
 * read when they were planned (Codex moves `updated_at` on as it writes), else nothing is written
 * (`changed_under`).
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
        Effect.mapError((cause) => new CodexHomeError({ reason: "unreadable", path: dbPath, detail: cause.message, cause }))
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

/**
 * @internal
 * What a fast-forward of Codex sessions changes besides the appended lines: each local `threads`
 * row takes the incoming row's activity columns (only what moves on), checked unchanged under the
 * write lock; and the threads' paginated-history projection is dropped (Codex rebuilds it).
 */
export const afterForward = (
  tx: Journal.Transaction,
  home: CodexHome.CodexHomeShape,
  db: StateDb.StateDbShape,
  forwards: ReadonlyArray<{ readonly localId: string; readonly incomingRow: Record<string, unknown> | undefined }>
) =>
  Effect.gen(function*() {
    if (forwards.length === 0) return
    const localRows = db.exists ? yield* db.threads(forwards.map((f) => f.localId)) : []
    const rowById = new Map(localRows.map((row) => [row.id, row as unknown as Record<string, unknown>]))
    const threadColumns = new Set(db.exists ? yield* db.columns("threads") : [])
    const rowUpdates: Array<SqlChange.SqlChange> = []
    for (const { incomingRow, localId } of forwards) {
      const row = rowById.get(localId)
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
    if (rowUpdates.length > 0) yield* tx.sql(db.path, (sql) => unchangedRows(sql, db.path, rowById, rowUpdates))
    const historyDb = nodePath.join(home.sqliteHome, HISTORY_DB)
    if (!nodeFs.existsSync(historyDb)) return
    yield* tx.sql(historyDb, (sql) =>
      Effect.map(
        sql<{ readonly name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.pipe(
          Effect.mapError((cause) => new CodexHomeError({ reason: "unreadable", path: historyDb, detail: cause.message, cause }))
        ),
        (tables) => {
          const keys = forwards.map((f) => ({ thread_id: f.localId }))
          return PROJECTION_TABLES.filter((t) => tables.some((row) => row.name === t)).map((table) => SqlChange.deleteRows(table, keys))
        }
      ))
  })
