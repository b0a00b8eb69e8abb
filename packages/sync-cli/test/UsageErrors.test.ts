import { CliConfig, CommandDescriptor } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { CommandTree, Examples, UsageCheck } from "@sessionport/cli-kit"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { copyFixtureHome, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect, Either } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Cli from "../src/Cli.js"
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

describe("session-sync help, unknown commands and options, completions, examples", () => {
  it.effect("an unknown option or command names the nearest one: exit 2, one line", () =>
    Effect.gen(function*() {
      for (
        const [args, line] of [
          [["sync", "pkg.tgz", "--dryrun"], "session-sync: unknown option --dryrun; did you mean --dry-run?"],
          [["snyc", "pkg.tgz"], "session-sync: unknown command 'snyc'; did you mean 'sync'?"],
          [["sidecar-helth"], "session-sync: unknown command 'sidecar-helth'; did you mean 'sidecar-health'?"]
        ] as const
      ) {
        const result = yield* sessionSync(args, { env: { HOME: tempDir("sync-usage-nearest") } })
        assert.strictEqual(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`)
        assert.deepStrictEqual(errorLines(result), [line])
      }
    }), 120_000)

  it.effect("help COMMAND is COMMAND --help", () =>
    Effect.gen(function*() {
      const viaHelp = yield* sessionSync(["help", "sync"])
      assert.strictEqual(viaHelp.code, 0, viaHelp.stderr)
      assert.include(viaHelp.stdout, "$ session-sync sync")
      assert.strictEqual(viaHelp.stdout, (yield* sessionSync(["sync", "--help"])).stdout)
    }), 120_000)

  it.effect("every command has an example in its help, and the example parses as that command", () =>
    Effect.gen(function*() {
      const tree = CommandTree.fromCommand(Cli.root)
      const commands = tree.subcommands.map((c) => c.name)
      assert.deepStrictEqual(Object.keys(Examples.EXAMPLES["session-sync"]!).sort(), [...commands].sort())
      for (const command of commands) {
        const example = Examples.example("session-sync", command)!
        const args = example.split(" ").slice(1)
        assert.isUndefined(UsageCheck.check("session-sync", tree, args), example)
        const parsed = yield* Effect.either(CommandDescriptor.parse(Cli.root.descriptor, ["session-sync", ...args], CliConfig.defaultConfig))
        assert.isTrue(Either.isRight(parsed), `${example}: ${Either.isLeft(parsed) ? JSON.stringify(parsed.left) : ""}`)
      }
      const help = yield* sessionSync(["adopt", "--help"])
      assert.isTrue(help.stdout.trimEnd().endsWith(`EXAMPLE\n\n  $ ${Examples.example("session-sync", "adopt")}`), help.stdout)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.effect("--completions bash prints a script that, sourced, completes every command", () =>
    Effect.gen(function*() {
      const result = yield* sessionSync(["--completions", "bash"])
      assert.strictEqual(result.code, 0, result.stderr)
      const file = path.join(tempDir("sync-completions"), "session-sync.bash")
      fs.writeFileSync(file, result.stdout)
      const sourced = execFileSync("bash", [
        "-c",
        `source "$1" && complete -p session-sync && COMP_WORDS=(session-sync "") && COMP_CWORD=1 && _session_sync && printf '%s\\n' "\${COMPREPLY[@]}"`,
        "bash",
        file
      ], { encoding: "utf8" }).split("\n").filter((line) => line !== "")
      assert.strictEqual(sourced[0], "complete -o filenames -F _session_sync session-sync")
      assert.deepStrictEqual(sourced.slice(1).sort(), CommandTree.fromCommand(Cli.root).subcommands.map((c) => c.name).sort())
    }), 120_000)
})
