/**
 * Crash injection for the kill -9 tests: every durable journal step (lock, `transaction.json`
 * write, unlock) and every change made to the home counts as one step, numbered from 1 for the
 * whole process. `SESSIONPORT_CRASH_AT=<n>` sends SIGKILL right after step n;
 * `SESSIONPORT_CRASH_AT=<n>:before` just before step n's change. The numbering is documented in
 * `Journal.ts`.
 */
import { Effect } from "effect"
import * as fs from "node:fs"

/** @internal */
export const ENV = "SESSIONPORT_CRASH_AT"

let steps = 0

/** @internal steps taken by this process so far */
export const stepCount = (): number => steps

const target = (): { readonly n: number; readonly before: boolean } | undefined => {
  const match = /^(\d+)(:before)?$/.exec(process.env[ENV]?.trim() ?? "")
  return match === null ? undefined : { n: Number(match[1]), before: match[2] !== undefined }
}

const die = (n: number, label: string, when: string): void => {
  fs.writeSync(2, `sessionport: ${ENV}: killed ${when} step ${n} (${label})\n`)
  process.kill(process.pid, "SIGKILL")
  // a signal sent to oneself is delivered before kill returns; never go on regardless
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000)
}

/** @internal a step begun: its number, and the hooks to run around its change */
export interface StepHandle {
  readonly number: number
  /**
   * the process dies at this step: work it has under way in the background must settle first,
   * so that the state it dies in is the one documented
   */
  readonly armed: boolean
  /** run right before the irreversible part of the change */
  readonly aboutToChange: Effect.Effect<void>
  /** run once the change is made */
  readonly changed: Effect.Effect<void>
}

/** @internal numbers the next step */
export const begin = (label: string): Effect.Effect<StepHandle> =>
  Effect.sync(() => {
    const n = ++steps
    const crash = target()
    return {
      number: n,
      armed: crash?.n === n,
      aboutToChange: Effect.sync(() => {
        if (crash?.n === n && crash.before) die(n, label, "before")
      }),
      changed: Effect.sync(() => {
        if (crash?.n === n && !crash.before) die(n, label, "after")
      })
    }
  })

/**
 * @internal
 * One step. `change` receives `aboutToChange`, which it runs right before its irreversible part.
 */
export const step = <A, E, R>(
  label: string,
  change: (aboutToChange: Effect.Effect<void>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(begin(label), (handle) => Effect.tap(change(handle.aboutToChange), () => handle.changed))

/** @internal a step whose change is all of `effect` */
export const simpleStep = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  step(label, (aboutToChange) => Effect.zipRight(aboutToChange, effect))
