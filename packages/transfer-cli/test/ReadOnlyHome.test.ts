// A Codex home that cannot be written (a read-only volume): a command that has to write there
// says so in its one line, instead of an OS error about a folder it could not make. Seen through a
// read-only bind mount, since root (the tests' user in CI) is not stopped by permission bits; the
// tests skip where mounting is not permitted (not root).
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { readOnlyView, unmountAll } from "@sessionport/codex-oracle/ReadOnlyMount"
import { Effect } from "effect"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(() => {
  unmountAll()
  removeTemps()
})

const canMount = readOnlyView(tempDir("probe")) !== undefined

describe.skipIf(!canMount)("a read-only home (a read-only bind mount; skipped where mounting is not permitted: needs root)", () => {
  it.effect("exit 1 with one line saying the home is read-only, before and after sessionport made its folder there", () =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("ro-pkg"), "pkg.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", copyFixtureHome(), "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const map = ["--map", `${fixtures.source.root}=${tempDir("ro-cwd")}`]

      const fresh = copyFixtureHome()
      // a home where sessionport already keeps its journal
      const used = copyFixtureHome()
      const first = yield* sessionTransfer(["install", pkg, "--codex-home", used, ...map])
      assert.strictEqual(first.code, 0, first.stderr)

      for (const writable of [fresh, used]) {
        const home = readOnlyView(writable)!
        // read where it can be written: SQLite cannot open a WAL database on a read-only mount
        const before = homeState(writable)
        const run = yield* sessionTransfer(["install", pkg, "--codex-home", home, ...map])
        assert.strictEqual(run.code, 1, run.stderr)
        assert.deepStrictEqual(errorLines(run), [
          `session-transfer: ${home} is read-only (read-only file system); sessionport needs to write its journal there before it changes anything`
        ])
        const json = yield* sessionTransfer(["install", pkg, "--codex-home", home, ...map, "--json"])
        assert.strictEqual(json.code, 1, json.stderr)
        const error = JSON.parse(errorLines(json)[0]!).error
        assert.deepStrictEqual([error.reason, error.path, error.detail], ["read_only", home, "read-only file system"])
        assert.deepStrictEqual(homeState(writable), before)
      }
    }), 60_000)

  it.effect("commands that only read work on it, a journal there too (nothing left to recover)", () =>
    Effect.gen(function*() {
      const writable = copyFixtureHome()
      const pkg = path.join(tempDir("ro-pkg"), "pkg.tgz")
      assert.strictEqual((yield* sessionTransfer(["export", "--all", "--codex-home", writable, "--out", pkg])).code, 0)
      const installed = yield* sessionTransfer(["install", pkg, "--codex-home", writable, "--map", `${fixtures.source.root}=${tempDir("ro-cwd")}`])
      assert.strictEqual(installed.code, 0, installed.stderr)
      const home = readOnlyView(writable)!
      const listed = yield* sessionTransfer(["list-transactions", "--codex-home", home, "--json"])
      assert.strictEqual(listed.code, 0, listed.stderr)
      assert.strictEqual(JSON.parse(listed.stdout).length, 1)
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", path.join(tempDir("ro-out"), "again.tgz")])
      assert.strictEqual(exported.code, 0, exported.stderr)
    }), 60_000)
})
