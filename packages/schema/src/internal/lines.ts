import { Chunk, type Either, Stream } from "effect"
import { decodeLine, type InvalidLine, type RolloutRecord } from "../RolloutRecord.js"

/**
 * @internal
 * Splits text into lines on `\n` only (a `\r` stays part of the line, so raw text stays byte
 * exact) and decodes each. State lives in the closure so each run of the stream starts fresh.
 */
export const textToRecords = <E, R>(
  text: Stream.Stream<string, E, R>
): Stream.Stream<Either.Either<RolloutRecord, InvalidLine>, E, R> =>
  Stream.suspend(() => {
    let pending = ""
    let lineNumber = 0
    const split = (chunk: string): Chunk.Chunk<Either.Either<RolloutRecord, InvalidLine>> => {
      const out: Array<Either.Either<RolloutRecord, InvalidLine>> = []
      let start = 0
      let end = chunk.indexOf("\n")
      if (end === -1) {
        pending += chunk
        return Chunk.empty()
      }
      let first = true
      while (end !== -1) {
        const piece = chunk.slice(start, end)
        out.push(decodeLine(first ? pending + piece : piece, ++lineNumber, true))
        first = false
        start = end + 1
        end = chunk.indexOf("\n", start)
      }
      pending = chunk.slice(start)
      return Chunk.unsafeFromArray(out)
    }
    const flush = Stream.suspend(() =>
      pending.length === 0 ? Stream.empty : Stream.make(decodeLine(pending, ++lineNumber, false))
    )
    return text.pipe(Stream.mapConcatChunk(split), Stream.concat(flush))
  })

/** @internal UTF-8 bytes to text; a character split across chunks is carried over. */
export const bytesToText = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<string, E, R> =>
  Stream.suspend(() => {
    const decoder = new TextDecoder("utf-8")
    const tail = Stream.suspend(() => {
      const rest = decoder.decode()
      return rest.length === 0 ? Stream.empty : Stream.make(rest)
    })
    return bytes.pipe(Stream.map((chunk) => decoder.decode(chunk, { stream: true })), Stream.concat(tail))
  })
