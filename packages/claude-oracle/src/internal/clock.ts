import { Clock, Effect } from "effect"

const liveClock = Clock.make()

/**
 * Runs `effect` on the wall clock, so waits and timeouts around child processes are real even
 * under `@effect/vitest`'s TestClock (where `Effect.sleep` would never wake up).
 */
export const realTime = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withClock(effect, liveClock)
