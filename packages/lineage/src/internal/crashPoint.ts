/**
 * Crash injection for the exchange's kill -9 tests: `SESSIONPORT_EXCHANGE_CRASH_AT=<point>`
 * sends this process SIGKILL at that named point of a push or a compaction (the journal's
 * `SESSIONPORT_CRASH_AT` counts journal steps; push writes no home, so it has named points).
 *
 * @internal
 */
import { Effect } from "effect"
import * as fs from "node:fs"

/** @internal */
export const ENV = "SESSIONPORT_EXCHANGE_CRASH_AT"

/** @internal the points, in the order a push reaches them */
export type Point = "export" | "rename" | "index" | "compact-index" | "compact-remove"

/** @internal dies here when the environment names this point */
export const crashAt = (point: Point): Effect.Effect<void> =>
  Effect.sync(() => {
    if (process.env[ENV]?.trim() !== point) return
    fs.writeSync(2, `sessionport: ${ENV}: killed at ${point}\n`)
    process.kill(process.pid, "SIGKILL")
    // a signal sent to oneself is delivered before kill returns; never go on regardless
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000)
  })
