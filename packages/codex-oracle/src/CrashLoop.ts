/**
 * The loop of the kill -9 suites: a command killed outright (a real SIGKILL it sends itself at
 * `SESSIONPORT_CRASH_AT`) at the points {@link randomCrashes} picks, each run on a target of its
 * own (a copy of a home, a data folder…); then the next command (`list-transactions`) recovers
 * the target, a transaction the kill left committed is rolled back, and the target must be exactly
 * as it was before the killed command.
 */
import { Effect } from "effect"
import { isDeepStrictEqual } from "node:util"
import { assert } from "vitest"
import type { CliResult } from "./Cli.js"
import { tempDir } from "./Fixtures.js"
import { DEFAULT_SEED, randomCrashes } from "./Steps.js"

/** A bundled CLI run in a child process (`session-transfer`, `session-sync`). */
export type Runner = (args: ReadonlyArray<string>, options?: { env?: Record<string, string> }) => Effect.Effect<CliResult>

/** A target of one run, made fresh for it. */
export interface Target<S> {
  /** the arguments of the command that is killed */
  readonly command: ReadonlyArray<string>
  /** the options that name the target (`--codex-home DIR`…), for the next command and a rollback */
  readonly options: ReadonlyArray<string>
  /** the environment of every command on the target (`HOME`…) */
  readonly env?: Record<string, string>
  /** what "exactly as before" compares */
  readonly state: () => S
  /** after a run that passed (e.g. removes the copy) */
  readonly dispose?: () => void
}

export interface CrashLoop<S> {
  /** the CLI of the command, its next command and its rollback */
  readonly cli: Runner
  /** makes a target for a run */
  readonly target: () => Target<S>
  /** the kind of the command's journal transaction (`install`, `sync`) */
  readonly kind: string
  /** how a transaction the kill left committed is undone: `rollback --latest` (the default) or `rollback <its id>` */
  readonly rollback?: "latest" | "id"
  /** the target in the messages ("the home" unless told) */
  readonly what?: string
  /**
   * The part of the state whose change the killed process leaves behind marks the point as one
   * the next command had work at: the answer's `changed`.
   */
  readonly leftBehind?: (state: S) => unknown
  /** crashes in all (50 unless told) */
  readonly total?: number
  readonly seed?: number
  /** runs at a time (1 unless told) */
  readonly concurrency?: number
}

interface Transaction {
  readonly id: string
  readonly kind: string
  readonly status: string
}

/**
 * Runs the loop; answers how many journal steps the command takes and the points whose kill left
 * a change behind (with `leftBehind`).
 */
export const crashLoop = <S>(loop: CrashLoop<S>) =>
  Effect.gen(function*() {
    const seed = loop.seed ?? DEFAULT_SEED
    const what = loop.what ?? "the home"
    const changed = new Set<string>()
    const crashAt = (point: string) =>
      Effect.gen(function*() {
        const at = `${point} (seed ${seed})`
        const target = loop.target()
        const env = target.env ?? {}
        const before = target.state()
        const run = yield* loop.cli(target.command, {
          // a killed process cannot remove its staging folder: keep it among the test's temps
          env: { ...env, SESSIONPORT_CRASH_AT: point, TMPDIR: tempDir("tmp") }
        })
        // what the killed process left, before any command recovers it
        if (run.code !== 0 && loop.leftBehind !== undefined && !isDeepStrictEqual(loop.leftBehind(target.state()), loop.leftBehind(before))) {
          changed.add(point)
        }
        const next = yield* loop.cli(["list-transactions", ...target.options, "--json"], { env })
        assert.strictEqual(next.code, 0, `${at}: ${next.stderr}`)
        // the command's own transaction, if it began one
        const mine = (JSON.parse(next.stdout) as Array<Transaction>).find((tx) => tx.kind === loop.kind)
        if (run.code === 0) {
          assert.strictEqual(mine?.status, "completed", at)
          return false
        }
        assert.strictEqual(run.signal, "SIGKILL", `${at}: ${run.stderr}`)
        if (mine?.status === "completed") {
          // killed after the commit point (releasing the lock): the command stands, and undoes exactly
          const undo = yield* loop.cli(["rollback", loop.rollback === "id" ? mine.id : "--latest", ...target.options], { env })
          assert.strictEqual(undo.code, 0, `${at}: ${undo.stderr}`)
        } else {
          assert.oneOf(mine?.status, [undefined, "failed"], at)
        }
        assert.deepStrictEqual(target.state(), before, `crash at ${at}: ${what} is back to before`)
        target.dispose?.()
        return true
      })
    const options = { seed, ...(loop.total === undefined ? {} : { total: loop.total }), ...(loop.concurrency === undefined ? {} : { concurrency: loop.concurrency }) }
    const steps = yield* randomCrashes(crashAt, options)
    return { steps, changed: changed as ReadonlySet<string> }
  })
