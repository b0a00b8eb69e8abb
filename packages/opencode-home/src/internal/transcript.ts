/**
 * A session's rows as its transcript: the JSON lines of `@sessionport/schema/OpencodeLine`, the
 * session first, then each message (by time, then id, as OpenCode loads them) followed by its
 * parts (by id), then its todos (by position). Lines are made one at a time from a snapshot, so
 * a session of any size streams; only the ids of its messages are held.
 */
import { OpencodeLine } from "@sessionport/schema"
import * as fs from "node:fs"
import type { Database, Row, Statement } from "./sqlite.js"

interface Statements {
  readonly messageIds: Statement
  readonly message: Statement
  readonly parts: Statement
  readonly todos: Statement
}

const prepared = new WeakMap<Database, Statements>()

const statementsOf = (db: Database): Statements => {
  let s = prepared.get(db)
  if (s === undefined) {
    s = {
      messageIds: db.prepare("SELECT id FROM message WHERE session_id = ? ORDER BY time_created, id").pluck(),
      message: db.prepare("SELECT * FROM message WHERE id = ?"),
      parts: db.prepare("SELECT * FROM part WHERE message_id = ? AND session_id = ? ORDER BY id"),
      todos: db.prepare("SELECT * FROM todo WHERE session_id = ? ORDER BY position")
    }
    prepared.set(db, s)
  }
  return s
}

/** @internal what a transcript holds */
export interface Counts {
  messages: number
  parts: number
  todos: number
  /** user messages: the turns the user opened */
  turns: number
  /** the text of the first user message */
  firstPrompt?: string | undefined
}

const parsed = (text: unknown): Record<string, unknown> | undefined => {
  try {
    const value = typeof text === "string" ? JSON.parse(text) : undefined
    return typeof value === "object" && value !== null ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * @internal
 * The lines (without `\n`) of the session `row` of this snapshot; `counts` is filled as they go.
 */
export function* sessionLines(db: Database, row: Row, counts?: Counts): Generator<string> {
  const s = statementsOf(db)
  const id = row.id as string
  yield OpencodeLine.fromRow("session", row)
  for (const messageId of s.messageIds.all(id) as unknown as Array<string>) {
    const message = s.message.get(messageId)
    if (message === undefined) continue
    yield OpencodeLine.fromRow("message", message)
    const user = counts !== undefined && parsed(message.data)?.role === "user"
    if (counts !== undefined) {
      counts.messages++
      if (user) counts.turns++
    }
    for (const part of s.parts.all(messageId, id)) {
      yield OpencodeLine.fromRow("part", part)
      if (counts === undefined) continue
      counts.parts++
      if (user && counts.firstPrompt === undefined) {
        const data = parsed(part.data)
        if (data?.type === "text" && data.synthetic !== true && typeof data.text === "string") counts.firstPrompt = data.text
      }
    }
  }
  for (const line of todoLines(db, id)) {
    yield line
    if (counts !== undefined) counts.todos++
  }
}

/** @internal the todo lines of session `id` of this snapshot (without `\n`) */
export function* todoLines(db: Database, id: string): Generator<string> {
  for (const todo of statementsOf(db).todos.all(id)) yield OpencodeLine.fromRow("todo", todo)
}

const FLUSH_BYTES = 1 << 20

/** @internal lines written to `file`, each ended by `\n`; answers the bytes written */
export const writeLines = (lines: Iterable<string>, file: string): number => {
  const fd = fs.openSync(file, "w")
  let size = 0
  let pending: Array<string> = []
  let pendingBytes = 0
  const flush = () => {
    if (pending.length === 0) return
    const buffer = Buffer.from(pending.join(""), "utf8")
    fs.writeSync(fd, buffer)
    size += buffer.length
    pending = []
    pendingBytes = 0
  }
  try {
    for (const line of lines) {
      pending.push(line, "\n")
      pendingBytes += line.length + 1
      if (pendingBytes >= FLUSH_BYTES) flush()
    }
    flush()
  } finally {
    fs.closeSync(fd)
  }
  return size
}
