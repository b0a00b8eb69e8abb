import { assert, describe, it } from "@effect/vitest"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { copyFixtureHome, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, errorLines, sessionTransfer } from "./utils/cli.js"

// A usage error (exit 2, one line on stderr) stops before anything is opened: no default home
// taken in place of an empty --codex-home, no database opened, no journal made.

afterAll(removeTemps)

const THREAD = "019a0000-0000-7000-8000-0000000000b1"

/** A package of one small session, exported from a home made for it. */
const onePackage = Effect.gen(function*() {
  const home = tempDir("usage-src")
  writeRollout(home, THREAD, new Date(Date.UTC(2026, 0, 1)), [sessionMeta({ id: THREAD, cwd: "/home/alice/proj" }), userMessage("hi")])
  const pkg = path.join(tempDir("usage-pkg"), "pkg.tgz")
  const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg])
  assert.strictEqual(exported.code, 0, exported.stderr)
  return pkg
})


const usageError = (result: CliResult, args: ReadonlyArray<string>, message?: RegExp) => {
  const what = JSON.stringify(args)
  assert.strictEqual(result.code, 2, `${what}: ${result.stderr}`)
  assert.strictEqual(result.stdout, "", what)
  const lines = errorLines(result)
  assert.strictEqual(lines.length, 1, `${what}: ${result.stderr}`)
  if (message !== undefined) assert.match(lines[0]!, message, what)
}

describe("an empty or blank path is a usage error, and nothing is created anywhere", () => {
  it.effect("--codex-home \"\" and \"  \" never fall back to $CODEX_HOME or ~/.codex", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage
      const root = tempDir("usage-home")
      const home = path.join(root, "home")
      const codexHome = path.join(root, "codex-home")
      fs.mkdirSync(home)
      fs.mkdirSync(codexHome)
      fs.mkdirSync(path.join(home, ".codex"))
      const env = { HOME: home, CODEX_HOME: codexHome }
      const before = fileState(root)
      for (const blank of ["", "  "]) {
        for (
          const args of [
            ["install", pkg, "--codex-home", blank],
            ["export", "--all", "--out", path.join(root, "out.tgz"), "--codex-home", blank],
            ["list-transactions", "--codex-home", blank],
            ["rollback", "--latest", "--codex-home", blank],
            ["recover", "--codex-home", blank],
            ["actions", THREAD, "--codex-home", blank]
          ]
        ) {
          usageError(yield* sessionTransfer(args, { env }), args, /--codex-home is empty/)
        }
      }
      assert.deepStrictEqual(fileState(root), before)
    }), 120_000)

  it.effect("every other path: PACKAGE, PATH, TARGET, --out, --cwd (and a blank TRANSACTION_ID)", () =>
    Effect.gen(function*() {
      const root = tempDir("usage-paths")
      const codexHome = path.join(root, "codex")
      fs.mkdirSync(codexHome)
      const env = { HOME: root, CODEX_HOME: codexHome }
      const before = fileState(root)
      for (
        const [args, message] of [
          [["install", ""], /PACKAGE is empty/],
          [["inspect", " "], /PACKAGE is empty/],
          [["validate", ""], /PATH is empty/],
          [["actions", "\t"], /TARGET is empty/],
          [["export", "--all", "--out", ""], /--out is empty/],
          [["export", "--cwd", " ", "--out", path.join(root, "x.tgz")], /--cwd is empty/],
          [["rollback", ""], /TRANSACTION_ID is empty/]
        ] as const
      ) {
        usageError(yield* sessionTransfer(args, { env }), args, message)
      }
      assert.deepStrictEqual(fileState(root), before)
    }), 120_000)
})

describe("--map FROM=TO refuses what cannot be a folder", () => {
  it.effect("a .. segment, a newline or another control character, an empty side: exit 2, one line, nothing installed", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage
      const root = tempDir("usage-map")
      const codexHome = path.join(root, ".codex")
      fs.mkdirSync(codexHome)
      const env = { HOME: root }
      const before = fileState(root)
      for (
        const [map, message] of [
          ["/home/alice/proj=/srv/../../etc", /TO holds a "\.\." segment/],
          ["/home/alice/proj=/srv/x/..", /TO holds a "\.\." segment/],
          ["/home/alice/../alice/proj=/srv/x", /FROM holds a "\.\." segment/],
          ["/home/alice/proj=/srv/x\n/etc", /TO holds a control character/],
          ["/home/alice/proj=/srv/\u001b[2Jx", /TO holds a control character/],
          ["/home/alice/proj=", /TO is empty/],
          ["=/srv/x", /FROM is empty/]
        ] as const
      ) {
        const args = ["install", pkg, "--codex-home", codexHome, "--map", map]
        usageError(yield* sessionTransfer(args, { env }), args, message)
      }
      assert.deepStrictEqual(fileState(root), before)
    }), 120_000)
})

describe("usage errors touch nothing in the Codex home", () => {
  it.effect("no state_5.sqlite-wal/-shm appear, no journal, every file as it was", () =>
    Effect.gen(function*() {
      const pkg = yield* onePackage
      const home = copyFixtureHome()
      // fold the fixture's WAL into the database, so that any open would show (closing the last
      // connection removes -wal and -shm)
      const db = openDatabase(path.join(home, "state_5.sqlite"))
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
      db.close()
      assert.isFalse(fs.existsSync(path.join(home, "state_5.sqlite-wal")))
      const before = fileState(home)
      const env = { HOME: tempDir("usage-user") }
      for (
        const args of [
          ["install", pkg, "--codex-home", home, "--bogus", "x"],
          ["install", "--codex-home", home],
          ["install", pkg, "--codex-home", home, "--map", "bad"],
          ["install", pkg, "--codex-home", home, "--map", "/home/alice=/srv/../etc"],
          ["install", "", "--codex-home", home],
          ["export", "--out", path.join(env.HOME, "x.tgz"), "--codex-home", home],
          ["export", "--all", "--out", "", "--codex-home", home],
          ["rollback", "--codex-home", home],
          ["list-transactions", "--codex-home", home, "--json=maybe"]
        ]
      ) {
        const result = yield* sessionTransfer(args, { env })
        assert.strictEqual(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`)
        assert.deepStrictEqual(fileState(home), before, JSON.stringify(args))
      }
    }), 120_000)
})

describe("session-transfer --help", () => {
  it.effect("each option says what it is once, with a typed placeholder; USAGE names the program; repeatable options look optional", () =>
    Effect.gen(function*() {
      const help = yield* sessionTransfer(["install", "--help"])
      assert.strictEqual(help.code, 0, help.stderr)
      assert.notInclude(help.stdout, "A user-defined piece of text")
      assert.include(help.stdout, "$ session-transfer install [--map FROM=TO]... [--codex-home DIR] [--claude-home DIR] [--opencode-data DIR]")
      assert.include(help.stdout, "--codex-home DIR")
    }))
})
