import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { NO_CLAUDE_HOME, NO_XDG_DATA_HOME } from "@sessionport/codex-oracle/Cli"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import * as Tmux from "@sessionport/codex-oracle/Tmux"
import { Effect } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const bin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))

/** A package of every fixture session. */
const setup = Effect.gen(function*() {
  const pkg = path.join(tempDir("pkg"), "sessions.tgz")
  const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])
  assert.strictEqual(exported.code, 0, exported.stderr)
  return pkg
})

const installArgs = (pkg: string, home: string) => ["install", pkg, "--codex-home", home, "--map", `${fixtures.source.alpha}=${path.join(home, "..", "alpha")}`]

describe("install interrupted", () => {
  it.effect("SIGINT (Ctrl-C) or SIGTERM mid-transaction: rolled back, one line says so, exit 130 or 143, the home exactly as before", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      // the signal the process sends itself right after journal step n (SESSIONPORT_CRASH_AT)
      for (const [n, signal, code] of [[2, "sigint", 130], [4, "sigint", 130], [6, "sigterm", 143]] as const) {
        const home = copyFixtureHome()
        const before = homeState(home)
        const run = yield* sessionTransfer(installArgs(pkg, home), { env: { SESSIONPORT_CRASH_AT: `${n}:${signal}` } })
        assert.strictEqual(run.code, code, `${signal} after step ${n}: ${run.stderr}`)
        const lines = errorLines(run)
        assert.strictEqual(lines.length, 1, `${signal} after step ${n}: ${run.stderr}`)
        assert.match(lines[0]!, /^session-transfer: interrupted; nothing was changed \(transaction [0-9a-f-]+ was rolled back\)$/)
        assert.strictEqual(run.stdout, "")
        assert.deepStrictEqual(homeState(home), before, `${signal} after step ${n}: the home as before`)
      }
    }), 120_000)

  it.scoped("Ctrl-C typed on its terminal mid-transaction: the same, under a real pseudo-terminal", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      const home = copyFixtureHome()
      const before = homeState(home)
      const term = yield* Tmux.start({
        cwd: tempDir("cwd"),
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: tempDir("home"),
          TERM: "xterm-256color",
          CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME,
          XDG_DATA_HOME: NO_XDG_DATA_HOME,
          // waits after step 3, where Ctrl-C finds it
          SESSIONPORT_CRASH_AT: "3:pause"
        },
        // every session (the picker of a package of several is not what this is about)
        argv: [process.execPath, bin, ...installArgs(pkg, home), "--yes"],
        width: 200,
        height: 20,
        keepAfterExit: true
      })
      yield* term.waitFor("paused after step 3", "30 seconds")
      yield* term.sendKeys("C-c")
      assert.strictEqual(yield* term.exitStatus("30 seconds"), 130)
      assert.match(yield* term.capture, /session-transfer: interrupted; nothing was changed \(transaction [0-9a-f-]+ was rolled back\)/)
      assert.deepStrictEqual(homeState(home), before)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
