/**
 * Every journal step of a command, one run each: for the crash and full-disk suites, which make
 * step n fail (`SESSIONPORT_CRASH_AT`) on a copy of a home of their own.
 */
import { Effect } from "effect"

/**
 * Runs `atStep(1)`, `atStep(2)`, … a few at a time until one answers false (the command ran to
 * its end: there is no such step); answers how many answered true.
 */
export const everyStep = <E, R>(atStep: (n: number) => Effect.Effect<boolean, E, R>, concurrency = 4) =>
  Effect.gen(function*() {
    let failed = 0
    for (let n = 1; ; n += concurrency) {
      const results = yield* Effect.forEach(Array.from({ length: concurrency }, (_, i) => n + i), atStep, { concurrency })
      failed += results.filter((r) => r).length
      if (results.includes(false)) return failed
    }
  })
