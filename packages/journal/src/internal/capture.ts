/**
 * Every row the database changes while the journal writes, whatever changed it: the journal's
 * own statement, a trigger (Codex's today, or one a later Codex adds) or a foreign-key action.
 *
 * Before a step's first change, a TEMP trigger is put on every table of the database (as
 * `sqlite_master` lists them today: nothing is named by hand, and trigger bodies need no parsing).
 * For each row inserted, updated or deleted it logs, into a TEMP table, the row's identity (its
 * rowid; the primary key of a WITHOUT ROWID table) and the row itself: as it was for an update or
 * delete, as inserted for an insert. TEMP objects belong to the connection: the database file is
 * not touched, and they are gone when the step's connection closes. SQLite fires TEMP triggers
 * before the database's own, so a row's first log entry shows it as it was before anything else
 * touched it. (better-sqlite3 is built without SQLite's session extension, which would do this.)
 *
 * After each write, every row it changed that it did not ask to is a side effect: the row before
 * (its first log entry) and now (read back), as the recorded changes that undo it. A row change
 * that `total_changes()` counts and the log did not see (a virtual table written by a trigger)
 * is counted as unseen: nothing could undo it.
 */
import { Effect } from "effect"
import type { JournalError } from "../JournalError.js"
import type { RecordedChange, StoredRow, StoredValue } from "../TransactionRecord.js"
import {
  differing,
  fromDriver,
  quoteId,
  rowIdentity,
  sameRow,
  selectByKeys,
  tableShape,
  type TableShape,
  type WriteConnection
} from "./sqlite.js"

const LOG = "sessionport_changes"

/** log entries: a row inserted (as it is), updated or deleted (as it was), moved to a new identity */
type Event = "I" | "U" | "D" | "N"

/** @internal where the log and `total_changes()` stood before a change */
export interface Mark {
  readonly seq: number
  readonly totalChanges: number
}

/** @internal the rows a change asked to write: the rest are its side effects */
export interface Asked {
  readonly table: string
  /** the identity of each row, as read with {@link rowIdentity} */
  readonly idents: ReadonlyArray<StoredValue>
  /** how many rows the statement changed itself */
  readonly rows: number
}

/** @internal what a write changed besides the rows it asked for */
export interface SideEffects {
  /** row changes the log could not see */
  readonly unseen: number
  /** the rows it changed besides, in the order they were first changed, each marked `side_effect` */
  readonly changes: Array<RecordedChange>
}

/** @internal */
export interface Capture {
  /** the shape of a table (read again when the log does not watch it) */
  readonly shape: (table: string) => Effect.Effect<TableShape, JournalError>
  readonly mark: Effect.Effect<Mark, JournalError>
  readonly since: (mark: Mark, asked: Asked) => Effect.Effect<SideEffects, JournalError>
}

interface Watched {
  readonly index: number
  readonly shape: TableShape
}

/** a value as a map key */
const keyText = (value: StoredValue): string => JSON.stringify(value)

/** ids bound in one query, at most */
const IDS_PER_QUERY = 500

/**
 * The key a side effect is recorded under: the primary key when the row has one (what people
 * read), else the rowid.
 */
const recordKey = (shape: TableShape, row: StoredRow, ident: StoredValue): StoredRow =>
  shape.primaryKey.length > 0 && shape.primaryKey.every((column) => row[column] !== undefined && row[column] !== null)
    ? Object.fromEntries(shape.primaryKey.map((column) => [column, row[column]!]))
    : { [shape.rowid!]: ident }

/** how one row went from `before` to `after` (`undefined`: absent), as recorded changes */
const changesOf = (
  shape: TableShape,
  ident: StoredValue,
  before: StoredRow | undefined,
  after: StoredRow | undefined
): Array<RecordedChange> => {
  const table = shape.name
  const deleted = (row: StoredRow): RecordedChange => ({
    kind: "delete",
    table,
    key: recordKey(shape, row, ident),
    rows: [row],
    ...(shape.rowid === undefined ? {} : { rowids: [ident] }),
    side_effect: true
  })
  const inserted = (row: StoredRow): RecordedChange => {
    const key = recordKey(shape, row, ident)
    return { kind: "insert", table, key_columns: Object.keys(key), rows: [{ key, row }], side_effect: true }
  }
  if (before === undefined) return after === undefined ? [] : [inserted(after)]
  if (after === undefined) return [deleted(before)]
  if (sameRow(before, after)) return []
  const key = recordKey(shape, before, ident)
  // a row whose key changed is undone as the delete and the insert it amounts to
  if (!sameRow(key, recordKey(shape, after, ident))) return [deleted(before), inserted(after)]
  return [{ kind: "update", table, key, columns: Object.keys(differing(before, after)), old: before, new: after, side_effect: true }]
}

/** @internal Starts logging every row change on `connection` (inside its write transaction). */
export const watch = (connection: WriteConnection): Effect.Effect<Capture, JournalError> =>
  Effect.gen(function*() {
    const names = yield* connection.query(
      "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    )
    const watched = new Map<string, Watched>()
    const byIndex: Array<Watched> = []
    for (const { name } of names) {
      const shape = yield* tableShape(connection, String(name))
      // no rowid and no primary key: its changes are not logged, so they are refused
      if (rowIdentity(shape, "t") === undefined) continue
      const table = { index: byIndex.length, shape }
      byIndex.push(table)
      watched.set(shape.name.toLowerCase(), table)
    }
    const width = Math.max(0, ...byIndex.map(({ shape }) => shape.columns.length))
    const cells = Array.from({ length: width }, (_, i) => `c${i}`)
    yield* connection.query(
      `CREATE TEMP TABLE ${LOG} (seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, event TEXT NOT NULL, ident${
        cells.map((cell) => `, ${cell}`).join("")
      })`
    )
    yield* connection.query(`CREATE INDEX temp.${LOG}_rows ON ${LOG} (tbl, ident, seq)`)
    for (const { index, shape } of byIndex) {
      const row = (of: "NEW" | "OLD") => shape.columns.map((column) => `, ${of}.${quoteId(column)}`).join("")
      const into = `INSERT INTO ${LOG} (tbl, event, ident${shape.columns.map((_, i) => `, c${i}`).join("")})`
      const log = (event: Event, of: "NEW" | "OLD") => `${into} VALUES (${index}, '${event}', ${rowIdentity(shape, of)}${row(of)});`
      const moved = `${into} SELECT ${index}, 'N', ${rowIdentity(shape, "NEW")}${row("NEW")} ` +
        `WHERE (${rowIdentity(shape, "NEW")}) IS NOT (${rowIdentity(shape, "OLD")});`
      const on = `ON main.${quoteId(shape.name)} FOR EACH ROW BEGIN`
      yield* connection.query(`CREATE TEMP TRIGGER ${LOG}_${index}_insert AFTER INSERT ${on} ${log("I", "NEW")} END`)
      yield* connection.query(`CREATE TEMP TRIGGER ${LOG}_${index}_update AFTER UPDATE ${on} ${log("U", "OLD")} ${moved} END`)
      yield* connection.query(`CREATE TEMP TRIGGER ${LOG}_${index}_delete AFTER DELETE ${on} ${log("D", "OLD")} END`)
    }

    const shape = (table: string) => {
      const known = watched.get(table.toLowerCase())
      return known === undefined ? tableShape(connection, table) : Effect.succeed(known.shape)
    }

    const mark = Effect.map(
      connection.query(`SELECT (SELECT ifnull(max(seq), 0) FROM ${LOG}) AS seq, total_changes() AS n`),
      (rows): Mark => ({ seq: Number(rows[0]!["seq"]), totalChanges: Number(rows[0]!["n"]) })
    )

    /** rows logged at `seqs` (of one table), as they were */
    const images = (table: Watched, seqs: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        const found = new Map<number, StoredRow>()
        const cells = table.shape.columns.map((_, i) => `c${i}`).join(", ")
        for (let from = 0; from < seqs.length; from += IDS_PER_QUERY) {
          const part = seqs.slice(from, from + IDS_PER_QUERY)
          const rows = yield* connection.query(
            `SELECT seq${cells === "" ? "" : `, ${cells}`} FROM ${LOG} WHERE seq IN (${part.map(() => "?").join(", ")})`,
            part.map(BigInt)
          )
          for (const row of rows) {
            found.set(
              Number(row["seq"]),
              Object.fromEntries(table.shape.columns.map((column, i) => [column, fromDriver(row[`c${i}`])]))
            )
          }
        }
        return found
      })

    const since = (mark: Mark, asked: Asked): Effect.Effect<SideEffects, JournalError> =>
      Effect.gen(function*() {
        const askedTable = watched.get(asked.table.toLowerCase())
        const counts = (yield* connection.query(
          `SELECT count(*) AS logged, ifnull(sum(event <> 'N'), 0) AS changed, total_changes() AS n FROM ${LOG} WHERE seq > ?`,
          [BigInt(mark.seq)]
        ))[0]!
        // each row change is counted once, and so is its log entry
        const unseen = Number(counts["n"]) - mark.totalChanges - Number(counts["logged"]) - Number(counts["changed"]) -
          (askedTable === undefined ? asked.rows : 0)
        const askedIdents = new Set(asked.idents.map(keyText))
        const first = (yield* connection.query(
          `SELECT l.seq, l.tbl, l.event, l.ident FROM ${LOG} AS l ` +
            `JOIN (SELECT min(seq) AS seq FROM ${LOG} WHERE seq > ? GROUP BY tbl, ident) AS f ON l.seq = f.seq ORDER BY l.seq`,
          [BigInt(mark.seq)]
        )).map((row) => ({
          seq: Number(row["seq"]),
          table: byIndex[Number(row["tbl"])]!,
          event: String(row["event"]) as Event,
          ident: fromDriver(row["ident"])
        })).filter((entry) => !(entry.table === askedTable && askedIdents.has(keyText(entry.ident))))
        if (first.length === 0) return { unseen, changes: [] }

        const recorded = new Map<number, Array<RecordedChange>>()
        for (const table of new Set(first.map((entry) => entry.table))) {
          const entries = first.filter((entry) => entry.table === table)
          const logged = yield* images(table, entries.map((entry) => entry.seq))
          // the row now, by its identity: the rowid, else the primary key it was logged with
          const { shape } = table
          const keyColumns = shape.rowid !== undefined ? [shape.rowid] : shape.primaryKey
          const keys = entries.map((entry) =>
            shape.rowid !== undefined
              ? { [shape.rowid]: entry.ident }
              : Object.fromEntries(shape.primaryKey.map((column) => [column, logged.get(entry.seq)![column]!]))
          )
          const now = yield* selectByKeys(connection, shape.name, keyColumns, keys, true)
          entries.forEach((entry, i) => {
            // the first entry of a row that existed shows it as it was; of a new one, as inserted
            const before = entry.event === "U" || entry.event === "D" ? logged.get(entry.seq) : undefined
            recorded.set(entry.seq, changesOf(shape, entry.ident, before, now[i]![0]))
          })
        }
        return { unseen, changes: [...recorded.entries()].sort(([a], [b]) => a - b).flatMap(([, changes]) => changes) }
      })

    return { shape, mark, since }
  })
