/**
 * Lines of a transcript's bytes, parsed, one at a time: the shape both install and a
 * fast-forward read a transcript in.
 */
import { LineDecoder } from "@sessionport/schema"
import { Either } from "effect"

/** @internal the non-blank lines of `chunks`, each parsed (a line that is not JSON throws) */
export function* jsonLines(chunks: Iterable<Uint8Array>): Generator<Record<string, unknown>> {
  const decoder = new LineDecoder.LineDecoder<string>({ decode: (raw) => Either.right(raw) })
  const parse = function*(results: Iterable<Either.Either<string, unknown>>) {
    for (const result of results) {
      if (Either.isLeft(result)) continue
      const raw = result.right
      if (raw.trim() === "") continue
      yield JSON.parse(raw) as Record<string, unknown>
    }
  }
  for (const chunk of chunks) yield* parse(decoder.linesOfBytes(chunk))
  yield* parse(decoder.end())
}

/**
 * @internal
 * Steps a synchronous iterator inside an effect: what it throws is a failure when `isFailure`
 * says so, else a defect.
 */
export const next = <A, E>(iterator: Iterator<A>, isFailure: (u: unknown) => u is E): Either.Either<IteratorResult<A>, E> => {
  try {
    return Either.right(iterator.next())
  } catch (error) {
    if (isFailure(error)) return Either.left(error)
    throw error
  }
}
