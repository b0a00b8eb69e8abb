import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import * as fs from "node:fs"
import { afterAll } from "vitest"
import {
  appendLines,
  classesOf,
  codexMachine,
  continuationLines,
  countsOf,
  decisionOf,
  deleteSidecar,
  exportPackage,
  idOf,
  inspect,
  install,
  localRollout,
  type Machine,
  mixedScenario,
  OLDER,
  type Role,
  ROLES,
  sidecarPath,
  sourceHome,
  sync,
  syncCommand
} from "./utils/scenarios.js"

// The sidecar is derived state: deleted, it is rebuilt (from the rollouts and the journal) or
// replayed (from the journal) and the next sync classifies as before; adopt tracks what
// session-transfer installed; prune drops what points nowhere.

afterAll(removeTemps)

interface Health {
  readonly exists: boolean
  readonly lineages: number
  readonly sessions: number
  readonly issues: ReadonlyArray<{ readonly kind: string; readonly id: string; readonly detail: string }>
}

const health = (m: Machine) => syncCommand(m, "sidecar-health") as Effect.Effect<Health>

const assertHealthy = (report: Health, what: string) => {
  assert.isTrue(report.exists, `${what}: a sidecar`)
  assert.deepStrictEqual(report.issues, [], `${what}: no issue`)
}

const CUT: ReadonlyArray<Role> = ["multi_turn_tools", "beta_cwd", "named"]
const olderHome = () => sourceHome({ truncate: { multi_turn_tools: OLDER.multi_turn_tools!, beta_cwd: OLDER.beta_cwd!, named: OLDER.named! } })

/**
 * The classification of each package, as inspect-package gives it: the class of each session, and
 * the local session a fast-forward, branch or collision acts on (an unchanged session may be held by
 * several local sessions: the original and its branch).
 */
const classify = (m: Machine, packages: ReadonlyArray<string>) =>
  Effect.forEach(packages, (pkg) => Effect.map(inspect(pkg, m), (result) => classesOf(result, { holders: false })))

describe("rebuild-sidecar", () => {
  it.effect("after the sidecar is deleted: a new one, healthy, and the earlier packages classify as before", () =>
    Effect.gen(function*() {
      const mixed = yield* mixedScenario
      const m = mixed.machine
      yield* sync(mixed.pkg, m)
      const newer = yield* exportPackage(sourceHome({ continueWith: { multi_turn_tools: "And now?" } }), ["multi_turn_tools", "beta_cwd", "named"])
      const older = yield* exportPackage(olderHome(), CUT)
      const all = yield* exportPackage(copyFixtureHome(), "all")
      const synced = yield* sync(newer, m)
      assert.deepStrictEqual(synced.counts, countsOf({ fast_forward_import: 1, unchanged: 2 }))
      assertHealthy(yield* health(m), "after the syncs")
      const packages = [mixed.pkg, newer, older, all]
      const classes = yield* classify(m, packages)
      const state = homeState(m.home)

      deleteSidecar(m.home)
      assert.isFalse((yield* health(m)).exists)
      const rebuilt = yield* syncCommand(m, "rebuild-sidecar")
      assert.isAbove(rebuilt.lineages, 0)
      assert.isTrue(fs.existsSync(sidecarPath(m.home)))
      const report = yield* health(m)
      assertHealthy(report, "rebuilt")
      assert.deepStrictEqual(yield* classify(m, packages), classes, "classified as before the deletion")
      assert.deepStrictEqual(homeState(m.home), state, "only the sidecar was written")
    }), 120_000)
})

describe("adopt", () => {
  it.effect("after a plain session-transfer install, tracks the installed sessions", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const pkg = yield* exportPackage(copyFixtureHome(), "all")
      const installed = yield* install(pkg, m)
      const localIds = [...installed.values()].map((s) => s.localId).sort()
      const state = homeState(m.home)

      const dry = yield* syncCommand(m, "adopt", ["--dry-run"])
      assert.deepStrictEqual([...dry.sessions].sort(), localIds)
      assert.isFalse(fs.existsSync(sidecarPath(m.home)), "a dry run writes no sidecar")

      const adopted = yield* syncCommand(m, "adopt")
      assert.deepStrictEqual([...adopted.sessions].sort(), localIds, "every installed session tracked")
      assert.isString(adopted.transaction_id)
      const report = yield* health(m)
      assertHealthy(report, "adopted")
      assert.strictEqual(report.sessions, ROLES.length)
      assert.deepStrictEqual(homeState(m.home), state, "only the sidecar was written")

      const again = yield* syncCommand(m, "adopt")
      assert.deepStrictEqual(again.sessions, [], "nothing left to adopt")
      // the package they came from is unchanged, found through the sidecar
      const inspected = yield* inspect(pkg, m)
      assert.deepStrictEqual(inspected.counts, countsOf({ unchanged: ROLES.length }))
      for (const role of ROLES) {
        const d = decisionOf(inspected, idOf(role))
        assert.strictEqual(d.local_id, installed.get(idOf(role))!.localId, role)
        assert.strictEqual(d.via, "sidecar", role)
      }
    }), 120_000)
})

describe("prune-invalid-mappings", () => {
  it.effect("drops a tracked session whose rollout was deleted (health: missing_file before, clean after)", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const pkg = yield* exportPackage(copyFixtureHome(), "all")
      const synced = yield* sync(pkg, m)
      assert.deepStrictEqual(synced.counts, countsOf({ new_lineage: ROLES.length }))
      assertHealthy(yield* health(m), "after the sync")
      const gone = decisionOf(synced, idOf("named")).new_local_id!
      fs.rmSync(localRollout(m.home, gone))

      const sick = yield* health(m)
      assert.deepInclude(sick.issues.map((i) => ({ kind: i.kind, id: i.id })), { kind: "missing_file", id: gone })
      const dry = yield* syncCommand(m, "prune-invalid-mappings", ["--dry-run"])
      assert.include(dry.sessions, gone)
      assert.deepStrictEqual((yield* health(m)).issues, sick.issues, "a dry run changes nothing")

      const pruned = yield* syncCommand(m, "prune-invalid-mappings")
      assert.deepStrictEqual(pruned.sessions, [gone])
      const report = yield* health(m)
      assertHealthy(report, "pruned")
      assert.strictEqual(report.sessions, ROLES.length - 1)
      // its conversation is no longer here: a new lineage again; the others unchanged
      const inspected = yield* inspect(pkg, m)
      assert.deepStrictEqual(inspected.counts, countsOf({ new_lineage: 1, unchanged: ROLES.length - 1 }))
      assert.strictEqual(decisionOf(inspected, idOf("named")).class, "new_lineage")
    }), 120_000)
})

describe("replay-transactions-sidecar", () => {
  it.effect("after the sidecar is deleted, re-derives the lineages from the journal: the same classes", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const older = yield* exportPackage(olderHome(), CUT)
      const full = yield* exportPackage(copyFixtureHome(), CUT)
      const newer = yield* exportPackage(sourceHome({ continueWith: { multi_turn_tools: "One last question." } }), CUT)
      const first = yield* sync(older, m)
      assert.deepStrictEqual(first.counts, countsOf({ new_lineage: 3 }))
      const betaLocal = localRollout(m.home, decisionOf(first, idOf("beta_cwd")).new_local_id!)
      appendLines(betaLocal, continuationLines(betaLocal, "A turn of B's own."))
      const second = yield* sync(full, m)
      assert.deepStrictEqual(second.counts, countsOf({ fast_forward_import: 2, diverged_lineage: 1 }))
      const packages = [older, full, newer]
      const classes = yield* classify(m, packages)
      // as read independently: the newer package fast-forwards multi_turn_tools only
      assert.deepStrictEqual(
        Object.values(classes[2]!).map((c) => c.class).sort(),
        ["fast_forward_import", "unchanged", "unchanged"]
      )
      const state = homeState(m.home)

      deleteSidecar(m.home)
      const dry = yield* syncCommand(m, "replay-transactions-sidecar", ["--dry-run"])
      assert.isUndefined(dry.transaction_id)
      assert.isFalse(fs.existsSync(sidecarPath(m.home)), "a dry run writes no sidecar")
      const replayed = yield* syncCommand(m, "replay-transactions-sidecar")
      assert.isString(replayed.transaction_id)
      assert.strictEqual(replayed.lineages, 3, "one lineage per conversation")
      assertHealthy(yield* health(m), "replayed")
      assert.deepStrictEqual(yield* classify(m, packages), classes, "classified as before the deletion")
      assert.deepStrictEqual(homeState(m.home), state, "only the sidecar was written")
    }), 120_000)
})
