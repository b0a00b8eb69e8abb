import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

// Paths are localized as the system resolves them: a Windows working directory that climbs out
// of \Documents\ with `..` is not put under the target home (it would read
// `~/Documents/../../../etc`), one that stays inside comes out resolved.

afterAll(removeTemps)

/** Every file under `dir`. */
const files = (dir: string): Array<string> =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))

describe("install resolves . and .. in paths before localizing them", () => {
  it.effect("a Windows cwd climbing out of \\Documents\\ stays as it was; one staying inside lands under the home, resolved", () =>
    Effect.gen(function*() {
      const source = tempDir("paths-src")
      const climbing = "C:\\Users\\bob\\Documents\\..\\..\\..\\etc"
      const inside = "C:\\Users\\bob\\Documents\\proj\\..\\app"
      const sessions = [[uuid(0xd1), climbing], [uuid(0xd2), inside]] as const
      for (const [id, cwd] of sessions) {
        writeRollout(source, id, new Date(Date.UTC(2026, 0, 1)), [sessionMeta({ id, cwd }), userMessage(`work in ${cwd}`)])
      }
      const pkg = path.join(tempDir("paths-pkg"), "pkg.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", source, "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)

      const root = tempDir("paths-home")
      const codexHome = path.join(root, ".codex")
      fs.mkdirSync(codexHome)
      const installed = yield* sessionTransfer(["install", pkg, "--codex-home", codexHome, "--json"], { env: { HOME: root } })
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout)
      const expected = new Map([[sessions[0][0], climbing], [sessions[1][0], `${root}/Documents/app`]])
      assert.deepStrictEqual(result.sessions.map((s: any) => s.source_id).sort(), [...expected.keys()].sort())
      for (const s of result.sessions) {
        assert.strictEqual(s.cwd, expected.get(s.source_id), s.source_id)
        // the rollout Codex reads says the same
        const rollout = files(codexHome).find((f) => f.endsWith(`${s.local_id}.jsonl`))!
        const meta = JSON.parse(fs.readFileSync(rollout, "utf8").split("\n")[0]!).payload
        assert.strictEqual(meta.cwd, expected.get(s.source_id), rollout)
      }
    }), 60_000)
})

describe("--map as people write it", () => {
  it.effect("--map=FROM=TO, a TO under ~ or relative to the working directory; --since 7d", () =>
    Effect.gen(function*() {
      const source = tempDir("map-forms-src")
      const id = uuid(0xe1)
      const cwd = "C:\\Users\\alice\\proj"
      writeRollout(source, id, new Date(), [sessionMeta({ id, cwd }), userMessage("hi")])
      const pkg = path.join(tempDir("map-forms-pkg"), "pkg.tgz")
      // an age: the session began moments ago
      const exported = yield* sessionTransfer(["export", "--all", "--since", "7d", "--codex-home", source, "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      // a bad one is a usage error naming the forms it takes
      const bad = yield* sessionTransfer(["export", "--all", "--since", "yesterday", "--codex-home", source, "--out", path.join(tempDir("map-forms-none"), "x.tgz")])
      assert.strictEqual(bad.code, 2, bad.stderr)
      assert.include(bad.stderr, "7d")

      const root = tempDir("map-forms-home")
      const work = tempDir("map-forms-cwd")
      for (const [map, expected] of [
        [`--map=${cwd}=/srv/proj`, "/srv/proj"],
        [`${cwd}=~/code/proj`, path.join(root, "code", "proj")],
        [`${cwd}=rel/proj`, path.join(work, "rel", "proj")]
      ] as const) {
        const codexHome = path.join(tempDir("map-forms-codex"), ".codex")
        fs.mkdirSync(codexHome)
        const args = map.startsWith("--map=") ? [map] : ["--map", map]
        const installed = yield* sessionTransfer(["install", pkg, "--codex-home", codexHome, ...args, "--json"], { env: { HOME: root }, cwd: work })
        assert.strictEqual(installed.code, 0, `${map}: ${installed.stderr}`)
        assert.strictEqual(JSON.parse(installed.stdout).sessions[0].cwd, expected, map)
      }
    }), 60_000)
})
