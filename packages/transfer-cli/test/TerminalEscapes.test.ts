import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { baseFiles, entriesOf, writeTgz } from "@sessionport/codex-oracle/PackageBuilders"
import {
  HOSTILE,
  HOSTILE_CWD,
  HOSTILE_ESCAPED,
  RAW_CONTROL,
  writeHostileHome
} from "@sessionport/codex-oracle/TerminalEscapes"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, errorLines, sessionTransfer } from "./utils/cli.js"

// A session name, first prompt and working directory holding a window-title OSC, a clear-screen
// CSI, a C1 CSI and a bidi override: human output shows them escaped, --json keeps them exact.

afterAll(removeTemps)

const noRawControls = (result: CliResult, what: string) => {
  assert.notMatch(result.stdout, RAW_CONTROL, `${what}: stdout`)
  assert.notMatch(result.stderr, RAW_CONTROL, `${what}: stderr`)
}

/** A package exported from a home holding the hostile session, and a HOME to install under. */
const hostilePackage = Effect.gen(function*() {
  const source = tempDir("escapes-src")
  writeHostileHome(source)
  const pkg = path.join(tempDir("escapes-pkg"), "pkg.tgz")
  const exported = yield* sessionTransfer(["export", "--all", "--codex-home", source, "--out", pkg])
  assert.strictEqual(exported.code, 0, exported.stderr)
  return { source, pkg, exported }
})

describe("human output escapes control characters from packages and homes; JSON keeps them", () => {
  it.effect("export", () =>
    Effect.gen(function*() {
      const { exported, source } = yield* hostilePackage
      noRawControls(exported, "export")
      assert.include(exported.stdout, `"${HOSTILE_ESCAPED}"`)
      const json = yield* sessionTransfer(["export", "--all", "--codex-home", source, "--dry-run", "--json", "--out", "x.tgz"])
      assert.deepStrictEqual(JSON.parse(json.stdout).sessions[0].name, HOSTILE)
    }), 60_000)

  it.effect("inspect", () =>
    Effect.gen(function*() {
      const { pkg } = yield* hostilePackage
      const human = yield* sessionTransfer(["inspect", pkg])
      assert.strictEqual(human.code, 0, human.stderr)
      noRawControls(human, "inspect")
      assert.include(human.stdout, `"${HOSTILE_ESCAPED}"`)
      const json = yield* sessionTransfer(["inspect", pkg, "--json"])
      const session = JSON.parse(json.stdout).sessions[0]
      assert.deepStrictEqual([session.name, session.first_prompt, session.cwd], [HOSTILE, HOSTILE, HOSTILE_CWD])
    }), 60_000)

  it.effect("install and install --dry-run (the plan, the result and the warning about the folder)", () =>
    Effect.gen(function*() {
      const { pkg } = yield* hostilePackage
      const root = tempDir("escapes-home")
      const codexHome = path.join(root, ".codex")
      fs.mkdirSync(codexHome)
      const env = { HOME: root }
      for (const dryRun of [["--dry-run"], []]) {
        const human = yield* sessionTransfer(["install", pkg, "--codex-home", codexHome, ...dryRun], { env })
        assert.strictEqual(human.code, 0, human.stderr)
        noRawControls(human, `install ${dryRun.join(" ")}`)
        assert.include(human.stdout, `"${HOSTILE_ESCAPED}"`)
        assert.include(human.stdout, "/home/alice/p\\x1b]0;pwned\\x07\\x1b[2J\\x9b\\u202ej")
        assert.include(human.stderr, "\\x9b")
      }
      const json = yield* sessionTransfer(["install", pkg, "--codex-home", codexHome, "--json"], { env })
      assert.strictEqual(json.code, 0, json.stderr)
      const result = JSON.parse(json.stdout)
      assert.deepStrictEqual([result.sessions[0].name, result.sessions[0].title, result.sessions[0].cwd], [HOSTILE, HOSTILE, HOSTILE_CWD])
      assert.isTrue(result.warnings.some((w: string) => w.includes(HOSTILE_CWD)))
    }), 60_000)

  it.effect("actions --format table; jsonl keeps the text", () =>
    Effect.gen(function*() {
      const { pkg } = yield* hostilePackage
      const table = yield* sessionTransfer(["actions", pkg, "--format", "table", "--include-text"])
      assert.strictEqual(table.code, 0, table.stderr)
      noRawControls(table, "actions --format table")
      assert.include(table.stdout, "\\x9b31m")
      const jsonl = yield* sessionTransfer(["actions", pkg, "--include-text"])
      const started = jsonl.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
        .find((a) => a.action_type === "session_started")
      assert.deepStrictEqual([started.text, started.cwd], [HOSTILE, HOSTILE_CWD])
    }), 60_000)

  it.effect("an error quoting a package's entry name: one escaped line; the JSON error exact", () =>
    Effect.gen(function*() {
      const entry = `evil${HOSTILE}.txt`
      const pkg = yield* Effect.promise(() => writeTgz(tempDir("escapes-bad"), entriesOf({ ...baseFiles(), [entry]: "x" })))
      const human = yield* sessionTransfer(["inspect", pkg])
      assert.strictEqual(human.code, 1)
      noRawControls(human, "inspect error")
      assert.strictEqual(errorLines(human).length, 1, human.stderr)
      assert.include(human.stderr, `evil${HOSTILE_ESCAPED}.txt`)
      const json = yield* sessionTransfer(["inspect", pkg, "--json"])
      assert.strictEqual(JSON.parse(errorLines(json)[0]!).error.entry, entry)
    }), 60_000)
})
