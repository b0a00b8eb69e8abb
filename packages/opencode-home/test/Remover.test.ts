/**
 * The removal of a local OpenCode session takes all of it away, and a rollback brings all of it
 * back. On a copy of the real fixture data folder, the `tools` session gets what a session of
 * OpenCode 1.18.33 can have besides what the fixture run wrote (as OpenCode writes it): a subagent
 * session (`parent_id`; beta's conversation re-keyed under it), rows in every other table keyed by
 * a session (todos, a share, an input, a session message, a context epoch), its revert diff
 * (`storage/session_diff`), the copies the JSON storage of OpenCode ≤ 1.1 keeps, a plan in
 * `plans/`, and the full output of a truncated tool call (`tool-output/`, named by its part). The
 * `beta_plain` session gets the same kinds of things, which must all stay, and so must the
 * project's rows (`project`, `project_directory`, a `permission`).
 *
 * Expected values are read from the database with plain SQL, by a table → column list written
 * here from OpenCode 1.18.33's schema (`fixtures/opencode/data/opencode.db`), and from the files
 * this test made. A data folder with only the JSON storage of OpenCode ≤ 1.1 (no database) loses
 * the session's files, written out here by hand.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { Journal } from "@sessionport/journal"
import { OpencodeStore } from "@sessionport/opencode-home"
import { Fixtures } from "@sessionport/opencode-oracle"
import { dataState, dbDump } from "@sessionport/opencode-oracle/DataState"
import { OpencodeId } from "@sessionport/schema"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

const tools = Fixtures.byRole("tools")
const beta = Fixtures.byRole("beta_plain")
/** a subagent session of `tools`: OpenCode's scheme, its own time and tail */
const CHILD = "ses_db0c9a1a0ffeSubAgentChld01"

/** Every table of OpenCode 1.18.33 whose rows are a session's, and the column naming it. */
const SESSION_TABLES: Readonly<Record<string, string>> = {
  session: "id",
  message: "session_id",
  part: "session_id",
  todo: "session_id",
  session_share: "session_id",
  session_input: "session_id",
  session_message: "session_id",
  session_context_epoch: "session_id",
  event: "aggregate_id",
  event_sequence: "aggregate_id"
}

type Row = Record<string, unknown>
type Db = ReturnType<typeof openDatabase>

const insert = (db: Db, table: string, row: Row) => {
  const columns = Object.keys(row)
  db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
    .run(...columns.map((c) => row[c]))
}

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

/** What the test adds, and the files it expects each session to lose. */
const augment = (dataDir: string) => {
  const db = openDatabase(path.join(dataDir, "opencode.db"))
  try {
    db.exec("PRAGMA journal_mode = WAL")
    const parent = db.prepare("SELECT * FROM session WHERE id = ?").get(tools.sessionId) as Row
    const created = Number(parent.time_created) + 2_000
    // beta's conversation, re-keyed: each of its ids keeps its prefix and time, with a new tail
    const ids = new Map<string, string>([[beta.sessionId, CHILD]])
    const rekey = (id: string) => {
      const next = `${id.slice(0, -4)}Sub1`
      ids.set(id, next)
      return next
    }
    const messages = db.prepare("SELECT * FROM message WHERE session_id = ?").all(beta.sessionId) as Array<Row>
    const parts = db.prepare("SELECT * FROM part WHERE session_id = ?").all(beta.sessionId) as Array<Row>
    const events = db.prepare("SELECT * FROM event WHERE aggregate_id = ?").all(beta.sessionId) as Array<Row>
    for (const row of [...messages, ...parts, ...events]) rekey(String(row.id))
    const mapped = (row: Row): Row =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => {
        if (typeof v !== "string") return [k, v]
        let text = v
        for (const [from, to] of ids) text = text.split(from).join(to)
        return [k, text]
      }))
    insert(db, "session", {
      ...parent,
      id: CHILD,
      parent_id: tools.sessionId,
      slug: "brave-comet",
      title: "Look around (@general subagent)",
      time_created: created,
      time_updated: created + 1_000
    })
    for (const row of messages) insert(db, "message", mapped(row))
    for (const row of parts) insert(db, "part", mapped(row))
    const sequence = db.prepare("SELECT * FROM event_sequence WHERE aggregate_id = ?").get(beta.sessionId) as Row
    insert(db, "event_sequence", mapped(sequence))
    for (const row of events) insert(db, "event", mapped(row))

    const t = Number(parent.time_updated)
    const todo = (session: string, position: number) =>
      insert(db, "todo", { session_id: session, content: `step ${position}`, status: "pending", priority: "medium", position, time_created: t, time_updated: t })
    todo(tools.sessionId, 0)
    todo(tools.sessionId, 1)
    todo(CHILD, 0)
    todo(beta.sessionId, 0)
    insert(db, "session_share", { session_id: tools.sessionId, id: "shr_tools", secret: "s3cr3t", url: "https://opncd.ai/share/tools", time_created: t, time_updated: t })
    insert(db, "session_share", { session_id: beta.sessionId, id: "shr_beta", secret: "s3cr3t", url: "https://opncd.ai/share/beta", time_created: t, time_updated: t })
    insert(db, "session_input", { id: "inp_tools", session_id: tools.sessionId, prompt: "{}", delivery: "queued", admitted_seq: 1, promoted_seq: null, time_created: t })
    insert(db, "session_message", { id: "smg_child", session_id: CHILD, type: "user", seq: 1, time_created: t, time_updated: t, data: "{}" })
    insert(db, "session_context_epoch", { session_id: tools.sessionId, baseline: "{}", snapshot: "{}", baseline_seq: 0 })
    insert(db, "session_context_epoch", { session_id: beta.sessionId, baseline: "{}", snapshot: "{}", baseline_seq: 0 })
    insert(db, "permission", { id: "per_alpha", project_id: tools.projectId, action: "allow", resource: "bash", time_created: t, time_updated: t })

    // the bash call's output, as OpenCode keeps it when it truncates one
    const output = path.join(dataDir, "tool-output", "tool_db0c9b6fbffeTruncatedOut1")
    write(output, "README.md\napp.py\n".repeat(4000))
    write(path.join(dataDir, "tool-output", "tool_db0c9b6fbffeSomeoneElse01"), "not a session's\n")
    db.prepare(
      "UPDATE part SET data = json_set(data, '$.state.metadata.truncated', json('true'), '$.state.metadata.outputPath', ?) WHERE session_id = ? AND json_extract(data, '$.tool') = 'bash'"
    ).run(output, tools.sessionId)

    const message = String((db.prepare("SELECT id FROM message WHERE session_id = ? ORDER BY id LIMIT 1").get(tools.sessionId) as Row).id)
    const part = String((db.prepare("SELECT id FROM part WHERE message_id = ? ORDER BY id LIMIT 1").get(message) as Row).id)
    const storage = path.join(dataDir, "storage")
    const at = (...names: Array<string>) => path.join(storage, ...names)
    const files = {
      tools: [
        at("session_diff", `${tools.sessionId}.json`),
        at("session", tools.projectId, `${tools.sessionId}.json`),
        at("message", tools.sessionId, `${message}.json`),
        at("part", message, `${part}.json`),
        at("todo", `${tools.sessionId}.json`),
        output
      ],
      child: [
        at("session_diff", `${CHILD}.json`),
        path.join(dataDir, "plans", `${created}-brave-comet.md`)
      ],
      beta: [
        at("session_diff", `${beta.sessionId}.json`),
        at("session", "global", `${beta.sessionId}.json`),
        path.join(dataDir, "plans", `${Number((db.prepare("SELECT time_created FROM session WHERE id = ?").get(beta.sessionId) as Row).time_created)}-playful-mountain.md`)
      ]
    }
    for (const file of [...files.tools, ...files.child, ...files.beta]) {
      if (!fs.existsSync(file)) write(file, file.endsWith(".md") ? "# Plan\n" : "[]\n")
    }
    return files
  } finally {
    db.close()
  }
}

/** A session's rows by table, read with plain SQL (tables without any left out). */
const rowsOf = (dataDir: string, id: string): Record<string, number> => {
  const db = openDatabase(path.join(dataDir, "opencode.db"), { readonly: true })
  try {
    const out: Record<string, number> = {}
    for (const [table, column] of Object.entries(SESSION_TABLES)) {
      const n = Number((db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE "${column}" = ?`).get(id) as Row).n)
      if (n > 0) out[table] = n
    }
    return out
  } finally {
    db.close()
  }
}

/** The logical dump of `before`, without the rows of `removed` sessions. */
const without = (before: Record<string, ReadonlyArray<string>>, removed: ReadonlySet<string>) =>
  Object.fromEntries(Object.entries(before).map(([table, rows]) => {
    const column = SESSION_TABLES[table]
    return [table, column === undefined ? rows : rows.filter((row) => !removed.has(String((JSON.parse(row) as Row)[column])))]
  }))

const sorted = (list: ReadonlyArray<string>) => [...list].sort()

const ALL = { ids: [], cwds: [], since: undefined, all: true, includeArchived: true }

const setup = Effect.gen(function*() {
  const copy = yield* Fixtures.copyData({ prefix: "opencode-remover-" })
  const files = augment(copy.dataDir)
  const store = yield* Effect.provide(OpencodeStore.OpencodeStore, OpencodeStore.layerData({ root: copy.dataDir }))
  return { dataDir: copy.dataDir, files, store, journal: Journal.make({ codexHome: copy.dataDir }) }
})

describe("Remover", () => {
  it.effect("removes a session with its subagent session, rows and files, and a rollback brings back every byte", () =>
    Effect.gen(function*() {
      const { dataDir, files, journal, store } = yield* setup
      const expected = { tools: rowsOf(dataDir, tools.sessionId), child: rowsOf(dataDir, CHILD) }
      // the setup gave the removed sessions rows in every session table, and the staying one too
      assert.deepStrictEqual(sorted(Object.keys({ ...expected.tools, ...expected.child })), sorted(Object.keys(SESSION_TABLES)))
      assert.isAbove(rowsOf(dataDir, beta.sessionId).part ?? 0, 0)

      const plan = yield* store.removal!.plan([tools.sessionId])
      assert.deepStrictEqual(plan.sessions.map((s) => s.id), [tools.sessionId, CHILD])
      const [parent, child] = plan.sessions
      assert.deepStrictEqual(parent!.rows, expected.tools)
      assert.deepStrictEqual(child!.rows, expected.child)
      assert.deepStrictEqual(sorted(parent!.files), sorted(files.tools))
      assert.deepStrictEqual(sorted(child!.files), sorted(files.child))
      assert.strictEqual(parent!.bytes, files.tools.reduce((n, file) => n + fs.statSync(file).size, 0))
      assert.strictEqual(parent!.cwd, tools.directory)
      assert.strictEqual(parent!.title, tools.title)
      assert.strictEqual(child!.title, "Look around (@general subagent)")
      assert.deepStrictEqual(parent!.lines, {})
      assert.deepStrictEqual(plan.warnings, [
        `OpenCode session ${tools.sessionId} is shared (https://opncd.ai/share/tools): removing it here does not take the shared copy down`
      ])

      const before = dataState(dataDir)
      const txId = yield* journal.transaction({ kind: "cleanup" }, (tx) => Effect.as(plan.write(tx), tx.id))

      const after = dataState(dataDir)
      const removed = new Set([tools.sessionId, CHILD])
      assert.deepStrictEqual(after.db, without(before.db, removed))
      for (const id of removed) assert.deepStrictEqual(rowsOf(dataDir, id), {})
      const gone = new Set([...files.tools, ...files.child].map((file) => path.relative(dataDir, file)))
      const filesOnly = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).filter(([name]) => !name.endsWith("/")))
      assert.deepStrictEqual(filesOnly(after.files), Object.fromEntries(Object.entries(filesOnly(before.files)).filter(([name]) => !gone.has(name))))
      // the project stays, and so does everything of the other session
      assert.deepStrictEqual(after.db.project, before.db.project)
      assert.deepStrictEqual(after.db.permission, before.db.permission)
      assert.isTrue(files.beta.every((file) => fs.existsSync(file)))
      const listed = yield* store.list(ALL)
      assert.deepStrictEqual(listed.sessions.map((s) => s.id), [beta.sessionId])

      const report = yield* journal.rollback(txId)
      assert.strictEqual(report.status, "rolled_back")
      assert.deepStrictEqual(dataState(dataDir), before)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.effect("a subagent session alone: its parent stays, and is named in a warning", () =>
    Effect.gen(function*() {
      const { dataDir, files, journal, store } = yield* setup
      const expected = rowsOf(dataDir, CHILD)
      const plan = yield* store.removal!.plan([CHILD])
      assert.deepStrictEqual(plan.sessions.map((s) => [s.id, s.rows, sorted(s.files)]), [[CHILD, expected, sorted(files.child)]])
      assert.deepStrictEqual(plan.warnings, [`OpenCode session ${CHILD} is a subagent session of ${tools.sessionId}, which stays and still names it`])
      const before = dbDump(path.join(dataDir, "opencode.db"))
      yield* journal.transaction({ kind: "cleanup" }, (tx) => plan.write(tx))
      assert.deepStrictEqual(dbDump(path.join(dataDir, "opencode.db")), without(before, new Set([CHILD])))
      assert.isTrue(files.tools.every((file) => fs.existsSync(file)))
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.effect("an id this data folder does not have is refused, and nothing is planned", () =>
    Effect.gen(function*() {
      const { store } = yield* setup
      const error = yield* Effect.flip(store.removal!.plan([tools.sessionId, "ses_db0c9a1a0ffeNoSuchSession0"]))
      assert.strictEqual(error.message, `no OpenCode session ses_db0c9a1a0ffeNoSuchSession0 in ${store.home}`)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
})

/** A legacy session file, as OpenCode ≤ 1.1 wrote one (the fields the removal reads). */
const legacySession = (id: string, slug: string, created: number, parentID?: string) =>
  JSON.stringify({ id, slug, version: "1.1.4", projectID: "global", directory: "/tmp/legacy", title: `Legacy ${slug}`, parentID, time: { created, updated: created + 1 } })

describe("Remover, JSON storage only", () => {
  it.effect("removes a session's files and its subagent session's, and a rollback puts them back", () =>
    Effect.gen(function*() {
      const fileSystem = yield* FileSystem.FileSystem
      const root = yield* fileSystem.makeTempDirectoryScoped({ prefix: "opencode-remover-legacy-" })
      const T = 1767225600000
      const id = (prefix: OpencodeId.Prefix, ms: number, name: string) =>
        OpencodeId.make(prefix, OpencodeId.encodeTime(prefix, ms), `${name}00000000000000`.slice(0, 14))
      const [parent, child, other] = [id("ses", T, "Parent"), id("ses", T + 10, "Child"), id("ses", T + 20, "Other")]
      const [m1, m2, m3] = [id("msg", T + 1, "M1"), id("msg", T + 11, "M2"), id("msg", T + 21, "M3")]
      const at = (...names: Array<string>) => path.join(root, "storage", ...names)
      const files = {
        parent: [
          at("session", "global", `${parent}.json`),
          at("message", parent, `${m1}.json`),
          at("part", m1, `${id("prt", T + 2, "P1")}.json`),
          at("part", m1, `${id("prt", T + 3, "P2")}.json`),
          at("todo", `${parent}.json`),
          path.join(root, "plans", `${T}-calm-river.md`)
        ],
        child: [
          at("session", "global", `${child}.json`),
          at("message", child, `${m2}.json`),
          at("part", m2, `${id("prt", T + 12, "P3")}.json`),
          at("session_diff", `${child}.json`)
        ],
        other: [
          at("session", "global", `${other}.json`),
          at("message", other, `${m3}.json`),
          at("part", m3, `${id("prt", T + 22, "P4")}.json`),
          at("session_diff", `${other}.json`)
        ]
      }
      for (const file of [...files.parent, ...files.child, ...files.other]) write(file, "{}\n")
      write(files.parent[0]!, legacySession(parent, "calm-river", T))
      write(files.child[0]!, legacySession(child, "bold-otter", T + 10, parent))
      write(files.other[0]!, legacySession(other, "quiet-lake", T + 20))

      const store = yield* Effect.provide(OpencodeStore.OpencodeStore, OpencodeStore.layerData({ root }))
      const plan = yield* store.removal!.plan([parent])
      assert.deepStrictEqual(
        plan.sessions.map((s) => [s.id, s.rows, sorted(s.files)]),
        [[parent, {}, sorted(files.parent)], [child, {}, sorted(files.child)]]
      )
      const before = fileState(root, { skip: ["sessionport"] })
      const journal = Journal.make({ codexHome: root })
      const txId = yield* journal.transaction({ kind: "cleanup" }, (tx) => Effect.as(plan.write(tx), tx.id))
      const gone = new Set([...files.parent, ...files.child].map((file) => path.relative(root, file)))
      const after = fileState(root, { skip: ["sessionport"] })
      assert.deepStrictEqual(
        Object.keys(after).filter((name) => !name.endsWith("/")).sort(),
        Object.keys(before).filter((name) => !name.endsWith("/") && !gone.has(name)).sort()
      )
      assert.deepStrictEqual((yield* store.list(ALL)).sessions.map((s) => s.id), [other])
      yield* journal.rollback(txId)
      assert.deepStrictEqual(fileState(root, { skip: ["sessionport"] }), before)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
})
