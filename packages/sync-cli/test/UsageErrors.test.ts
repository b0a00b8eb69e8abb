import { assert, describe, it } from "@effect/vitest"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { copyFixtureHome, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, onePackage, sessionSync } from "./utils/cli.js"

// A usage error (exit 2, one line) stops before anything is opened: an empty --codex-home never
// falls back to $CODEX_HOME or ~/.codex, a bad --map opens no database.

afterAll(removeTemps)

const THREAD = "019a0000-0000-7000-8000-0000000000c1"



describe("session-sync usage errors", () => {
  it.effect("an empty or blank --codex-home, PACKAGE or --map: exit 2, one line, nothing created anywhere", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage(THREAD)
      const root = tempDir("sync-usage-home")
      const home = path.join(root, "home")
      const codexHome = path.join(root, "codex-home")
      fs.mkdirSync(path.join(home, ".codex"), { recursive: true })
      fs.mkdirSync(codexHome)
      const env = { HOME: home, CODEX_HOME: codexHome }
      const before = fileState(root)
      for (
        const [args, message] of [
          [["sync", pkg, "--yes", "--codex-home", ""], /--codex-home is empty/],
          [["inspect-package", pkg, "--codex-home", "  "], /--codex-home is empty/],
          [["adopt", "--codex-home", ""], /--codex-home is empty/],
          [["sidecar-health", "--codex-home", " "], /--codex-home is empty/],
          [["list-transactions", "--codex-home", ""], /--codex-home is empty/],
          [["sync", "", "--yes"], /PACKAGE is empty/],
          [["sync", pkg, "--yes", "--map", "/home/alice/proj=/srv/../etc"], /TO holds a "\.\." segment/],
          [["sync", pkg, "--yes", "--map", "/home/alice/proj=/srv\nx"], /TO holds a control character/]
        ] as const
      ) {
        const result = yield* sessionSync(args, { env })
        assert.strictEqual(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`)
        const lines = errorLines(result)
        assert.strictEqual(lines.length, 1, result.stderr)
        assert.match(lines[0]!, message)
      }
      assert.deepStrictEqual(fileState(root), before)
    }), 120_000)

  it.effect("touch nothing in the Codex home: no state_5.sqlite-wal/-shm, no sidecar, no journal", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage(THREAD)
      const home = copyFixtureHome()
      const db = openDatabase(path.join(home, "state_5.sqlite"))
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
      db.close()
      assert.isFalse(fs.existsSync(path.join(home, "state_5.sqlite-wal")))
      const before = fileState(home)
      for (
        const args of [
          ["sync", pkg, "--codex-home", home, "--map", "bad"],
          ["inspect-package", pkg, "--codex-home", home, "--map", "/a=/b/.."],
          ["sync", "--codex-home", home],
          ["sync", pkg, "--codex-home", home, "--bogus", "x"]
        ]
      ) {
        const result = yield* sessionSync(args, { env: { HOME: tempDir("sync-usage-user") } })
        assert.strictEqual(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`)
        assert.deepStrictEqual(fileState(home), before, JSON.stringify(args))
      }
    }), 120_000)
})
