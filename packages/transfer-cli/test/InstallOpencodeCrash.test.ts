/**
 * An OpenCode install killed outright (SIGKILL at a journal step) always ends, after the next
 * command, in the exact before-state of the data folder: every row of `opencode.db` (a logical
 * dump) and every other file. The target is a database OpenCode 1.18.33 made itself (one real
 * run, in the setup); the package holds both fixture sessions, one of them into a git project
 * the target has no row for yet.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { randomCrashes } from "@sessionport/codex-oracle/Steps"
import { Fixtures, Harness } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { isDeepStrictEqual } from "node:util"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"
import { dataState, rowsOf } from "./utils/opencode.js"

afterAll(removeTemps)

const source = Fixtures.load().source

/** A package of both fixture sessions, and a data folder made by OpenCode (kept as a template). */
const setup = Effect.gen(function*() {
  const a = yield* Fixtures.copyData({ prefix: "opencode-a-" })
  const pkg = path.join(tempDir("pkg"), "opencode.tgz")
  const exported = yield* sessionTransfer(
    ["export", "--agent", "opencode", "--opencode-data", a.dataDir, "--all", "--out", pkg],
    { env: { HOME: source.home } }
  )
  assert.strictEqual(exported.code, 0, exported.stderr)
  const m = yield* Harness.machine({ initDatabase: true })
  const template = path.join(tempDir("opencode-template"), "opencode")
  fs.cpSync(m.dataDir, template, { recursive: true, preserveTimestamps: true })
  // the fixtures' git project is new here: the install creates its project row
  assert.deepStrictEqual(rowsOf(template, "SELECT id FROM project WHERE vcs = 'git'"), [])
  const maps = ["--map", `${source.alpha}=${m.projects[0]!}`, "--map", `${source.beta}=${m.projects[1]!}`]
  return { pkg, template, maps, home: m.home }
})

describe("OpenCode install under kill -9", () => {
  it.scoped("killed at 50 random points, the next command brings the data folder back exactly to before", () =>
    Effect.gen(function*() {
      const { home, maps, pkg, template } = yield* setup

      // the install as it runs to its end: what the crash points cut short
      const whole = path.join(tempDir("opencode-b"), "opencode")
      fs.cpSync(template, whole, { recursive: true, preserveTimestamps: true })
      const done = yield* sessionTransfer(["install", pkg, "--opencode-data", whole, ...maps], { env: { HOME: home } })
      assert.strictEqual(done.code, 0, done.stderr)
      assert.strictEqual(rowsOf(whole, "SELECT id FROM session").length, 2)
      assert.strictEqual(rowsOf(whole, "SELECT id FROM project WHERE id = 'ad243cfc821ddf02ba8efc1e5d58a4550a9f65de'").length, 1)

      // the points whose kill left rows of the install behind (so the next command had work to do)
      const changed = new Set<string>()
      const crashAt = (point: string) =>
        Effect.gen(function*() {
          const root = tempDir("opencode-b")
          const dataDir = path.join(root, "opencode")
          fs.cpSync(template, dataDir, { recursive: true, preserveTimestamps: true })
          const before = dataState(dataDir)
          const run = yield* sessionTransfer(["install", pkg, "--opencode-data", dataDir, ...maps], {
            // a killed process cannot remove its staging folder: keep it among the test's temps
            env: { HOME: home, SESSIONPORT_CRASH_AT: point, TMPDIR: tempDir("tmp") }
          })
          // what the killed process left, before any command recovers it
          if (run.code !== 0 && !isDeepStrictEqual(dataState(dataDir).db, before.db)) changed.add(point)
          const next = yield* sessionTransfer(["list-transactions", "--opencode-data", dataDir, "--json"], { env: { HOME: home } })
          assert.strictEqual(next.code, 0, `${point}: ${next.stderr}`)
          const status = JSON.parse(next.stdout)[0]?.status
          if (run.code === 0) {
            assert.strictEqual(status, "completed", point)
            return false
          }
          assert.strictEqual(run.signal, "SIGKILL", `${point}: ${run.stderr}`)
          if (status === "completed") {
            // killed after the commit point: the install stands, and undoes exactly
            const undo = yield* sessionTransfer(["rollback", "--latest", "--opencode-data", dataDir], { env: { HOME: home } })
            assert.strictEqual(undo.code, 0, `${point}: ${undo.stderr}`)
          } else {
            assert.oneOf(status, [undefined, "failed"], point)
          }
          assert.deepStrictEqual(dataState(dataDir), before, `crash at ${point}: the data folder is back to before`)
          fs.rmSync(root, { recursive: true, force: true })
          return true
        })
      // every step the install takes, then random points: each on a data folder of its own, two at a time
      assert.isAtLeast(yield* randomCrashes(crashAt, { concurrency: 2 }), 7, "an install takes journal steps")
      assert.isAtLeast(changed.size, 2, "some kills leave the install's rows for the next command to undo")
    }).pipe(Effect.provide(NodeContext.layer)), 600_000)
})
