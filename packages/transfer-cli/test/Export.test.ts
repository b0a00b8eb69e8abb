import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { rolloutPath, sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect, Schedule } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
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
      assert.deepStrictEqual(result.sessions.map((s: any) => s.thread_id).sort(), threadIds)
      assert.strictEqual(result.format, "tgz")

      const inspected = yield* sessionTransfer(["inspect", out, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const inspection = JSON.parse(inspected.stdout)
      assert.strictEqual(inspection.integrity, "verified")
      assert.deepStrictEqual(inspection.manifest.thread_ids, threadIds)
      assert.deepStrictEqual(inspection.sessions.map((s: any) => s.thread_id).sort(), threadIds)

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
      assert.deepStrictEqual(JSON.parse(dry.stdout).sessions.map((s: any) => s.thread_id).sort(), expected)

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

  describe("unreadable sessions", () => {
    const activeIds = [...new Set(Object.values(fixtures.sessions).filter((s) => !s.archived).map((s) => s.threadId))].sort()
    const planted = (home: string) => {
      const file = rolloutPath(home, uuid(1), new Date(Date.UTC(2026, 10, 22, 8, 0, 0)))
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, "")
      return { file, relative: path.relative(home, file).split(path.sep).join("/") }
    }

    it.effect("--all or --thread: refused in one line naming the session and why, exit 1, nothing written", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const { file, relative } = planted(home)
        const dir = tempDir("out")
        const line =
          `session-transfer: session ${uuid(1)} is unreadable: the file is empty (${relative}); pass --skip-unreadable to export without it`
        for (const selection of [["--all"], ["--thread", uuid(1)], ["--cwd", fixtures.source.alpha]]) {
          const result = yield* sessionTransfer(["export", ...selection, "--codex-home", home, "--out", path.join(dir, "p.tgz")])
          assert.strictEqual(result.code, 1, result.stderr)
          assert.deepStrictEqual(errorLines(result), [line], selection.join(" "))
        }
        const json = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", path.join(dir, "p.tgz"), "--json"])
        assert.strictEqual(json.code, 1)
        assert.strictEqual(json.stdout, "")
        const lines = errorLines(json)
        assert.lengthOf(lines, 1)
        const error = JSON.parse(lines[0]!).error
        assert.strictEqual(error.reason, "unreadable_sessions")
        assert.deepStrictEqual(error.unreadable, [{ thread_id: uuid(1), path: file, reason: "the file is empty" }])
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      }))

    it.effect("--skip-unreadable exports the others, warns for each one left out, and lists them in --json", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const { file } = planted(home)
        const dir = tempDir("out")
        const human = yield* sessionTransfer(["export", "--all", "--skip-unreadable", "--codex-home", home, "--out", path.join(dir, "a.tgz")])
        assert.strictEqual(human.code, 0, human.stderr)
        assert.match(human.stdout, new RegExp(`^exported ${activeIds.length} session\\(s\\)`))
        const warnings = errorLines(human)
        assert.lengthOf(warnings, 1, human.stderr)
        // one plain line (no timestamp, level or fiber)
        assert.strictEqual(warnings[0]!, `warning: left out unreadable session ${uuid(1)}: the file is empty (${file})`)

        const json = yield* sessionTransfer(["export", "--all", "--skip-unreadable", "--codex-home", home, "--out", path.join(dir, "b.tgz"), "--json"])
        assert.strictEqual(json.code, 0, json.stderr)
        const result = JSON.parse(json.stdout)
        assert.deepStrictEqual(result.sessions.map((s: any) => s.thread_id).sort(), activeIds)
        assert.deepStrictEqual(result.skipped, [{ agent: "codex", id: uuid(1), thread_id: uuid(1), path: file, reason: "the file is empty" }])
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["a.tgz", "b.tgz"])
      }))
  })

  it.live("a temp left by an export killed with SIGKILL is removed by the next export to the same --out", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      // a big session, sparse: slow enough to kill mid-write, cheap on disk
      const id = uuid(1)
      const big = writeRollout(home, id, new Date(Date.UTC(2026, 10, 22, 8, 0, 0)), [sessionMeta({ id, cwd: "/p" }), userMessage("big")])
      fs.truncateSync(big, 4 * 1024 ** 3)
      const dir = tempDir("out")
      const out = path.join(dir, "pkg.tgz")
      const bin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))
      const child = spawn(process.execPath, [bin, "export", "--thread", id, "--codex-home", home, "--out", out], { stdio: "ignore" })
      const exited = new Promise((resolve) => child.on("exit", resolve))
      const temp = yield* Effect.suspend(() => {
        const name = fs.readdirSync(dir).find((name) => name.startsWith("pkg.tgz.tmp-"))
        return name === undefined ? Effect.fail("no temp yet") : Effect.succeed(name)
      }).pipe(
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 3000 }),
        Effect.orDie
      )
      child.kill("SIGKILL")
      yield* Effect.promise(() => exited)
      // the temp names its writer, which could not remove it
      assert.match(temp, new RegExp(`^pkg\\.tgz\\.tmp-[0-9a-f]{8}-${child.pid}-[0-9a-f]{12}$`))
      assert.deepStrictEqual(fs.readdirSync(dir), [temp])

      const again = yield* sessionTransfer(["export", "--thread", fixtureByRole("named").threadId, "--codex-home", home, "--out", out])
      assert.strictEqual(again.code, 0, again.stderr)
      assert.include(again.stderr, `removed ${path.join(dir, temp)}`)
      assert.deepStrictEqual(fs.readdirSync(dir), ["pkg.tgz"])
    }), 120_000)

  it.effect("usage errors exit 2: no selector, a bad date", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const out = path.join(tempDir("out"), "x.tgz")
      const none = yield* sessionTransfer(["export", "--codex-home", home, "--out", out])
      assert.strictEqual(none.code, 2)
      assert.deepStrictEqual(errorLines(none), ["session-transfer: say what to export: --thread ID, --cwd PATH or --all (on a terminal, without them, a picker opens)"])
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
