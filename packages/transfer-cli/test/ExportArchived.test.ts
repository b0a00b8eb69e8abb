/**
 * `export --all` (or `--cwd`) without `--include-archived` says how many archived sessions it
 * left out, in the text and under `--json`: Codex's `archived_sessions/`, OpenCode's
 * `time_archived`.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, fixtures, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const out = () => path.join(tempDir("archived-out"), "pkg.tgz")

const exportJson = (args: ReadonlyArray<string>) =>
  Effect.map(sessionTransfer(["export", ...args, "--out", out(), "--json"]), (r) => {
    assert.strictEqual(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as { sessions: Array<{ id: string; archived: boolean }>; archived_left_out: number }
  })

describe("export leaves archived sessions out, and says so", () => {
  it.effect("Codex: --all and --cwd count the archived sessions left out; --include-archived and --thread leave none out", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      // counted from the home: the rollouts Codex moved to archived_sessions/
      const archived = fs.readdirSync(path.join(home, "archived_sessions"), { recursive: true }).filter((f) => String(f).endsWith(".jsonl")).length
      assert.strictEqual(archived, 1)
      const archivedId = fixtureByRole("archived").threadId

      const human = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", out()])
      assert.strictEqual(human.code, 0, human.stderr)
      assert.include(human.stdout, `left out ${archived} archived session(s); --include-archived carries them`)
      const dry = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", out(), "--dry-run"])
      assert.include(dry.stdout, `would leave out ${archived} archived session(s)`)

      const all = yield* exportJson(["--all", "--codex-home", home])
      assert.strictEqual(all.archived_left_out, archived)
      assert.notInclude(all.sessions.map((s) => s.id), archivedId)
      // the archived session's project, and the other one
      assert.strictEqual(fixtureByRole("archived").cwd, fixtures.source.alpha)
      assert.strictEqual((yield* exportJson(["--cwd", fixtures.source.alpha, "--codex-home", home])).archived_left_out, 1)
      assert.strictEqual((yield* exportJson(["--cwd", fixtures.source.beta, "--codex-home", home])).archived_left_out, 0)

      const carried = yield* exportJson(["--all", "--include-archived", "--codex-home", home])
      assert.strictEqual(carried.archived_left_out, 0)
      assert.include(carried.sessions.map((s) => s.id), archivedId)
      const byId = yield* exportJson(["--thread", archivedId, "--codex-home", home])
      assert.strictEqual(byId.archived_left_out, 0)
      const plain = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", home, "--out", out()])
      assert.notInclude(plain.stdout, "archived session(s)")
    }), 90_000)

  it.scoped("OpenCode: a session archived in the database (time_archived) is counted", () =>
    Effect.gen(function*() {
      const data = yield* Fixtures.copyData({ prefix: "opencode-archived-" })
      const archivedId = Fixtures.byRole("beta_plain").sessionId
      const db = openDatabase(path.join(data.dataDir, "opencode.db"))
      try {
        db.prepare("UPDATE session SET time_archived = time_updated WHERE id = ?").run(archivedId)
      } finally {
        db.close()
      }
      const result = yield* exportJson(["--agent", "opencode", "--all", "--opencode-data", data.dataDir])
      assert.strictEqual(result.archived_left_out, 1)
      assert.deepStrictEqual(result.sessions.map((s) => s.id), [Fixtures.byRole("tools").sessionId])
      const carried = yield* exportJson(["--agent", "opencode", "--all", "--include-archived", "--opencode-data", data.dataDir])
      assert.strictEqual(carried.archived_left_out, 0)
      assert.include(carried.sessions.map((s) => s.id), archivedId)
    }).pipe(Effect.provide(NodeContext.layer)), 90_000)
})
