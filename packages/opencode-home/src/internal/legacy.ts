/**
 * The JSON storage of OpenCode ≤ 1.1 (`<data>/storage/`), read-only, as the same rows a database
 * gives (see `source.ts`): each file is mapped as OpenCode's own JSON→SQLite migration mapped it
 * (`json-migration.ts`), ids taken from file and directory names, never from the JSON.
 *
 * ```
 * storage/project/<projectID>.json              → a project row
 * storage/session/<projectID>/<sessionID>.json  → a session row (project_id: the folder's name)
 * storage/message/<sessionID>/<messageID>.json  → a message row (data: the JSON minus id, sessionID)
 * storage/part/<messageID>/<partID>.json        → a part row (data: the JSON minus id, messageID, sessionID)
 * storage/todo/<sessionID>.json                 → todo rows (position: the index)
 * ```
 *
 * Where the migration wrote "now" (a missing time), a time of the session or message stands in,
 * so a transcript reads the same twice. Unlike the migration, a session whose project file is
 * missing is still read, and a session row's cost and tokens are the sums over its step-finish
 * parts (what OpenCode's own projector keeps), computed when the session is read by id or
 * rendered. A file that cannot be read or is not a JSON object is skipped (a broken part: that
 * part only; a broken session file: that session).
 *
 * Memory stays flat in the number of sessions: `sessions()` reads the session files only, and
 * message and part files are read for the one session being read (`session`) or rendered
 * (`lines`), keeping only its message ids and times; `stats()` counts files and their sizes
 * without parsing them (sizes of pretty-printed JSON, so a little over the data's length).
 */
import { OpencodeLine } from "@sessionport/schema"
import * as fs from "node:fs"
import * as Path from "node:path"
import type { Source, Stats } from "./source.js"
import type { Row } from "./sqlite.js"
import type { Counts } from "./transcript.js"

type Json = Record<string, unknown>

const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const EXT = ".json"

/** @internal a name that stays one entry of its folder (ids asked for from outside are checked with it) */
export const isName = (name: string): boolean => name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name)

/** The binary order of SQLite's `ORDER BY id` (ids are ASCII). */
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const entries = (dir: string): Array<fs.Dirent> => {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

/** @internal the folders of `dir`, by name */
export const folders = (dir: string): Array<string> =>
  entries(dir).filter((e) => e.isDirectory()).map((e) => e.name).sort(byCode)

/** The names (without `.json`) of the JSON files of `dir`, by name. */
const jsonNames = (dir: string): Array<string> =>
  entries(dir)
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith(EXT) && e.name.length > EXT.length)
    .map((e) => e.name.slice(0, -EXT.length))
    .sort(byCode)

const readText = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

const parse = (text: string | undefined): unknown => {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The JSON object of a file; `undefined` when it cannot be read or is not one. */
const readObject = (file: string): Json | undefined => {
  const value = parse(readText(file))
  return isRecord(value) ? value : undefined
}

const mtimeOf = (file: string): number => {
  try {
    return Math.trunc(fs.statSync(file).mtimeMs)
  } catch {
    return 0
  }
}

const sizeOf = (file: string): number => {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null)
const integer = (value: unknown): number | null => (typeof value === "number" && Number.isSafeInteger(value) ? value : null)
const finite = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0)
/** A JSON column (drizzle's `mode: "json"`): the value's JSON text, NULL when absent. */
const jsonText = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value))
const record = (value: unknown): Json => (isRecord(value) ? value : {})

/**
 * @internal
 * A session file as its row (columns in OpenCode 1.18.33's order); cost and tokens 0. `fallback`
 * is the creation time of a session whose file has none.
 */
export const sessionRow = (projectId: string, id: string, data: Json, fallback: () => number): Row => {
  const time = record(data.time)
  const summary = record(data.summary)
  const created = integer(time.created) ?? integer(time.updated) ?? fallback()
  return {
    id,
    project_id: projectId,
    workspace_id: null,
    parent_id: text(data.parentID),
    slug: text(data.slug) ?? "",
    directory: text(data.directory) ?? "",
    path: text(data.path),
    title: text(data.title) ?? "",
    version: text(data.version) ?? "",
    share_url: text(record(data.share).url),
    summary_additions: integer(summary.additions),
    summary_deletions: integer(summary.deletions),
    summary_files: integer(summary.files),
    summary_diffs: jsonText(summary.diffs),
    metadata: null,
    cost: 0,
    tokens_input: 0,
    tokens_output: 0,
    tokens_reasoning: 0,
    tokens_cache_read: 0,
    tokens_cache_write: 0,
    revert: jsonText(data.revert),
    permission: jsonText(data.permission),
    agent: null,
    model: null,
    time_created: created,
    time_updated: integer(time.updated) ?? created,
    time_compacting: integer(time.compacting),
    time_archived: integer(time.archived)
  }
}

/**
 * @internal
 * The row of 1.18.33's `Session.Info` (what `opencode export` prints as `info`): a session file's
 * row with the columns 1.18.33 added filled from it (workspace, metadata, cost and tokens, agent,
 * model), in their places; the inverse of OpenCode's own row → info mapping.
 */
export const infoRow = (info: Json, fallback: () => number): Row => {
  const tokens = record(info.tokens)
  const cache = record(tokens.cache)
  return {
    ...sessionRow(text(info.projectID) ?? "global", String(info.id), info, fallback),
    workspace_id: text(info.workspaceID),
    metadata: jsonText(info.metadata),
    cost: finite(info.cost),
    tokens_input: finite(tokens.input),
    tokens_output: finite(tokens.output),
    tokens_reasoning: finite(tokens.reasoning),
    tokens_cache_read: finite(cache.read),
    tokens_cache_write: finite(cache.write),
    agent: text(info.agent),
    model: jsonText(info.model)
  }
}

/** A project file as its row. */
const projectRow = (id: string, data: Json, file: string): Row => {
  const time = record(data.time)
  const icon = record(data.icon)
  const created = integer(time.created) ?? integer(time.updated) ?? mtimeOf(file)
  return {
    id,
    worktree: text(data.worktree) ?? "/",
    vcs: text(data.vcs),
    name: text(data.name),
    icon_url: text(icon.url),
    icon_url_override: text(icon.override),
    icon_color: text(icon.color),
    time_created: created,
    time_updated: integer(time.updated) ?? created,
    time_initialized: integer(time.initialized),
    sandboxes: JSON.stringify(Array.isArray(data.sandboxes) ? data.sandboxes : []),
    commands: jsonText(data.commands)
  }
}

/** `data` without the keys its columns hold, as OpenCode's projector stores it. */
const dataWithout = (data: Json, keys: ReadonlyArray<string>): string => {
  const rest: Json = {}
  for (const key of Object.keys(data)) {
    // an own `__proto__` key stays a key
    if (!keys.includes(key)) Object.defineProperty(rest, key, { value: data[key], enumerable: true, writable: true, configurable: true })
  }
  return JSON.stringify(rest)
}

/**
 * @internal
 * A message (its JSON, id and session taken apart) as its row; `sessionCreated` stands in for a
 * missing creation time.
 */
export const messageRow = (sessionId: string, id: string, data: Json, sessionCreated: number): Row => {
  const time = record(data.time)
  const created = integer(time.created) ?? sessionCreated
  return {
    id,
    session_id: sessionId,
    time_created: created,
    time_updated: integer(time.updated) ?? created,
    data: dataWithout(data, ["id", "sessionID"])
  }
}

/** @internal a part of the message row `message` as its row: its times, else the message's */
export const partRow = (message: Row, id: string, data: Json): Row => {
  const time = record(data.time)
  const start = integer(time.start)
  return {
    id,
    message_id: message.id,
    session_id: message.session_id,
    time_created: start ?? message.time_created,
    time_updated: integer(time.end) ?? start ?? message.time_updated,
    data: dataWithout(data, ["id", "messageID", "sessionID"])
  }
}

/**
 * @internal
 * A session's todo list as its rows (position: the index; times: `time`). As OpenCode's
 * migration, an item without content, status or priority is left out.
 */
export const todoRows = (sessionId: string, todos: unknown, time: number): Array<Row> => {
  if (!Array.isArray(todos)) return []
  const rows: Array<Row> = []
  for (const [position, todo] of todos.entries()) {
    if (!isRecord(todo)) continue
    const { content, priority, status } = todo
    if (typeof content !== "string" || typeof status !== "string" || typeof priority !== "string") continue
    if (content === "" || status === "" || priority === "") continue
    rows.push({ session_id: sessionId, content, status, priority, position, time_created: time, time_updated: time })
  }
  return rows
}

/** A row, and the JSON of the file it was read from. */
interface Read {
  readonly row: Row
  readonly data: Json
}

interface MessageKey {
  readonly id: string
  readonly created: number
}

const SUMS = ["cost", "tokens_input", "tokens_output", "tokens_reasoning", "tokens_cache_read", "tokens_cache_write"] as const

type Sums = Record<typeof SUMS[number], number>

/**
 * @internal
 * The legacy storage folder `path` (`<data>/storage`) as a source; `undefined` when it has no
 * `session/` folder. Nothing is ever written there.
 */
export const fromStorage = (path: string): Source | undefined => {
  const sessionDir = Path.join(path, "session")
  try {
    if (!fs.statSync(sessionDir).isDirectory()) return undefined
  } catch {
    return undefined
  }
  const messageDir = (sessionId: string) => Path.join(path, "message", sessionId)
  const partDir = (messageId: string) => Path.join(path, "part", messageId)
  /** rows whose cost and tokens are already the sums over their parts */
  const summed = new WeakSet<Row>()
  /** the message order of the session last read by id, for rendering it next (one session only) */
  let last: { readonly id: string; readonly keys: ReadonlyArray<MessageKey> } | undefined

  /** The session files, `[projectID, sessionID]`, each id once (the first project folder holding it). */
  function* sessionFiles(): Generator<readonly [string, string]> {
    const seen = new Set<string>()
    for (const projectId of folders(sessionDir)) {
      for (const id of jsonNames(Path.join(sessionDir, projectId))) {
        if (seen.has(id)) continue
        seen.add(id)
        yield [projectId, id]
      }
    }
  }

  const readSession = (projectId: string, id: string): Row | undefined => {
    const file = Path.join(sessionDir, projectId, id + EXT)
    const data = readObject(file)
    return data === undefined ? undefined : sessionRow(projectId, id, data, () => mtimeOf(file))
  }

  /** A session's messages in OpenCode's order: `(time_created, id)`. Unreadable ones are left out. */
  const messageKeys = (sessionId: string, sessionCreated: number): Array<MessageKey> => {
    const dir = messageDir(sessionId)
    const keys: Array<MessageKey> = []
    for (const id of jsonNames(dir)) {
      const data = readObject(Path.join(dir, id + EXT))
      if (data === undefined) continue
      keys.push({ id, created: integer(record(data.time).created) ?? sessionCreated })
    }
    return keys.sort((a, b) => a.created - b.created || byCode(a.id, b.id))
  }

  /** A message file as its row, with the JSON it was read from. */
  const readMessage = (sessionId: string, id: string, sessionCreated: number): Read | undefined => {
    const data = readObject(Path.join(messageDir(sessionId), id + EXT))
    return data === undefined ? undefined : { row: messageRow(sessionId, id, data, sessionCreated), data }
  }

  /** A message's parts by id (with the JSON each was read from), read as reached. Unreadable ones are left out. */
  function* partRows(message: Row): Generator<Read> {
    const dir = partDir(message.id as string)
    for (const id of jsonNames(dir)) {
      const data = readObject(Path.join(dir, id + EXT))
      if (data !== undefined) yield { row: partRow(message, id, data), data }
    }
  }

  /** The sums over the step-finish parts of the messages a transcript holds. */
  const sumsOf = (keys: ReadonlyArray<MessageKey>): Sums => {
    const sums: Sums = { cost: 0, tokens_input: 0, tokens_output: 0, tokens_reasoning: 0, tokens_cache_read: 0, tokens_cache_write: 0 }
    for (const { id: messageId } of keys) {
      const dir = partDir(messageId)
      for (const id of jsonNames(dir)) {
        const raw = readText(Path.join(dir, id + EXT))
        // only step-finish parts count: the others are not parsed
        if (raw === undefined || !raw.includes("step-finish")) continue
        const data = parse(raw)
        if (!isRecord(data) || data.type !== "step-finish") continue
        const tokens = record(data.tokens)
        const cache = record(tokens.cache)
        sums.cost += finite(data.cost)
        sums.tokens_input += finite(tokens.input)
        sums.tokens_output += finite(tokens.output)
        sums.tokens_reasoning += finite(tokens.reasoning)
        sums.tokens_cache_read += finite(cache.read)
        sums.tokens_cache_write += finite(cache.write)
      }
    }
    return sums
  }

  /**
   * `row` with its cost and tokens the sums over the parts of its messages `keys` (a new row, its
   * columns in their order), unless they are already.
   */
  const withSums = (row: Row, keys: () => ReadonlyArray<MessageKey>): Row => {
    if (summed.has(row)) return row
    const sums = sumsOf(keys())
    const out: Row = { ...row }
    for (const key of SUMS) if (key in out) out[key] = sums[key]
    summed.add(out)
    return out
  }

  function* lines(row: Row, counts?: Counts): Generator<string> {
    const id = String(row.id)
    if (!isName(id)) {
      yield OpencodeLine.fromRow("session", row)
      return
    }
    const created = integer(row.time_created) ?? 0
    const keys = last !== undefined && last.id === id && summed.has(row) ? last.keys : messageKeys(id, created)
    last = undefined
    const head = withSums(row, () => keys)
    yield OpencodeLine.fromRow("session", head)
    for (const key of keys) {
      const message = readMessage(id, key.id, created)
      if (message === undefined) continue
      yield OpencodeLine.fromRow("message", message.row)
      // counted as transcript.ts counts a database's
      const user = counts !== undefined && message.data.role === "user"
      if (counts !== undefined) {
        counts.messages++
        if (user) counts.turns++
      }
      for (const part of partRows(message.row)) {
        yield OpencodeLine.fromRow("part", part.row)
        if (counts === undefined) continue
        counts.parts++
        if (user && counts.firstPrompt === undefined) {
          const data = part.data
          if (data.type === "text" && data.synthetic !== true && typeof data.text === "string") counts.firstPrompt = data.text
        }
      }
    }
    for (const line of todoLines(head)) {
      yield line
      if (counts !== undefined) counts.todos++
    }
  }

  /** `todo/<id>.json` as todo lines (times: the session's last update) */
  function* todoLines(row: Row): Generator<string> {
    const id = String(row.id)
    if (!isName(id)) return
    const todos = parse(readText(Path.join(path, "todo", id + EXT)))
    const time = integer(row.time_updated) ?? integer(row.time_created) ?? 0
    for (const todo of todoRows(id, todos, time)) yield OpencodeLine.fromRow("todo", todo)
  }

  return {
    kind: "legacy",
    path,
    todos: todoLines,
    sessions: () => {
      const rows: Array<Row> = []
      for (const [projectId, id] of sessionFiles()) {
        const row = readSession(projectId, id)
        if (row !== undefined) rows.push(row)
      }
      return rows.sort((a, b) => (a.time_created as number) - (b.time_created as number) || byCode(a.id as string, b.id as string))
    },
    session: (id) => {
      if (!isName(id)) return undefined
      for (const projectId of folders(sessionDir)) {
        if (!fs.existsSync(Path.join(sessionDir, projectId, id + EXT))) continue
        // the first project folder holding it, as sessions() takes it
        const row = readSession(projectId, id)
        if (row === undefined) return undefined
        const keys = messageKeys(id, row.time_created as number)
        last = { id, keys }
        return withSums(row, () => keys)
      }
      return undefined
    },
    stats: () => {
      const out = new Map<string, Stats>()
      for (const [, id] of sessionFiles()) {
        const dir = messageDir(id)
        let messages = 0
        let parts = 0
        let bytes = 0
        for (const messageId of jsonNames(dir)) {
          messages++
          bytes += sizeOf(Path.join(dir, messageId + EXT))
          const pdir = partDir(messageId)
          for (const partId of jsonNames(pdir)) {
            parts++
            bytes += sizeOf(Path.join(pdir, partId + EXT))
          }
        }
        if (messages > 0) out.set(id, { messages, parts, bytes })
      }
      return out
    },
    project: (id) => {
      if (!isName(id)) return undefined
      const file = Path.join(path, "project", id + EXT)
      const data = readObject(file)
      return data === undefined ? undefined : projectRow(id, data, file)
    },
    lines,
    close: () => {}
  }
}
