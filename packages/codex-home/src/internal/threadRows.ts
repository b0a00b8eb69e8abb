/**
 * @internal
 * The rows Codex keeps per thread in its SQLite databases, found by introspection (the tables
 * differ between Codex versions): `threads` by its `id`, and every table with a column naming a
 * thread (`thread_id`; a spawn edge's `parent_thread_id` and `child_thread_id`). Read the same
 * way for a plan (a read-only connection) and under the write lock (the journal's), so that a
 * removal deletes what is there when it is written.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { SqlChange } from "@sessionport/journal"
import { Effect } from "effect"
import type { CodexHomeError } from "../CodexHomeError.js"
import { BUSY_TIMEOUT_MS } from "../StateDb.js"
import { toCodexHomeError } from "./sqlite.js"

/**
 * @internal
 * Codex's databases (in its sqlite home) that keep rows per thread. `logs_2.sqlite` is left out:
 * diagnostics Codex trims itself, not the session.
 */
export const THREAD_DATABASES: ReadonlyArray<string> = [
  "state_5.sqlite",
  "thread_history_1.sqlite",
  "goals_1.sqlite",
  "memories_1.sqlite",
  "queue_1.sqlite"
]

/** the columns that name a thread, in the order a row is counted by (an edge: by its parent first) */
const THREAD_COLUMNS = ["thread_id", "parent_thread_id", "child_thread_id"]

/** @internal rows of one table naming one thread in one column */
export interface ThreadRows {
  readonly table: string
  readonly column: string
  readonly id: string
  readonly count: number
}

const quote = (name: string): string => `"${name.replaceAll("\"", "\"\"")}"`

/** the tables holding rows per thread, and the columns naming it; `threads` last (rows pointing at it go first) */
const keyedTables = (sql: SqlClient) =>
  Effect.map(
    sql<{ readonly tbl: string; readonly col: string }>`
      SELECT m.name AS tbl, p.name AS col FROM sqlite_master AS m, pragma_table_info(m.name) AS p
      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`,
    (rows) => {
      const columns = new Map<string, Array<string>>()
      for (const { col, tbl } of rows) columns.set(tbl, [...(columns.get(tbl) ?? []), col])
      const tables = [...columns].flatMap(([table, cols]) => {
        const keys = table === "threads" ? ["id"] : THREAD_COLUMNS
        const present = keys.filter((key) => cols.includes(key))
        return present.length === 0 ? [] : [{ table, keys: present }]
      })
      return [...tables.filter((t) => t.table !== "threads"), ...tables.filter((t) => t.table === "threads")]
    }
  )

/**
 * @internal
 * The rows naming these threads, counted by table, column and thread. A row naming two of them
 * (an edge between two removed threads) counts once, for its first such column.
 */
export const threadRows = (
  sql: SqlClient,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<ThreadRows>, SqlError> =>
  Effect.gen(function*() {
    // one parameter whatever the number of ids
    const list = JSON.stringify(ids)
    const inList = (column: string) => `${quote(column)} IN (SELECT value FROM json_each(?))`
    const out: Array<ThreadRows> = []
    for (const { keys, table } of yield* keyedTables(sql)) {
      for (const [i, column] of keys.entries()) {
        const earlier = keys.slice(0, i)
        const rows = yield* sql.unsafe<{ readonly id: unknown; readonly n: unknown }>(
          `SELECT ${quote(column)} AS id, count(*) AS n FROM ${quote(table)} WHERE ${inList(column)}` +
            earlier.map((c) => ` AND (${quote(c)} IS NULL OR NOT ${inList(c)})`).join("") + " GROUP BY 1",
          [list, ...earlier.map(() => list)]
        )
        for (const row of rows) out.push({ table, column, id: String(row.id), count: Number(row.n) })
      }
    }
    return out
  })

/** @internal the deletes that take the rows found away, by table in the order found (`threads` last) */
export const deletions = (found: ReadonlyArray<ThreadRows>): ReadonlyArray<SqlChange.SqlChange> => {
  const keys = new Map<string, Array<SqlChange.Row>>()
  for (const { column, count, id, table } of found) {
    if (count > 0) keys.set(table, [...(keys.get(table) ?? []), { [column]: id }])
  }
  return [...keys].map(([table, rows]) => SqlChange.deleteRows(table, rows))
}

/** @internal {@link threadRows} of a database file, through a read-only connection of its own */
export const readThreadRows = (
  path: string,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<ThreadRows>, CodexHomeError> =>
  Effect.scoped(
    Effect.gen(function*() {
      // disableWAL: Codex chose WAL; a reader must not switch journal modes
      const client = yield* SqliteClient.make({ filename: path, readonly: true, disableWAL: true }).pipe(
        Effect.provide(Reactivity.layer)
      )
      yield* client.unsafe(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
      return yield* threadRows(client, ids)
    })
  ).pipe(
    // better-sqlite3 throws from its constructor: a defect in SqliteClient.make
    Effect.catchAllDefect((defect) => Effect.fail(defect)),
    Effect.mapError(toCodexHomeError(path))
  )
