/**
 * Removal of sessions from a copy of the real-Codex fixture home (fixtures/codex, Codex 0.169),
 * checked against an independent reading of the home: its files walked and hashed with node:fs
 * (`homeState`), its databases dumped row by row with plain better-sqlite3, its index files split
 * into lines by hand. A session's rows are those of `threads` with its `id` and those of any
 * table whose `thread_id` (or spawn edge end) names it, except the diagnostics of `logs_2.sqlite`.
 */
import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import type { AgentStore } from "@sessionport/agent"
import { CodexHome, Remover, SessionCatalog, StateDb } from "@sessionport/codex-home"
import {
  copyFixtureHome,
  fixtureByRole,
  type FixtureSession,
  openDatabase,
  removeTemps
} from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Journal } from "@sessionport/journal"
import { Inflater } from "@sessionport/schema/LineDecoder"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

afterAll(removeTemps)

const removalLayer = (root: string) =>
  SessionCatalog.layer.pipe(
    Layer.provideMerge(StateDb.layer()),
    Layer.provideMerge(CodexHome.layer({ root })),
    Layer.provideMerge(NodeContext.layer)
  )

const planRemoval = (root: string, ids: ReadonlyArray<string>) =>
  Effect.flatMap(Remover.make, (removal) => removal.plan(ids)).pipe(Effect.provide(removalLayer(root)))

/** writes the plan in a transaction of the home's journal and commits; answers the transaction */
const commit = (root: string, plan: AgentStore.RemovalPlan) =>
  Journal.make({ codexHome: root }).transaction({ kind: "cleanup" }, (tx) => Effect.as(plan.write(tx), tx.id))

// ---------------------------------------------------------------------------------------------
// independent readers

/** lines with their terminators; a last line without one kept as it is */
const splitLines = (text: string): Array<string> => text.match(/[^\n]*\n|[^\n]+$/g) ?? []

const fieldOf = (line: string, field: string): unknown => {
  try {
    return JSON.parse(line)?.[field]
  } catch {
    return undefined
  }
}

const readText = (file: string): string => fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""

/** the rollout files of a thread: every file under sessions/ and archived_sessions/ named for it */
const rolloutFiles = (root: string, id: string): Array<string> =>
  ["sessions", "archived_sessions"].flatMap((dir) =>
    fs.existsSync(path.join(root, dir))
      ? (fs.readdirSync(path.join(root, dir), { recursive: true }) as Array<string>)
        .filter((rel) => path.basename(rel).startsWith("rollout-") && rel.includes(id))
        .map((rel) => path.join(root, dir, rel))
      : []
  ).sort()

type Dump = Record<string, Record<string, Array<Record<string, unknown>>>>

/** every row of every table of every database of the home */
const dumpDatabases = (root: string): Dump => {
  const out: Dump = {}
  for (const name of fs.readdirSync(root).filter((n) => n.endsWith(".sqlite")).sort()) {
    const db = openDatabase(path.join(root, name), { readonly: true })
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
      out[name] = Object.fromEntries(tables.map(({ name: table }) => [table, db.prepare(`SELECT * FROM "${table}"`).all()]))
    } finally {
      db.close()
    }
  }
  return out
}

/** the thread a row belongs to, if it is one of `ids` */
const ownerOf = (db: string, table: string, row: Record<string, unknown>, ids: ReadonlyArray<string>): string | undefined => {
  if (db === "logs_2.sqlite") return undefined
  const names = table === "threads" ? [row.id] : [row.thread_id, row.parent_thread_id, row.child_thread_id]
  return names.find((value): value is string => typeof value === "string" && ids.includes(value))
}

const withoutRowsOf = (dump: Dump, ids: ReadonlyArray<string>): Dump =>
  Object.fromEntries(Object.entries(dump).map(([db, tables]) => [
    db,
    Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, rows.filter((row) => ownerOf(db, table, row, ids) === undefined)]))
  ]))

const rowCountsOf = (dump: Dump, id: string): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const [db, tables] of Object.entries(dump)) {
    for (const [table, rows] of Object.entries(tables)) {
      for (const row of rows) if (ownerOf(db, table, row, [id]) === id) counts[table] = (counts[table] ?? 0) + 1
    }
  }
  return counts
}

const sortedRows = (dump: Dump) =>
  Object.fromEntries(Object.entries(dump).map(([db, tables]) => [
    db,
    Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, rows.map((row) => JSON.stringify(row)).sort()]))
  ]))

/** what the plan says of a session, as the fixture reads */
const expectedSession = (root: string, session: FixtureSession, title: string, before: Dump) => {
  const files = rolloutFiles(root, session.threadId)
  const lines: Record<string, number> = {}
  for (const [file, field] of [["session_index.jsonl", "id"], ["history.jsonl", "session_id"]] as const) {
    const n = splitLines(readText(path.join(root, file))).filter((line) => fieldOf(line, field) === session.threadId).length
    if (n > 0) lines[path.join(root, file)] = n
  }
  return {
    agent: "codex",
    id: session.threadId,
    title,
    cwd: session.cwd,
    path: path.join(root, session.rollout.replace(/\.zst$/, "")),
    files,
    rows: rowCountsOf(before, session.threadId),
    lines,
    bytes: files.reduce((n, file) => n + fs.statSync(file).size, 0)
  }
}

const asExpected = (s: AgentStore.RemovedSession) => ({ ...s, files: [...s.files].sort() })

/** the home after the removal, as the reading says: the files gone, folders left empty may go */
const assertOnlyRemoved = (root: string, before: Record<string, string>, after: Record<string, string>, removed: ReadonlyArray<string>, changed: ReadonlyArray<string>) => {
  const gone = new Set(removed.map((file) => path.relative(root, file).split(path.sep).join("/")))
  for (const file of gone) assert.isUndefined(after[file], `${file} is removed`)
  for (const [key, value] of Object.entries(before)) {
    if (gone.has(key) || changed.includes(key)) continue
    if (key.endsWith("/") && after[key] === undefined) {
      // a folder the removal left empty
      assert.isTrue(Object.keys(before).every((other) => other === key || !other.startsWith(key) || gone.has(other)), `${key} is removed though not empty`)
      continue
    }
    assert.strictEqual(after[key], value, `${key} is unchanged`)
  }
  assert.deepStrictEqual(Object.keys(after).filter((key) => before[key] === undefined), [], "nothing new")
}

// ---------------------------------------------------------------------------------------------

const named = fixtureByRole("named")
const zst = fixtureByRole("zst")
const betaCwd = fixtureByRole("beta_cwd")
const parent = fixtureByRole("forked_parent")
const fork = fixtureByRole("forked")
const archived = fixtureByRole("archived")

/**
 * The fixture home made fuller, as a user's would be: prompts in history.jsonl (the TUI writes
 * them; `codex exec` made the fixture), a second name and an unparsable line in
 * session_index.jsonl, the zst session's rollout decompressed beside its `.zst` (as Codex does
 * before it appends), a spawn edge, a memory and a log line of the named session.
 */
const fullerHome = (): string => {
  const root = copyFixtureHome()
  const history = [named, named, betaCwd, zst, parent].flatMap((s, i) => ({ session_id: s.threadId, ts: 1_795_000_000 + i, text: s.prompts[0] }))
  fs.writeFileSync(
    path.join(root, "history.jsonl"),
    history.map((line) => JSON.stringify(line)).join("\n") + "\n" + JSON.stringify({ session_id: betaCwd.threadId, ts: 1_795_000_100, text: "a torn last line" })
  )
  fs.appendFileSync(
    path.join(root, "session_index.jsonl"),
    `not json ${named.threadId}\n` +
      JSON.stringify({ id: betaCwd.threadId, thread_name: "Beta files", updated_at: "2026-11-21T10:00:00Z" }) + "\n" +
      JSON.stringify({ id: named.threadId, thread_name: "Release checklist", updated_at: "2026-11-21T11:00:00Z" }) + "\n"
  )
  const compressed = path.join(root, zst.rollout)
  fs.writeFileSync(compressed.replace(/\.zst$/, ""), Buffer.concat(new Inflater().push(fs.readFileSync(compressed), true)))
  const state = openDatabase(path.join(root, "state_5.sqlite"))
  state.prepare("INSERT INTO thread_spawn_edges (parent_thread_id, child_thread_id, status) VALUES (?, ?, 'closed')").run(named.threadId, betaCwd.threadId)
  state.prepare("INSERT INTO thread_spawn_edges (parent_thread_id, child_thread_id, status) VALUES (?, ?, 'closed')").run(parent.threadId, fork.threadId)
  state.close()
  const memories = openDatabase(path.join(root, "memories_1.sqlite"))
  memories.prepare("INSERT INTO stage1_outputs (thread_id, source_updated_at, raw_memory, rollout_summary, generated_at) VALUES (?, 1, 'm', 's', 1)").run(named.threadId)
  memories.close()
  const logs = openDatabase(path.join(root, "logs_2.sqlite"))
  logs.prepare("INSERT INTO logs (ts, ts_nanos, level, target, thread_id) VALUES (1, 0, 'INFO', 'codex', ?)").run(named.threadId)
  logs.close()
  return root
}

describe("Remover", () => {
  it.effect("removes two sessions exactly: files, rows, names and prompts; a rollback brings them back", () =>
    Effect.gen(function*() {
      const root = fullerHome()
      const ids = [named.threadId, zst.threadId]
      const before = homeState(root)
      const rows = dumpDatabases(root)
      const indexBefore = readText(path.join(root, "session_index.jsonl"))
      const historyBefore = readText(path.join(root, "history.jsonl"))
      const expected = [
        expectedSession(root, named, "Release checklist", rows),
        expectedSession(root, zst, zst.prompts[0]!, rows)
      ]
      // the reading finds what the test is about
      assert.deepStrictEqual(expected[0]!.rows, {
        threads: 1,
        thread_read_receipts: 1,
        thread_spawn_edges: 1,
        stage1_outputs: 1,
        thread_history_projection_state: 1,
        thread_items: 2,
        thread_turns: 1
      })
      assert.deepStrictEqual(Object.values(expected[0]!.lines), [2, 2])
      assert.lengthOf(expected[1]!.files, 2, "the zst session's plain rollout and its .zst copy")

      const plan = yield* planRemoval(root, ids)
      assert.deepStrictEqual(homeState(root), before, "planning changes nothing")
      assert.strictEqual(plan.agent, "codex")
      assert.strictEqual(plan.home, root)
      assert.deepStrictEqual(plan.warnings, [])
      assert.deepStrictEqual(plan.sessions.map(asExpected), expected)

      const tx = yield* commit(root, plan)
      const after = homeState(root)
      assertOnlyRemoved(root, before, after, expected.flatMap((s) => s.files), [
        "session_index.jsonl",
        "history.jsonl",
        "state_5.sqlite",
        "thread_history_1.sqlite",
        "memories_1.sqlite"
      ])
      assert.deepStrictEqual(sortedRows(dumpDatabases(root)), sortedRows(withoutRowsOf(rows, ids)), "only the sessions' rows are gone")
      assert.strictEqual(
        readText(path.join(root, "session_index.jsonl")),
        splitLines(indexBefore).filter((line) => !ids.includes(fieldOf(line, "id") as string)).join("")
      )
      assert.strictEqual(
        readText(path.join(root, "history.jsonl")),
        splitLines(historyBefore).filter((line) => !ids.includes(fieldOf(line, "session_id") as string)).join("")
      )

      const report = yield* Journal.make({ codexHome: root }).rollback(tx)
      assert.strictEqual(report.status, "rolled_back")
      assert.deepStrictEqual(homeState(root), before, "the home is back as it was")
    }))

  it.effect("touches an index file only when a line of the sessions is in it", () =>
    Effect.gen(function*() {
      const root = fullerHome()
      const index = path.join(root, "session_index.jsonl")
      const mtime = fs.statSync(index).mtimeMs
      const plan = yield* planRemoval(root, [zst.threadId])
      assert.deepStrictEqual(plan.sessions[0]!.lines, { [path.join(root, "history.jsonl")]: 1 })
      yield* commit(root, plan)
      assert.strictEqual(fs.statSync(index).mtimeMs, mtime)
      const record = yield* Journal.make({ codexHome: root }).get("latest")
      assert.deepStrictEqual(record.operations.filter((op) => op.kind === "replace_file").map((op) => "path" in op ? op.path : ""), [
        path.join(root, "history.jsonl")
      ])
    }))

  it.effect("a home without a database: the files and lines go, and come back", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome({ withDatabase: false })
      // a home where Codex never wrote a database
      for (const name of fs.readdirSync(root)) if (/\.sqlite(-wal|-shm)?$/.test(name)) fs.rmSync(path.join(root, name))
      const ids = [named.threadId, archived.threadId]
      const before = homeState(root)
      const expected = [
        expectedSession(root, named, "Release checklist", {}),
        expectedSession(root, archived, archived.prompts[0]!, {})
      ]
      assert.deepStrictEqual(Object.values(expected[0]!.lines), [1])

      const plan = yield* planRemoval(root, ids)
      assert.deepStrictEqual(plan.sessions.map(asExpected), expected)
      const tx = yield* commit(root, plan)
      assertOnlyRemoved(root, before, homeState(root), expected.flatMap((s) => s.files), ["session_index.jsonl"])
      assert.strictEqual(readText(path.join(root, "session_index.jsonl")), "")

      yield* Journal.make({ codexHome: root }).rollback(tx)
      assert.deepStrictEqual(homeState(root), before)
    }))

  it.effect("warns when a paginated fork stays while the session it reads its first turns from goes", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const alone = yield* planRemoval(root, [parent.threadId])
      assert.lengthOf(alone.warnings, 1)
      assert.include(alone.warnings[0]!, fork.threadId)
      assert.include(alone.warnings[0]!, parent.threadId)
      assert.deepStrictEqual((yield* planRemoval(root, [parent.threadId, fork.threadId])).warnings, [])
      assert.deepStrictEqual((yield* planRemoval(root, [fork.threadId])).warnings, [])
    }))

  it.effect("refuses a session the home does not have", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const error = yield* Effect.flip(planRemoval(root, [named.threadId, "01a1fd65-0000-7000-8000-000000000000"]))
      assert.include(error.message, "01a1fd65-0000-7000-8000-000000000000")
    }))
})
