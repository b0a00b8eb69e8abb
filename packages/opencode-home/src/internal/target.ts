/**
 * The database an install writes: it must exist (OpenCode creates it when it first runs), and
 * its schema version (the newest row of `migration`) must be one sessionport was tested with.
 * Read once, before anything is written: the tables' columns and the projects it has.
 */
import * as fs from "node:fs"
import { OpencodeError } from "../OpencodeError.js"
import { columnsOf, type Database, messageOf, openSnapshot } from "./sqlite.js"

/**
 * @internal
 * The schema versions install writes, by the OpenCode release they were tested with (the
 * database's newest migration).
 */
export const TESTED_SCHEMAS: ReadonlyArray<{ readonly migration: string; readonly opencode: string }> = [
  { migration: "20260622202450_simplify_session_input", opencode: "1.18.33" }
]

/** @internal the tested range, for messages */
export const testedRange = (): string =>
  TESTED_SCHEMAS.map((s) => `OpenCode ${s.opencode} (schema ${s.migration})`).join(", ")

/** @internal */
export interface Target {
  readonly database: string
  readonly migration: string
  readonly columns: ReadonlyMap<string, ReadonlySet<string>>
  readonly projects: ReadonlySet<string>
}

const TABLES = ["project", "session", "message", "part", "todo"]

/** @internal the database's schema version: its newest migration, when it has one */
export const migrationOf = (db: Database): string | undefined =>
  columnsOf(db, "migration").length === 0
    ? undefined
    : db.prepare("SELECT id FROM migration ORDER BY id DESC LIMIT 1").pluck().get() as unknown as string | undefined

/** @internal reads the target database, or fails with one line */
export const readTarget = (database: string, root: string): Target => {
  if (!fs.existsSync(database)) {
    throw new OpencodeError({
      reason: "not_found",
      path: database,
      detail: `no OpenCode database at ${database} (OpenCode creates it when it first runs; or name the data folder with --opencode-data)`
    })
  }
  let snapshot: ReturnType<typeof openSnapshot>
  try {
    snapshot = openSnapshot(database)
  } catch (error) {
    throw new OpencodeError({ reason: "unreadable", path: database, detail: `cannot read ${database}: ${messageOf(error)}` })
  }
  try {
    const { db } = snapshot
    const migration = migrationOf(db)
    if (migration === undefined || !TESTED_SCHEMAS.some((s) => s.migration === migration)) {
      throw new OpencodeError({
        reason: "unsupported_schema",
        path: database,
        detail: `${database} has OpenCode schema ${migration ?? "(none)"}; sessionport writes only the schema it was tested with: ${testedRange()} (of ${root})`
      })
    }
    const columns = new Map(TABLES.map((table) => [table, new Set(columnsOf(db, table))] as const))
    const projects = new Set(db.prepare("SELECT id FROM project").pluck().all() as unknown as Array<string>)
    return { database, migration, columns, projects }
  } catch (error) {
    if (error instanceof OpencodeError) throw error
    throw new OpencodeError({ reason: "unreadable", path: database, detail: `cannot read ${database}: ${messageOf(error)}` })
  } finally {
    snapshot.close()
  }
}
