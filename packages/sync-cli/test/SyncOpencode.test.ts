/**
 * Repeat imports of an OpenCode session, judged by the real OpenCode 1.18.33. Machines A and B
 * (their own data folders, one scripted model between them) each have the projects alpha (the
 * fixtures' repository: the same OpenCode project id on both) and beta. OpenCode makes a session
 * in A's alpha; B syncs it (a new lineage). Both machines go on with it: A's next package reaches B
 * as a branch next to B's own continuation, and A's package after that as a fast-forward of that
 * branch; a repeat changes nothing and the rollback of the fast-forward gives B's database back.
 *
 * Expected values are the prompts each machine's user typed and the rows OpenCode wrote, read
 * from the databases with plain SQL (better-sqlite3, read-only, closed before any command runs:
 * sessionport refuses to write while another process holds `opencode.db` open). OpenCode runs
 * that check what B holds (export, resume) run on copies of B's data folder: any OpenCode start
 * writes B's project row, and a resume appends to the session.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { type Database, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { ChatServer, Harness } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(() => removeTemps())

const A0 = "machine A, day one: marker-A0, use-tool to look around"
const A1 = "machine A, day two: marker-A1"
const A2 = "machine A, day three: marker-A2"
const B1 = "machine B, day two: marker-B1"

/** What OpenCode 1.18.33 derives for alpha (its origin remote), on both machines. */
const ALPHA_PROJECT = "ad243cfc821ddf02ba8efc1e5d58a4550a9f65de"

/** OpenCode's id scheme: prefix, 12 hex of time, 14 base62. */
const idPattern = (prefix: string) => new RegExp(`^${prefix}_[0-9a-f]{12}[0-9A-Za-z]{14}$`)

/** Session columns a fast-forward may bring up to date (what moves on as a conversation goes on). */
const ADVANCED = [
  "time_updated",
  "cost",
  "tokens_input",
  "tokens_output",
  "tokens_reasoning",
  "tokens_cache_read",
  "tokens_cache_write",
  "summary_additions",
  "summary_deletions",
  "summary_files",
  "summary_diffs"
]

interface Decision {
  readonly agent: string
  readonly source_id: string
  readonly class: string
  readonly action: string
  readonly detail: string
  readonly local_id?: string
  readonly new_local_id?: string
  readonly records?: number
  readonly common?: number
  readonly appended?: number
}

interface SyncJson {
  readonly transaction_id?: string
  readonly sessions: ReadonlyArray<Decision>
  readonly counts: Readonly<Record<string, number>>
}

type Row = Record<string, unknown>

const ok = (result: CliResult, what: string) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return result
}

// ---------------------------------------------------------------------------------------------
// Reading a database (read-only, closed before anything else runs)

const dbFile = (m: Harness.Machine) => path.join(m.dataDir, "opencode.db")

const reading = <A>(m: Harness.Machine, f: (db: Database) => A): A => {
  const db = openDatabase(dbFile(m), { readonly: true })
  try {
    return f(db)
  } finally {
    db.close()
  }
}

/** The database as a logical dump: its schema, then every table's rows (with their rowid) by rowid. */
const dump = (m: Harness.Machine): Record<string, Array<Row>> =>
  reading(m, (db) => {
    const out: Record<string, Array<Row>> = {
      "#schema": db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all()
    }
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
      out[name] = db.prepare(`SELECT rowid AS "#rowid", * FROM "${name}" ORDER BY rowid`).all()
    }
    return out
  })

/** Per table, the rows only `before` has and the rows only `after` has. */
const diff = (before: Record<string, Array<Row>>, after: Record<string, Array<Row>>) => {
  const out: Record<string, { removed: Array<Row>; added: Array<Row> }> = {}
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set((before[table] ?? []).map((r) => JSON.stringify(r)))
    const is = new Set((after[table] ?? []).map((r) => JSON.stringify(r)))
    const removed = (before[table] ?? []).filter((r) => !is.has(JSON.stringify(r)))
    const added = (after[table] ?? []).filter((r) => !was.has(JSON.stringify(r)))
    if (removed.length > 0 || added.length > 0) out[table] = { removed, added }
  }
  return out
}

interface SessionRows {
  readonly session: Row
  /** by time_created, id */
  readonly message: ReadonlyArray<Row>
  /** by id */
  readonly part: ReadonlyArray<Row>
}

const sessionRows = (m: Harness.Machine, id: string): SessionRows =>
  reading(m, (db) => ({
    session: db.prepare("SELECT * FROM session WHERE id = ?").get(id),
    message: db.prepare("SELECT * FROM message WHERE session_id = ? ORDER BY time_created, id").all(id),
    part: db.prepare("SELECT * FROM part WHERE session_id = ? ORDER BY id").all(id)
  }))

const sessionIds = (m: Harness.Machine): Array<string> =>
  reading(m, (db) => db.prepare("SELECT id FROM session ORDER BY id").all().map((r: Row) => String(r.id)))

/** The text of a session's text parts (the prompts and answers), in order. */
const texts = (rows: SessionRows): Array<string> =>
  rows.part.flatMap((p) => {
    const data = JSON.parse(String(p.data)) as { type?: string; text?: string }
    return data.type === "text" && typeof data.text === "string" ? [data.text] : []
  })

const ids = (rows: ReadonlyArray<Row>) => rows.map((r) => String(r.id))
/** The time part of ids (`msg_` + 12 hex), sorted: what a new id of OpenCode's scheme keeps. */
const timeHeads = (list: ReadonlyArray<string>) => list.map((id) => id.slice(0, 16)).sort()

/** What a request to the model carried of the conversation, as text. */
const sent = (request: ChatServer.RecordedRequest) => ChatServer.conversation(request).map((m) => m.text).join("\n")

describe("session-sync: an OpenCode session both machines went on with, judged by the real OpenCode CLI", () => {
  it.scoped(
    "new lineage; diverged: B's rows kept and A's turn a branch; then a fast-forward of the branch; a repeat changes nothing; rollback gives B back",
    () =>
      Effect.gen(function*() {
        const [a, b] = yield* Effect.all([
          Harness.machine({ projects: ["alpha", "beta"], initDatabase: true }),
          Harness.machine({ projects: ["alpha", "beta"], initDatabase: true })
        ], { concurrency: 2 })
        const alphaA = fs.realpathSync(a.projects[0]!)
        const alphaB = fs.realpathSync(b.projects[0]!)
        const envOf = (m: Harness.Machine) => ({ env: { HOME: m.home } })
        const exportA = (name: string) =>
          Effect.gen(function*() {
            const pkg = path.join(tempDir("opencode-pkg"), `${name}.tgz`)
            ok(
              yield* sessionTransfer(["export", "--agent", "opencode", "--all", "--opencode-data", a.dataDir, "--out", pkg], envOf(a)),
              `export ${name}`
            )
            return pkg
          })
        const sync = (pkg: string) =>
          Effect.map(
            sessionSync(["sync", pkg, "--opencode-data", b.dataDir, "--map", `${alphaA}=${alphaB}`, "--yes", "--json"], envOf(b)),
            (r) => JSON.parse(ok(r, `sync ${pkg}`).stdout) as SyncJson
          )
        /** A machine holding a copy of B's data folder (not its journal), its own model: for runs that write. */
        const copyOfB = Effect.gen(function*() {
          const c = yield* Harness.machine({ projects: [] })
          fs.rmSync(c.dataDir, { recursive: true, force: true })
          fs.cpSync(b.dataDir, c.dataDir, {
            recursive: true,
            filter: (src) => path.relative(b.dataDir, src).split(path.sep)[0] !== "sessionport"
          })
          return c
        })

        // 1. OpenCode makes a session in A's alpha (with a tool turn); B syncs it: a new lineage
        const made = yield* a.cli.run(A0, { cwd: alphaA })
        assert.deepStrictEqual(made.tools, ["bash"])
        const aId = made.sessionId
        const aStart = sessionRows(a, aId)
        assert.strictEqual(aStart.session.directory, alphaA)
        assert.strictEqual(aStart.session.project_id, ALPHA_PROJECT)
        const first = yield* sync(yield* exportA("a0"))
        assert.strictEqual(first.sessions.length, 1)
        assert.strictEqual(first.sessions[0]!.agent, "opencode")
        assert.strictEqual(first.sessions[0]!.source_id, aId)
        assert.strictEqual(first.sessions[0]!.class, "new_lineage", first.sessions[0]!.detail)
        assert.strictEqual(first.sessions[0]!.action, "import")
        assert.isDefined(first.transaction_id)
        const bLocal = first.sessions[0]!.new_local_id!
        assert.match(bLocal, idPattern("ses"))
        assert.notStrictEqual(bLocal, aId)
        assert.deepStrictEqual(sessionIds(b), [bLocal])
        const bStart = sessionRows(b, bLocal)
        assert.strictEqual(bStart.session.directory, alphaB)
        assert.strictEqual(bStart.session.project_id, ALPHA_PROJECT)
        assert.strictEqual(bStart.message.length, aStart.message.length)
        assert.strictEqual(bStart.part.length, aStart.part.length)
        assert.deepStrictEqual(texts(bStart), texts(aStart))

        // 2. both go on with it (B from the session's folder); A's package arrives as a branch
        yield* Effect.all([
          a.cli.run(A1, { session: aId, cwd: alphaA }),
          b.cli.run(B1, { session: bLocal, cwd: alphaB })
        ], { concurrency: 2 })
        const aDay2 = sessionRows(a, aId)
        const bOwn = sessionRows(b, bLocal)
        assert.include(texts(bOwn).join("\n"), B1, "B's turn is in B's session")
        const beforeBranch = dump(b)
        const second = yield* sync(yield* exportA("a1"))
        assert.strictEqual(second.sessions.length, 1)
        const forked = second.sessions[0]!
        assert.strictEqual(forked.class, "diverged_lineage", forked.detail)
        assert.strictEqual(forked.action, "import_branch")
        assert.strictEqual(forked.local_id, bLocal)
        const branch = forked.new_local_id!
        assert.match(branch, idPattern("ses"))
        assert.notInclude([aId, bLocal], branch)
        assert.deepStrictEqual(sessionRows(b, bLocal), bOwn, "B's own session is kept row for row")
        const branched = sessionRows(b, branch)
        assert.match(String(branched.session.title), /^\[branch\] /)
        assert.strictEqual(branched.session.directory, alphaB)
        assert.strictEqual(branched.session.project_id, ALPHA_PROJECT)
        assert.strictEqual(branched.message.length, aDay2.message.length)
        assert.strictEqual(branched.part.length, aDay2.part.length)
        assert.deepStrictEqual(texts(branched), texts(aDay2))
        // nothing else changed: the only rows the sync added are the branch's
        const branchDiff = diff(beforeBranch, dump(b))
        assert.deepStrictEqual(Object.keys(branchDiff).sort(), ["message", "part", "session"])
        for (const [table, { added, removed }] of Object.entries(branchDiff)) {
          assert.deepStrictEqual(removed, [], `${table}: no row removed or changed`)
          for (const row of added) assert.strictEqual(table === "session" ? row.id : row.session_id, branch, table)
        }
        // the branch resumes with A's history (on a copy of B: resuming writes to it)
        {
          const c = yield* copyOfB
          yield* c.cli.run("marker-branch", { session: branch, cwd: alphaB })
          const requests = yield* c.server.chatRequests
          const conversation = sent(requests[0]!)
          for (const prompt of [A0, A1]) assert.include(conversation, prompt)
          assert.notInclude(conversation, B1)
          assert.include(conversation, "tool_call bash")
          assert.notInclude(requests[0]!.text, a.root, "no path of machine A")
        }

        // 3. A goes on alone: its package fast-forwards the branch, nothing else changes
        yield* a.cli.run(A2, { session: aId, cwd: alphaA })
        const aDay3 = sessionRows(a, aId)
        const aNewMessages = aDay3.message.filter((r) => !ids(aDay2.message).includes(String(r.id)))
        const aNewParts = aDay3.part.filter((r) => !ids(aDay2.part).includes(String(r.id)))
        assert.isAbove(aNewMessages.length, 0)
        const pkg3 = yield* exportA("a2")
        const beforeForward = dump(b)
        const third = yield* sync(pkg3)
        assert.strictEqual(third.sessions.length, 1)
        const forwarded = third.sessions[0]!
        assert.strictEqual(forwarded.class, "fast_forward_import", forwarded.detail)
        assert.strictEqual(forwarded.action, "append")
        assert.strictEqual(forwarded.local_id, branch)
        assert.strictEqual(forwarded.appended, aNewMessages.length + aNewParts.length)
        const tx3 = third.transaction_id!
        assert.isDefined(tx3)
        assert.deepStrictEqual(sessionRows(b, bLocal), bOwn, "B's own session is still as it was")
        const grown = sessionRows(b, branch)
        const newMessages = grown.message.filter((r) => !ids(branched.message).includes(String(r.id)))
        const newParts = grown.part.filter((r) => !ids(branched.part).includes(String(r.id)))
        assert.strictEqual(newMessages.length, aNewMessages.length)
        assert.strictEqual(newParts.length, aNewParts.length)
        assert.deepStrictEqual(grown.message.slice(0, branched.message.length), branched.message, "appended after the branch's rows")
        for (const row of newMessages) assert.match(String(row.id), idPattern("msg"))
        for (const row of newParts) assert.match(String(row.id), idPattern("prt"))
        assert.deepStrictEqual(timeHeads(ids(newMessages)), timeHeads(ids(aNewMessages)))
        assert.deepStrictEqual(timeHeads(ids(newParts)), timeHeads(ids(aNewParts)))
        const aAll = new Set([...ids(aDay3.message), ...ids(aDay3.part)])
        for (const id of [...ids(newMessages), ...ids(newParts)]) assert.isFalse(aAll.has(id), `${id} is a new id`)
        const newMessageIds = new Set(ids(newMessages))
        for (const part of newParts) assert.isTrue(newMessageIds.has(String(part.message_id)), `${String(part.id)} belongs to a new message`)
        assert.deepStrictEqual(texts(grown), texts(aDay3))
        assert.include(texts(grown).join("\n"), A2)
        // the session row moved on as A's did, and only in what moves on
        assert.isAbove(Number(grown.session.time_updated), Number(branched.session.time_updated))
        assert.strictEqual(grown.session.time_updated, aDay3.session.time_updated)
        for (const column of ["cost", "tokens_input", "tokens_output"]) {
          assert.strictEqual(grown.session[column], aDay3.session[column], column)
        }
        for (const column of Object.keys(branched.session).filter((c) => !ADVANCED.includes(c))) {
          assert.deepStrictEqual(grown.session[column], branched.session[column], column)
        }
        const forwardDiff = diff(beforeForward, dump(b))
        assert.deepStrictEqual(Object.keys(forwardDiff).sort(), ["message", "part", "session"])
        assert.deepStrictEqual(forwardDiff.message!.removed, [])
        assert.deepStrictEqual(forwardDiff.part!.removed, [])
        assert.deepStrictEqual(forwardDiff.message!.added.map((r) => r.id).sort(), ids(newMessages).sort())
        assert.deepStrictEqual(forwardDiff.part!.added.map((r) => r.id).sort(), ids(newParts).sort())
        assert.deepStrictEqual(forwardDiff.session!.removed.map((r) => r.id), [branch])
        assert.deepStrictEqual(forwardDiff.session!.added.map((r) => r.id), [branch])
        const afterForward = dump(b)

        // 4. a repeat sync of the same package changes nothing
        const repeat = yield* sync(pkg3)
        assert.strictEqual(repeat.sessions.length, 1)
        assert.strictEqual(repeat.sessions[0]!.class, "unchanged", repeat.sessions[0]!.detail)
        assert.strictEqual(repeat.sessions[0]!.local_id, branch)
        assert.strictEqual(repeat.sessions[0]!.action, "none")
        assert.deepStrictEqual(dump(b), afterForward)

        // the real OpenCode reads the fast-forwarded branch (on a copy of B: any start writes the database)
        {
          const c = yield* copyOfB
          const exported = yield* c.cli.export(branch, { cwd: alphaB })
          assert.deepStrictEqual(exported.messages.map((m) => String(m.info["id"])), ids(grown.message))
          const exportedTexts = exported.messages.flatMap((m) => m.parts.filter((p) => p["type"] === "text").map((p) => String(p["text"])))
            .join("\n")
          for (const prompt of [A0, A1, A2]) assert.include(exportedTexts, prompt)
          assert.notInclude(exportedTexts, B1)
          yield* c.cli.run("marker-after-forward", { session: branch, cwd: alphaB })
          const requests = yield* c.server.chatRequests
          const conversation = sent(requests[0]!)
          for (const prompt of [A0, A1, A2]) assert.include(conversation, prompt)
          assert.notInclude(conversation, B1)
          assert.include(conversation, "tool_call bash")
          assert.notInclude(requests[0]!.text, a.root, "no path of machine A")
        }

        // 5. the rollback of the fast-forward gives B's database back exactly
        ok(yield* sessionSync(["rollback", tx3, "--opencode-data", b.dataDir], envOf(b)), "rollback")
        assert.deepStrictEqual(dump(b), beforeForward)
        // and what the sync knows went back with it: the same package fast-forwards the branch again
        const again = yield* sync(pkg3)
        assert.strictEqual(again.sessions[0]!.class, "fast_forward_import", again.sessions[0]!.detail)
        assert.strictEqual(again.sessions[0]!.local_id, branch)
        assert.strictEqual(again.sessions[0]!.appended, forwarded.appended)
        assert.deepStrictEqual(sessionRows(b, bLocal), bOwn)
        assert.deepStrictEqual(texts(sessionRows(b, branch)), texts(aDay3))

        // last, as it stops nothing above: the repeat sync of step 4 began no transaction (nothing to record)
        assert.strictEqual(repeat.transaction_id, undefined, "a repeat of a package synced before writes nothing, not even the journal")
      }).pipe(Effect.provide(NodeContext.layer)),
    240_000
  )
})
