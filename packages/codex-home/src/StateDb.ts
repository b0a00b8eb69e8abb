/**
 * Codex's state database (`state_5.sqlite`) as an Effect service.
 *
 * - A home where Codex never ran has no database: that is valid, `exists` is false and every
 *   read returns nothing.
 * - Reads go through one read-only connection with `busy_timeout = 5000`; the journal mode is
 *   left alone (Codex uses WAL) and nothing is checkpointed.
 * - The column set differs between Codex versions (17 columns in the first layout, 43 in
 *   0.169), so rows are read with `SELECT *` and columns this version does not model are kept.
 * - Locks held by another process surface as `CodexHomeError` reason `"busy"`.
 * - `mode: "read-write"` opens a writable connection and allows {@link StateDbShape.transaction}
 *   (for install); nothing here writes yet.
 *
 * @since 0.1.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import { FileSystem } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { StateRow } from "@sessionport/schema"
import { Context, Effect, Layer, ParseResult, Schema, type Scope } from "effect"
import { CodexHome } from "./CodexHome.js"
import { CodexHomeError } from "./CodexHomeError.js"
import { toCodexHomeError } from "./internal/sqlite.js"

/** @since 0.1.0 @category models */
export type Mode = "read-only" | "read-write"

/** @since 0.1.0 @category models */
export interface StateDbOptions {
  /** default `"read-only"` */
  readonly mode?: Mode | undefined
}

/** Codex opens the database with the same timeout. @since 0.1.0 @category constants */
export const BUSY_TIMEOUT_MS = 5000

/** How long {@link StateDbShape.assertIdle} waits for a write lock before calling Codex busy. @since 0.1.0 @category constants */
export const IDLE_PROBE_TIMEOUT_MS = 250

// well under SQLite's bound-parameter limit
const IN_CHUNK = 500

/** @since 0.1.0 @category models */
export interface StateDbShape {
  readonly path: string
  readonly mode: Mode
  /** false when Codex never created the database: every read then returns nothing */
  readonly exists: boolean
  readonly tableExists: (name: string) => Effect.Effect<boolean, CodexHomeError>
  /** the table's column names in order (`PRAGMA table_info`); empty when the table is missing */
  readonly columns: (table: string) => Effect.Effect<ReadonlyArray<string>, CodexHomeError>
  /** the table's columns with their constraints, for writing rows another Codex version made */
  readonly columnInfo: (table: string) => Effect.Effect<ReadonlyArray<ColumnInfo>, CodexHomeError>
  /** `threads` rows (all, or these ids), ordered by id, unknown columns kept */
  readonly threads: (ids?: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StateRow.ThreadRow>, CodexHomeError>
  /** `thread_dynamic_tools` rows (all, or of these threads), by thread and position */
  readonly dynamicTools: (
    ids?: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<StateRow.ThreadDynamicToolRow>, CodexHomeError>
  /**
   * Succeeds when no other process holds the write lock: takes it (`BEGIN IMMEDIATE`) on a
   * separate short-lived connection and lets go at once. Fails `"busy"` otherwise. A Codex
   * that is open but idle holds no lock and is not detected.
   */
  readonly assertIdle: Effect.Effect<void, CodexHomeError>
  /**
   * Runs `use` in one transaction that takes the write lock first (read-write mode only;
   * fails `"read_only"` otherwise, `"missing_file"` without a database).
   */
  readonly transaction: <A, E, R>(
    use: (sql: SqlClient.SqlClient) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | CodexHomeError, R>
}

/**
 * One column of a table (`PRAGMA table_info`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ColumnInfo {
  readonly name: string
  readonly notNull: boolean
  readonly hasDefault: boolean
  readonly primaryKey: boolean
}

/**
 * @since 0.1.0
 * @category tags
 */
export class StateDb extends Context.Tag("@sessionport/codex-home/StateDb")<StateDb, StateDbShape>() {}

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const openClient = (
  path: string,
  readonly: boolean,
  busyTimeoutMs: number
): Effect.Effect<SqliteClient.SqliteClient, CodexHomeError, Scope.Scope> =>
  Effect.gen(function*() {
    // disableWAL: Codex chose WAL; a reader must not switch journal modes
    const client = yield* SqliteClient.make({ filename: path, readonly, disableWAL: true }).pipe(
      Effect.provide(Reactivity.layer)
    )
    yield* client.unsafe(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
    // the header is read lazily: find "not a database" now rather than at the first query
    yield* client`SELECT count(*) AS n FROM sqlite_master`
    return client
  }).pipe(
    // better-sqlite3 throws from its constructor: a defect in SqliteClient.make
    Effect.catchAllDefect((defect) => Effect.fail(defect)),
    Effect.mapError(toCodexHomeError(path))
  )

const formatParseError = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  return issue === undefined ? error.message : `${issue.path.join(".") || "(row)"}: ${issue.message}`
}

/**
 * The service over a database file (which need not exist), opened for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: StateDbOptions & { readonly path: string }
): Effect.Effect<StateDbShape, CodexHomeError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = options.path
    const mode: Mode = options.mode ?? "read-only"
    const fail = toCodexHomeError(path)

    const exists = yield* fs.exists(path).pipe(
      Effect.mapError((error) => new CodexHomeError({ reason: "unreadable", path, detail: error.message, cause: error }))
    )
    const client = exists ? yield* openClient(path, mode === "read-only", BUSY_TIMEOUT_MS) : undefined

    const query = <A>(run: (sql: SqliteClient.SqliteClient) => Effect.Effect<A, SqlError>, empty: A) =>
      client === undefined ? Effect.succeed(empty) : run(client).pipe(Effect.mapError(fail))

    const tableExists = Effect.fn("StateDb.tableExists")(function*(name: string) {
      const rows = yield* query(
        (sql) => sql<{ readonly n: number }>`SELECT 1 AS n FROM sqlite_master WHERE type = 'table' AND name = ${name}`,
        []
      )
      return rows.length > 0
    })

    const columns = Effect.fn("StateDb.columns")(function*(table: string) {
      const rows = yield* query(
        (sql) => sql<{ readonly name: string }>`SELECT name FROM pragma_table_info(${table}) ORDER BY cid`,
        []
      )
      return rows.map((row) => row.name) as ReadonlyArray<string>
    })

    const columnInfo = Effect.fn("StateDb.columnInfo")(function*(table: string) {
      const rows = yield* query(
        (sql) =>
          sql<{ readonly name: string; readonly notnull: number; readonly dflt_value: unknown; readonly pk: number }>`
            SELECT name, "notnull", dflt_value, pk FROM pragma_table_info(${table}) ORDER BY cid`,
        []
      )
      return rows.map((row): ColumnInfo => ({
        name: row.name,
        notNull: row.notnull === 1,
        hasDefault: row.dflt_value !== null,
        primaryKey: row.pk > 0
      })) as ReadonlyArray<ColumnInfo>
    })

    const selectByIds = <Row>(
      table: string,
      idColumn: string,
      orderBy: string,
      schema: Schema.Schema<Row, any>,
      ids: ReadonlyArray<string> | undefined
    ) =>
      Effect.gen(function*() {
        if (client === undefined || !(yield* tableExists(table))) return []
        if (ids !== undefined && ids.length === 0) return []
        const raw: ReadonlyArray<unknown> = ids === undefined
          ? yield* query((sql) => sql`SELECT * FROM ${sql(table)} ORDER BY ${sql.literal(orderBy)}`, [])
          : (yield* Effect.forEach(
            chunks([...new Set(ids)], IN_CHUNK),
            (chunk) =>
              query(
                (sql) =>
                  sql`SELECT * FROM ${sql(table)} WHERE ${sql.in(idColumn, chunk)} ORDER BY ${sql.literal(orderBy)}`,
                []
              )
          )).flat()
        const decode = Schema.decodeUnknownEither(schema)
        const rows: Array<Row> = []
        for (const row of raw) {
          const decoded = decode(row)
          if (decoded._tag === "Left") {
            return yield* new CodexHomeError({
              reason: "bad_database",
              path,
              detail: `${table} row does not decode (${formatParseError(decoded.left)})`
            })
          }
          rows.push(decoded.right)
        }
        return rows
      })

    const threads = Effect.fn("StateDb.threads")(function*(ids?: ReadonlyArray<string>) {
      const rows = yield* selectByIds("threads", "id", "id", StateRow.ThreadRow, ids)
      // chunks are each ordered; make the whole ordered
      return ids === undefined ? rows : rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    })

    const dynamicTools = Effect.fn("StateDb.dynamicTools")(function*(ids?: ReadonlyArray<string>) {
      return yield* selectByIds(
        "thread_dynamic_tools",
        "thread_id",
        "thread_id, position",
        StateRow.ThreadDynamicToolRow,
        ids
      )
    })

    const assertIdle: Effect.Effect<void, CodexHomeError> = !exists ? Effect.void : Effect.scoped(
      Effect.gen(function*() {
        const probe = yield* openClient(path, false, IDLE_PROBE_TIMEOUT_MS)
        yield* Effect.acquireRelease(
          probe.unsafe("BEGIN IMMEDIATE").pipe(Effect.mapError(fail)),
          () => Effect.ignore(probe.unsafe("ROLLBACK"))
        )
      })
    ).pipe(Effect.withSpan("StateDb.assertIdle"))

    const transaction = <A, E, R>(
      use: (sql: SqlClient.SqlClient) => Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | CodexHomeError, R> => {
      if (mode !== "read-write") {
        return Effect.fail(new CodexHomeError({ reason: "read_only", path, detail: "open it with mode read-write" }))
      }
      if (client === undefined) {
        return Effect.fail(
          new CodexHomeError({ reason: "missing_file", path, detail: "Codex has not created its database yet" })
        )
      }
      return Effect.gen(function*() {
        // Effect's BEGIN is deferred; a no-op write takes the write lock up front, so the busy
        // timeout applies now and a later write cannot fail on a stale snapshot
        if (yield* tableExists("threads")) yield* client.unsafe("UPDATE threads SET id = id WHERE 0")
        return yield* use(client)
      }).pipe(
        client.withTransaction,
        Effect.catchIf((error): error is SqlError => error instanceof SqlError, (error) => Effect.fail(fail(error))),
        Effect.withSpan("StateDb.transaction")
      )
    }

    return {
      path,
      mode,
      exists,
      tableExists,
      columns,
      columnInfo,
      threads,
      dynamicTools,
      assertIdle,
      transaction
    } satisfies StateDbShape
  })

/**
 * The service over the home's `state_5.sqlite` (in its `sqliteHome`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: StateDbOptions = {}
): Layer.Layer<StateDb, CodexHomeError, CodexHome | FileSystem.FileSystem> =>
  Layer.scoped(
    StateDb,
    Effect.flatMap(CodexHome, (home) => make({ ...options, path: home.stateDbPath }))
  )
