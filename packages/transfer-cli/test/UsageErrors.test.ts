import { CliConfig, CommandDescriptor } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { CommandTree, Examples, UsageCheck } from "@sessionport/cli-kit"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { copyFixtureHome, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect, Either } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Cli from "../src/Cli.js"
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
      assert.include(help.stdout, "$ session-transfer install [--map FROM=TO]... [--forget-maps] [--codex-home DIR] [--claude-home DIR] [--opencode-data DIR]")
      assert.include(help.stdout, "--codex-home DIR")
    }))
})

describe("list --last", () => {
  it.effect("--last 0 or a negative number is a usage error (a negative one would cut from the end)", () =>
    Effect.gen(function*() {
      for (const n of ["0", "-1"]) {
        const run = yield* sessionTransfer(["list", "--codex-home", copyFixtureHome(), "--last", n])
        assert.strictEqual(run.code, 2, `--last ${n}: ${run.stderr}`)
        assert.include(run.stderr, `--last ${n}: give a number of sessions, 1 or more`)
        assert.strictEqual(run.stdout, "")
      }
    }))
})

describe("help, unknown commands and options, completions, examples", () => {
  it.effect("an unknown option or command names the nearest one: exit 2, one line, nothing written", () =>
    Effect.gen(function*() {
      const root = tempDir("usage-nearest")
      const out = path.join(root, "x.tgz")
      for (
        const [args, line] of [
          // left to the parser, this one said --out was missing
          [["export", "--al", "--out", out], "session-transfer: unknown option --al; did you mean --all?"],
          [["exprot", "--all", "--out", out], "session-transfer: unknown command 'exprot'; did you mean 'export'?"],
          [["export", "--all", "--out", out, "--dryrun"], "session-transfer: unknown option --dryrun; did you mean --dry-run?"],
          [["install", "pkg.tgz", "--bogus", "x"], "session-transfer: unknown option --bogus; see session-transfer install --help"]
        ] as const
      ) {
        const result = yield* sessionTransfer(args, { env: { HOME: root } })
        usageError(result, args)
        assert.strictEqual(errorLines(result)[0], line)
      }
      assert.deepStrictEqual(fs.readdirSync(root), [])
    }), 120_000)

  it.effect("help COMMAND is COMMAND --help, help alone is --help", () =>
    Effect.gen(function*() {
      const viaHelp = yield* sessionTransfer(["help", "export"])
      const viaOption = yield* sessionTransfer(["export", "--help"])
      assert.strictEqual(viaHelp.code, 0, viaHelp.stderr)
      assert.include(viaHelp.stdout, "$ session-transfer export")
      assert.strictEqual(viaHelp.stdout, viaOption.stdout)
      const root = yield* sessionTransfer(["help"])
      assert.strictEqual(root.code, 0, root.stderr)
      assert.strictEqual(root.stdout, (yield* sessionTransfer(["--help"])).stdout)
      assert.include(root.stdout, "COMMANDS")
    }), 120_000)

  it.effect("every command has an example in its help, and the example parses as that command", () =>
    Effect.gen(function*() {
      const tree = CommandTree.fromCommand(Cli.root)
      const commands = tree.subcommands.map((c) => c.name)
      // one example per command, none for a command that is not there
      assert.deepStrictEqual(Object.keys(Examples.EXAMPLES["session-transfer"]!).sort(), [...commands].sort())
      for (const command of commands) {
        const example = Examples.example("session-transfer", command)!
        const args = example.split(" ").slice(1)
        assert.isUndefined(UsageCheck.check("session-transfer", tree, args), example)
        const parsed = yield* Effect.either(CommandDescriptor.parse(Cli.root.descriptor, ["session-transfer", ...args], CliConfig.defaultConfig))
        assert.isTrue(Either.isRight(parsed), `${example}: ${Either.isLeft(parsed) ? JSON.stringify(parsed.left) : ""}`)
      }
      const help = yield* sessionTransfer(["export", "--help"])
      assert.isTrue(help.stdout.trimEnd().endsWith(`EXAMPLE\n\n  $ ${Examples.example("session-transfer", "export")}`), help.stdout)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.effect("--completions bash prints a script that, sourced, completes every command", () =>
    Effect.gen(function*() {
      const result = yield* sessionTransfer(["--completions", "bash"])
      assert.strictEqual(result.code, 0, result.stderr)
      const commands = CommandTree.fromCommand(Cli.root).subcommands.map((c) => c.name)
      for (const command of commands) assert.include(result.stdout, command)
      const file = path.join(tempDir("completions"), "session-transfer.bash")
      fs.writeFileSync(file, result.stdout)
      const sourced = execFileSync("bash", [
        "-c",
        `source "$1" && complete -p session-transfer && COMP_WORDS=(session-transfer "") && COMP_CWORD=1 && _session_transfer && printf '%s\\n' "\${COMPREPLY[@]}"`,
        "bash",
        file
      ], { encoding: "utf8" }).split("\n").filter((line) => line !== "")
      assert.strictEqual(sourced[0], "complete -o filenames -F _session_transfer session-transfer")
      assert.deepStrictEqual(sourced.slice(1).sort(), [...commands].sort())
      const unknown = yield* sessionTransfer(["--completions", "powershell"])
      usageError(unknown, ["--completions", "powershell"], /no completions for "powershell": bash, zsh or fish/)
    }), 120_000)
})
