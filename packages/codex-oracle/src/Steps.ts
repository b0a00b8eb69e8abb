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

/** A small seeded generator (mulberry32): a failing point of a run can be replayed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** The seed of {@link randomCrashes} when a suite names none. */
export const DEFAULT_SEED = 20261207

/**
 * Kills a command at `total` points: first after every journal step, in order (`concurrency` at a
 * time), until it runs to its end (`crashAt` answers false; no later point of that batch may crash),
 * then at points drawn (seeded) among every step and every step's `:before` (just before its
 * change), `concurrency` at a time. Answers how many steps the command takes. `crashAt(point)`
 * kills it there (`SESSIONPORT_CRASH_AT=point`) on a home of its own and checks the next command
 * brings that home back; it answers false when the command finished.
 */
export const randomCrashes = <E, R>(
  crashAt: (point: string) => Effect.Effect<boolean, E, R>,
  options: { readonly total?: number; readonly seed?: number; readonly concurrency?: number } = {}
) =>
  Effect.gen(function*() {
    const concurrency = options.concurrency ?? 1
    let steps = 0
    for (;;) {
      const batch = Array.from({ length: concurrency }, (_, i) => String(steps + 1 + i))
      const crashed = yield* Effect.forEach(batch, crashAt, { concurrency })
      const end = crashed.indexOf(false)
      if (end < 0) {
        steps += concurrency
        continue
      }
      const late = batch.filter((_, i) => i > end && crashed[i])
      if (late.length > 0) return yield* Effect.die(new Error(`the command ran to its end at ${batch[end]}, yet crashed at ${late.join(", ")}`))
      steps += end
      break
    }
    const points = Array.from({ length: steps }, (_, i) => [`${i + 1}`, `${i + 1}:before`]).flat()
    const next = random(options.seed ?? DEFAULT_SEED)
    const chosen = Array.from({ length: Math.max(0, (options.total ?? 50) - steps) }, () => points[Math.floor(next() * points.length)]!)
    const crashed = yield* Effect.forEach(chosen, crashAt, { concurrency })
    const finished = chosen.filter((_, i) => !crashed[i])
    if (finished.length > 0) return yield* Effect.die(new Error(`the command ran to its end at ${finished.join(", ")}`))
    return steps
  })
