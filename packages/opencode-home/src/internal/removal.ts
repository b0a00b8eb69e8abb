/**
 * What an OpenCode session is, as a removal takes it away, read from one snapshot of
 * `opencode.db` and the data folder (OpenCode 1.18.33; `Remover` documents the whole of it):
 *
 * - its rows: every table holding a foreign key to `session` (by that column: `message`, `todo`,
 *   `session_share`, `session_input`, `session_message`, `session_context_epoch`, …), every table
 *   below one of those that names its session (`part`, by `session_id`), its event stream
 *   (`event_sequence` and `event`, by `aggregate_id`), and the `session` row; found from the
 *   schema, so a table a later OpenCode adds is taken too;
 * - its files: `storage/session_diff/<id>.json` (written by a revert), the copies of OpenCode
 *   ≤ 1.1's JSON storage (`storage/session/<project>/<id>.json`, `storage/message/<id>/`,
 *   `storage/part/<message>/`, `storage/todo/<id>.json`, `storage/session_share/<id>.json`), its
 *   plan (`plans/<created>-<slug>.md`, where a session outside git keeps it) and the full outputs
 *   of its truncated tool calls (`tool-output/tool_…`, named by its parts).
 */
import * as fs from "node:fs"
import * as Path from "node:path"
import { folders, isName } from "./legacy.js"
import { columnsOf, type Database } from "./sqlite.js"

const quoted = (name: string): string => `"${name.replace(/"/g, "\"\"")}"`

/** @internal a table whose rows belong to one session, and the column that names it */
export interface KeyedTable {
  readonly table: string
  readonly column: string
}

const EVENT_KEY = "aggregate_id"

/**
 * @internal
 * The tables of a session's rows, in the order they are deleted: rows below others first, the
 * `session` row last (nothing is left to a cascade).
 */
export const keyedTables = (db: Database): Array<KeyedTable> => {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck().all() as unknown as Array<string>
  const foreignKeys = new Map(tables.map((table) => [
    table,
    db.prepare("SELECT \"table\" AS parent, \"from\" AS col FROM pragma_foreign_key_list(?)").all(table) as Array<{ parent: string; col: string }>
  ]))
  const direct = tables.flatMap((table) =>
    table === "session" ? [] : foreignKeys.get(table)!
      .filter((fk) => fk.parent.toLowerCase() === "session")
      .slice(0, 1)
      .map((fk) => ({ table, column: fk.col }))
  )
  const directNames = new Set(direct.map((d) => d.table.toLowerCase()))
  const nested = tables.filter((table) =>
    !directNames.has(table.toLowerCase()) && table !== "session" &&
    foreignKeys.get(table)!.some((fk) => directNames.has(fk.parent.toLowerCase())) &&
    columnsOf(db, table).includes("session_id")
  ).map((table) => ({ table, column: "session_id" }))
  // a session's event stream is the aggregate named by its id; its events go before their sequence
  const events = ["event", "event_sequence"].filter((table) => columnsOf(db, table).includes(EVENT_KEY))
    .map((table) => ({ table, column: EVENT_KEY }))
  return [...nested, ...direct, ...events, { table: "session", column: "id" }]
}

/** @internal a session's rows by table (tables without any left out) */
export const rowCounts = (db: Database, tables: ReadonlyArray<KeyedTable>, id: string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const { column, table } of tables) {
    const n = Number(db.prepare(`SELECT count(*) FROM ${quoted(table)} WHERE ${quoted(column)} = ?`).pluck().get(id))
    if (n > 0) out[table] = n
  }
  return out
}

/** @internal the message ids of a session */
export const messageIds = (db: Database, id: string): Array<string> =>
  columnsOf(db, "message").includes("session_id")
    ? db.prepare("SELECT id FROM message WHERE session_id = ? ORDER BY id").pluck().all(id) as unknown as Array<string>
    : []

/** @internal the full outputs its truncated tool calls saved, as its parts name them */
export const toolOutputs = (db: Database, root: string, id: string): Array<string> => {
  const columns = columnsOf(db, "part")
  if (!columns.includes("session_id") || !columns.includes("data")) return []
  const named = db.prepare(
    "SELECT DISTINCT CASE WHEN json_valid(data) THEN json_extract(data, '$.state.metadata.outputPath') END AS p FROM part WHERE session_id = ?"
  ).pluck().all(id) as unknown as Array<unknown>
  const folder = Path.join(root, "tool-output")
  return named.filter((p): p is string => typeof p === "string" && Path.isAbsolute(p) && Path.dirname(Path.resolve(p)) === folder)
    .map((p) => Path.resolve(p))
}

const isFile = (path: string): boolean => {
  try {
    return fs.lstatSync(path).isFile()
  } catch {
    return false
  }
}

const filesOf = (dir: string): Array<string> => {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => Path.join(dir, e.name)).sort()
  } catch {
    return []
  }
}

/** @internal what a session is besides its rows, as its files are named */
export interface SessionFacts {
  readonly id: string
  readonly createdMs: number | undefined
  readonly slug: string | undefined
  /** its messages in the database (their legacy parts are named by them) */
  readonly messages: ReadonlyArray<string>
  /** the tool outputs its parts name */
  readonly toolOutputs: ReadonlyArray<string>
}

/**
 * @internal
 * The regular files of the data folder that are a session's (absolute, each once); a name a
 * session gives that is not a plain file name is never looked up.
 */
export const sessionFiles = (root: string, facts: SessionFacts): Array<string> => {
  const { id } = facts
  if (!isName(id)) return []
  const storage = Path.join(root, "storage")
  const legacyMessages = filesOf(Path.join(storage, "message", id))
  const messages = new Set([
    ...facts.messages,
    ...legacyMessages.map((file) => Path.basename(file)).filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -5))
  ])
  const candidates = [
    Path.join(storage, "session_diff", `${id}.json`),
    ...folders(Path.join(storage, "session")).map((project) => Path.join(storage, "session", project, `${id}.json`)),
    ...legacyMessages,
    ...[...messages].filter(isName).sort().flatMap((message) => filesOf(Path.join(storage, "part", message))),
    Path.join(storage, "todo", `${id}.json`),
    Path.join(storage, "session_share", `${id}.json`),
    ...(facts.createdMs === undefined || facts.slug === undefined || !isName(facts.slug)
      ? []
      : [Path.join(root, "plans", `${facts.createdMs}-${facts.slug}.md`)]),
    ...facts.toolOutputs
  ]
  return [...new Set(candidates)].filter(isFile)
}
