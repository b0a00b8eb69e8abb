// Not in home.ts: that module also serves the kill -9 driver, which runs outside vitest.
import { assert } from "@effect/vitest"
import { Effect, Either } from "effect"
import { JournalError } from "../src/index.js"

/** The JournalError an effect fails with (the test fails if it succeeds or fails otherwise). */
export const failure = <A>(effect: Effect.Effect<A, unknown, never>) =>
  Effect.map(Effect.either(effect), (either) => {
    assert.isTrue(Either.isLeft(either), "expected a failure")
    const error = (either as Either.Left<unknown, A>).left
    assert.instanceOf(error, JournalError.JournalError)
    return error as JournalError.JournalError
  })
