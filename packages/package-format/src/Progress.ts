/**
 * Progress of long work (export, install, sync), reported by library code and rendered by a
 * frontend: a bar on a terminal, nothing in scripts. Library code depends only on this tag.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, type Scope } from "effect"

/** @since 0.1.0 @category models */
export interface ProgressTask {
  /** cheap and synchronous: called once per chunk in hot loops */
  readonly advance: (amount: number) => void
  readonly done: Effect.Effect<void>
}

/** @since 0.1.0 @category models */
export interface ProgressShape {
  readonly start: (label: string, total: number, unit: "bytes" | "items") => Effect.Effect<ProgressTask>
}

/** @since 0.1.0 @category tags */
export class Progress extends Context.Tag("@sessionport/package-format/Progress")<Progress, ProgressShape>() {}

const silentTask: ProgressTask = { advance: () => {}, done: Effect.void }

/** Reports nothing. @since 0.1.0 @category layers */
export const none: Layer.Layer<Progress> = Layer.succeed(Progress, { start: () => Effect.succeed(silentTask) })

/**
 * Runs `f` with a task that is closed however `f` ends.
 *
 * @since 0.1.0
 * @category combinators
 */
export const track = <A, E, R>(
  label: string,
  total: number,
  unit: "bytes" | "items",
  f: (task: ProgressTask) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | Progress> =>
  Effect.flatMap(Progress, (progress) =>
    Effect.acquireUseRelease(progress.start(label, total, unit), f, (task) => task.done))

/**
 * A task of the Progress the running command provides, closed with the scope; a silent one when
 * it provides none. For library code that reports progress without requiring the service (its
 * type, and its callers', stay as they are): a listing, a package's verification.
 *
 * @since 0.3.0
 * @category combinators
 */
export const ambient = (label: string, total: number, unit: "bytes" | "items"): Effect.Effect<ProgressTask, never, Scope.Scope> =>
  Effect.flatMap(Effect.serviceOption(Progress), (progress) =>
    Option.match(progress, {
      onNone: () => Effect.succeed(silentTask),
      onSome: (progress) => Effect.acquireRelease(progress.start(label, total, unit), (task) => task.done)
    }))
