/** The synchronous form of a file's content (`Journal.chunks`), pulled by the writers. */
import { Effect, Option, Stream } from "effect"
import type { Chunks, Content } from "../Journal.js"

/** @internal */
export const isChunks = <E, R>(content: Content<E, R>): content is Chunks<E> =>
  typeof content === "object" && "_tag" in content && content._tag === "Chunks"

/** @internal one pass over the chunks, pulled one at a time */
class Puller<E> {
  private iterator: Iterator<Uint8Array> | undefined
  private ended = false

  constructor(private readonly content: Chunks<E>) {}

  /** the next chunk; `None` at the end; what the iteration throws as a failure or a defect */
  next(): Effect.Effect<Option.Option<Uint8Array>, E> {
    let result: IteratorResult<Uint8Array>
    try {
      this.iterator ??= this.content.chunks[Symbol.iterator]()
      result = this.iterator.next()
    } catch (error) {
      this.ended = true
      return this.content.isFailure(error) ? Effect.fail(error) : Effect.die(error)
    }
    if (result.done === true) {
      this.ended = true
      return Effect.succeed(Option.none())
    }
    return Effect.succeed(Option.some(result.value))
  }

  /** lets go of an iteration left early (its file closed) */
  close(): Effect.Effect<void> {
    return Effect.sync(() => {
      if (!this.ended) this.iterator?.return?.()
      this.ended = true
    })
  }
}

/**
 * @internal
 * Runs `f` on each chunk, in order, each after the previous one's effect (room to write) is done;
 * an iteration left early (a failure, an interruption) is closed.
 */
export const forEach = <E, E2, R2>(
  content: Chunks<E>,
  f: (chunk: Uint8Array) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R2> =>
  Effect.suspend(() => {
    const puller = new Puller(content)
    const loop: Effect.Effect<void, E | E2, R2> = Effect.flatMap(
      Effect.suspend(() => puller.next()),
      Option.match({ onNone: () => Effect.void, onSome: (chunk) => Effect.zipRight(f(chunk), loop) })
    )
    return Effect.ensuring(loop, puller.close())
  })

/** @internal the chunks as a stream, for the writers that take one */
export const toStream = <E>(content: Chunks<E>): Stream.Stream<Uint8Array, E> =>
  Stream.suspend(() => {
    const puller = new Puller(content)
    return Stream.ensuring(
      Stream.repeatEffectOption(Effect.flatMap(
        Effect.mapError(Effect.suspend(() => puller.next()), Option.some),
        Option.match({ onNone: () => Effect.fail(Option.none()), onSome: Effect.succeed })
      )),
      puller.close()
    )
  })
