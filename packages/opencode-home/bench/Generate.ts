// Generated OpenCode data folders for the benchmarks (install.ts, sync.ts), made from the real
// OpenCode 1.18.33 fixture (fixtures/opencode/data/opencode.db):
// - a source: the fixture database with its sessions replaced by N clones of the `tools` session
//   (its row, its 6 messages and 16 parts), each with new ids of OpenCode's scheme (its times
//   shifted, so ids stay time-ordered: messages and parts ascending, sessions descending), its
//   own prompts and title (else every clone would fingerprint alike and sync would match them to
//   each other), in folders /tmp/bench-src/projects/p<i % 50> (project `global`), written in one
//   SQLite transaction;
// - a target: the fixture database with no sessions, projects nor events;
// - one more record (a user message and its text part) appended to given sessions, as OpenCode
//   would append a turn's first rows.
import { type Store, targetHome } from "@sessionport/codex-oracle/BenchChild"
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import * as Fixtures from "@sessionport/opencode-oracle/Fixtures"
import * as OpencodeId from "@sessionport/schema/OpencodeId"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

/** Where the generated sessions were made (never created on disk: `--map` it). */
export const SRC_PROJECTS = "/tmp/bench-src/projects"
/** Project folders of the generated sessions: session i is in `p<i % PROJECTS>`. */
export const PROJECTS = 50
/** The fixture session cloned. */
export const ROLE = "tools"
/** Time between two generated sessions (the fixture session spans ~6 s). */
const SPACING_MS = 60_000

const fixtureDb = path.join(Fixtures.fixtureData, "opencode.db")

/** Tables a target starts without (the fixture's other content tables are empty). */
const EMPTIED = ["part", "message", "todo", "session", "project_directory", "event", "event_sequence", "project"]

type Row = Record<string, unknown>

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** 14 base62 characters from `seed`: the random part of an id, made reproducible. */
const tail = (seed: string): string => {
  const digest = createHash("sha256").update(seed).digest()
  let out = ""
  for (let i = 0; i < 14; i++) out += BASE62[digest[i]! % 62]
  return out
}

/** The id `id` (made at about `near`) becomes when its row is `delta` ms later, in clone `seed`. */
const shiftedId = (prefix: OpencodeId.Prefix, id: string, near: number, delta: number, seed: string): string =>
  OpencodeId.make(prefix, OpencodeId.encodeTime(prefix, OpencodeId.timeOf(id, near) + delta, OpencodeId.counterOf(id)), tail(`${seed}\u0000${id}`))

/** `value` with every number under a `time` key moved by `delta`, ids and the source folder replaced. */
const rewrite = (value: unknown, delta: number, ids: ReadonlyMap<string, string>, from: string, to: string, underTime = false): unknown => {
  if (typeof value === "number") return underTime ? value + delta : value
  if (typeof value === "string") return ids.get(value) ?? (value.includes(from) ? value.split(from).join(to) : value)
  if (Array.isArray(value)) return value.map((v) => rewrite(v, delta, ids, from, to, false))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, delta, ids, from, to, underTime || k === "time")]))
  }
  return value
}

const insert = (db: ReturnType<typeof openDatabase>, table: string, columns: ReadonlyArray<string>) => {
  const statement = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
  return (row: Row) => statement.run(...columns.map((c) => row[c]))
}

/** One generated session. */
export interface GeneratedSession {
  readonly index: number
  readonly id: string
  readonly directory: string
}

/** One generated source data folder. */
export interface Generated {
  readonly dataDir: string
  readonly database: string
  readonly sessions: ReadonlyArray<GeneratedSession>
  readonly messages: number
  readonly parts: number
}

/**
 * A source data folder at `dataDir` (created): the fixture database whose sessions are `count`
 * clones of the `tools` session, session i in `SRC_PROJECTS/p<i % PROJECTS>`, the newest last.
 */
export const sourceData = (dataDir: string, count: number): Generated => {
  fs.mkdirSync(dataDir, { recursive: true })
  const database = path.join(dataDir, "opencode.db")
  fs.copyFileSync(fixtureDb, database)
  const fixture = Fixtures.byRole(ROLE)
  const db = openDatabase(database)
  try {
    const session = db.prepare("SELECT * FROM session WHERE id = ?").get(fixture.sessionId) as Row
    const messages = db.prepare("SELECT * FROM message WHERE session_id = ? ORDER BY id").all(fixture.sessionId) as Array<Row>
    const parts = db.prepare("SELECT * FROM part WHERE session_id = ? ORDER BY id").all(fixture.sessionId) as Array<Row>
    const columns = (table: string) => (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name)
    const insertSession = insert(db, "session", columns("session"))
    const insertMessage = insert(db, "message", columns("message"))
    const insertPart = insert(db, "part", columns("part"))
    const prompts = new Set(fixture.prompts.map((p) => JSON.stringify(p)))
    const sessions: Array<GeneratedSession> = []
    db.exec("BEGIN IMMEDIATE")
    try {
      // the fixture's own sessions go (parts have no foreign key: they go first)
      db.exec("DELETE FROM part; DELETE FROM message; DELETE FROM todo; DELETE FROM session")
      for (let i = 0; i < count; i++) {
        const seed = `bench-${i}`
        const delta = -(count - i) * SPACING_MS
        const directory = `${SRC_PROJECTS}/p${i % PROJECTS}`
        const created = Number(session.time_created)
        const id = OpencodeId.make("ses", OpencodeId.encodeTime("ses", created + delta), tail(`${seed}\u0000${fixture.sessionId}`))
        const ids = new Map<string, string>([[fixture.sessionId, id]])
        for (const m of messages) ids.set(String(m.id), shiftedId("msg", String(m.id), Number(m.time_created), delta, seed))
        for (const p of parts) ids.set(String(p.id), shiftedId("prt", String(p.id), Number(p.time_created), delta, seed))
        const data = (row: Row) => {
          const json = rewrite(JSON.parse(String(row.data)), delta, ids, fixture.directory, directory) as Row
          // a prompt of its own: the fixture's prompts, numbered
          if (json.type === "text" && typeof json.text === "string" && prompts.has(json.text)) json.text = `${json.text} (session ${i})`
          return JSON.stringify(json)
        }
        insertSession({
          ...session,
          id,
          project_id: "global",
          directory,
          path: directory.slice(1),
          title: `${String(session.title)} (session ${i})`,
          time_created: created + delta,
          time_updated: Number(session.time_updated) + delta
        })
        for (const m of messages) {
          insertMessage({ ...m, id: ids.get(String(m.id)), session_id: id, time_created: Number(m.time_created) + delta, time_updated: Number(m.time_updated) + delta, data: data(m) })
        }
        for (const p of parts) {
          insertPart({
            ...p,
            id: ids.get(String(p.id)),
            message_id: ids.get(String(p.message_id)),
            session_id: id,
            time_created: Number(p.time_created) + delta,
            time_updated: Number(p.time_updated) + delta,
            data: data(p)
          })
        }
        sessions.push({ index: i, id, directory })
      }
      db.exec("COMMIT")
    } catch (error) {
      db.exec("ROLLBACK")
      throw error
    }
    return { dataDir, database, sessions, messages: count * messages.length, parts: count * parts.length }
  } finally {
    db.close()
  }
}

/** A copy of the source data folder `from` at `to` without the sessions `drop` (and their rows). */
export const copyWithout = (from: Generated, to: string, drop: ReadonlyArray<string>): string => {
  fs.mkdirSync(to, { recursive: true })
  const database = path.join(to, "opencode.db")
  fs.copyFileSync(from.database, database)
  const db = openDatabase(database)
  try {
    db.exec("CREATE TEMP TABLE dropped (id TEXT PRIMARY KEY)")
    const add = db.prepare("INSERT INTO dropped (id) VALUES (?)")
    db.exec("BEGIN IMMEDIATE")
    for (const id of drop) add.run(id)
    db.exec(
      "DELETE FROM part WHERE session_id IN (SELECT id FROM dropped); DELETE FROM message WHERE session_id IN (SELECT id FROM dropped); " +
        "DELETE FROM todo WHERE session_id IN (SELECT id FROM dropped); DELETE FROM session WHERE id IN (SELECT id FROM dropped); COMMIT"
    )
  } finally {
    db.close()
  }
  return to
}

/** An OpenCode data folder at `dataDir` (created) with no session: the fixture database emptied. */
export const targetData = (dataDir: string): string => {
  fs.mkdirSync(dataDir, { recursive: true })
  const database = path.join(dataDir, "opencode.db")
  fs.copyFileSync(fixtureDb, database)
  const db = openDatabase(database)
  try {
    db.exec(`BEGIN IMMEDIATE; ${EMPTIED.map((t) => `DELETE FROM "${t}";`).join(" ")} COMMIT; VACUUM`)
  } finally {
    db.close()
  }
  return dataDir
}

/**
 * A target machine of a benchmark: HOME `home` with an empty data folder (see {@link targetData})
 * `<home>/.local/share/opencode` and the project folders `<home>/projects/p…`, onto which `--map`
 * puts {@link SRC_PROJECTS}.
 */
export const targetMachine = (home: string): Store =>
  targetHome(home, (h) => {
    const folder = targetData(path.join(h, ".local", "share", "opencode"))
    return { options: ["--opencode-data", folder], folder }
  }, PROJECTS, SRC_PROJECTS)

/**
 * One more record for each of `sessions` in the database at `database`, in one transaction: a
 * user message and its text part `text(id)`, `afterMs` after the session's latest row (ids of
 * OpenCode's scheme sorting after every row of the session); the session's `time_updated` moves on.
 */
export const appendTurn = (database: string, sessions: ReadonlyArray<string>, text: (id: string) => string, afterMs: number): void => {
  const db = openDatabase(database)
  try {
    const latest = db.prepare(
      "SELECT max(t) AS t FROM (SELECT max(time_created) AS t FROM message WHERE session_id = @id UNION ALL SELECT max(time_created) FROM part WHERE session_id = @id)"
    )
    const lastIds = db.prepare("SELECT (SELECT max(id) FROM message WHERE session_id = @id) AS m, (SELECT max(id) FROM part WHERE session_id = @id) AS p")
    const addMessage = db.prepare("INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)")
    const addPart = db.prepare("INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)")
    const touch = db.prepare("UPDATE session SET time_updated = ? WHERE id = ?")
    db.exec("BEGIN IMMEDIATE")
    try {
      for (const id of sessions) {
        const at = Number((latest.get({ id }) as { t: number }).t) + afterMs
        const messageId = OpencodeId.make("msg", OpencodeId.encodeTime("msg", at), tail(`turn\u0000${id}\u0000${at}`))
        const partId = OpencodeId.make("prt", OpencodeId.encodeTime("prt", at + 1), tail(`turn-part\u0000${id}\u0000${at}`))
        const last = lastIds.get({ id }) as { m: string; p: string }
        if (messageId <= last.m || partId <= last.p) throw new Error(`appended ids would not sort last in ${id}`)
        addMessage.run(
          messageId,
          id,
          at,
          at,
          JSON.stringify({ role: "user", time: { created: at }, agent: "build", model: { providerID: "mock", modelID: "mock-model" }, summary: { diffs: [] } })
        )
        addPart.run(partId, messageId, id, at + 1, at + 2, JSON.stringify({ type: "text", text: text(id) }))
        touch.run(at + 2, id)
      }
      db.exec("COMMIT")
    } catch (error) {
      db.exec("ROLLBACK")
      throw error
    }
  } finally {
    db.close()
  }
}
