/**
 * A small Codex-like home for the journal tests, the transaction the crash suite runs on it, and
 * a snapshot that says whether two homes are the same: every file byte for byte (sha256, size,
 * mode, mtime) and every folder, outside `sessionport/`, SQLite files compared logically (the
 * rows of every table, typed, by key) since a database file's bytes change with any write.
 */
import { openDatabase, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { rowidName } from "@sessionport/codex-oracle/HomeState"
import { Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Journal, SqlChange } from "../src/index.js"

export const OLD_ROLLOUT = "sessions/2026/11/20/rollout-2026-11-20T10-00-00-0199a000-0000-7000-8000-000000000001.jsonl"
export const NEW_A = "sessions/2026/12/01/rollout-2026-12-01T09-00-00-0199b000-0000-7000-8000-00000000000a.jsonl"
export const NEW_B = "sessions/2026/12/01/rollout-2026-12-01T09-30-00-0199b000-0000-7000-8000-00000000000b.jsonl"
export const SKILL = "skills/imported/deep/SKILL.md"
export const INDEX = "session_index.jsonl"
export const DB = "state_5.sqlite"
export const LEGACY = "0199a000-0000-7000-8000-000000000003"

// the shape of Codex's own: a `threads` table whose triggers fill columns of the row written
// (as migrations 0025 and 0039 do), and a child table with a cascading foreign key
const SCHEMA = `
CREATE TABLE threads (
  id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  title TEXT NOT NULL, tokens_used INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0,
  git_sha TEXT, score REAL, created_at_ms INTEGER, updated_at_ms INTEGER,
  recency_at INTEGER NOT NULL DEFAULT 0, recency_at_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_threads_updated_at ON threads(updated_at DESC, id DESC);
CREATE TRIGGER threads_created_at_ms_after_insert AFTER INSERT ON threads WHEN NEW.created_at_ms IS NULL
BEGIN UPDATE threads SET created_at_ms = NEW.created_at * 1000 WHERE id = NEW.id; END;
CREATE TRIGGER threads_updated_at_ms_after_insert AFTER INSERT ON threads WHEN NEW.updated_at_ms IS NULL
BEGIN UPDATE threads SET updated_at_ms = NEW.updated_at * 1000 WHERE id = NEW.id; END;
CREATE TRIGGER threads_updated_at_ms_after_update AFTER UPDATE OF updated_at ON threads
WHEN NEW.updated_at != OLD.updated_at AND NEW.updated_at_ms IS OLD.updated_at_ms
BEGIN UPDATE threads SET updated_at_ms = NEW.updated_at * 1000 WHERE id = NEW.id; END;
CREATE TRIGGER threads_recency_at_after_insert AFTER INSERT ON threads WHEN NEW.recency_at_ms = 0
BEGIN UPDATE threads SET recency_at = NEW.updated_at, recency_at_ms = COALESCE(NEW.updated_at_ms, NEW.updated_at * 1000) WHERE id = NEW.id; END;
CREATE TABLE thread_dynamic_tools (
  thread_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, input_schema BLOB,
  PRIMARY KEY (thread_id, position),
  FOREIGN KEY(thread_id) REFERENCES threads(id) ON DELETE CASCADE
);
PRAGMA journal_mode = WAL;
`

// whole seconds: a restored mtime then compares exactly
const T0 = new Date("2026-11-20T10:00:00Z")

const write = (home: string, rel: string, content: string) => {
  const file = path.join(home, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content)
  fs.utimesSync(file, T0, T0)
}

/** The pre-transaction home, in a new temp folder. */
export const makeHome = (): string => {
  const home = tempDir("journal")
  write(home, "config.toml", "model = \"gpt-5\"\n")
  write(home, INDEX, [
    JSON.stringify({ id: "0199a000-0000-7000-8000-000000000001", thread_name: "old one", updated_at: "2026-11-20T10:00:00Z" }),
    JSON.stringify({ id: "0199a000-0000-7000-8000-000000000002", thread_name: "old two", updated_at: "2026-11-20T11:00:00Z" })
  ].join("\n") + "\n")
  write(home, OLD_ROLLOUT, "{\"type\":\"session_meta\",\"payload\":{\"id\":\"0199a000-0000-7000-8000-000000000001\"}}\n")
  write(home, "sessions/2026/11/20/rollout-2026-11-20T11-00-00-0199a000-0000-7000-8000-000000000002.jsonl", "{}\n")
  fs.mkdirSync(path.join(home, "sessions/2026/11/empty"), { recursive: true })
  const db = openDatabase(path.join(home, DB), { fileMustExist: false })
  db.exec(SCHEMA)
  const insert = db.prepare(
    `INSERT INTO threads (id, rollout_path, created_at, updated_at, title, tokens_used, git_sha, score,
       created_at_ms, updated_at_ms, recency_at, recency_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  insert.run("0199a000-0000-7000-8000-000000000001", path.join(home, OLD_ROLLOUT), 1763632800, 1763632800, "old one", 10, null, 0.5, 1763632800123, 1763632800456, 1763632800, 1763632800456)
  insert.run("0199a000-0000-7000-8000-000000000002", "/elsewhere/r.jsonl", 1763636400, 1763636400, "old two", 20, "abc", null, 1763636400000, 1763636400000, 1763636400, 1763636400000)
  // a row from before the ms columns: its NULLs must survive a delete and a restore
  insert.run(LEGACY, "/legacy.jsonl", 1763000000, 1763000000, "legacy", 0, null, null, null, null, 1763000000, 0)
  // the insert triggers just filled them in; updating these columns fires none
  db.prepare("UPDATE threads SET created_at_ms = NULL, updated_at_ms = NULL, recency_at_ms = 0 WHERE id = ?").run(LEGACY)
  db.prepare("INSERT INTO thread_dynamic_tools VALUES (?, ?, ?, ?)").run("0199a000-0000-7000-8000-000000000002", 0, "lookup", Buffer.from("{}"))
  db.close()
  return home
}

/**
 * The transaction of the crash suite: 3 creates (new nested folders), an append, 2 SQL steps
 * (inserts firing triggers; an update firing one, a delete of a legacy row, a child insert), a
 * replace.
 */
export const install = (home: string) => (tx: Journal.Transaction) =>
  Effect.gen(function*() {
    const at = (rel: string) => path.join(home, rel)
    yield* tx.createFile(at(NEW_A), "{\"type\":\"session_meta\",\"payload\":{\"id\":\"a\"}}\n{\"type\":\"response_item\"}\n", {
      mtime: new Date("2026-12-01T09:10:00Z")
    })
    yield* tx.createFile(
      at(NEW_B),
      Stream.fromIterable(["{\"type\":\"session_meta\"}\n", "{\"line\":2}\n", "x".repeat(100_000) + "\n"]).pipe(
        Stream.map((text) => new TextEncoder().encode(text))
      )
    )
    yield* tx.createFile(at(SKILL), new TextEncoder().encode("# Skill\n"))
    yield* tx.appendText(
      at(INDEX),
      [
        JSON.stringify({ id: "0199b000-0000-7000-8000-00000000000a", thread_name: "new a", updated_at: "2026-12-01T09:10:00Z" }),
        JSON.stringify({ id: "0199b000-0000-7000-8000-00000000000b", thread_name: "new b", updated_at: "2026-12-01T09:40:00Z" })
      ].join("\n") + "\n"
    )
    yield* tx.insertRows(
      at(DB),
      "threads",
      [
        { id: "0199b000-0000-7000-8000-00000000000a", rollout_path: at(NEW_A), created_at: 1764579600, updated_at: 1764580200, title: "new a", score: 1.25 },
        { id: "0199b000-0000-7000-8000-00000000000b", rollout_path: at(NEW_B), created_at: 1764581400, updated_at: 1764582000, title: "new b", tokens_used: 2n ** 60n }
      ],
      ["id"]
    )
    yield* tx.sql(at(DB), [
      SqlChange.updateRows("threads", { id: "0199a000-0000-7000-8000-000000000001" }, { title: "old one, renamed", updated_at: 1764590000, score: null }),
      SqlChange.deleteRows("threads", [{ id: LEGACY }]),
      SqlChange.insertRows("thread_dynamic_tools", [
        { thread_id: "0199b000-0000-7000-8000-00000000000a", position: 0, name: "search", input_schema: new Uint8Array([1, 2, 3]) }
      ], ["thread_id", "position"])
    ])
    yield* tx.replaceFile(at(OLD_ROLLOUT), "{\"type\":\"session_meta\",\"payload\":{\"id\":\"0199a000-0000-7000-8000-000000000001\"}}\n{\"continued\":true}\n")
  })

/** Steps the `install` transaction takes (see the table in Journal.ts). */
export const INSTALL_STEPS = 2 + 3 * 5 + 4 + 2 * 3 + 5 + 2

/** The files of the `batch` transaction: new nested folders, an existing one, every kind of content (chunks too). */
export const BATCH: ReadonlyArray<{ readonly rel: string; readonly content: () => Journal.Content; readonly mtime?: Date; readonly mode?: number }> =
  Array.from({ length: 20 }, (_, i) => {
    const rel = i < 8
      ? `sessions/2026/12/02/rollout-2026-12-02T10-00-${String(i).padStart(2, "0")}-0199c000-0000-7000-8000-0000000000${String(i).padStart(2, "0")}.jsonl`
      : i < 14
      ? `sessions/2026/12/03/rollout-2026-12-03T10-00-${String(i).padStart(2, "0")}-0199c000-0000-7000-8000-0000000000${String(i).padStart(2, "0")}.jsonl`
      : i < 18
      ? `sessions/2026/11/20/rollout-2026-11-20T12-00-${String(i).padStart(2, "0")}-0199c000-0000-7000-8000-0000000000${String(i).padStart(2, "0")}.jsonl`
      : `skills/imported/batch-${i}/SKILL.md`
    const line = (n: number) => JSON.stringify({ type: "response_item", file: i, n }) + "\n"
    const content = (): Journal.Content =>
      i % 4 === 0
        ? Array.from({ length: 3 }, (_, n) => line(n)).join("")
        : i % 4 === 1
        ? new TextEncoder().encode(line(0))
        : i === 6
        ? Stream.empty
        : i === 7
        ? Journal.chunks([])
        : i % 4 === 3
        // produced synchronously, one line a chunk
        ? Journal.chunks(Array.from({ length: 4 }, (_, n) => new TextEncoder().encode(line(n))))
        : Stream.fromIterable(Array.from({ length: i === 10 ? 40 : 4 }, (_, n) => line(n).repeat(i === 10 ? 200 : 1))).pipe(
          Stream.map((text) => new TextEncoder().encode(text)),
          // one line a chunk: a crash in the middle of a file leaves part of it
          Stream.rechunk(1)
        )
    return {
      rel,
      content,
      ...(i % 3 === 2 ? {} : { mtime: new Date(Date.UTC(2026, 11, 2, 10, 0, i)) }),
      ...(i === 9 ? { mode: 0o600 } : {})
    }
  })

/** The transaction of the crash suite's `batch`: 20 files in one `createFiles`, then an append. */
export const batch = (home: string) => (tx: Journal.Transaction) =>
  Effect.gen(function*() {
    const written = yield* tx.createFiles(
      BATCH.map((file) => ({ path: path.join(home, file.rel), content: file.content(), mtime: file.mtime, mode: file.mode }))
    )
    yield* tx.appendText(path.join(home, INDEX), JSON.stringify({ id: "0199c000-0000-7000-8000-000000000000", thread_name: "batch" }) + "\n")
    return written.length
  })

/** Steps the `batch` transaction takes: begin, the batch (intent, mkdir, 20 temps, staged, 20 renames, sync, done), the append, commit. */
export const BATCH_STEPS = 2 + (5 + 2 * BATCH.length) + 4 + 2

const OLD_TWO = "sessions/2026/11/20/rollout-2026-11-20T11-00-00-0199a000-0000-7000-8000-000000000002.jsonl"

/**
 * The transaction of the crash suite's `remove` (what a cleanup does): both rollouts of one day
 * removed (their folders left empty go too), their rows deleted (a child row cascades), the
 * index rewritten without their lines.
 */
export const remove = (home: string) => (tx: Journal.Transaction) =>
  Effect.gen(function*() {
    const at = (rel: string) => path.join(home, rel)
    const removed = yield* tx.removeFiles([at(OLD_ROLLOUT), at(OLD_TWO)])
    yield* tx.deleteRows(at(DB), "threads", [{ id: "0199a000-0000-7000-8000-000000000001" }, { id: "0199a000-0000-7000-8000-000000000002" }])
    yield* tx.replaceFile(at(INDEX), "")
    return removed.length
  })

/** Steps the `remove` transaction takes: begin, the removal (intent, 2 moves, sync, rmdir, done), the delete, the replace, commit. */
export const REMOVE_STEPS = 2 + (2 + 4) + 3 + 5 + 2

const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

const isDatabase = (name: string) => /\.sqlite(-wal|-shm|-journal)?$/.test(name)

/**
 * Every table's rows, typed (`quote()`), with their rowids (a rollback must give them back),
 * ordered by primary key (else rowid), and the schema.
 */
export const dumpDatabase = (file: string): Record<string, unknown> => {
  const db = openDatabase(file)
  try {
    const out: Record<string, unknown> = {
      schema: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all()
    }
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()
    for (const { name } of tables as Array<{ name: string }>) {
      const info = db.prepare(`SELECT name, pk FROM pragma_table_info('${name}') ORDER BY cid`).all() as Array<{ name: string; pk: number }>
      const pk = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => `"${column.name}"`)
      const order = pk.length > 0 ? pk.join(", ") : "rowid"
      const rowid = rowidName(db, name)
      const columns = [
        ...(rowid === undefined ? [] : [`${rowid} AS "(rowid)"`]),
        ...info.map((column) => `quote("${column.name}") AS "${column.name}"`)
      ].join(", ")
      out[name] = db.prepare(`SELECT ${columns} FROM "${name}" ORDER BY ${order}`).all()
    }
    return out
  } finally {
    db.close()
  }
}

/** The state of a home, outside `sessionport/`. */
export const snapshot = (home: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      const rel = path.relative(home, full)
      if (rel === "sessionport") continue
      if (entry.isDirectory()) {
        out[`${rel}/`] = "dir"
        walk(full)
      } else if (isDatabase(entry.name)) {
        if (entry.name.endsWith(".sqlite")) out[rel] = dumpDatabase(full)
      } else {
        const stat = fs.statSync(full)
        out[rel] = { sha256: sha(full), size: stat.size, mode: stat.mode, mtimeMs: stat.mtimeMs }
      }
    }
  }
  walk(home)
  return out
}
