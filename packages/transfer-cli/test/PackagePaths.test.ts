import { assert, describe, it } from "@effect/vitest"
import { NO_CLAUDE_HOME, NO_XDG_DATA_HOME } from "@sessionport/codex-oracle/Cli"
import { copyFixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

// Where a package goes and comes from, as people name it: archives by name only (.tgz, .tar.gz),
// an existing folder gets a named archive, - is stdout for export and stdin for install and sync.

afterAll(removeTemps)

const transferBin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))
const syncBin = fileURLToPath(new URL("../../sync-cli/bin/session-sync.mjs", import.meta.url))
const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME, XDG_DATA_HOME: NO_XDG_DATA_HOME }

/** A Codex home of `ids.length` small sessions. */
const source = (ids: ReadonlyArray<string>) => {
  const home = tempDir("paths-io-src")
  for (const id of ids) writeRollout(home, id, new Date(Date.UTC(2026, 0, 1)), [sessionMeta({ id, cwd: "/home/alice/proj" }), userMessage(`hi ${id}`)])
  return home
}

/** `sh -c LINE` with $0, $1… bound to `args`: a pipeline between the two CLIs. */
const shell = (line: string, args: ReadonlyArray<string>) =>
  spawnSync("/bin/sh", ["-c", line, ...args], { encoding: "utf8", env, maxBuffer: 1 << 28 })

describe("--out and PACKAGE as people name them", () => {
  it.effect("another archive name is a usage error naming what is supported; nothing is written", () =>
    Effect.gen(function*() {
      const home = source([uuid(0xa1)])
      const dir = tempDir("paths-io-bad")
      for (const name of ["x.zip", "x.tar", "x.tar.xz", "x.gz"]) {
        const run = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", path.join(dir, name)])
        assert.strictEqual(run.code, 2, `${name}: ${run.stderr}`)
        assert.strictEqual(errorLines(run).length, 1, run.stderr)
        assert.include(run.stderr, ".tgz")
      }
      assert.deepStrictEqual(fs.readdirSync(dir), [])
    }))

  it.effect("an existing folder gets an archive named for what it holds", () =>
    Effect.gen(function*() {
      const one = uuid(0xb1)
      const home = source([one, uuid(0xb2)])
      const dir = tempDir("paths-io-folder")
      const single = yield* sessionTransfer(["export", "--thread", one, "--codex-home", home, "--out", dir])
      assert.strictEqual(single.code, 0, single.stderr)
      const both = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", dir])
      assert.strictEqual(both.code, 0, both.stderr)
      const names = fs.readdirSync(dir).sort()
      assert.strictEqual(names.length, 2, names.join(", "))
      assert.match(names[0]!, new RegExp(`^codex-session-${one}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z\\.tgz$`))
      assert.match(names[1]!, /^codex-sessions-2-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.tgz$/)
      assert.include(single.stdout, path.join(dir, names[0]!))
    }))

  it.effect("export --out - | install - and | session-sync sync - --yes: the archive through a pipe", () =>
    Effect.gen(function*() {
      const id = uuid(0xc1)
      const home = source([id])
      // stdout is the archive alone (gzip), the report on stderr
      const raw = spawnSync(process.execPath, [transferBin, "export", "--all", "--codex-home", home, "--out", "-"], { env, maxBuffer: 1 << 28 })
      assert.strictEqual(raw.status, 0, String(raw.stderr))
      assert.deepStrictEqual([...raw.stdout.subarray(0, 2)], [0x1f, 0x8b])
      assert.include(String(raw.stderr), "exported 1 session(s) to -")

      const target = copyFixtureHome()
      const before = homeState(target)
      const installed = shell(`"$0" "$1" export --all --codex-home "$2" --out - | "$0" "$3" install - --codex-home "$4" --json`, [
        process.execPath, transferBin, home, transferBin, target
      ])
      assert.strictEqual(installed.status, 0, installed.stderr)
      const result = JSON.parse(installed.stdout)
      assert.strictEqual(result.package, "-")
      assert.deepStrictEqual(result.sessions.map((s: { source_id: string }) => s.source_id), [id])
      assert.notDeepEqual(homeState(target), before)

      const inspected = shell(`"$0" "$1" export --all --codex-home "$2" --out - | "$0" "$1" inspect - --json`, [process.execPath, transferBin, home])
      assert.strictEqual(inspected.status, 0, inspected.stderr)
      assert.strictEqual(JSON.parse(inspected.stdout).path, "-")

      const other = copyFixtureHome()
      const synced = shell(`"$0" "$1" export --all --codex-home "$2" --out - | "$0" "$3" sync - --yes --json --codex-home "$4"`, [
        process.execPath, transferBin, home, syncBin, other
      ])
      assert.strictEqual(synced.status, 0, synced.stderr)
      assert.strictEqual(JSON.parse(synced.stdout).counts.new_lineage, 1)
    }), 60_000)
})
