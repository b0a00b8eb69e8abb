/**
 * A small SQLite state file under a home (`sessionport/*.sqlite`), written only through the
 * journal: opening it (readers never switch journal modes), creating its tables with a schema
 * version in a meta table, refusing another schema, and telling a read-only home from a bad file.
 *
 * @internal
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import type { SqlError } from "@effect/sql/SqlError"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { ReadOnly } from "@sessionport/journal"
import { Effect, type Scope } from "effect"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import { LineageError } from "../LineageError.js"

/** @internal */
export interface Options {
  /** the home the file lives in (a read-only home is named as such) */
  readonly home: string
  readonly path: string
  /** `(key TEXT PRIMARY KEY, value TEXT NOT NULL)`, holding `schema` */
  readonly metaTable: string
  readonly schema: string
  /** the statements that make the tables (`IF NOT EXISTS`), the meta table excluded */
  readonly ddl: ReadonlyArray<string>
  /** the error for a file that cannot be used */
  readonly bad: (detail: string, cause?: unknown) => LineageError
}

/** @internal */
export interface StateDb {
  readonly ensure: Effect.Effect<void, LineageError>
  /** false: no file (callers answer an empty state without creating it) */
  readonly exists: () => boolean
  readonly query: <A>(run: (sql: SqliteClient.SqliteClient) => Effect.Effect<A, SqlError>) => Effect.Effect<A, LineageError>
}

/** @internal */
export const describe = (cause: unknown): string =>
  (cause instanceof Error ? cause.message : String(cause)).replace(/\s*\n\s*/g, " ").trim()

/** @internal */
export const make = (options: Options): StateDb => {
  const { path } = options
  const fail = (detail: string) => (cause: unknown) => options.bad(`${detail}: ${describe(cause)}`, cause)

  const open = (readonly: boolean): Effect.Effect<SqliteClient.SqliteClient, LineageError, Scope.Scope> =>
    // a reader must not switch journal modes (the writer chose WAL)
    SqliteClient.make({ filename: path, readonly, disableWAL: readonly }).pipe(
      Effect.provide(Reactivity.layer),
      Effect.catchAllDefect((defect) => Effect.fail(defect)),
      Effect.tap((sql) => sql.unsafe("PRAGMA busy_timeout = 5000")),
      Effect.mapError(fail("cannot open it"))
    )

  const checkSchema = (sql: SqliteClient.SqliteClient) =>
    Effect.flatMap(
      sql.unsafe<{ readonly value: string }>(`SELECT value FROM ${options.metaTable} WHERE key = 'schema'`).pipe(
        Effect.mapError(fail("cannot read it"))
      ),
      (rows) =>
        rows[0]?.value === options.schema
          ? Effect.void
          : Effect.fail(options.bad(`schema ${rows[0]?.value ?? "missing"}, expected ${options.schema}`))
    )

  // a home that cannot be written says so, rather than call the file unusable (even a read needs
  // SQLite's shared-memory file next to it, the file being in WAL mode)
  const writable = (error: LineageError): LineageError => {
    const found = error.reason === "read_only" ? undefined : ReadOnly.readOnlyFolder(path, error.cause, options.home)
    return found === undefined ? error : new LineageError({ reason: "read_only", path: found.path, detail: found.why, cause: error.cause })
  }

  const ensure = Effect.scoped(Effect.gen(function*() {
    yield* Effect.try({ try: () => nodeFs.mkdirSync(nodePath.dirname(path), { recursive: true }), catch: fail("cannot create its folder") })
    const sql = yield* open(false)
    yield* Effect.forEach(
      [`CREATE TABLE IF NOT EXISTS ${options.metaTable} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`, ...options.ddl],
      (statement) => sql.unsafe(statement),
      { discard: true }
    ).pipe(
      Effect.zipRight(sql.unsafe(`INSERT OR IGNORE INTO ${options.metaTable} (key, value) VALUES ('schema', ?)`, [options.schema])),
      Effect.mapError(fail("cannot create its tables"))
    )
    yield* checkSchema(sql)
  })).pipe(Effect.mapError(writable))

  const query = <A>(run: (sql: SqliteClient.SqliteClient) => Effect.Effect<A, SqlError>) =>
    Effect.scoped(Effect.gen(function*() {
      const sql = yield* open(true)
      yield* checkSchema(sql)
      return yield* run(sql).pipe(Effect.mapError(fail("cannot read it")))
    })).pipe(Effect.mapError(writable))

  return { ensure, exists: () => nodeFs.existsSync(path), query }
}

/** @internal */
export const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
