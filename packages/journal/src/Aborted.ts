/**
 * What a failed transaction left behind. When the body of {@link Journal.transaction} fails
 * (a full disk, a refused write, an interrupt), the transaction is rolled back before the
 * failure goes on, and {@link current} says whether that rollback finished: the home as it was
 * before, or part of the transaction still there for the next command's recovery. A frontend
 * reads it to tell the user which.
 *
 * It is fiber state, not part of the failure: the error, its type, `Effect.either`, `catchTag`
 * and the exit code stay those of the original failure.
 *
 * @since 0.1.0
 */
import { Data, FiberRef, Option } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export class Aborted extends Data.TaggedClass("@sessionport/journal/Aborted")<{
  readonly transaction: string
  /** every change of the transaction was undone: the home is as it was before */
  readonly rolledBack: boolean
  /** the journal record says so too (false: a full disk; the next command's recovery tidies it) */
  readonly recorded: boolean
  /** why the rollback stopped, when it did */
  readonly detail?: string
}> {
  /** the state of the home, for the end of an error line */
  get summary(): string {
    return this.rolledBack
      ? `nothing was changed (transaction ${this.transaction} was rolled back)`
      : `the home holds part of transaction ${this.transaction}` +
        `${this.detail === undefined ? "" : ` (its rollback stopped: ${this.detail})`}; ` +
        "the next command rolls it back, or run `recover`"
  }
}

/**
 * What the last transaction of this fiber that failed left behind (none while none failed; each
 * transaction clears it as it begins).
 *
 * @since 0.1.0
 * @category fiber refs
 */
export const current: FiberRef.FiberRef<Option.Option<Aborted>> = FiberRef.unsafeMake(Option.none<Aborted>())
