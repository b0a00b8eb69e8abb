/**
 * Rows written through the journal in batches: each batch is one journaled SQL step (one SQLite
 * transaction, undone exactly by rollback), its tables in the order their foreign keys need
 * (a project before its sessions, a message before its parts). A session of any size is written
 * a batch at a time.
 */
import { type Journal, type JournalError, SqlChange } from "@sessionport/journal"
import { Effect } from "effect"

const ORDER = ["project", "session", "message", "part", "todo"] as const
const KEYS: Readonly<Record<string, ReadonlyArray<string>>> = {
  project: ["id"],
  session: ["id"],
  message: ["id"],
  part: ["id"],
  todo: ["session_id", "position"]
}

/** about what one SQL step holds */
const BATCH_BYTES = 2 * 1024 * 1024
/** @internal (a removal's SQL steps hold about as many rows) */
export const BATCH_ROWS = 5_000

/** @internal */
export class RowBatch {
  private rows = new Map<string, Array<SqlChange.Row>>()
  private bytes = 0
  private count = 0
  /** rows written so far, by table */
  readonly written = new Map<string, number>()

  constructor(private readonly database: string) {}

  /** adds a row; answers whether the batch is full */
  add(table: string, row: SqlChange.Row): boolean {
    let list = this.rows.get(table)
    if (list === undefined) this.rows.set(table, list = [])
    list.push(row)
    this.count++
    for (const value of Object.values(row)) if (typeof value === "string") this.bytes += value.length
    return this.bytes >= BATCH_BYTES || this.count >= BATCH_ROWS
  }

  /** writes what the batch holds as one step of `tx` */
  flush(tx: Journal.Transaction): Effect.Effect<void, JournalError.JournalError> {
    if (this.count === 0) return Effect.void
    const changes = ORDER.flatMap((table) => {
      const rows = this.rows.get(table)
      if (rows === undefined || rows.length === 0) return []
      this.written.set(table, (this.written.get(table) ?? 0) + rows.length)
      // the rows are the session's content: the record keeps their digests, not a second copy
      return [SqlChange.insertRows(table, rows, KEYS[table]!)]
    })
    this.rows = new Map()
    this.bytes = 0
    this.count = 0
    return Effect.asVoid(tx.sql(this.database, changes))
  }
}
