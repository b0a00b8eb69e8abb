/**
 * A Codex-only package made before other agents existed (sessionport 0.1.0, committed in
 * fixtures/packages) still installs and syncs; and today's Codex-only export is the same layout,
 * with the same bytes for everything that does not depend on when and where it was made.
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, removeTemps, repoRoot, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const OLD = path.join(repoRoot, "fixtures", "packages", "codex-before-agents.tgz")
const entries = (pkg: string) => execFileSync("tar", ["tzf", pkg], { encoding: "utf8" }).split("\n").filter((e) => e !== "")
const entry = (pkg: string, name: string) => execFileSync("tar", ["xzOf", pkg, name])

describe("a Codex package made by sessionport 0.1.0", () => {
  it.effect("installs, and a repeat sync of it changes nothing", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const installed = yield* sessionTransfer(["install", OLD, "--codex-home", home, "--json"])
      assert.strictEqual(installed.code, 0, installed.stderr)
      const ids = JSON.parse(installed.stdout).sessions.map((s: { source_id: string }) => s.source_id)
      assert.deepStrictEqual([...new Set(ids)].sort(), JSON.parse(entry(OLD, "package_manifest.json").toString()).thread_ids)
      const synced = yield* sessionSync(["sync", OLD, "--codex-home", home, "--yes", "--json"])
      assert.strictEqual(synced.code, 0, synced.stderr)
      const result = JSON.parse(synced.stdout)
      // the fixture home has the very sessions: each is found and left as it is
      assert.isTrue(result.sessions.every((s: { class: string }) => s.class === "unchanged"), synced.stdout)
      // the first sync records them in the sidecar; a repeat sync then changes nothing at all
      const again = yield* sessionSync(["sync", OLD, "--codex-home", home, "--yes", "--json"])
      assert.strictEqual(again.code, 0, again.stderr)
      assert.strictEqual(JSON.parse(again.stdout).transaction_id, undefined, again.stdout)
    }), 60_000)

  it.effect("today's Codex-only export has its layout, and its bytes where nothing else changed", () =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("pkg"), "now.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      assert.deepStrictEqual(entries(pkg), entries(OLD))
      const same = entries(OLD).filter((e) => e.startsWith("sessions/") || /^metadata\/(threads|session_index|thread_dynamic_tools)\.jsonl$/.test(e))
      assert.isAtLeast(same.length, 6)
      for (const name of same) assert.isTrue(entry(pkg, name).equals(entry(OLD, name)), name)
      const [now, then] = [pkg, OLD].map((p) => JSON.parse(entry(p, "package_manifest.json").toString()))
      assert.deepStrictEqual(Object.keys(now), Object.keys(then))
      assert.deepStrictEqual(now.files.map((f: { path: string }) => f.path), then.files.map((f: { path: string }) => f.path))
    }), 60_000)
})
