/**
 * Where a data folder's sessions are read from, behind one shape: `opencode.db` (a snapshot of it,
 * for the life of the source), or the JSON `storage/` of OpenCode ≤ 1.1 (read-only), whose files
 * are read as the same rows.
 */
import type { Counts } from "./transcript.js"
import { sessionLines, todoLines } from "./transcript.js"
import { columnsOf, type Database, openSnapshot, type Row } from "./sqlite.js"

/** @internal what a session's messages and parts weigh */
export interface Stats {
  readonly messages: number
  readonly parts: number
  /** bytes of their data */
  readonly bytes: number
}

/** @internal */
export interface Source {
  /** `database` or `legacy storage` */
  readonly kind: "database" | "legacy"
  readonly path: string
  /** every session row */
  readonly sessions: () => ReadonlyArray<Row>
  readonly session: (id: string) => Row | undefined
  readonly stats: () => ReadonlyMap<string, Stats>
  readonly project: (id: string) => Row | undefined
  /** the transcript lines of a session (without `\n`) */
  readonly lines: (session: Row, counts?: Counts) => Iterable<string>
  /** the todo lines of a session: the last of its transcript lines */
  readonly todos: (session: Row) => Iterable<string>
  readonly close: () => void
}

/** @internal a snapshot of `opencode.db` */
export const fromDatabase = (path: string): Source => {
  const { close, db } = openSnapshot(path)
  try {
    return databaseSource(db, path, close)
  } catch (error) {
    close()
    throw error
  }
}

const databaseSource = (db: Database, path: string, close: () => void): Source => {
  const hasTodo = columnsOf(db, "todo").length > 0
  if (!hasTodo || columnsOf(db, "session").length === 0) throw new Error(`${path} holds no OpenCode sessions table`)
  const session = db.prepare("SELECT * FROM session WHERE id = ?")
  const project = db.prepare("SELECT * FROM project WHERE id = ?")
  return {
    kind: "database",
    path,
    sessions: () => db.prepare("SELECT * FROM session ORDER BY time_created, id").all(),
    session: (id) => session.get(id),
    stats: () => {
      const out = new Map<string, { messages: number; parts: number; bytes: number }>()
      const get = (id: string) => {
        let s = out.get(id)
        if (s === undefined) out.set(id, s = { messages: 0, parts: 0, bytes: 0 })
        return s
      }
      for (const row of db.prepare("SELECT session_id AS id, count(*) AS n, sum(length(data)) AS bytes FROM message GROUP BY session_id").iterate()) {
        const s = get(row.id as string)
        s.messages = Number(row.n)
        s.bytes += Number(row.bytes ?? 0)
      }
      for (const row of db.prepare("SELECT session_id AS id, count(*) AS n, sum(length(data)) AS bytes FROM part GROUP BY session_id").iterate()) {
        const s = get(row.id as string)
        s.parts = Number(row.n)
        s.bytes += Number(row.bytes ?? 0)
      }
      return out
    },
    project: (id) => project.get(id),
    lines: (row, counts) => sessionLines(db, row, counts),
    todos: (row) => todoLines(db, String(row.id)),
    close
  }
}
