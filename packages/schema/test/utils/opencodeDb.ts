import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..", "..")
const fixtureDir = path.join(repoRoot, "fixtures", "opencode")

/** What the fixture generator recorded about the sessions OpenCode 1.18.33 made (fixtures.json). */
export interface OpencodeFacts {
  readonly opencodeVersion: string
  readonly generatedAt: string
  readonly sessions: Record<string, {
    readonly sessionId: string
    readonly directory: string
    readonly projectId: string
    readonly title: string
    readonly prompts: ReadonlyArray<string>
    readonly tools: ReadonlyArray<string>
    readonly messages: number
    readonly parts: number
  }>
  readonly tableRows: Record<string, number>
  readonly sessionList: Record<string, ReadonlyArray<{ readonly id: string; readonly created: number; readonly updated: number }>>
}

export const opencodeFacts: OpencodeFacts = JSON.parse(fs.readFileSync(path.join(fixtureDir, "fixtures.json"), "utf8"))

export type Row = Record<string, unknown>

/** Rows read with plain SQL (better-sqlite3), in transcript order. */
export interface OpencodeRows {
  readonly session: ReadonlyArray<Row>
  /** by session, time_created, id */
  readonly message: ReadonlyArray<Row>
  /** by message (in the order above), id */
  readonly part: ReadonlyArray<Row>
  /** by session, position */
  readonly todo: ReadonlyArray<Row>
  readonly project: ReadonlyArray<Row>
  /** each table's columns, from `PRAGMA table_info` */
  readonly columns: Record<string, ReadonlyArray<string>>
}

interface Database {
  prepare(sql: string): { all(...params: Array<unknown>): Array<Row> }
  close(): void
}

const BetterSqlite3 = createRequire(import.meta.url)("better-sqlite3") as new(
  file: string,
  options?: { readonly?: boolean; fileMustExist?: boolean }
) => Database

const read = (): OpencodeRows => {
  // a copy: opening the committed file, even read-only, is never the test's to risk
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionport-opencode-db-"))
  const file = path.join(dir, "opencode.db")
  fs.copyFileSync(path.join(fixtureDir, "data", "opencode.db"), file)
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  try {
    const all = (sql: string) => db.prepare(sql).all()
    const columns: Record<string, ReadonlyArray<string>> = {}
    for (const table of ["session", "message", "part", "todo", "project"]) {
      columns[table] = all(`PRAGMA table_info(${table})`).map((column) => String(column.name))
    }
    return {
      session: all("SELECT * FROM session ORDER BY time_created, id"),
      message: all("SELECT * FROM message ORDER BY session_id, time_created, id"),
      part: all(
        "SELECT part.* FROM part JOIN message ON message.id = part.message_id " +
          "ORDER BY message.session_id, message.time_created, message.id, part.id"
      ),
      todo: all("SELECT * FROM todo ORDER BY session_id, position"),
      project: all("SELECT * FROM project ORDER BY id"),
      columns
    }
  } finally {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

let cached: OpencodeRows | undefined

/** Every row of a session's tables in the fixture database (fixtures/opencode/data/opencode.db). */
export const opencodeRows = (): OpencodeRows => (cached ??= read())

/** One session's rows in transcript order: session, then each message and its parts, then todos. */
export const transcriptRows = (sessionId: string): Array<{ readonly table: "session" | "message" | "part" | "todo"; readonly row: Row }> => {
  const rows = opencodeRows()
  const out: Array<{ readonly table: "session" | "message" | "part" | "todo"; readonly row: Row }> = []
  for (const row of rows.session) if (row.id === sessionId) out.push({ table: "session", row })
  for (const message of rows.message) {
    if (message.session_id !== sessionId) continue
    out.push({ table: "message", row: message })
    for (const part of rows.part) if (part.message_id === message.id) out.push({ table: "part", row: part })
  }
  for (const row of rows.todo) if (row.session_id === sessionId) out.push({ table: "todo", row })
  return out
}
