/**
 * `session-transfer cleanup` off a terminal, over copies of the three agents' fixture homes: the
 * plan (`--dry-run`, `--json`), the refusals (no `--yes`, no selection, an unknown id), the
 * removal of one session of each agent checked by reading the homes directly (files, Codex's
 * `threads` rows, OpenCode's `session` rows, the index and history lines, `list`), its rollback
 * (every home exactly as before), `--all`, and kill -9 at points of the transaction (the next
 * command brings every home back). Last, the real Codex's own listing before and after.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { AppServer } from "@sessionport/codex-oracle"
import { fixtureByRole, fixtures, fixtureThreads, removeTemps, sqlThreads, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { codexOn, withAppServer } from "@sessionport/codex-oracle/Harness"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type AgentHomes, copyAgentHomes, listed } from "./utils/agentHomes.js"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import { rowsOf } from "./utils/opencode.js"

afterAll(removeTemps)

// one session of each agent, each with more than a transcript: the Codex one has a line in
// session_index.jsonl, the Claude Code one file-history and history.jsonl lines, the OpenCode
// one messages and parts
const codexSession = fixtureByRole("named")
const claudeSession = ClaudeFixtures.byRole("interactive")
const opencodeSession = OpencodeFixtures.byRole("tools")
const chosen = [`codex ${codexSession.threadId}`, `claude ${claudeSession.sessionId}`, `opencode ${opencodeSession.sessionId}`]
const threads = ["--thread", codexSession.threadId, "--thread", claudeSession.sessionId, "--thread", opencodeSession.sessionId]

const cleanup = (homes: AgentHomes, ...args: ReadonlyArray<string>) =>
  sessionTransfer(["cleanup", ...args, ...homes.options], { env: homes.env })

/** Every file under `dir` whose path (relative to `dir`) names `id`. */
const filesNaming = (dir: string, id: string): Array<string> =>
  (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => path.relative(dir, file).includes(id))
    .sort()

/** The lines of a JSONL file, parsed (none when it does not exist). */
const jsonLines = (file: string): Array<Record<string, unknown>> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) : []

/** What each of the three sessions consists of, read from the homes (not from the code under test). */
const expectedParts = (homes: AgentHomes) => {
  const codexIndex = path.join(homes.codex, "session_index.jsonl")
  const claudeHistory = path.join(homes.claude, "history.jsonl")
  const count = (file: string, field: string, id: string) => jsonLines(file).filter((l) => l[field] === id).length
  return {
    codex: {
      files: filesNaming(homes.codex, codexSession.threadId),
      lines: { [codexIndex]: count(codexIndex, "id", codexSession.threadId) }
    },
    claude: {
      files: filesNaming(homes.claude, claudeSession.sessionId),
      lines: { [claudeHistory]: count(claudeHistory, "sessionId", claudeSession.sessionId) }
    },
    opencode: { files: [] as Array<string>, lines: {} }
  }
}

const sizeOf = (files: ReadonlyArray<string>) => files.reduce((n, f) => n + fs.statSync(f).size, 0)

/** The keys of a state record that differ between two readings. */
const changedKeys = (before: Record<string, string>, after: Record<string, string>): Array<string> =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort()

describe("cleanup: plan and refusals", () => {
  it.effect("--dry-run prints the plan of one session of each agent and changes nothing; --json gives its shape", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const before = homes.state()
      const parts = expectedParts(homes)
      // the fixtures hold what this test means to cover
      assert.strictEqual(parts.codex.files.length, 1)
      assert.strictEqual(parts.claude.files.length, 2, "the transcript and a file-history backup")
      assert.strictEqual(Object.values(parts.claude.lines)[0], 3)

      const dry = yield* cleanup(homes, ...threads, "--dry-run")
      assert.strictEqual(dry.code, 0, dry.stderr)
      const lines = dry.stdout.split("\n").filter((l) => l !== "")
      assert.strictEqual(lines[0], "would remove 3 session(s):")
      assert.strictEqual(lines.length, 4, dry.stdout)
      for (const [i, id] of [codexSession.threadId, claudeSession.sessionId, opencodeSession.sessionId].entries()) {
        assert.include(lines[i + 1], id)
      }
      assert.deepStrictEqual(homes.state(), before)

      const json = yield* cleanup(homes, ...threads, "--dry-run", "--json")
      assert.strictEqual(json.code, 0, json.stderr)
      const plan = JSON.parse(json.stdout)
      assert.strictEqual(plan.dry_run, true)
      assert.isUndefined(plan.transaction_id, "a dry run opens no transaction")
      assert.deepStrictEqual(plan.warnings, [])
      assert.deepStrictEqual(plan.sessions.map((s: { agent: string; id: string }) => `${s.agent} ${s.id}`), chosen)
      const [codex, claude, opencode] = plan.sessions
      assert.strictEqual(codex.cwd, codexSession.cwd)
      assert.strictEqual(codex.path, path.join(homes.codex, codexSession.rollout))
      assert.deepStrictEqual([...codex.files].sort(), parts.codex.files)
      assert.strictEqual(codex.rows.threads, 1)
      assert.deepStrictEqual(codex.lines, parts.codex.lines)
      assert.strictEqual(codex.bytes, sizeOf(parts.codex.files))
      assert.strictEqual(claude.cwd, claudeSession.cwd)
      assert.strictEqual(claude.path, path.join(homes.claude, claudeSession.transcript))
      assert.deepStrictEqual([...claude.files].sort(), parts.claude.files)
      assert.deepStrictEqual(claude.rows, {})
      assert.deepStrictEqual(claude.lines, parts.claude.lines)
      assert.strictEqual(claude.bytes, sizeOf(parts.claude.files))
      assert.strictEqual(opencode.cwd, opencodeSession.directory)
      assert.deepStrictEqual(opencode.files, [])
      assert.strictEqual(opencode.rows.session, 1)
      assert.strictEqual(opencode.rows.message, opencodeSession.messages)
      assert.strictEqual(opencode.rows.part, opencodeSession.parts)
      assert.deepStrictEqual(opencode.lines, {})
      assert.deepStrictEqual(homes.state(), before)
    }), 60_000)

  it.effect("off a terminal: without --yes exit 2 with one line naming --yes; no selection exit 2; an unknown id exit 1; nothing changed", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const before = homes.state()
      for (const extra of [[], ["--json"]]) {
        const run = yield* cleanup(homes, ...threads, ...extra)
        assert.strictEqual(run.code, 2, run.stderr)
        const lines = errorLines(run)
        assert.strictEqual(lines.length, 1, run.stderr)
        assert.include(lines[0], "--yes")
        assert.strictEqual(run.stdout, "")
      }
      // nothing named, and no terminal for a picker
      for (const extra of [[], ["--yes"]]) {
        const run = yield* cleanup(homes, ...extra)
        assert.strictEqual(run.code, 2, run.stderr)
        assert.strictEqual(errorLines(run).length, 1, run.stderr)
        assert.include(run.stderr, "--thread")
        assert.strictEqual(run.stdout, "")
      }
      // one unknown id among known ones: the command refuses the whole selection
      const unknown = yield* cleanup(homes, ...threads, "--thread", "no-such-session", "--yes")
      assert.strictEqual(unknown.code, 1, unknown.stderr)
      const lines = errorLines(unknown)
      assert.strictEqual(lines.length, 1, unknown.stderr)
      assert.include(lines[0], "no-such-session")
      assert.strictEqual(unknown.stdout, "")
      assert.deepStrictEqual(homes.state(), before)
    }), 60_000)
})

describe("cleanup: removal and rollback", () => {
  it.effect("--yes removes exactly the three sessions (files, rows, index and history lines); rollback brings every home back exactly", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const before = homes.state() as { codex: Record<string, string>; claude: Record<string, string>; opencode: unknown }
      const listedBefore = yield* listed(homes)
      assert.includeMembers([...listedBefore.keys()], chosen)
      const parts = expectedParts(homes)
      const threadRows = sqlThreads(homes.codex)
      const sessionRows = () => rowsOf(homes.opencode, "SELECT * FROM session ORDER BY id")
      const messageRows = () => rowsOf(homes.opencode, "SELECT * FROM message ORDER BY id")
      const sessionsBefore = sessionRows()
      const messagesBefore = messageRows()
      const codexIndex = jsonLines(path.join(homes.codex, "session_index.jsonl"))
      const claudeHistory = jsonLines(path.join(homes.claude, "history.jsonl"))

      const run = yield* cleanup(homes, ...threads, "--yes", "--json")
      assert.strictEqual(run.code, 0, run.stderr)
      const result = JSON.parse(run.stdout)
      assert.strictEqual(result.dry_run, false)
      assert.match(result.transaction_id, /^[0-9a-f-]{36}$/)
      assert.deepStrictEqual(result.sessions.map((s: { agent: string; id: string }) => `${s.agent} ${s.id}`), chosen)

      // each session is gone, read from the homes themselves
      for (const file of [...parts.codex.files, ...parts.claude.files]) assert.isFalse(fs.existsSync(file), file)
      assert.deepStrictEqual(sqlThreads(homes.codex), threadRows.filter((r) => r.id !== codexSession.threadId))
      assert.deepStrictEqual(sessionRows(), sessionsBefore.filter((r) => r.id !== opencodeSession.sessionId))
      assert.deepStrictEqual(messageRows(), messagesBefore.filter((r) => r.session_id !== opencodeSession.sessionId))
      assert.deepStrictEqual(jsonLines(path.join(homes.codex, "session_index.jsonl")), codexIndex.filter((l) => l.id !== codexSession.threadId))
      assert.deepStrictEqual(jsonLines(path.join(homes.claude, "history.jsonl")), claudeHistory.filter((l) => l.sessionId !== claudeSession.sessionId))
      // every other session as it was
      const listedAfter = yield* listed(homes)
      assert.deepStrictEqual([...listedAfter.keys()].sort(), [...listedBefore.keys()].filter((k) => !chosen.includes(k)).sort())
      for (const [key, session] of listedAfter) assert.deepStrictEqual(session, listedBefore.get(key), key)
      // and nothing else changed: in Codex's home its rollout, the index and the databases' rows
      const after = homes.state() as typeof before
      const rollout = path.relative(homes.codex, parts.codex.files[0]!)
      for (const key of changedKeys(before.codex, after.codex)) {
        assert.isTrue(key === rollout || key === "session_index.jsonl" || key.endsWith(".sqlite"), `codex: ${key} changed`)
      }
      // in Claude Code's, the session's files (and the folder they alone were in) and history.jsonl
      for (const key of changedKeys(before.claude, after.claude)) {
        assert.isTrue(key.includes(claudeSession.sessionId) || key === "history.jsonl", `claude: ${key} changed`)
      }
      assert.notDeepEqual(after.opencode, before.opencode)

      const undo = yield* sessionTransfer(["rollback", result.transaction_id, ...homes.options], { env: homes.env })
      assert.strictEqual(undo.code, 0, undo.stderr)
      assert.deepStrictEqual(homes.state(), before)
      assert.deepStrictEqual(yield* listed(homes), listedBefore)
    }), 90_000)

  it.effect("--all removes every session that is not archived, and leaves the archived one", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const archived = fixtureThreads.filter((s) => s.archived)
      assert.strictEqual(archived.length, 1)
      const everyOther = [
        ...fixtureThreads.filter((s) => !s.archived).map((s) => `codex ${s.threadId}`),
        ...Object.values(ClaudeFixtures.load().sessions).map((s) => `claude ${s.sessionId}`),
        ...Object.values(OpencodeFixtures.load().sessions).map((s) => `opencode ${s.sessionId}`)
      ].sort()
      assert.deepStrictEqual([...(yield* listed(homes)).keys()].sort(), [...everyOther, `codex ${archived[0]!.threadId}`].sort())

      const run = yield* cleanup(homes, "--all", "--yes", "--json")
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(JSON.parse(run.stdout).sessions.map((s: { agent: string; id: string }) => `${s.agent} ${s.id}`).sort(), everyOther)
      assert.deepStrictEqual([...(yield* listed(homes)).keys()], [`codex ${archived[0]!.threadId}`])
      assert.isTrue(fs.existsSync(path.join(homes.codex, archived[0]!.rollout)))
      assert.deepStrictEqual(sqlThreads(homes.codex).map((r) => r.id), [archived[0]!.threadId])
      assert.deepStrictEqual(rowsOf(homes.opencode, "SELECT id FROM session"), [])
    }), 60_000)
})

describe("cleanup under kill -9", () => {
  it.effect("killed at points before and after its commit, the next command (list) brings every home back to before", () =>
    Effect.gen(function*() {
      // the transaction of the three sessions takes 34 journal steps (Journal.ts's table): lock,
      // begin (2); Codex's rows in two databases (3-8), session_index.jsonl (9-13), its rollout
      // (14-18); Claude Code's two files (19-24), history.jsonl (25-29); OpenCode's rows (30-32);
      // completed (33), unlock. Killed after step n, or just before its change (`n:before`):
      const points = ["2", "4:before", "12:before", "15", "21:before", "28:before", "31:before", "32", "33"]
      let every: Array<string> | undefined
      for (const point of points) {
        const homes = copyAgentHomes({ opencodeWal: true })
        const before = homes.state()
        every ??= [...(yield* listed(homes)).keys()].sort()
        const run = yield* sessionTransfer(["cleanup", ...threads, ...homes.options, "--yes"], {
          // a killed process cannot remove its staging folder: keep it among the test's temps
          env: { ...homes.env, SESSIONPORT_CRASH_AT: point, TMPDIR: tempDir("tmp") }
        })
        assert.strictEqual(run.signal, "SIGKILL", `${point}: ${run.stderr}`)
        // the next command recovers what the killed one left
        const next = [...(yield* listed(homes)).keys()].sort()
        if (point === "33") {
          // killed after its commit (journal: completed): the removal stands, and rolls back exactly
          assert.deepStrictEqual(next, every.filter((k) => !chosen.includes(k)), point)
          const undo = yield* sessionTransfer(["rollback", "--latest", ...homes.options], { env: homes.env })
          assert.strictEqual(undo.code, 0, `${point}: ${undo.stderr}`)
        } else {
          assert.deepStrictEqual(next, every, point)
        }
        assert.deepStrictEqual(homes.state(), before, `killed at ${point}: every home as before`)
        homes.dispose()
      }
    }), 300_000)
})

describe("cleanup as the real Codex sees it", () => {
  it.scoped("Codex's own thread list no longer shows a removed session, and shows it again after the rollback", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const root = tempDir("codex-user")
      // a real Codex on the Codex home (it writes its config.toml there), its model scripted
      const { cli } = yield* codexOn(homes.codex, root)
      const threadIds = () =>
        withAppServer(cli, root, (app) =>
          app.threadList({ sourceKinds: AppServer.allSourceKinds, cwd: fixtures.source.beta }).pipe(Effect.map((page) => page.data.map((t) => t.id))))
      assert.include(yield* threadIds(), codexSession.threadId)

      const run = yield* sessionTransfer(["cleanup", "--thread", codexSession.threadId, "--codex-home", homes.codex, "--agent", "codex", "--yes", "--json"], { env: homes.env })
      assert.strictEqual(run.code, 0, run.stderr)
      const listedNow = yield* threadIds()
      assert.notInclude(listedNow, codexSession.threadId)
      assert.include(listedNow, fixtureByRole("beta_cwd").threadId, "the other sessions of the folder stay")

      const undo = yield* sessionTransfer(["rollback", JSON.parse(run.stdout).transaction_id, "--codex-home", homes.codex], { env: homes.env })
      assert.strictEqual(undo.code, 0, undo.stderr)
      assert.include(yield* threadIds(), codexSession.threadId)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
