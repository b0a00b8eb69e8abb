/**
 * OpenCode sessions carried from machine A to machine B, judged by the real OpenCode 1.18.33:
 * A is a copy of the committed fixture data folder (made by OpenCode itself, at fixed source
 * paths); B is a fresh machine whose database OpenCode made, with alpha a clone of the fixtures'
 * repository (same origin, so the same project id) and beta a plain folder, both elsewhere.
 * Expected values come from fixtures.json and from the fixture database read with plain SQL
 * (better-sqlite3), never from the code under test.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import { fileState, rowidName } from "@sessionport/codex-oracle/HomeState"
import { ChatServer, Fixtures, Harness } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { sessionTransfer } from "./utils/cli.js"

const fixtures = Fixtures.load()
const source = fixtures.source
const roles = ["tools", "beta_plain"] as const
/** What OpenCode derives for a clone of the fixtures' alpha (the hash of its origin remote). */
const ALPHA_PROJECT = "ad243cfc821ddf02ba8efc1e5d58a4550a9f65de"
/** A value planted into A's credentials: it must not travel. */
const SECRET = "sk-sessionport-sentinel-7f3a9c"

/** The files of a package besides the agents' own: the same for every package. */
const SHARED = [
  "package_manifest.json",
  "README.md",
  "INSTALL_REMOTE.md",
  "metadata/threads.jsonl",
  "metadata/path_localization.json",
  "skeleton/required-directories.json"
]

type Row = Record<string, unknown>

const withDb = <A>(file: string, f: (db: ReturnType<typeof openDatabase>) => A, readonly = true): A => {
  const db = openDatabase(file, { readonly })
  try {
    return f(db)
  } finally {
    db.close()
  }
}

/** A logical dump: the schema, then every row of every table (by rowid), as JSON texts. */
const dump = (file: string): Record<string, ReadonlyArray<string>> =>
  withDb(file, (db) => {
    const text = (row: unknown) => JSON.stringify(row, (_, v) => typeof v === "bigint" ? String(v) : v)
    const out: Record<string, ReadonlyArray<string>> = {
      "(schema)": db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all().map(text)
    }
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
    for (const { name } of tables) {
      const rowid = rowidName(db, name)
      out[name] = rowid === undefined
        ? db.prepare(`SELECT * FROM "${name}"`).all().map(text).sort()
        : db.prepare(`SELECT ${rowid} AS "(rowid)", * FROM "${name}" ORDER BY ${rowid}`).all().map(text)
    }
    return out
  })

/** The rows of one session, with plain SQL: messages and parts in id order (OpenCode's order). */
const sessionRows = (file: string, id: string) =>
  withDb(file, (db) => ({
    session: db.prepare("SELECT * FROM session WHERE id = ?").get(id) as Row | undefined,
    messages: db.prepare("SELECT * FROM message WHERE session_id = ? ORDER BY id").all(id) as Array<Row>,
    parts: db.prepare("SELECT * FROM part WHERE session_id = ? ORDER BY id").all(id) as Array<Row>
  }))

const fixtureDb = path.join(Fixtures.fixtureData, "opencode.db")

/**
 * Every file under `dir` (bytes and mtimes), leaving out the database (compared as a dump: its
 * bytes may differ after an insert and a delete), SQLite's -wal/-shm and, by default, the journal.
 */
const filesBesideDb = (dir: string, skip: ReadonlyArray<string> = ["sessionport"]) =>
  Object.fromEntries(
    Object.entries(fileState(dir, { skip })).filter(([name]) => !/^opencode\.db(-wal|-shm)?$/.test(name))
  )

/** Every file of a machine's home but its OpenCode data folder (compared on its own). */
const homeBesideData = (m: { readonly home: string; readonly dataDir: string }) => {
  const data = `${path.relative(m.home, m.dataDir)}/`
  return Object.fromEntries(Object.entries(fileState(m.home)).filter(([name]) => !name.startsWith(data)))
}

/** `<prefix>_` + 12 hex + 14 base62: OpenCode's id scheme. */
const ID = /^([a-z]{3})_([0-9a-f]{12})([0-9A-Za-z]{14})$/

/** `id` is a new id for `from`: same prefix and 12 time hex, another tail. */
const assertDerived = (id: unknown, from: unknown, what: string) => {
  assert.match(String(id), ID, what)
  assert.strictEqual(String(id).slice(0, 16), String(from).slice(0, 16), `${what}: prefix and time kept`)
  assert.notStrictEqual(String(id).slice(16), String(from).slice(16), `${what}: a new tail`)
}

/** Plants credentials into A's data folder: `auth.json` and rows of the account and credential tables. */
const plantCredentials = (dataDir: string) => {
  fs.writeFileSync(path.join(dataDir, "auth.json"), JSON.stringify({ mock: { type: "api", key: SECRET } }))
  withDb(path.join(dataDir, "opencode.db"), (db) => {
    db.prepare(
      "INSERT INTO account (id, email, url, access_token, refresh_token, token_expiry, time_created, time_updated) VALUES (?, ?, ?, ?, ?, NULL, 1, 1)"
    ).run("acc_sentinel", "a@example.invalid", "https://example.invalid", SECRET, SECRET)
    db.prepare(
      "INSERT INTO credential (id, integration_id, label, value, connector_id, method_id, active, time_created, time_updated) VALUES (?, NULL, ?, ?, NULL, NULL, 1, 1, 1)"
    ).run("crd_sentinel", "sentinel", SECRET)
  }, false)
}

/** Every file of a `.tgz` package, extracted. */
const unpack = (pkg: string): Map<string, string> => {
  const dir = fs.mkdtempSync("/tmp/opencode-unpacked-")
  try {
    execFileSync("tar", ["xzf", pkg, "-C", dir])
    const files = new Map<string, string>()
    const walk = (at: string, rel: string) => {
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const name = rel === "" ? entry.name : `${rel}/${entry.name}`
        if (entry.isDirectory()) walk(path.join(at, entry.name), name)
        else files.set(name, fs.readFileSync(path.join(at, entry.name), "utf8"))
      }
    }
    walk(dir, "")
    return files
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Exports every fixture session from a copy of the fixture data folder, as machine A would (its HOME). */
const exportFixtures = Effect.fn("exportFixtures")(function*() {
  const dir = fs.mkdtempSync("/tmp/opencode-pkg-")
  yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  const out = path.join(dir, "opencode.tgz")
  const a = yield* Fixtures.copyData({ prefix: "opencode-a-" })
  plantCredentials(a.dataDir)
  const result = yield* sessionTransfer(
    ["export", "--agent", "opencode", "--all", "--opencode-data", a.dataDir, "--out", out, "--json"],
    { env: { HOME: source.home } }
  )
  assert.strictEqual(result.code, 0, result.stderr)
  return { out, exported: JSON.parse(result.stdout) }
})

interface Installed {
  readonly source_id: string
  readonly local_id: string
  readonly agent: string
  readonly cwd: string
}

const gitStatus = (dir: string) => execFileSync("git", ["status", "--porcelain", "--ignored"], { cwd: dir, encoding: "utf8" })

describe("session-transfer: OpenCode sessions, judged by the real OpenCode CLI", () => {
  it.scoped("export from A, install into B with --map, rollback, install again: placed, re-identified, localized; OpenCode lists, exports and resumes them", () =>
    Effect.gen(function*() {
      // 1. machine A: the package holds the sessions and their project facts, and no credential
      const { exported, out } = yield* exportFixtures()
      assert.deepStrictEqual(
        exported.sessions.map((s: { id: string }) => s.id).sort(),
        roles.map((r) => Fixtures.byRole(r).sessionId).sort()
      )
      const files = unpack(out)
      assert.deepStrictEqual(
        [...files.keys()].sort(),
        [
          ...SHARED,
          "agents/opencode/sessions.jsonl",
          ...roles.map((r) => `agents/opencode/sessions/${Fixtures.byRole(r).sessionId}/transcript.jsonl`)
        ].sort()
      )
      for (const [name, text] of files) {
        assert.notInclude(text, SECRET, name)
        assert.notInclude(text, "acc_sentinel", name)
        assert.notInclude(text, "crd_sentinel", name)
      }
      const meta = files.get("agents/opencode/sessions.jsonl")!.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
      const fixtureProjects = withDb(fixtureDb, (db) => db.prepare("SELECT id, worktree, vcs FROM project").all() as Array<Row>)
      for (const role of roles) {
        const fixture = Fixtures.byRole(role)
        const line = meta.find((m) => m.id === fixture.sessionId)
        assert.isDefined(line, role)
        assert.strictEqual(line.directory, fixture.directory, role)
        const project = fixtureProjects.find((p) => p.id === fixture.projectId)!
        assert.deepStrictEqual(
          { id: line.project.id, worktree: line.project.worktree, vcs: line.project.vcs },
          { id: fixture.projectId, worktree: project.worktree, vcs: project.vcs },
          role
        )
      }

      // 2. machine B: its database made by OpenCode, before
      const b = yield* Harness.machine({ projects: ["alpha", "beta"], initDatabase: true })
      const [alphaB, betaB] = b.projects.map((p) => fs.realpathSync(p)) as [string, string]
      const db = path.join(b.dataDir, "opencode.db")
      const dumpBefore = dump(db)
      const filesBefore = filesBesideDb(b.dataDir)
      const homeBefore = homeBesideData(b)
      const alphaBefore = fileState(alphaB)
      const install = [
        "install", out,
        "--map", `${source.alpha}=${b.projects[0]}`,
        "--map", `${source.beta}=${b.projects[1]}`,
        "--opencode-data", b.dataDir,
        "--json"
      ]

      // 3. install, rollback: B's database as it was, logically; every other file byte for byte
      const first = yield* sessionTransfer(install, { env: { HOME: b.home } })
      assert.strictEqual(first.code, 0, first.stderr)
      assert.strictEqual(dump(db)["session"]!.length, dumpBefore["session"]!.length + 2, "the first install wrote")
      const rolled = yield* sessionTransfer(["rollback", JSON.parse(first.stdout).transaction_id, "--opencode-data", b.dataDir], {
        env: { HOME: b.home }
      })
      assert.strictEqual(rolled.code, 0, rolled.stderr)
      assert.deepStrictEqual(dump(db), dumpBefore, "rollback leaves B's database as it was")
      assert.deepStrictEqual(filesBesideDb(b.dataDir), filesBefore, "rollback leaves B's data folder as it was")
      assert.deepStrictEqual(homeBesideData(b), homeBefore)
      assert.deepStrictEqual(fileState(alphaB), alphaBefore)

      // 4. install again, read back with plain SQL
      const installed = yield* sessionTransfer(install, { env: { HOME: b.home } })
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout) as { sessions: Array<Installed>; transaction_id: string }
      const localOf = (role: string) => result.sessions.find((s) => s.source_id === Fixtures.byRole(role).sessionId)!.local_id
      const targetOf = { tools: alphaB, beta_plain: betaB } as const
      const localize = (text: string, ids: ReadonlyMap<string, string>) => {
        let out = text.replaceAll(source.alpha, alphaB).replaceAll(source.beta, betaB)
        for (const [from, to] of ids) out = out.replaceAll(from, to)
        return out
      }
      for (const role of roles) {
        const fixture = Fixtures.byRole(role)
        const s = result.sessions.find((x) => x.source_id === fixture.sessionId)
        assert.isDefined(s, role)
        assert.strictEqual(s!.agent, "opencode")
        assertDerived(s!.local_id, fixture.sessionId, `${role} session`)
        const theirs = sessionRows(fixtureDb, fixture.sessionId)
        const mine = sessionRows(db, s!.local_id)
        assert.isDefined(mine.session, role)
        const row = mine.session!
        assert.strictEqual(row.project_id, role === "tools" ? ALPHA_PROJECT : "global", role)
        assert.strictEqual(row.directory, targetOf[role], role)
        assert.strictEqual(row.path, role === "tools" ? "" : betaB.slice(1), role)
        assert.strictEqual(row.title, fixture.title, role)
        assert.strictEqual(row.parent_id, null, role)

        // every message and part: a new id of the same time, same count and order
        assert.strictEqual(theirs.messages.length, fixture.messages, role)
        assert.strictEqual(theirs.parts.length, fixture.parts, role)
        assert.strictEqual(mine.messages.length, theirs.messages.length, role)
        assert.strictEqual(mine.parts.length, theirs.parts.length, role)
        const ids = new Map<string, string>([[fixture.sessionId, s!.local_id]])
        theirs.messages.forEach((m, i) => {
          assertDerived(mine.messages[i]!.id, m.id, `${role} message ${i}`)
          ids.set(String(m.id), String(mine.messages[i]!.id))
        })
        theirs.parts.forEach((p, i) => {
          const part = mine.parts[i]!
          assertDerived(part.id, p.id, `${role} part ${i}`)
          assert.strictEqual(part.message_id, ids.get(String(p.message_id)), `${role} part ${i}: its message`)
          assert.strictEqual(part.session_id, s!.local_id, `${role} part ${i}`)
          // byte for byte but the mapped paths
          assert.strictEqual(part.data, localize(String(p.data), new Map()), `${role} part ${i}: data`)
          assert.strictEqual(part.time_created, p.time_created, `${role} part ${i}`)
        })
        theirs.messages.forEach((m, i) => {
          const message = mine.messages[i]!
          assert.strictEqual(message.session_id, s!.local_id, `${role} message ${i}`)
          // the paths mapped, the parent message its new id
          assert.strictEqual(message.data, localize(String(m.data), ids), `${role} message ${i}: data`)
          assert.strictEqual(message.time_created, m.time_created, `${role} message ${i}`)
        })
      }
      const projects = withDb(db, (d) => d.prepare("SELECT id, worktree, vcs FROM project ORDER BY id").all() as Array<Row>)
      assert.deepStrictEqual(projects.find((p) => p.id === ALPHA_PROJECT), { id: ALPHA_PROJECT, worktree: alphaB, vcs: "git" })
      assert.isDefined(projects.find((p) => p.id === "global"))
      const after = dump(db)
      for (const [table, rows] of Object.entries(after)) {
        for (const row of rows) assert.notInclude(row, source.root, `no source path in ${table}`)
      }
      // nothing of sessionport in the user's repository: no file, no `.git/opencode`
      assert.deepStrictEqual(fileState(alphaB), alphaBefore, "alpha untouched by the install")
      assert.isFalse(fs.existsSync(path.join(alphaB, ".git", "opencode")))
      assert.strictEqual(gitStatus(alphaB), "")

      // 5. from P_B the real OpenCode lists, exports and resumes them
      const listedAlpha = yield* b.cli.sessionList({ cwd: alphaB })
      assert.deepStrictEqual(listedAlpha.map((s) => s.id), [localOf("tools")])
      assert.strictEqual(listedAlpha[0]!.projectId, ALPHA_PROJECT)
      assert.strictEqual(listedAlpha[0]!.directory, alphaB)
      const listedBeta = yield* b.cli.sessionList({ cwd: betaB })
      assert.deepStrictEqual(listedBeta.map((s) => [s.id, s.projectId, s.directory]), [[localOf("beta_plain"), "global", betaB]])
      for (const role of roles) {
        const fixture = Fixtures.byRole(role)
        const theirs = sessionRows(fixtureDb, fixture.sessionId)
        const exportedB = yield* b.cli.export(localOf(role), { cwd: targetOf[role] })
        assert.strictEqual(exportedB.messages.length, fixture.messages, role)
        assert.strictEqual(exportedB.messages.flatMap((m) => m.parts).length, fixture.parts, role)
        const textsOf = (parts: ReadonlyArray<Record<string, unknown>>) =>
          parts.filter((p) => p["type"] === "text").map((p) => String(p["text"]))
        assert.deepStrictEqual(
          textsOf(exportedB.messages.flatMap((m) => m.parts)),
          textsOf(theirs.parts.map((p) => JSON.parse(String(p.data)))),
          role
        )
        for (const prompt of fixture.prompts) assert.include(JSON.stringify(exportedB), prompt, role)
        assert.notInclude(JSON.stringify(exportedB), source.root, role)
      }

      const tools = Fixtures.byRole("tools")
      yield* b.server.clearRequests
      const resumed = yield* b.cli.run("marker-resume", { session: localOf("tools"), cwd: alphaB })
      assert.strictEqual(resumed.sessionId, localOf("tools"))
      const chats = yield* b.server.chatRequests
      assert.isAbove(chats.length, 0)
      const request = chats[chats.length - 1]!
      const conversation = ChatServer.conversation(request)
      const sent = conversation.map((m) => m.text).join("\n")
      for (const prompt of [...tools.prompts, "marker-resume"]) assert.include(sent, prompt)
      // what the fixture's rows say was said: the user's texts, each tool call (its input on B) and result
      const toolRows = sessionRows(fixtureDb, tools.sessionId)
      const roleOf = new Map(toolRows.messages.map((m) => [m.id, JSON.parse(String(m.data)).role as string]))
      const sourceParts = toolRows.parts.map((p) => ({ message: p.message_id, ...JSON.parse(String(p.data)) }))
      assert.deepStrictEqual(
        conversation.filter((m) => m.role === "user").map((m) => m.text),
        [...sourceParts.filter((p) => roleOf.get(p.message) === "user" && p.type === "text").map((p) => p.text), "marker-resume"]
      )
      const toolParts = sourceParts.filter((p) => p.type === "tool")
      assert.deepStrictEqual(toolParts.map((p) => p.tool), [...tools.tools])
      assert.deepStrictEqual(conversation.filter((m) => m.role === "tool").map((m) => m.text), toolParts.map((p) => p.state.output))
      const calls = conversation.filter((m) => m.role === "assistant").flatMap((m) => m.text.split("\n").filter((l) => l.startsWith("tool_call ")))
      assert.deepStrictEqual(
        calls,
        toolParts.map((p) => `tool_call ${p.tool} ${localize(JSON.stringify(p.state.input), new Map())}`)
      )
      assert.include(sent, `${alphaB}/notes-3.txt`, "the write of turn two, at its path on B")
      assert.notInclude(request.text, source.root)
      for (const r of yield* b.server.requests) assert.notInclude(r.text, source.root)

      // 6. the same package again: other ids, no collision
      const again = yield* sessionTransfer(install, { env: { HOME: b.home } })
      assert.strictEqual(again.code, 0, again.stderr)
      const second = JSON.parse(again.stdout) as { sessions: Array<Installed>; transaction_id: string }
      assert.notStrictEqual(second.transaction_id, result.transaction_id)
      for (const role of roles) {
        const fixture = Fixtures.byRole(role)
        const s = second.sessions.find((x) => x.source_id === fixture.sessionId)!
        assertDerived(s.local_id, fixture.sessionId, `${role} second session`)
        assert.notStrictEqual(s.local_id, localOf(role), role)
        const mine = sessionRows(db, s.local_id)
        const firstRows = sessionRows(db, localOf(role))
        assert.strictEqual(mine.messages.length, fixture.messages, role)
        assert.strictEqual(mine.parts.length, fixture.parts, role)
        const firstIds = new Set([...firstRows.messages, ...firstRows.parts].map((r) => r.id))
        for (const r of [...mine.messages, ...mine.parts]) assert.isFalse(firstIds.has(r.id), `${role}: ${String(r.id)} is new`)
      }
      const sessions = withDb(db, (d) => d.prepare("SELECT count(*) AS n FROM session").get() as { n: number })
      assert.strictEqual(sessions.n, dumpBefore["session"]!.length + 4)
    }).pipe(Effect.provide(NodeContext.layer)), 170_000)

  it.scoped("install --dry-run lists the sessions and writes nothing", () =>
    Effect.gen(function*() {
      const { out } = yield* exportFixtures()
      const b = yield* Harness.machine({ projects: ["alpha", "beta"], initDatabase: true })
      const [alphaB, betaB] = b.projects.map((p) => fs.realpathSync(p)) as [string, string]
      const db = path.join(b.dataDir, "opencode.db")
      const dumpBefore = dump(db)
      const filesBefore = filesBesideDb(b.dataDir, [])
      const homeBefore = homeBesideData(b)
      const alphaBefore = fileState(alphaB)
      const dry = yield* sessionTransfer(
        [
          "install", out, "--dry-run",
          "--map", `${source.alpha}=${b.projects[0]}`,
          "--map", `${source.beta}=${b.projects[1]}`,
          "--opencode-data", b.dataDir,
          "--json"
        ],
        { env: { HOME: b.home } }
      )
      assert.strictEqual(dry.code, 0, dry.stderr)
      const plan = JSON.parse(dry.stdout) as { dry_run: boolean; transaction_id?: string; sessions: Array<Installed> }
      assert.isTrue(plan.dry_run)
      assert.isUndefined(plan.transaction_id)
      assert.deepStrictEqual(
        plan.sessions.map((s) => [s.source_id, s.cwd]).sort(),
        [[Fixtures.byRole("tools").sessionId, alphaB], [Fixtures.byRole("beta_plain").sessionId, betaB]].sort()
      )
      assert.deepStrictEqual(dump(db), dumpBefore, "a dry run writes no row")
      // not even the journal's folder
      assert.deepStrictEqual(filesBesideDb(b.dataDir, []), filesBefore, "nor any file")
      assert.deepStrictEqual(homeBesideData(b), homeBefore)
      assert.deepStrictEqual(fileState(alphaB), alphaBefore)

      // for people: the plan names each session, and still nothing is written
      const text = yield* sessionTransfer(
        ["install", out, "--dry-run", "--map", `${source.alpha}=${b.projects[0]}`, "--map", `${source.beta}=${b.projects[1]}`, "--opencode-data", b.dataDir],
        { env: { HOME: b.home } }
      )
      assert.strictEqual(text.code, 0, text.stderr)
      assert.match(text.stdout, /^would install 2 session\(s\)/)
      for (const role of roles) assert.include(text.stdout, `${Fixtures.byRole(role).sessionId} -> `, role)
      assert.deepStrictEqual(dump(db), dumpBefore)
      assert.deepStrictEqual(filesBesideDb(b.dataDir, []), filesBefore)
    }).pipe(Effect.provide(NodeContext.layer)), 90_000)
})
