/**
 * The `--map` rules of an install, remembered for the home: a later sync without `--map`
 * localizes with them (the imported rollout and its row say so), its plan shows where they come
 * from, a `--map` with the same FROM overrides them (and is remembered instead), a rollback takes
 * them back, and a dry run remembers nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionSync, sessionTransfer } from "./utils/cli.js"
import { codexMachine, idOf, localRollout, recordLines, type Role, sourceHome, threadRow } from "./utils/scenarios.js"

afterAll(removeTemps)

const ALPHA = fixtures.source.alpha

/** A package of some fixture sessions, exported by `session-transfer`. */
const packageOf = (home: string, roles: ReadonlyArray<Role>) =>
  Effect.gen(function*() {
    const out = path.join(tempDir("maps-pkg"), "sessions.tgz")
    const exported = yield* sessionTransfer(["export", ...roles.flatMap((role) => ["--thread", idOf(role)]), "--codex-home", home, "--out", out])
    assert.strictEqual(exported.code, 0, exported.stderr)
    return out
  })

/** The remembered-maps files of a home. */
const mapsFiles = (home: string): Array<string> => {
  const dir = path.join(home, "sessionport", "maps")
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
}

/** The working directories a rollout records: its `session_meta` and every `turn_context`. */
const recordedCwds = (rollout: string): Array<string> =>
  recordLines(rollout).map((line) => JSON.parse(line)).filter((r) => r.type === "session_meta" || r.type === "turn_context").map((r) => r.payload.cwd)

const ok = (what: string, result: { code: number; stdout: string; stderr: string }) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return result
}

describe("maps given to an install are remembered for the home", () => {
  it.effect("a later sync uses them, shows them, a given --map overrides them, rollback takes them back, a dry run remembers nothing", () =>
    Effect.gen(function*() {
      const source = sourceHome()
      const betaPkg = yield* packageOf(source, ["beta_cwd"])
      const alphaPkg = yield* packageOf(source, ["multi_turn_tools"])
      const archivedPkg = yield* packageOf(source, ["archived"])
      const m = codexMachine("empty")
      const maps = ["--map", `${ALPHA}=${m.alpha}`]

      // a dry run writes no map
      ok("install --dry-run", yield* sessionTransfer(["install", betaPkg, "--codex-home", m.home, ...maps, "--dry-run"]))
      assert.deepStrictEqual(mapsFiles(m.home), [])

      const installed = JSON.parse(ok("install", yield* sessionTransfer(["install", betaPkg, "--codex-home", m.home, ...maps, "--json"])).stdout)
      const installTx: string = installed.transaction_id
      assert.deepStrictEqual(installed.maps, [{ from: ALPHA, to: m.alpha, source: "given" }])
      assert.deepStrictEqual(mapsFiles(m.home), [`${installTx}.json`])
      assert.deepStrictEqual(installed.remembered, [path.join(m.home, "sessionport", "maps", `${installTx}.json`)])
      const file = JSON.parse(fs.readFileSync(installed.remembered[0], "utf8"))
      assert.deepStrictEqual([file.kind, file.transaction, file.maps], ["install", installTx, [{ from: ALPHA, to: m.alpha }]])

      // the plan of a sync without --map names the map and the install that remembered it
      const plan = ok("sync --dry-run", yield* sessionSync(["sync", alphaPkg, "--codex-home", m.home, "--dry-run"]))
      assert.include(plan.stdout, `map ${ALPHA} → ${m.alpha} (remembered from install ${installTx})`)
      const inspected = JSON.parse(ok("inspect-package", yield* sessionSync(["inspect-package", alphaPkg, "--codex-home", m.home, "--json"])).stdout)
      assert.deepStrictEqual(inspected.maps, [{ from: ALPHA, to: m.alpha, source: "remembered", transaction: installTx, kind: "install" }])
      assert.isTrue(inspected.rules.some((rule: { rule: string; from: string; to: string }) => rule.rule === "map" && rule.from === ALPHA && rule.to === m.alpha))

      // the sync imports the alpha session into the remembered folder
      const synced = JSON.parse(ok("sync", yield* sessionSync(["sync", alphaPkg, "--codex-home", m.home, "--yes", "--json"])).stdout)
      const imported = synced.sessions[0].new_local_id as string
      assert.strictEqual(synced.sessions[0].class, "new_lineage")
      const rollout = localRollout(m.home, imported)
      const cwds = recordedCwds(rollout)
      assert.isAbove(cwds.length, 1)
      assert.deepStrictEqual([...new Set(cwds)], [m.alpha], "every recorded working directory is the mapped one")
      assert.notInclude(fs.readFileSync(rollout, "utf8"), `"cwd":"${ALPHA}"`)
      assert.strictEqual(threadRow(m.home, imported)?.cwd, m.alpha)
      // nothing new to remember
      assert.deepStrictEqual(synced.remembered, [])
      assert.deepStrictEqual(mapsFiles(m.home), [`${installTx}.json`])

      // a --map with the same FROM wins, and is remembered instead
      const elsewhere = path.join(m.root, "work", "alpha-elsewhere")
      fs.mkdirSync(elsewhere, { recursive: true })
      // its dry run remembers nothing either
      ok("sync --dry-run --map", yield* sessionSync(["sync", archivedPkg, "--codex-home", m.home, "--map", `${ALPHA}=${elsewhere}`, "--dry-run"]))
      assert.deepStrictEqual(mapsFiles(m.home), [`${installTx}.json`])
      const overridden = JSON.parse(
        ok("sync --map", yield* sessionSync(["sync", archivedPkg, "--codex-home", m.home, "--map", `${ALPHA}=${elsewhere}`, "--yes", "--json"])).stdout
      )
      const overrideTx: string = overridden.transaction_id
      assert.deepStrictEqual(overridden.maps, [{ from: ALPHA, to: elsewhere, source: "given", replaces: m.alpha }])
      const archivedLocal = overridden.sessions[0].new_local_id as string
      assert.deepStrictEqual([...new Set(recordedCwds(localRollout(m.home, archivedLocal)))], [elsewhere])
      assert.deepStrictEqual(mapsFiles(m.home), [`${installTx}.json`, `${overrideTx}.json`].sort())
      const now = ok("sync --dry-run", yield* sessionSync(["sync", alphaPkg, "--codex-home", m.home, "--dry-run"]))
      assert.include(now.stdout, `map ${ALPHA} → ${elsewhere} (remembered from sync ${overrideTx})`)

      // rollback takes the maps back: the override's, then the install's
      ok("rollback", yield* sessionSync(["rollback", overrideTx, "--codex-home", m.home]))
      assert.deepStrictEqual(mapsFiles(m.home), [`${installTx}.json`])
      const back = JSON.parse(ok("inspect-package", yield* sessionSync(["inspect-package", alphaPkg, "--codex-home", m.home, "--json"])).stdout)
      assert.deepStrictEqual(back.maps.map((map: { to: string; transaction: string }) => [map.to, map.transaction]), [[m.alpha, installTx]])
      ok("rollback", yield* sessionSync(["rollback", synced.transaction_id, "--codex-home", m.home]))
      ok("rollback", yield* sessionSync(["rollback", installTx, "--codex-home", m.home]))
      assert.deepStrictEqual(mapsFiles(m.home), [])
      const none = JSON.parse(ok("inspect-package", yield* sessionSync(["inspect-package", alphaPkg, "--codex-home", m.home, "--json"])).stdout)
      assert.deepStrictEqual(none.maps, [])
    }), 240_000)
})
