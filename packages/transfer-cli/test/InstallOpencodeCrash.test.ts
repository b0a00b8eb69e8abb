/**
 * An OpenCode install killed outright (SIGKILL at a journal step) always ends, after the next
 * command, in the exact before-state of the data folder: every row of `opencode.db` (a logical
 * dump) and every other file. The target is a database OpenCode 1.18.33 made itself (one real
 * run, in the setup); the package holds both fixture sessions, one of them into a git project
 * the target has no row for yet.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { crashLoop } from "@sessionport/codex-oracle/CrashLoop"
import { removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"
import { copyTemplate, crashTarget, dataState, exportAndTemplate, rowsOf } from "./utils/opencode.js"

afterAll(removeTemps)

/** A package of both fixture sessions, and a data folder made by OpenCode (kept as a template). */
const setup = Effect.gen(function*() {
  const made = yield* exportAndTemplate("opencode.tgz")
  // the fixtures' git project is new here: the install creates its project row
  assert.deepStrictEqual(rowsOf(made.template, "SELECT id FROM project WHERE vcs = 'git'"), [])
  return made
})

describe("OpenCode install under kill -9", () => {
  it.scoped("killed at 50 random points, the next command brings the data folder back exactly to before", () =>
    Effect.gen(function*() {
      const { home, maps, pkg, template } = yield* setup
      const install = (dataDir: string) => ["install", pkg, "--opencode-data", dataDir, ...maps]

      // the install as it runs to its end: what the crash points cut short
      const whole = copyTemplate(template).dataDir
      const done = yield* sessionTransfer(install(whole), { env: { HOME: home } })
      assert.strictEqual(done.code, 0, done.stderr)
      assert.strictEqual(rowsOf(whole, "SELECT id FROM session").length, 2)
      assert.strictEqual(rowsOf(whole, "SELECT id FROM project WHERE id = 'ad243cfc821ddf02ba8efc1e5d58a4550a9f65de'").length, 1)

      // every step the install takes, then random points: each on a data folder of its own, two at a time
      const { changed, steps } = yield* crashLoop({
        cli: sessionTransfer,
        kind: "install",
        what: "the data folder",
        concurrency: 2,
        target: () => {
          const { dataDir, ...target } = crashTarget(template, home)
          return { ...target, command: install(dataDir), state: () => dataState(dataDir) }
        },
        // the points whose kill left rows of the install behind (so the next command had work to do)
        leftBehind: (state) => state.db
      })
      assert.isAtLeast(steps, 7, "an install takes journal steps")
      assert.isAtLeast(changed.size, 2, "some kills leave the install's rows for the next command to undo")
    }).pipe(Effect.provide(NodeContext.layer)), 600_000)
})
