import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { HOSTILE_CWD, RAW_CONTROL, writeHostileHome } from "@sessionport/codex-oracle/TerminalEscapes"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"

// The sync plan of a package whose session's name, prompt and working directory hold terminal
// controls: the plan and the warnings people read show them escaped; --json keeps them exact.

afterAll(removeTemps)

const noRawControls = (result: CliResult, what: string) => {
  assert.notMatch(result.stdout, RAW_CONTROL, `${what}: stdout`)
  assert.notMatch(result.stderr, RAW_CONTROL, `${what}: stderr`)
}

describe("session-sync human output escapes control characters from packages", () => {
  it.effect("inspect-package and sync --dry-run; --json keeps the text", () =>
    Effect.gen(function*() {
      const source = tempDir("sync-escapes-src")
      writeHostileHome(source)
      const pkg = path.join(tempDir("sync-escapes-pkg"), "pkg.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", source, "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const root = tempDir("sync-escapes-home")
      const codexHome = path.join(root, ".codex")
      fs.mkdirSync(codexHome)
      const env = { HOME: root }
      for (const args of [["inspect-package", pkg], ["sync", pkg, "--dry-run"]]) {
        const human = yield* sessionSync([...args, "--codex-home", codexHome], { env })
        assert.strictEqual(human.code, 0, human.stderr)
        noRawControls(human, args[0]!)
        // the warning about the working directory, which does not exist here
        assert.include(human.stderr, "\\x9b")
        assert.include(human.stdout, "plan for 1 session(s)")
        const json = yield* sessionSync([...args, "--codex-home", codexHome, "--json"], { env })
        assert.strictEqual(json.code, 0, json.stderr)
        assert.isTrue(JSON.parse(json.stdout).warnings.some((w: string) => w.includes(HOSTILE_CWD)), args[0])
      }
    }), 120_000)
})
