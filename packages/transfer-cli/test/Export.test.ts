import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const threadIds = [...new Set(Object.values(fixtures.sessions).map((s) => s.threadId))].sort()

describe("session-transfer export", () => {
  it.effect("exports every session, and inspect verifies the package", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const out = path.join(tempDir("out"), "pkg.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", home, "--out", out, "--json"])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const result = JSON.parse(exported.stdout)
      assert.deepStrictEqual(result.sessions.map((s: any) => s.threadId).sort(), threadIds)
      assert.strictEqual(result.format, "tgz")

      const inspected = yield* sessionTransfer(["inspect", out, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const inspection = JSON.parse(inspected.stdout)
      assert.strictEqual(inspection.integrity, "verified")
      assert.deepStrictEqual(inspection.manifest.thread_ids, threadIds)
      assert.deepStrictEqual(inspection.sessions.map((s: any) => s.threadId).sort(), threadIds)

      const text = yield* sessionTransfer(["inspect", out])
      assert.strictEqual(text.code, 0)
      assert.match(text.stdout, /every SHA-256 matches the manifest/)
      assert.include(text.stdout, "Release checklist")
    }))

  it.effect("--cwd selects one project, into a folder package; --dry-run writes nothing", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const dir = tempDir("out")
      const alpha = fixtures.source.alpha
      const dry = yield* sessionTransfer(["export", "--cwd", alpha, "--codex-home", home, "--out", path.join(dir, "p"), "--dry-run", "--json"])
      assert.strictEqual(dry.code, 0, dry.stderr)
      assert.deepStrictEqual(fs.readdirSync(dir), [])
      const expected = [...new Set(Object.values(fixtures.sessions).filter((s) => s.cwd === alpha && !s.archived).map((s) => s.threadId))].sort()
      assert.deepStrictEqual(JSON.parse(dry.stdout).sessions.map((s: any) => s.threadId).sort(), expected)

      const real = yield* sessionTransfer(["export", "--cwd", alpha, "--codex-home", home, "--out", path.join(dir, "p")])
      assert.strictEqual(real.code, 0, real.stderr)
      assert.match(real.stdout, new RegExp(`exported ${expected.length} session`))
      assert.isTrue(fs.existsSync(path.join(dir, "p", "package_manifest.json")))
    }))

  it.effect("refusals: one line on stderr, exit 1, nothing written", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const dir = tempDir("out")
      const existing = path.join(dir, "exists.tgz")
      fs.writeFileSync(existing, "mine")
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
        [["--all", "--codex-home", home, "--out", existing], /already exists/],
        [["--thread", "01a1fd65-0000-7000-8000-000000000000", "--codex-home", home, "--out", path.join(dir, "a.tgz")], /no session 01a1fd65-0000/],
        [["--all", "--codex-home", path.join(dir, "no-home"), "--out", path.join(dir, "b.tgz")], /does not exist/],
        [["--all", "--since", "2999-01-01", "--codex-home", home, "--out", path.join(dir, "c.tgz")], /no session .* matches/]
      ]
      for (const [args, message] of cases) {
        const result = yield* sessionTransfer(["export", ...args])
        assert.strictEqual(result.code, 1, `${args.join(" ")}: ${result.stderr}`)
        const lines = errorLines(result)
        assert.strictEqual(lines.length, 1, result.stderr)
        assert.match(lines[0]!, /^session-transfer: /)
        assert.match(lines[0]!, message)
        assert.notInclude(result.stderr, "    at ")
      }
      assert.deepStrictEqual(fs.readdirSync(dir), ["exists.tgz"])
      assert.strictEqual(fs.readFileSync(existing, "utf8"), "mine")
    }))

  it.effect("usage errors exit 2: no selector, a bad date", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const out = path.join(tempDir("out"), "x.tgz")
      const none = yield* sessionTransfer(["export", "--codex-home", home, "--out", out])
      assert.strictEqual(none.code, 2)
      assert.deepStrictEqual(errorLines(none), ["session-transfer: say what to export: --thread ID, --cwd PATH or --all"])
      const badDate = yield* sessionTransfer(["export", "--all", "--since", "yesterday-ish", "--codex-home", home, "--out", out])
      assert.strictEqual(badDate.code, 2)
      assert.isFalse(fs.existsSync(out))
    }))

  it.effect("--help for export and inspect", () =>
    Effect.gen(function*() {
      for (const command of ["export", "inspect"]) {
        const result = yield* sessionTransfer([command, "--help"])
        assert.strictEqual(result.code, 0)
        assert.include(result.stdout, command === "export" ? "--include-archived" : "PACKAGE")
      }
    }))
})
