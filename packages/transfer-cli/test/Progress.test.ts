import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { NO_CLAUDE_HOME, NO_XDG_DATA_HOME } from "@sessionport/codex-oracle/Cli"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import * as Tmux from "@sessionport/codex-oracle/Tmux"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

// Progress is for people at a terminal: a line with the rate and the time left on stderr while a
// long phase runs, and nothing in a pipe.

afterAll(removeTemps)

const bin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))

/** A Codex home of ~64 MB that gzip cannot shrink much (random text): its export takes seconds. */
const largeHome = () => {
  const home = tempDir("progress-home")
  for (let i = 0; i < 12; i++) {
    const id = uuid(7000 + i)
    const lines: Array<unknown> = [sessionMeta({ id, cwd: "/home/alice/code/app" })]
    for (let j = 0; j < 180; j++) lines.push(userMessage(randomBytes(24 * 1024).toString("base64")))
    writeRollout(home, id, new Date(Date.UTC(2026, 0, 1, 0, i)), lines)
  }
  return home
}

// `export [#####---] 22% 22.1 MiB/96.5 MiB 29.1 MiB/s ETA 3s`
const PROGRESS = /export \[[#-]+\] \d+% [\d.]+ MiB\/[\d.]+ MiB [\d.]+ MiB\/s ETA \d+s/

describe("progress", () => {
  it.scoped("an export shows its rate and time left on a terminal, and nothing off it", () =>
    Effect.gen(function*() {
      const home = largeHome()
      const out = tempDir("progress-out")
      const term = yield* Tmux.start({
        cwd: out,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: tempDir("progress-user"),
          TERM: "xterm-256color",
          CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME,
          XDG_DATA_HOME: NO_XDG_DATA_HOME
        },
        argv: [process.execPath, bin, "export", "--all", "--codex-home", home, "--out", path.join(out, "tty.tgz")],
        width: 160,
        height: 20,
        keepAfterExit: true
      })
      yield* term.waitFor(PROGRESS, "60 seconds")
      assert.strictEqual(yield* term.exitStatus("60 seconds"), 0)
      // the line is cleared once the phase ends: the summary is not mixed with it
      assert.notMatch(yield* term.capture, PROGRESS)

      const piped = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", path.join(out, "pipe.tgz")])
      assert.strictEqual(piped.code, 0, piped.stderr)
      assert.notMatch(piped.stderr, /ETA|\/s\b|\r/)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})
