/**
 * Real kill -9: `driver.ts` runs in a child process with `SESSIONPORT_CRASH_AT=<n>[:before]` and
 * sends itself SIGKILL at that step; then `recover` must bring the home back to exactly the
 * state before the transaction (or, once `completed` is durable, keep it; a rollback then
 * restores the state before).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Journal } from "../src/index.js"
import { BATCH_STEPS, INDEX, INSTALL_STEPS, makeHome, NEW_A, REMOVE_STEPS, snapshot } from "./home.js"

afterAll(removeTemps)

const REPO = path.resolve(import.meta.dirname, "..", "..", "..")
const DRIVER = path.join(import.meta.dirname, "driver.ts")
const PRELOAD = path.join(import.meta.dirname, "preload.mjs")
const LANES = Math.max(2, Math.min(4, os.cpus().length))

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** the driver's answer, when it finished */
  readonly output?: { readonly steps: number; readonly result?: any; readonly error?: string; readonly rolledBack?: boolean }
}

const runDriver = (args: ReadonlyArray<string>, crashAt?: string): Effect.Effect<Run> =>
  Effect.async<Run>((resume) => {
    const child = spawn(process.execPath, ["--import", PRELOAD, "--import", "tsx", DRIVER, ...args], {
      cwd: REPO,
      env: { ...process.env, SESSIONPORT_CRASH_AT: crashAt ?? "" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code, signal) => {
      const line = stdout.trim().split("\n").at(-1)
      let output: Run["output"]
      try {
        output = line === undefined || line === "" ? undefined : JSON.parse(line)
      } catch {
        output = undefined
      }
      resume(Effect.succeed({ code, signal, stdout, stderr, ...(output === undefined ? {} : { output }) }))
    })
  })

const crashes = (run: Run, crashAt: string) =>
  assert.strictEqual(run.signal, "SIGKILL", `SESSIONPORT_CRASH_AT=${crashAt} did not kill the driver: ${run.stdout}${run.stderr}`)

const finishes = (run: Run, what: string) =>
  assert.strictEqual(run.code, 0, `${what} failed: ${run.stdout}${run.stderr}`)

/** every step: after it, and (unless `afterOnly`) before its change */
const crashPoints = (steps: number, afterOnly = false): Array<string> =>
  Array.from({ length: steps }, (_, i) => afterOnly ? [`${i + 1}`] : [`${i + 1}`, `${i + 1}:before`]).flat()

const parse = (crashAt: string) => ({ n: Number(crashAt.split(":")[0]), before: crashAt.endsWith(":before") })

/** the snapshot with the home's path and the times of files written now taken out */
const comparable = (home: string, withMtimes: boolean) => {
  const text = JSON.stringify(snapshot(home)).replaceAll(home, "<home>")
  return JSON.parse(text, (key, value) => (key === "mtimeMs" && !withMtimes ? undefined : value))
}

/** a crashed home kept aside, put back (same path: the journal records absolute paths) for each run */
const stash = (home: string) => {
  const copy = tempDir("journal-stash")
  fs.cpSync(home, copy, { recursive: true, preserveTimestamps: true })
  return () => {
    fs.rmSync(home, { recursive: true, force: true })
    fs.cpSync(copy, home, { recursive: true, preserveTimestamps: true })
  }
}

/** `cases` in `LANES` lanes, each with its own `prepare`d state */
const inLanes = <S, E>(
  cases: ReadonlyArray<string>,
  prepare: () => Effect.Effect<S>,
  run: (state: S, crashAt: string) => Effect.Effect<void, E>
) =>
  Effect.forEach(
    Array.from({ length: LANES }, (_, lane) => cases.filter((_, i) => i % LANES === lane)),
    (lane) => Effect.flatMap(prepare(), (state) => Effect.forEach(lane, (crashAt) => run(state, crashAt), { discard: true })),
    { concurrency: LANES, discard: true }
  )

// step n of the transaction is `journal: completed`: from then on it is committed
const COMPLETED = INSTALL_STEPS - 1

/**
 * The driver's transactions: `install` (one operation per kind) and `batch` (20 files in one
 * `createFiles`, then an append); where to interrupt one before crashing its recover; and how
 * many operations its rollback undoes.
 */
const TRANSACTIONS = [
  // all operations done but not committed; and a replace cut short with its temp file left
  { command: "install", steps: INSTALL_STEPS, interrupted: [[`${COMPLETED - 1}`, false], ["30:before", true]], operations: 7 },
  // 11 of the 20 files renamed into place; and the 11th temp file part-written (400 KB in 40 chunks)
  { command: "batch", steps: BATCH_STEPS, interrupted: [["36", false], ["15:before", true]], operations: 2 },
  // one rollout moved into the journal, the other not yet; and everything done but not committed
  { command: "remove", steps: REMOVE_STEPS, interrupted: [["4", false], [`${REMOVE_STEPS - 2}`, false]], operations: 3 }
] as const

describe("disk full", () => {
  for (const { command, steps } of TRANSACTIONS) {
    it.effect(`${command}: ENOSPC at every step (and at every later one needing space): rolled back before the process exits`, () =>
      Effect.gen(function*() {
        // the last step, `unlock`, needs no space
        yield* Effect.forEach(Array.from({ length: steps - 1 }, (_, i) => i + 1), (n) =>
          Effect.gen(function*() {
            const home = makeHome()
            const before = comparable(home, true)
            const run = yield* runDriver([command, home], `${n}:enospc`)
            assert.strictEqual(run.code, 1, `step ${n}: ${run.stdout}${run.stderr}`)
            assert.include(run.output?.error, "ENOSPC", `step ${n}`)
            // a transaction begun (its first record written) is rolled back by the failing process
            // itself, though no journal record can be written any more
            const begun = n > 2
            assert.strictEqual(run.output?.rolledBack, begun ? true : undefined, `step ${n}`)
            assert.deepStrictEqual(comparable(home, true), before, `step ${n}: as before, with no recovery`)
            // the record is left behind; the next recovery finds nothing to undo and tidies it
            const journal = Journal.make({ codexHome: home })
            yield* journal.recover()
            assert.deepStrictEqual(comparable(home, true), before, `step ${n}: recovery changes nothing`)
            assert.oneOf((yield* journal.list)[0]?.status, [undefined, "failed"], `step ${n}`)
            assert.isFalse(fs.existsSync(path.join(journal.dir, ".lock")), `step ${n}`)
          }), { concurrency: LANES, discard: true })
      }), 600_000)
  }
})

describe("kill -9", () => {
  for (const { command, interrupted, operations, steps } of TRANSACTIONS) {
    it.effect(`${command}: at every step of a transaction (after and before): recover restores exactly the state before, twice over`, () =>
      Effect.gen(function*() {
        const completed = steps - 1
        const reference = makeHome()
        const clean = yield* runDriver([command, reference])
        finishes(clean, "the transaction")
        assert.strictEqual(clean.output?.steps, steps)
        const committed = comparable(reference, false)
        // past the last step nothing happens
        finishes(yield* runDriver([command, makeHome()], String(steps + 1)), "the transaction")

        yield* Effect.forEach(crashPoints(steps), (crashAt) =>
          Effect.gen(function*() {
            const home = makeHome()
            const before = comparable(home, true)
            crashes(yield* runDriver([command, home], crashAt), crashAt)
            const journal = Journal.make({ codexHome: home })
            const { n, before: early } = parse(crashAt)
            const recovered = yield* journal.recover()
            if (n > completed || (n === completed && !early)) {
              assert.deepStrictEqual(recovered.recovered, [], crashAt)
              assert.deepStrictEqual(comparable(home, false), committed, crashAt)
              assert.strictEqual((yield* journal.list)[0]!.status, "completed")
              yield* journal.rollback("latest")
            } else {
              const started = n > 2 || (n === 2 && !early)
              assert.strictEqual(recovered.recovered.length, started ? 1 : 0, crashAt)
              if (started) assert.strictEqual(recovered.recovered[0]!.status, "failed")
            }
            assert.deepStrictEqual(comparable(home, true), before, crashAt)
            // idempotent
            assert.deepStrictEqual(yield* journal.recover(), { recovered: [] }, crashAt)
            assert.deepStrictEqual(comparable(home, true), before, crashAt)
            assert.isFalse(fs.existsSync(path.join(journal.dir, ".lock")), crashAt)
          }), { concurrency: LANES, discard: true })
      }), 600_000)

    for (const [at, afterOnly] of interrupted) {
      it.effect(`${command}: inside recover (transaction killed at ${at}), at every step: the next recover finishes it`, () =>
        Effect.gen(function*() {
          let recoverSteps = 0
          const prepare = () =>
            Effect.gen(function*() {
              const home = makeHome()
              const before = comparable(home, true)
              crashes(yield* runDriver([command, home], at), at)
              const restore = stash(home)
              if (recoverSteps === 0) {
                const clean = yield* runDriver(["recover", home])
                finishes(clean, "recover")
                recoverSteps = clean.output!.steps
                assert.deepStrictEqual(comparable(home, true), before)
                restore()
              }
              return { home, before, restore }
            })
          // learn the step count first (lanes are prepared concurrently)
          const first = yield* prepare()
          const ops = (yield* Journal.make({ codexHome: first.home }).get("latest").pipe(Effect.orElseSucceed(() => undefined)))
            ?.operations.length ?? 0
          // lock, start, (undo, undone) per operation, final, unlock
          assert.strictEqual(recoverSteps, 2 + 2 + 2 * ops)
          yield* inLanes(crashPoints(recoverSteps, afterOnly), prepare, ({ before, home, restore }, crashAt) =>
            Effect.gen(function*() {
              restore()
              crashes(yield* runDriver(["recover", home], crashAt), crashAt)
              const journal = Journal.make({ codexHome: home })
              yield* journal.recover()
              assert.deepStrictEqual(comparable(home, true), before, crashAt)
              assert.deepStrictEqual(yield* journal.recover(), { recovered: [] }, crashAt)
              assert.strictEqual((yield* journal.list)[0]!.status, "failed", crashAt)
            }))
        }), 600_000)
    }

    it.effect(`${command}: inside the rollback of a completed transaction, after every step: recover (or the rollback run again) finishes it`, () =>
      Effect.gen(function*() {
        let rollbackSteps = 0
        const prepare = () =>
          Effect.gen(function*() {
            const home = makeHome()
            const before = comparable(home, true)
            finishes(yield* runDriver([command, home]), "the transaction")
            const restore = stash(home)
            return { home, before, restore }
          })
        const first = yield* prepare()
        const clean = yield* runDriver(["rollback", first.home, "latest"])
        finishes(clean, "rollback")
        rollbackSteps = clean.output!.steps
        // the driver's recover (lock, unlock), then lock, start, (undo, undone) per operation, final, unlock
        assert.strictEqual(rollbackSteps, 2 + 1 + 1 + operations * 2 + 1 + 1)
        assert.deepStrictEqual(comparable(first.home, true), first.before)
        yield* inLanes(crashPoints(rollbackSteps, true), prepare, ({ before, home, restore }, crashAt) =>
          Effect.gen(function*() {
            restore()
            crashes(yield* runDriver(["rollback", home, "latest"], crashAt), crashAt)
            const journal = Journal.make({ codexHome: home })
            yield* journal.recover()
            const id = (yield* journal.list)[0]!.id
            // killed before the rollback was recorded as started: nothing to finish, run it again
            if ((yield* journal.get(id)).status === "completed") yield* journal.rollback(id)
            assert.deepStrictEqual(comparable(home, true), before, crashAt)
            assert.strictEqual((yield* journal.get(id)).status, "rolled_back", crashAt)
            const again = yield* Effect.flip(journal.rollback(id))
            assert.strictEqual(again.reason, "already_rolled_back", crashAt)
          }))
      }), 600_000)
  }

  it.effect("an append cut short (half its bytes written) is truncated; foreign bytes instead make recover refuse", () =>
    Effect.gen(function*() {
      // step 20 is the append to the index: die before it, then write part of it by hand
      const home = makeHome()
      const before = comparable(home, true)
      crashes(yield* runDriver(["install", home], "20:before"), "20:before")
      const journal = Journal.make({ codexHome: home })
      const op = (yield* journal.get("latest")).operations[3]!
      assert.strictEqual(op.kind, "append_text")
      assert.strictEqual(op.state, "intent")
      const text = op.kind === "append_text" ? op.text ?? "" : ""
      fs.appendFileSync(path.join(home, INDEX), text.slice(0, 50))
      const { recovered } = yield* journal.recover()
      assert.strictEqual(recovered[0]!.steps.find((step) => step.kind === "append_text")!.state, "partial")
      assert.deepStrictEqual(comparable(home, true), before)

      const other = makeHome()
      const otherBefore = comparable(other, true)
      crashes(yield* runDriver(["install", other], "20:before"), "20:before")
      fs.appendFileSync(path.join(other, INDEX), "{\"id\":\"written by Codex meanwhile\"}\n")
      const refusing = Journal.make({ codexHome: other })
      const error = yield* Effect.flip(refusing.recover())
      assert.strictEqual(error.reason, "changed_since")
      assert.include(error.message, `${path.join(other, INDEX)} changed since the transaction appended to it`)
      yield* refusing.recover({ force: true })
      assert.deepStrictEqual(comparable(other, true), otherBefore)
    }), 120_000)

  it.effect("a file changed after the crash: recover refuses and changes nothing; recover with force restores the state before", () =>
    Effect.gen(function*() {
      const home = makeHome()
      const before = comparable(home, true)
      crashes(yield* runDriver(["install", home], `${COMPLETED - 1}`), "crash")
      fs.appendFileSync(path.join(home, NEW_A), "{\"continued\":true}\n")
      const changed = comparable(home, true)
      const journal = Journal.make({ codexHome: home })
      const error = yield* Effect.flip(journal.recover())
      assert.strictEqual(error.reason, "changed_since")
      assert.include(error.message, path.join(home, NEW_A))
      assert.deepStrictEqual(comparable(home, true), changed)
      // the refusal is on record, the lock is free, and the transaction is still to recover
      const record = yield* journal.get("latest")
      assert.strictEqual(record.status, "prepared")
      assert.strictEqual(record.rollback?.error, error.message)
      assert.strictEqual((yield* Effect.flip(journal.begin({ kind: "next" }).pipe(Effect.scoped))).reason, "changed_since")
      yield* journal.recover({ force: true })
      assert.deepStrictEqual(comparable(home, true), before)
      assert.strictEqual((yield* journal.get(record.id)).status, "failed")
    }), 120_000)
})
