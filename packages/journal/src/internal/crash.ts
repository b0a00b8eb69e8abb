/**
 * Crash injection for the kill -9 tests: every durable journal step (lock, `transaction.json`
 * write, unlock) and every change made to the home counts as one step, numbered from 1 for the
 * whole process. `SESSIONPORT_CRASH_AT=<n>` sends SIGKILL right after step n;
 * `SESSIONPORT_CRASH_AT=<n>:before` just before step n's change. The numbering is documented in
 * `Journal.ts`.
 *
 * `SESSIONPORT_CRASH_AT=<n>:enospc` fills the disk instead: step n fails with `ENOSPC` before its
 * change, and so does every later step that needs space (journal records, SQL, even SQL undos)
 * until an undo that deletes or truncates files makes room again; those and the unlock go on.
 * Not even the first records of the rollback can be written: the worst case of a full disk.
 *
 * For the interruption tests: `<n>:sigint` and `<n>:sigterm` send the process that signal right
 * after step n (as Ctrl-C or `kill` would; the command goes on until the runtime interrupts it);
 * `<n>:pause` says so on stderr after step n and waits there, interruptibly, for a Ctrl-C typed
 * on its terminal.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import { JournalError } from "../JournalError.js"

/** @internal */
export const ENV = "SESSIONPORT_CRASH_AT"

let steps = 0

/** @internal steps taken by this process so far */
export const stepCount = (): number => steps

type Mode = "after" | "before" | "enospc" | "sigint" | "sigterm" | "pause"

const target = (): { readonly n: number; readonly mode: Mode } | undefined => {
  const match = /^(\d+)(?::(before|enospc|sigint|sigterm|pause))?$/.exec(process.env[ENV]?.trim() ?? "")
  return match === null ? undefined : { n: Number(match[1]), mode: (match[2] ?? "after") as Mode }
}

/** set once an injected ENOSPC fired: the disk stays full for the rest of the process */
let diskFull = false

/** steps that free space or need none: they go on when the disk is full (SQLite writes even to delete) */
const needsNoSpace = (label: string): boolean => (label.startsWith("undo: ") && !label.startsWith("undo: sql")) || label === "unlock"

const noSpace = (n: number, label: string): JournalError =>
  new JournalError({
    reason: "io",
    path: label,
    detail: `ENOSPC: no space left on device (${ENV} at step ${n}: ${label})`
  })

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
  /** run right before the irreversible part of the change (fails when the disk is full) */
  readonly aboutToChange: Effect.Effect<void, JournalError>
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
      armed: crash?.n === n && crash.mode !== "enospc",
      aboutToChange: Effect.suspend(() => {
        if (crash?.n === n && crash.mode === "enospc") diskFull = true
        if (diskFull && !needsNoSpace(label)) return Effect.fail(noSpace(n, label))
        if (crash?.n === n && crash.mode === "before") die(n, label, "before")
        return Effect.void
      }),
      changed: Effect.suspend(() => {
        // an undo that deleted or truncated files made room
        if (diskFull && needsNoSpace(label) && label !== "unlock") diskFull = false
        if (crash?.n !== n) return Effect.void
        if (crash.mode === "after") die(n, label, "after")
        if (crash.mode === "sigint" || crash.mode === "sigterm") process.kill(process.pid, crash.mode === "sigint" ? "SIGINT" : "SIGTERM")
        if (crash.mode === "pause") {
          fs.writeSync(2, `sessionport: ${ENV}: paused after step ${n} (${label})\n`)
          return Effect.never
        }
        return Effect.void
      })
    }
  })

/**
 * @internal
 * One step. `change` receives `aboutToChange`, which it runs right before its irreversible part.
 */
export const step = <A, E, R>(
  label: string,
  change: (aboutToChange: Effect.Effect<void, JournalError>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(begin(label), (handle) => Effect.tap(change(handle.aboutToChange), () => handle.changed))

/** @internal a step whose change is all of `effect` */
export const simpleStep = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | JournalError, R> =>
  step(label, (aboutToChange) => Effect.zipRight(aboutToChange, effect))
