// A Codex home that cannot be written (a read-only volume): sync says so in its one line, instead
// of calling the sidecar unusable and advising rebuild-sidecar. Seen through a read-only bind
// mount, since root (the tests' user in CI) is not stopped by permission bits; the tests skip
// where mounting is not permitted (not root).
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { readOnlyView, unmountAll } from "@sessionport/codex-oracle/ReadOnlyMount"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { errorLines, sessionSync } from "./utils/cli.js"
import { exportPackage, sourceHome } from "./utils/scenarios.js"

afterAll(() => {
  unmountAll()
  removeTemps()
})

const canMount = readOnlyView(tempDir("probe")) !== undefined

describe.skipIf(!canMount)("sync into a read-only home (a read-only bind mount; skipped where mounting is not permitted: needs root)", () => {
  it.effect("exit 1 with one line saying the home is read-only, no rebuild-sidecar advice", () =>
    Effect.gen(function*() {
      const map = ["--map", `${fixtures.source.root}=${tempDir("ro-cwd")}`]
      const pkg = yield* exportPackage(copyFixtureHome(), "all")
      // the same conversations gone on by a turn: a sync that fast-forwards
      const newer = yield* exportPackage(sourceHome({ continueWith: { beta_cwd: "And one more thing." } }), "all")
      const expected = (home: string, what: string) =>
        `session-sync: ${home} is read-only (read-only file system); sessionport needs to write ${what}`

      // no sessionport folder yet: the sidecar is the first thing sync and adopt write
      const blank = copyFixtureHome()
      const fresh = readOnlyView(blank)!
      // synced before: the sidecar is there, in WAL mode, which SQLite cannot even read without
      // writing its shared-memory file
      const synced = copyFixtureHome()
      const first = yield* sessionSync(["sync", pkg, "--yes", "--codex-home", synced, ...map])
      assert.strictEqual(first.code, 0, first.stderr)
      const used = readOnlyView(synced)!

      const runs = [
        { home: fresh, writable: blank, args: ["sync", pkg, "--yes", ...map], what: "its sync sidecar there" },
        { home: fresh, writable: blank, args: ["adopt"], what: "its sync sidecar there" },
        { home: used, writable: synced, args: ["sync", newer, "--yes", ...map], what: "its sync sidecar there" }
      ]
      for (const { args, home, what, writable } of runs) {
        // read where it can be written: SQLite cannot open a WAL database on a read-only mount
        const before = homeState(writable)
        const run = yield* sessionSync([...args, "--codex-home", home])
        assert.strictEqual(run.code, 1, `${args[0]}: ${run.stderr}`)
        assert.deepStrictEqual(errorLines(run), [expected(home, what)], args[0])
        assert.notInclude(run.stderr, "rebuild-sidecar")
        assert.deepStrictEqual(homeState(writable), before)
      }
    }), 120_000)
})
