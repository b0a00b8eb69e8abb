import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { NO_CLAUDE_HOME, NO_XDG_DATA_HOME } from "@sessionport/codex-oracle/Cli"
import { copyFixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import * as Tmux from "@sessionport/codex-oracle/Tmux"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { errorLines, onePackage, sessionSync } from "./utils/cli.js"

// A sync asks before it changes anything: on a terminal it asks (y applies, anything else or
// Ctrl-C does not); off a terminal nobody can answer, so it refuses unless --yes.

afterAll(removeTemps)

const bin = fileURLToPath(new URL("../bin/session-sync.mjs", import.meta.url))
const THREAD = "019a0000-0000-7000-8000-0000000000d1"


/** `session-sync sync PKG --codex-home HOME` under a pseudo-terminal, the pane kept once it ends. */
const onTerminal = (pkg: string, home: string) =>
  Tmux.start({
    cwd: tempDir("consent-cwd"),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: tempDir("consent-home"),
      TERM: "xterm-256color",
      CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME,
      XDG_DATA_HOME: NO_XDG_DATA_HOME
    },
    argv: [process.execPath, bin, "sync", pkg, "--codex-home", home],
    width: 200,
    height: 40,
    keepAfterExit: true
  })

describe("session-sync sync asks first", () => {
  it.effect("off a terminal without --yes: exit 2, one line naming --yes, nothing written (also with --json, and with stderr piped away)", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage(THREAD)
      const home = copyFixtureHome()
      const before = homeState(home)
      for (const extra of [[], ["--json"]]) {
        const run = yield* sessionSync(["sync", pkg, "--codex-home", home, ...extra])
        assert.strictEqual(run.code, 2, run.stderr)
        const lines = errorLines(run)
        assert.strictEqual(lines.length, 1, run.stderr)
        assert.include(lines[0], "--yes")
        assert.strictEqual(run.stdout, "")
        assert.deepStrictEqual(homeState(home), before)
      }
      // the report's case: `… 2>/dev/null | tail -1` applied a transaction
      const piped = spawnSync("/bin/sh", ["-c", `"$0" "$1" sync "$2" --codex-home "$3" 2>/dev/null | tail -1`, process.execPath, bin, pkg, home], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: tempDir("consent-home"), CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME, XDG_DATA_HOME: NO_XDG_DATA_HOME }
      })
      assert.strictEqual(piped.stdout, "")
      assert.deepStrictEqual(homeState(home), before)
      // a dry run needs no answer
      const dry = yield* sessionSync(["sync", pkg, "--codex-home", home, "--dry-run"])
      assert.strictEqual(dry.code, 0, dry.stderr)
      assert.deepStrictEqual(homeState(home), before)
    }), 60_000)

  it.scoped("on a terminal: the plan and the question; n changes nothing (exit 1), y applies", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage(THREAD)
      const home = copyFixtureHome()
      const before = homeState(home)
      const no = yield* onTerminal(pkg, home)
      yield* no.waitFor("apply this plan? [y/N]", "30 seconds")
      yield* no.sendText("n")
      yield* no.sendKeys("Enter")
      // declined: refused work, one line
      assert.strictEqual(yield* no.exitStatus("30 seconds"), 1)
      assert.match(yield* no.capture, /session-sync: sync cancelled; nothing was changed/)
      assert.deepStrictEqual(homeState(home), before)

      const yes = yield* onTerminal(pkg, home)
      yield* yes.waitFor("apply this plan? [y/N]", "30 seconds")
      yield* yes.sendText("y")
      yield* yes.sendKeys("Enter")
      assert.strictEqual(yield* yes.exitStatus("30 seconds"), 0)
      assert.notDeepEqual(homeState(home), before)
      assert.match(yield* yes.capture, /undo with: session-sync rollback/)
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)

  it.scoped("Ctrl-C at the question: one line, exit 130, nothing written", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage(THREAD)
      const home = copyFixtureHome()
      const before = homeState(home)
      const term = yield* onTerminal(pkg, home)
      yield* term.waitFor("apply this plan? [y/N]", "30 seconds")
      yield* term.sendKeys("C-c")
      assert.strictEqual(yield* term.exitStatus("30 seconds"), 130)
      assert.match(yield* term.capture, /session-sync: interrupted/)
      assert.deepStrictEqual(homeState(home), before)
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
