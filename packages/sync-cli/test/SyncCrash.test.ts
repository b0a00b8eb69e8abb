import { assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { everyStep } from "@sessionport/codex-oracle/Steps"
import { Effect } from "effect"
import * as fs from "node:fs"
import { afterAll } from "vitest"
import { errorLines, sessionSync, sessionTransfer } from "./utils/cli.js"
import {
  assertMixedPlan,
  classesOf,
  cloneMachine,
  type Machine,
  type Mixed,
  mixedScenario,
  sidecarPath,
  sync,
  inspect,
  transactions
} from "./utils/scenarios.js"

// A sync that mixes every class (new session, fast-forward, branch, collision, unchanged) is one
// journal transaction: undone by a rollback, and by the next command after a kill -9 at any step.

afterAll(removeTemps)

/** The sidecar's rows (its tables as docs/sync.md lists them); 0 when there is no sidecar. */
const sidecarRows = (home: string): number => {
  if (!fs.existsSync(sidecarPath(home))) return 0
  const db = openDatabase(sidecarPath(home), { readonly: true })
  try {
    let n = 0
    for (const table of ["lineages", "lineage_ids", "local_sessions", "incoming_seen", "packages_seen"]) {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)
      if (exists !== undefined) n += Number(db.prepare(`SELECT count(*) AS n FROM "${table}"`).get().n)
    }
    return n
  } finally {
    db.close()
  }
}

/** The newest sync transaction of the home's journal. */
const latestSync = (m: Machine) => Effect.map(transactions(m), (list) => list.find((tx) => tx.kind === "sync"))

describe("sync rollback", () => {
  it.effect("rollback --latest restores the home byte for byte, and the sidecar: the same plan again", () =>
    Effect.gen(function*() {
      const mixed = yield* mixedScenario
      const m = mixed.machine
      const before = homeState(m.home)
      const plan = yield* inspect(mixed.pkg, m)
      assertMixedPlan(plan, mixed)

      for (const undo of ["session-sync", "session-transfer"] as const) {
        const synced = yield* sync(mixed.pkg, m)
        assertMixedPlan(synced, mixed)
        assert.notDeepEqual(homeState(m.home), before)
        const args = ["rollback", "--latest", "--codex-home", m.home]
        const rolledBack = yield* (undo === "session-sync" ? sessionSync(args) : sessionTransfer(args))
        assert.strictEqual(rolledBack.code, 0, `${undo}: ${rolledBack.stderr}`)
        assert.deepStrictEqual(homeState(m.home), before, `${undo} rollback: the home as before the sync`)
        assert.strictEqual(sidecarRows(m.home), 0, `${undo} rollback: the sidecar rows undone`)
        assert.strictEqual((yield* latestSync(m))?.status, "rolled_back")
        assert.deepStrictEqual(classesOf(yield* inspect(mixed.pkg, m)), classesOf(plan), `${undo}: classified as before`)
      }
      const again = yield* sessionSync(["rollback", "--latest", "--codex-home", m.home])
      assert.strictEqual(again.code, 1, "a transaction is rolled back once")
    }), 120_000)
})

/** A small seeded PRNG (mulberry32), so a failing run can be repeated. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("sync under kill -9", () => {
  it.effect("killed at 50 journal steps, the next command brings the home back exactly to before", () =>
    Effect.gen(function*() {
      const mixed: Mixed = yield* mixedScenario
      const seed = Number(process.env.SYNC_CRASH_SEED ?? Date.now() % 100_000)
      const next = random(seed)

      // real SIGKILLs the process sends itself at journal step n (SESSIONPORT_CRASH_AT): one home,
      // prepared once, copied for each run
      const crashAt = (point: string) =>
        Effect.gen(function*() {
          const m = cloneMachine(mixed.machine)
          const before = homeState(m.home)
          const run = yield* sessionSync(["sync", mixed.pkg, "--codex-home", m.home, "--yes", "--json", ...m.maps], {
            // a killed process cannot remove its staging folder: keep it among the test's temps
            env: { SESSIONPORT_CRASH_AT: point, TMPDIR: tempDir("tmp") }
          })
          const listed = yield* sessionSync(["list-transactions", "--codex-home", m.home, "--json"])
          assert.strictEqual(listed.code, 0, `${point}: ${listed.stderr}`)
          const status = (JSON.parse(listed.stdout) as Array<{ kind: string; status: string }>).find((tx) => tx.kind === "sync")?.status
          if (run.code === 0) {
            assert.strictEqual(status, "completed", point)
            return false
          }
          assert.strictEqual(run.signal, "SIGKILL", `${point}: ${run.stderr}`)
          if (status === "completed") {
            // killed after the commit point: the sync stands, and undoes exactly
            const undo = yield* sessionSync(["rollback", "--latest", "--codex-home", m.home])
            assert.strictEqual(undo.code, 0, `${point}: ${undo.stderr}`)
          } else {
            assert.oneOf(status, [undefined, "failed"], point)
          }
          assert.deepStrictEqual(homeState(m.home), before, `crash at step ${point} (seed ${seed}): the home is back to before`)
          assert.strictEqual(sidecarRows(m.home), 0, `crash at step ${point} (seed ${seed}): no sidecar row left`)
          fs.rmSync(m.root, { recursive: true, force: true })
          return true
        })

      // the step count: a crash after each step until the sync runs to its end (runs on separate
      // copies of the home, a few at a time)
      const CONCURRENCY = 4
      let steps: number | undefined
      let crashed = 0
      for (let n = 1; steps === undefined; n += CONCURRENCY) {
        const points = Array.from({ length: CONCURRENCY }, (_, i) => n + i)
        const results = yield* Effect.forEach(points, (point) => crashAt(String(point)), { concurrency: CONCURRENCY })
        const done = results.indexOf(false)
        if (done >= 0) {
          assert.deepStrictEqual(results.slice(done), results.slice(done).map(() => false), "past the last step no run crashes")
          steps = n + done - 1
        }
        crashed += results.filter((r) => r).length
      }
      assert.isAtLeast(steps, 10, "a sync takes journal steps")
      assert.strictEqual(crashed, steps)
      // then random points (before or after a step) until 50
      const points = Array.from({ length: Math.max(0, 50 - crashed) }, () => {
        const n = 1 + Math.floor(next() * steps!)
        return next() < 0.5 ? `${n}:before` : String(n)
      })
      const results = yield* Effect.forEach(points, (point) => crashAt(point), { concurrency: CONCURRENCY })
      points.forEach((point, i) => assert.isTrue(results[i], `${point} (seed ${seed}) crashes`))
      crashed += results.length
      assert.strictEqual(crashed, Math.max(50, steps!))
    }), 300_000)
})

describe("sync on a full disk", () => {
  it.effect("ENOSPC at any step: exit 1, one line saying nothing was changed, the home exactly as before on exit", () =>
    Effect.gen(function*() {
      const mixed: Mixed = yield* mixedScenario
      // SESSIONPORT_CRASH_AT=<n>:enospc: step n fails with ENOSPC, and so does every later step
      // that needs space (journal records included) for the rest of the process
      const fullAt = (n: number) =>
        Effect.gen(function*() {
          const m = cloneMachine(mixed.machine)
          const before = homeState(m.home)
          const run = yield* sessionSync(["sync", mixed.pkg, "--codex-home", m.home, "--yes", ...m.maps], {
            env: { SESSIONPORT_CRASH_AT: `${n}:enospc`, TMPDIR: tempDir("tmp") }
          })
          if (run.code === 0) return false
          assert.strictEqual(run.code, 1, `step ${n}: ${run.stderr}`)
          const lines = errorLines(run)
          assert.strictEqual(lines.length, 1, `step ${n}: ${run.stderr}`)
          assert.include(lines[0], "ENOSPC", `step ${n}`)
          if (lines[0]!.includes("transaction")) assert.include(lines[0], "nothing was changed", `step ${n}`)
          // before any next command: the failing command itself put the home back
          assert.deepStrictEqual(homeState(m.home), before, `disk full at step ${n}: the home as before`)
          assert.strictEqual(sidecarRows(m.home), 0, `disk full at step ${n}: no sidecar row left`)
          fs.rmSync(m.root, { recursive: true, force: true })
          return true
        })
      assert.isAtLeast(yield* everyStep(fullAt), 10, "every step of a sync was made to fail")
    }), 300_000)
})
