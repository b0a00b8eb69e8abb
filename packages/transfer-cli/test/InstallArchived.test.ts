/**
 * A folder package made by codex-session-transfer (its 8 manifest fields, no checksums), archived
 * the two ways people do with the system tar: `tar czf x.tgz -C pkg .` (entries `./…`) and
 * `tar czf x.tgz pkg` (entries `pkg/…`). Each installs like the folder, and a sync of it then
 * finds every session unchanged.
 */
import { assert, describe, it } from "@effect/vitest"
import { binUnderTest, runBin } from "@sessionport/codex-oracle/Cli"
import { copyFixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const sync = binUnderTest("session-sync", fileURLToPath(new URL("../../sync-cli/bin/session-sync.mjs", import.meta.url)))
const sessionSync = (args: ReadonlyArray<string>) => runBin(sync.bin, args, { node: sync.node })

/** The eight manifest fields codex-session-transfer writes and reads (its whole manifest). */
const BASELINE_FIELDS = [
  "format_version",
  "package_kind",
  "minimum_working_set_only",
  "cwd_filter",
  "thread_ids",
  "skills_included",
  "deferred_components",
  "preferred_installer_skill"
]

/**
 * The fixture home's sessions as codex-session-transfer's `packup` lays them out: the folder our
 * export writes (the same layout), its manifest cut down to the eight baseline fields.
 */
const baselineFolder = () =>
  Effect.gen(function*() {
    const parent = tempDir("archived-src")
    const root = path.join(parent, "pkg")
    const exported = yield* sessionTransfer(["export", "--all", "--codex-home", copyFixtureHome(), "--out", root])
    assert.strictEqual(exported.code, 0, exported.stderr)
    const manifestPath = path.join(root, "package_manifest.json")
    const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, unknown>
    const baseline = Object.fromEntries(BASELINE_FIELDS.map((field) => [field, manifest[field]]))
    fs.writeFileSync(manifestPath, JSON.stringify(baseline, null, 2) + "\n")
    return { parent, root, threadIds: baseline.thread_ids as ReadonlyArray<string> }
  })

const sourceIds = (stdout: string): Array<string> =>
  [...new Set(JSON.parse(stdout).sessions.map((s: { source_id: string }) => s.source_id) as Array<string>)].sort()

describe("a codex-session-transfer folder package archived with tar", () => {
  it.effect("installs from tar czf x.tgz -C pkg . and from tar czf x.tgz pkg, and a sync of each finds every session unchanged", () =>
    Effect.gen(function*() {
      const { parent, root, threadIds } = yield* baselineFolder()
      assert.isAtLeast(threadIds.length, 2)
      const listing = (archive: string) => execFileSync("tar", ["tzf", archive], { encoding: "utf8" }).split("\n").filter((e) => e !== "")
      const contents = path.join(parent, "contents.tgz")
      const wrapped = path.join(parent, "wrapped.tgz")
      execFileSync("tar", ["czf", contents, "-C", root, "."])
      execFileSync("tar", ["czf", wrapped, "-C", parent, "pkg"])
      // the archives are what the issue reported as refused
      assert.isTrue(listing(contents).every((entry) => entry.startsWith("./")), listing(contents).join("\n"))
      assert.isTrue(listing(wrapped).every((entry) => entry.startsWith("pkg/")), listing(wrapped).join("\n"))

      const folderHome = copyFixtureHome()
      const fromFolder = yield* sessionTransfer(["install", root, "--codex-home", folderHome, "--json"])
      assert.strictEqual(fromFolder.code, 0, fromFolder.stderr)

      for (const archive of [contents, wrapped]) {
        const name = path.basename(archive)
        const inspected = yield* sessionTransfer(["inspect", archive, "--json"])
        assert.strictEqual(inspected.code, 0, `${name}: ${inspected.stderr}`)

        const home = copyFixtureHome()
        const installed = yield* sessionTransfer(["install", archive, "--codex-home", home, "--json"])
        assert.strictEqual(installed.code, 0, `${name}: ${installed.stderr}`)
        assert.deepStrictEqual(sourceIds(installed.stdout), [...threadIds].sort(), name)
        assert.deepStrictEqual(sourceIds(installed.stdout), sourceIds(fromFolder.stdout), `${name}: as the folder installs`)

        const synced = yield* sessionSync(["sync", archive, "--codex-home", home, "--yes", "--json"])
        assert.strictEqual(synced.code, 0, `${name}: ${synced.stderr}`)
        const sessions = JSON.parse(synced.stdout).sessions as Array<{ class: string }>
        assert.isAtLeast(sessions.length, threadIds.length, synced.stdout)
        assert.isTrue(sessions.every((s) => s.class === "unchanged"), `${name}: ${synced.stdout}`)
      }
    }), 180_000)
})
