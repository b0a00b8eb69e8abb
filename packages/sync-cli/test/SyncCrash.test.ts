import { assert, describe, it } from "@effect/vitest"
import { crashLoop } from "@sessionport/codex-oracle/CrashLoop"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
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
  sync,
  inspect,
  transactions
} from "./utils/scenarios.js"
import { sidecarRows } from "./utils/sidecar.js"

// A sync that mixes every class (new session, fast-forward, branch, collision, unchanged) is one
// journal transaction: undone by a rollback, and by the next command after a kill -9 at any step.

afterAll(removeTemps)

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

describe("sync under kill -9", () => {
  it.effect("killed at 50 journal steps, the next command brings the home back exactly to before", () =>
    Effect.gen(function*() {
      const mixed: Mixed = yield* mixedScenario
      // real SIGKILLs the process sends itself at journal step n (SESSIONPORT_CRASH_AT): one home,
      // prepared once, copied for each run; after every step, then at random points (SYNC_CRASH_SEED
      // replays a run), four at a time
      const { steps } = yield* crashLoop({
        cli: sessionSync,
        kind: "sync",
        seed: Number(process.env.SYNC_CRASH_SEED ?? Date.now() % 100_000),
        concurrency: 4,
        target: () => {
          const m = cloneMachine(mixed.machine)
          return {
            command: ["sync", mixed.pkg, "--codex-home", m.home, "--yes", "--json", ...m.maps],
            options: ["--codex-home", m.home],
            // no sidecar row of the sync left either
            state: () => ({ home: homeState(m.home), sidecarRows: sidecarRows(m.home) }),
            dispose: () => fs.rmSync(m.root, { recursive: true, force: true })
          }
        }
      })
      assert.isAtLeast(steps, 10, "a sync takes journal steps")
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
