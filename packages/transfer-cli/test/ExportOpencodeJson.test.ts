/**
 * `export --agent opencode --format opencode-json`: OpenCode sessions as `opencode export` prints
 * them (one session to FILE.json, a file per session into an existing folder, or stdout), its
 * usage errors and refusals; and `install`/`inspect` of such a file, which goes through the
 * package pipeline (new ids, localization, journal, rollback) like any package.
 *
 * Source: a copy of the fixture data folder (made by the real OpenCode 1.18.33). Expected values
 * come from fixtures.json and from the fixture database read with plain SQL. The shape of the
 * file key for key is checked in opencode-home's OpencodeJson test, and byte for byte against
 * the real `opencode export` in opencode-oracle's.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { openDatabase, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import { journalTransactions, rowsOf } from "./utils/opencode.js"

const fixtures = Fixtures.load()
const tools = Fixtures.byRole("tools")
const beta = Fixtures.byRole("beta_plain")

type Json = Record<string, any>

/** A fixture session's message ids with plain SQL, in OpenCode's order (time, then id). */
const messageIds = (id: string): Array<string> => {
  const db = openDatabase(path.join(Fixtures.fixtureData, "opencode.db"), { readonly: true })
  try {
    return (db.prepare("SELECT id FROM message WHERE session_id = ? ORDER BY time_created, id").all(id) as Array<{ id: string }>).map((r) => r.id)
  } finally {
    db.close()
  }
}

/** What a file written as opencode-json must be for a fixture session: `opencode export`'s layout and that session. */
const assertExportOf = (text: string, fixture: Fixtures.FixtureSession) => {
  const json = JSON.parse(text) as Json
  // JSON.stringify(…, null, 2) and the line end, as OpenCode writes it
  assert.strictEqual(text, JSON.stringify(json, null, 2) + os.EOL)
  assert.deepStrictEqual(Object.keys(json), ["info", "messages"])
  assert.deepInclude(json.info, { id: fixture.sessionId, projectID: fixture.projectId, directory: fixture.directory, title: fixture.title })
  assert.deepStrictEqual(json.messages.map((m: Json) => m.info.id), messageIds(fixture.sessionId))
  assert.strictEqual(json.messages.reduce((n: number, m: Json) => n + m.parts.length, 0), fixture.parts)
  for (const m of json.messages) {
    assert.strictEqual(m.info.sessionID, fixture.sessionId)
    for (const p of m.parts) assert.deepInclude(p, { sessionID: fixture.sessionId, messageID: m.info.id })
  }
}

const copySource = Effect.fn("copySource")(function*() {
  const a = yield* Fixtures.copyData({ prefix: "opencode-json-a-" })
  return a.dataDir
})

const exportJson = (data: string, ...args: Array<string>) =>
  sessionTransfer(["export", "--agent", "opencode", "--format", "opencode-json", "--opencode-data", data, ...args], { env: { HOME: fixtures.source.home } })

describe("session-transfer export --format opencode-json", () => {
  it.scoped("one session to FILE.json; --json says what was written", () =>
    Effect.gen(function*() {
      const data = yield* copySource()
      const out = path.join(tempDir("opencode-json"), "tools.json")
      const result = yield* exportJson(data, "--thread", tools.sessionId, "--out", out, "--json")
      assert.strictEqual(result.code, 0, result.stderr)
      assert.deepStrictEqual(JSON.parse(result.stdout), {
        format: "opencode-json",
        dry_run: false,
        files: [{ path: out, id: tools.sessionId, messages: tools.messages, parts: tools.parts }],
        warnings: []
      })
      assertExportOf(fs.readFileSync(out, "utf8"), tools)
      // no temp file is left beside it
      assert.deepStrictEqual(fs.readdirSync(path.dirname(out)), ["tools.json"])

      // a unique prefix selects as for a package; the human report names the file
      const again = path.join(path.dirname(out), "again.json")
      const human = yield* exportJson(data, "--thread", tools.sessionId.slice(0, 12), "--out", again)
      assert.strictEqual(human.code, 0, human.stderr)
      assert.deepStrictEqual(human.stdout.trimEnd().split("\n"), [
        "wrote 1 session(s) as opencode-json",
        `  ${tools.sessionId}  ${again}  (${tools.messages} message(s), ${tools.parts} part(s))`
      ])
      assert.strictEqual(fs.readFileSync(again, "utf8"), fs.readFileSync(out, "utf8"))
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("an existing folder: a file per session, named by its id; an existing file is never replaced", () =>
    Effect.gen(function*() {
      const data = yield* copySource()
      const dir = tempDir("opencode-json-dir")
      const result = yield* exportJson(data, "--all", "--out", dir, "--json")
      assert.strictEqual(result.code, 0, result.stderr)
      const files = JSON.parse(result.stdout).files as Array<Json>
      assert.deepStrictEqual(
        files.map((f) => [f.id, f.path, f.messages, f.parts]).sort(),
        [tools, beta].map((s) => [s.sessionId, path.join(dir, `${s.sessionId}.json`), s.messages, s.parts]).sort()
      )
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), [tools, beta].map((s) => `${s.sessionId}.json`).sort())
      for (const s of [tools, beta]) assertExportOf(fs.readFileSync(path.join(dir, `${s.sessionId}.json`), "utf8"), s)

      // one of the files is there already: refused, nothing written, the file as it was
      fs.rmSync(path.join(dir, `${tools.sessionId}.json`))
      const kept = path.join(dir, `${beta.sessionId}.json`)
      fs.writeFileSync(kept, "mine\n")
      const refused = yield* exportJson(data, "--all", "--out", dir)
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.deepStrictEqual(errorLines(refused), [`session-transfer: ${kept} exists: opencode-json files are never replaced`])
      assert.deepStrictEqual(fs.readdirSync(dir), [`${beta.sessionId}.json`])
      assert.strictEqual(fs.readFileSync(kept, "utf8"), "mine\n")
      const file = path.join(dir, "one.json")
      fs.writeFileSync(file, "mine\n")
      const refusedFile = yield* exportJson(data, "--thread", tools.sessionId, "--out", file)
      assert.strictEqual(refusedFile.code, 1, refusedFile.stderr)
      assert.strictEqual(fs.readFileSync(file, "utf8"), "mine\n")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("- writes the session to stdout, the report to stderr; a dry run writes nothing", () =>
    Effect.gen(function*() {
      const data = yield* copySource()
      const result = yield* exportJson(data, "--thread", beta.sessionId, "--out", "-", "--json")
      assert.strictEqual(result.code, 0, result.stderr)
      assertExportOf(result.stdout, beta)
      assert.deepStrictEqual(JSON.parse(result.stderr).files, [
        { path: "-", id: beta.sessionId, messages: beta.messages, parts: beta.parts }
      ])

      const dir = tempDir("opencode-json-dry")
      const dry = yield* exportJson(data, "--all", "--out", dir, "--dry-run")
      assert.strictEqual(dry.code, 0, dry.stderr)
      assert.strictEqual(dry.stdout.split("\n")[0], "would write 2 session(s) as opencode-json")
      assert.deepStrictEqual(fs.readdirSync(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("a file or stdout takes one session: a selection of more is refused, nothing written", () =>
    Effect.gen(function*() {
      const data = yield* copySource()
      const out = path.join(tempDir("opencode-json-many"), "all.json")
      const result = yield* exportJson(data, "--all", "--out", out)
      assert.strictEqual(result.code, 1, result.stderr)
      const line = errorLines(result)
      assert.strictEqual(line.length, 1)
      assert.match(line[0]!, new RegExp(`^session-transfer: ${out} takes one session and the selection has 2 \\(`))
      assert.isFalse(fs.existsSync(out))
      const unknown = yield* exportJson(data, "--thread", "ses_nothing_like_it", "--out", out)
      assert.strictEqual(unknown.code, 1, unknown.stderr)
      assert.isFalse(fs.existsSync(out))
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("usage errors: exit 2, one line, nothing written", () =>
    Effect.gen(function*() {
      const data = yield* copySource()
      const dir = tempDir("opencode-json-usage")
      const out = path.join(dir, "x.json")
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--all", "--out", out], "--format opencode-json writes OpenCode sessions: give --agent opencode (and no other agent)"],
        [["--agent", "codex", "--all", "--out", out], "--format opencode-json writes OpenCode sessions: give --agent opencode (and no other agent)"],
        [["--agent", "opencode", "--agent", "claude", "--all", "--out", out], "--format opencode-json writes OpenCode sessions: give --agent opencode (and no other agent)"],
        [["--agent", "opencode", "--include-skills", "--all", "--out", out], "--include-skills: only a package carries those, not --format opencode-json"],
        [["--agent", "opencode", "--include-file-history", "--all", "--out", out], "--include-file-history: only a package carries those, not --format opencode-json"],
        [["--agent", "opencode", "--allow-file", "a", "--all", "--out", out], "--allow-file: only a package carries those, not --format opencode-json"],
        [["--agent", "opencode", "--all", "--out", path.join(dir, "x.tgz")], `--out ${path.join(dir, "x.tgz")}: --format opencode-json writes FILE.json, into an existing folder, or to - (stdout)`],
        [["--agent", "opencode", "--all", "--out", path.join(dir, "new-folder")], `--out ${path.join(dir, "new-folder")}: --format opencode-json writes FILE.json, into an existing folder, or to - (stdout)`]
      ]
      for (const [args, message] of cases) {
        const result = yield* sessionTransfer(["export", "--format", "opencode-json", "--opencode-data", data, ...args])
        assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
        assert.deepStrictEqual(errorLines(result), [`session-transfer: ${message}`], args.join(" "))
      }
      const badFormat = yield* sessionTransfer(["export", "--format", "opencode", "--agent", "opencode", "--opencode-data", data, "--all", "--out", out])
      assert.strictEqual(badFormat.code, 2, badFormat.stderr)
      assert.deepStrictEqual(fs.readdirSync(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})

describe("session-transfer install / inspect of an opencode-json file", () => {
  it.scoped("our own file installs as a package would: new id, localized, journaled, rolled back", () =>
    Effect.gen(function*() {
      const data = yield* copySource()
      const dir = tempDir("opencode-json-install")
      const file = path.join(dir, "tools.json")
      const exported = yield* exportJson(data, "--thread", tools.sessionId, "--out", file)
      assert.strictEqual(exported.code, 0, exported.stderr)

      const inspected = yield* sessionTransfer(["inspect", file, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const inspection = JSON.parse(inspected.stdout)
      assert.strictEqual(inspection.path, file)
      assert.strictEqual(inspection.integrity, "unverified")
      assert.deepStrictEqual(inspection.origin, { format: "opencode-json", integrity: "unverified", session_id: tools.sessionId })
      assert.deepStrictEqual(inspection.sessions.map((s: Json) => [s.agent, s.thread_id, s.cwd]), [["opencode", tools.sessionId, tools.directory]])
      const human = yield* sessionTransfer(["inspect", file])
      assert.include(human.stdout, `package     ${file} (opencode-json)`)
      assert.include(human.stdout, "integrity   unverified: an opencode export file has no checksums")

      // the target: another copy of the fixture data folder (a database OpenCode made)
      const target = (yield* Fixtures.copyData({ prefix: "opencode-json-b-" })).dataDir
      fs.mkdirSync(path.join(dir, "alpha-here"))
      const alpha = fs.realpathSync(path.join(dir, "alpha-here"))
      const sessionsBefore = rowsOf(target, "SELECT id FROM session ORDER BY id")
      const installed = yield* sessionTransfer(["install", file, "--yes", "--json", "--opencode-data", target, "--map", `${tools.directory}=${alpha}`])
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout)
      assert.strictEqual(result.package, file)
      assert.deepStrictEqual(result.origin, { format: "opencode-json", integrity: "unverified", session_id: tools.sessionId })
      assert.strictEqual(result.sessions.length, 1)
      const localId = result.sessions[0].local_id as string
      assert.strictEqual(result.sessions[0].source_id, tools.sessionId)
      assert.notStrictEqual(localId, tools.sessionId)
      const [row] = rowsOf(target, "SELECT directory, title FROM session WHERE id = ?", localId)
      assert.deepStrictEqual(row, { directory: alpha, title: tools.title })
      assert.deepStrictEqual(rowsOf(target, "SELECT count(*) AS n FROM message WHERE session_id = ?", localId), [{ n: tools.messages }])
      assert.deepStrictEqual(rowsOf(target, "SELECT count(*) AS n FROM part WHERE session_id = ?", localId), [{ n: tools.parts }])
      // the source folder is in no row of the installed session (localized)
      const texts = rowsOf(target, "SELECT data FROM part WHERE session_id = ? UNION ALL SELECT data FROM message WHERE session_id = ?", localId, localId)
      for (const { data: text } of texts) assert.notInclude(String(text), tools.directory)
      assert.strictEqual(journalTransactions(target).length, 1)

      const rolled = yield* sessionTransfer(["rollback", result.transaction_id, "--opencode-data", target])
      assert.strictEqual(rolled.code, 0, rolled.stderr)
      assert.deepStrictEqual(rowsOf(target, "SELECT id FROM session ORDER BY id"), sessionsBefore)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.scoped("a file that is not an export, or a hostile one, is refused in one line, nothing installed", () =>
    Effect.gen(function*() {
      const dir = tempDir("opencode-json-bad")
      const target = (yield* Fixtures.copyData({ prefix: "opencode-json-c-" })).dataDir
      const before = rowsOf(target, "SELECT id FROM session ORDER BY id")
      const notExport = path.join(dir, "not.json")
      fs.writeFileSync(notExport, "  {\"sessions\": []}\n")
      const r1 = yield* sessionTransfer(["install", notExport, "--yes", "--opencode-data", target])
      assert.strictEqual(r1.code, 1, r1.stderr)
      assert.deepStrictEqual(errorLines(r1), [`session-transfer: ${notExport}: not what opencode export writes: it needs an "info" object and a "messages" array`])
      const hostile = path.join(dir, "hostile.json")
      fs.writeFileSync(hostile, JSON.stringify({ info: { id: "ses_../../../etc", time: { created: 1 } }, messages: [] }))
      const r2 = yield* sessionTransfer(["install", hostile, "--yes", "--opencode-data", target])
      assert.strictEqual(r2.code, 1, r2.stderr)
      assert.deepStrictEqual(errorLines(r2), [`session-transfer: ${hostile}: session id "ses_../../../etc" is not of OpenCode's scheme`])
      assert.deepStrictEqual(rowsOf(target, "SELECT id FROM session ORDER BY id"), before)
      assert.deepStrictEqual(journalTransactions(target), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
