/**
 * The sidecar upkeep commands on a Claude Code home (`--agent claude`): adopt, health, prune.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Fixtures } from "@sessionport/claude-oracle"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const roles = ["tools", "interactive", "beta_plain", "named"]

describe("session-sync sidecar commands on a Claude Code home", () => {
  it.scoped("adopt tracks installed sessions, health sees a missing transcript, prune drops it", () =>
    Effect.gen(function*() {
      const a = yield* Fixtures.copyHome({ prefix: "claude-a-" })
      const pkg = path.join(tempDir("pkg"), "claude.tgz")
      const source = Fixtures.load().source
      const exported = yield* sessionTransfer(["export", "--agent", "claude", "--claude-home", a.configDir, "--all", "--out", pkg], { env: { HOME: source.home } })
      assert.strictEqual(exported.code, 0, exported.stderr)
      const root = tempDir("claude-b")
      const home = path.join(root, ".claude")
      fs.mkdirSync(home)
      const env = { env: { HOME: root } }
      const installed = yield* sessionTransfer(["install", pkg, "--claude-home", home, "--json"], env)
      assert.strictEqual(installed.code, 0, installed.stderr)
      const locals = JSON.parse(installed.stdout).sessions as Array<{ local_id: string; path: string }>
      assert.strictEqual(locals.length, roles.length)
      const run = (args: ReadonlyArray<string>) =>
        Effect.map(sessionSync([...args, "--agent", "claude", "--claude-home", home, "--json"], env), (r) => {
          assert.strictEqual(r.code, 0, `${args.join(" ")}: ${r.stderr}`)
          return JSON.parse(r.stdout)
        })

      assert.isFalse((yield* run(["sidecar-health"])).exists)
      const adopted = yield* run(["adopt"])
      assert.strictEqual(adopted.agent, "claude")
      assert.deepStrictEqual([...adopted.sessions].sort(), locals.map((l) => l.local_id).sort())
      const healthy = yield* run(["sidecar-health"])
      assert.strictEqual(healthy.sessions, roles.length)
      assert.deepStrictEqual(healthy.issues, [])

      fs.rmSync(locals[0]!.path)
      const missing = yield* run(["sidecar-health"])
      assert.deepStrictEqual(missing.issues.map((i: { kind: string; id: string }) => [i.kind, i.id]), [["missing_file", locals[0]!.local_id]])
      const pruned = yield* run(["prune-invalid-mappings"])
      assert.deepStrictEqual(pruned.sessions, [locals[0]!.local_id])
      assert.deepStrictEqual((yield* run(["sidecar-health"])).issues, [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("a package with Claude sessions, synced where there is no Claude home: refused with one line, nothing written", () =>
    Effect.gen(function*() {
      const a = yield* Fixtures.copyHome({ prefix: "claude-a-" })
      const pkg = path.join(tempDir("pkg"), "claude.tgz")
      const exported = yield* sessionTransfer(["export", "--agent", "claude", "--claude-home", a.configDir, "--all", "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const missing = path.join(tempDir("claude-b"), ".claude")
      const result = yield* sessionSync(["sync", pkg, "--claude-home", missing, "--yes"])
      assert.strictEqual(result.code, 1, result.stderr)
      const lines = errorLines(result)
      assert.strictEqual(lines.length, 1, result.stderr)
      assert.match(lines[0]!, /Claude Code home .* does not exist/)
      assert.isFalse(fs.existsSync(missing))
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
