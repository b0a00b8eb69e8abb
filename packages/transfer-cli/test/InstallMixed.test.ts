/**
 * A package holding Codex and Claude Code sessions: written by one export, installed by one
 * transaction into both homes, undone by one rollback; the same with OpenCode sessions as the
 * third agent; and a Codex-only package keeps the baseline layout and manifest.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { copyFixtureHome, fixtureThreads, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { fileState, homeState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const claudeSource = ClaudeFixtures.load().source
const opencode = OpencodeFixtures.load()

/** Every row of every table of an SQLite file, by table, in rowid order: the database compared as a logical dump. */
const dump = (file: string) => {
  const db = openDatabase(file, { readonly: true })
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name as string)
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()]))
  } finally {
    db.close()
  }
}
const manifestOf = (pkg: string) => JSON.parse(execFileSync("tar", ["xzOf", pkg, "package_manifest.json"], { encoding: "utf8" }))
const entriesOf = (pkg: string) => execFileSync("tar", ["tzf", pkg], { encoding: "utf8" }).split("\n").filter((e) => e !== "")

describe("a package of Codex and Claude Code sessions", () => {
  it.scoped("export takes every agent whose home exists; install writes both in one transaction; rollback undoes both", () =>
    Effect.gen(function*() {
      const codexA = copyFixtureHome()
      const claudeA = yield* ClaudeFixtures.copyHome({ prefix: "claude-a-" })
      const pkg = path.join(tempDir("pkg"), "mixed.tgz")
      const exported = yield* sessionTransfer(
        ["export", "--all", "--include-archived", "--codex-home", codexA, "--claude-home", claudeA.configDir, "--out", pkg, "--json"],
        { env: { HOME: claudeSource.home } }
      )
      assert.strictEqual(exported.code, 0, exported.stderr)
      const codexIds = [...new Set(fixtureThreads.map((s) => s.threadId))].sort()
      const claudeIds = ["tools", "interactive", "beta_plain", "named"].map((r) => ClaudeFixtures.byRole(r).sessionId).sort()
      const manifest = manifestOf(pkg)
      assert.deepStrictEqual(manifest.agents, ["codex", "claude"])
      assert.deepStrictEqual(manifest.thread_ids, codexIds)
      assert.deepStrictEqual(manifest.agent_sessions.map((s: { id: string }) => s.id).sort(), claudeIds)
      assert.isTrue(manifest.agent_sessions.every((s: { agent: string }) => s.agent === "claude"))
      assert.strictEqual(manifest.source.codex_home, codexA)
      assert.strictEqual(manifest.source.agent_homes.claude, claudeA.configDir)
      // inspect reads both agents' sessions and checks every file
      const inspected = yield* sessionTransfer(["inspect", pkg, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const inspection = JSON.parse(inspected.stdout)
      assert.strictEqual(inspection.integrity, "verified")
      const claudeSessions = inspection.sessions.filter((s: { agent: string }) => s.agent === "claude")
      assert.deepStrictEqual(claudeSessions.map((s: { thread_id: string }) => s.thread_id).sort(), claudeIds)
      for (const s of claudeSessions) {
        const fixture = Object.values(ClaudeFixtures.load().sessions).find((f) => f.sessionId === s.thread_id)!
        assert.strictEqual(s.cwd, fixture.cwd)
        assert.strictEqual(s.first_prompt, fixture.prompts[0])
      }

      // machine B: a Codex home where Codex has run, a Claude home
      const codexB = copyFixtureHome()
      const claudeRoot = tempDir("claude-b")
      const claudeB = path.join(claudeRoot, ".claude")
      fs.mkdirSync(claudeB)
      const state = () => ({ codex: homeState(codexB), claude: fileState(claudeB, { skip: ["sessionport"] }) })
      const before = state()
      const installed = yield* sessionTransfer(
        ["install", pkg, "--codex-home", codexB, "--claude-home", claudeB, "--json"],
        { env: { HOME: claudeRoot } }
      )
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout)
      assert.deepStrictEqual(Object.keys(result.homes).sort(), ["claude", "codex"])
      assert.deepStrictEqual(
        result.sessions.filter((s: { agent: string }) => s.agent === "claude").map((s: { source_id: string }) => s.source_id).sort(),
        claudeIds
      )
      assert.deepStrictEqual(
        [...new Set(result.sessions.filter((s: { agent: string }) => s.agent === "codex").map((s: { source_id: string }) => s.source_id))].sort(),
        codexIds
      )
      for (const s of result.sessions) assert.isTrue(fs.existsSync(s.path), s.path)
      // one transaction, recorded where Codex transactions always were
      const listed = yield* sessionTransfer(["list-transactions", "--codex-home", codexB, "--claude-home", claudeB, "--json"])
      assert.deepStrictEqual(JSON.parse(listed.stdout).map((t: { id: string }) => t.id), [result.transaction_id])
      assert.isTrue(fs.existsSync(path.join(codexB, "sessionport", "journal", result.transaction_id)))

      const undo = yield* sessionTransfer(["rollback", result.transaction_id, "--codex-home", codexB, "--claude-home", claudeB])
      assert.strictEqual(undo.code, 0, undo.stderr)
      assert.deepStrictEqual(state(), before)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("Codex, Claude Code and OpenCode sessions: one export, one install transaction into three homes, one rollback", () =>
    Effect.gen(function*() {
      const codexA = copyFixtureHome()
      const claudeA = yield* ClaudeFixtures.copyHome({ prefix: "claude-a-" })
      const opencodeA = yield* OpencodeFixtures.copyData({ prefix: "opencode-a-" })
      const pkg = path.join(tempDir("pkg"), "three.tgz")
      const exported = yield* sessionTransfer(
        ["export", "--all", "--codex-home", codexA, "--claude-home", claudeA.configDir, "--opencode-data", opencodeA.dataDir, "--out", pkg, "--json"],
        { env: { HOME: claudeSource.home } }
      )
      assert.strictEqual(exported.code, 0, exported.stderr)
      const opencodeIds = Object.values(opencode.sessions).map((s) => s.sessionId).sort()
      const manifest = manifestOf(pkg)
      assert.deepStrictEqual(manifest.agents, ["codex", "claude", "opencode"])
      assert.deepStrictEqual(
        manifest.agent_sessions.filter((s: { agent: string }) => s.agent === "opencode").map((s: { id: string }) => s.id).sort(),
        opencodeIds
      )
      assert.strictEqual(manifest.source.agent_homes.opencode, opencodeA.dataDir)

      const codexB = copyFixtureHome()
      const claudeRoot = tempDir("claude-b")
      const claudeB = path.join(claudeRoot, ".claude")
      fs.mkdirSync(claudeB)
      const opencodeB = path.join(tempDir("opencode-b"), "opencode")
      const db = OpencodeFixtures.emptyData(opencodeB)
      const state = () => ({ codex: homeState(codexB), claude: fileState(claudeB, { skip: ["sessionport"] }), opencode: dump(db) })
      const before = state()
      const homes = ["--codex-home", codexB, "--claude-home", claudeB, "--opencode-data", opencodeB]
      const installed = yield* sessionTransfer(["install", pkg, ...homes, "--json"], { env: { HOME: claudeRoot } })
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout)
      assert.deepStrictEqual(Object.keys(result.homes).sort(), ["claude", "codex", "opencode"])
      assert.deepStrictEqual(
        result.sessions.filter((s: { agent: string }) => s.agent === "opencode").map((s: { source_id: string }) => s.source_id).sort(),
        opencodeIds
      )
      // the OpenCode sessions are rows of B's database, under their new ids
      const rows = dump(db) as Record<string, Array<Record<string, unknown>>>
      assert.deepStrictEqual(
        rows.session!.map((r) => r.id).sort(),
        result.sessions.filter((s: { agent: string }) => s.agent === "opencode").map((s: { local_id: string }) => s.local_id).sort()
      )
      assert.strictEqual(rows.message!.length, Object.values(opencode.sessions).reduce((n, s) => n + s.messages, 0))
      assert.strictEqual(rows.part!.length, Object.values(opencode.sessions).reduce((n, s) => n + s.parts, 0))
      // one transaction for the three homes, recorded in the first home it writes (Codex's)
      const listed = yield* sessionTransfer(["list-transactions", ...homes, "--json"])
      assert.deepStrictEqual(JSON.parse(listed.stdout).map((t: { id: string }) => t.id), [result.transaction_id])
      const undo = yield* sessionTransfer(["rollback", result.transaction_id, ...homes])
      assert.strictEqual(undo.code, 0, undo.stderr)
      assert.deepStrictEqual(state(), before)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.effect("a Codex-only export is the baseline layout and manifest: no agents, no agents/ folder", () =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("pkg"), "codex.tgz")
      const claudeHome = path.join(tempDir("claude"), ".claude")
      fs.cpSync(ClaudeFixtures.fixtureHome, claudeHome, { recursive: true })
      // a Claude home is there, but --agent codex asks for Codex only
      const exported = yield* sessionTransfer(
        ["export", "--agent", "codex", "--all", "--codex-home", copyFixtureHome(), "--claude-home", claudeHome, "--out", pkg]
      )
      assert.strictEqual(exported.code, 0, exported.stderr)
      const manifest = manifestOf(pkg)
      assert.deepStrictEqual(Object.keys(manifest), [
        "format_version",
        "package_kind",
        "minimum_working_set_only",
        "cwd_filter",
        "thread_ids",
        "skills_included",
        "deferred_components",
        "preferred_installer_skill",
        "package_id",
        "created_at",
        "producer",
        "source",
        "selection",
        "files"
      ])
      assert.deepStrictEqual(Object.keys(manifest.source), ["platform", "codex_home", "home", "hostname"])
      assert.isFalse(entriesOf(pkg).some((e) => e.startsWith("agents")))
      assert.match(execFileSync("tar", ["xzOf", pkg, "README.md"], { encoding: "utf8" }), /^# Codex session package/)
    }), 60_000)
})
