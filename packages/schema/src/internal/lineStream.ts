/**
 * What the streaming transcript readers of every agent share: lines decoded from chunks by a
 * `LineDecoder` (one per run of the stream), a file read in chunks with its errors said in a few
 * words, and the strict and lenient views of the results.
 */
import { FileSystem, type Error as PlatformError } from "@effect/platform"
import { Chunk, Effect, Either, Stream } from "effect"
import { CorruptInput, type LineDecoder } from "../LineDecoder.js"
import { LineTooLong } from "../LineLimit.js"
import type { InvalidLine } from "../RolloutRecord.js"

/** @internal */
export const CHUNK_SIZE = 256 * 1024

/** @internal A file error in a few words. */
export const describe = (error: PlatformError.PlatformError): string => {
  if (error._tag !== "SystemError") return error.message
  switch (error.reason) {
    case "NotFound":
      return "no such file"
    case "PermissionDenied":
      return "permission denied"
    default:
      return error.description ?? error.reason
  }
}

/** @internal Why input could not be decoded. */
export const unreadable = (error: unknown): string =>
  error instanceof CorruptInput || error instanceof LineTooLong ? error.message : String(error)

/** @internal Lines of a stream of chunks, through a fresh decoder per run (state never leaks between runs). */
export const lines = <A, Rec, E, R>(
  input: Stream.Stream<A, E, R>,
  makeDecoder: () => LineDecoder<Rec>,
  push: (decoder: LineDecoder<Rec>, a: A) => Array<Either.Either<Rec, InvalidLine>>,
  onCorrupt: (reason: string) => E
): Stream.Stream<Either.Either<Rec, InvalidLine>, E, R> =>
  Stream.suspend(() => {
    const decoder = makeDecoder()
    const guarded = (f: () => Array<Either.Either<Rec, InvalidLine>>) =>
      Effect.try({ try: () => Chunk.unsafeFromArray(f()), catch: (error) => onCorrupt(unreadable(error)) })
    return input.pipe(
      Stream.mapChunksEffect((chunk) =>
        guarded(() => {
          const out: Array<Either.Either<Rec, InvalidLine>> = []
          for (const a of chunk) for (const line of push(decoder, a)) out.push(line)
          return out
        })
      ),
      Stream.concat(Stream.flattenChunks(Stream.fromEffect(guarded(() => decoder.end()))))
    )
  })

/** @internal A file's records, its read errors made by `fail`. */
export const readFile = <Rec, E>(
  path: string,
  decodeBytes: (bytes: Stream.Stream<Uint8Array, E>, onCorrupt: (reason: string) => E) => Stream.Stream<Either.Either<Rec, InvalidLine>, E>,
  fail: (path: string, reason: string) => E
): Stream.Stream<Either.Either<Rec, InvalidLine>, E, FileSystem.FileSystem> =>
  Stream.unwrap(
    Effect.map(FileSystem.FileSystem, (fs) =>
      decodeBytes(
        fs.stream(path, { chunkSize: CHUNK_SIZE }).pipe(Stream.mapError((error) => fail(path, describe(error)))),
        (reason) => fail(path, reason)
      ))
  )

/** @internal Fails the stream at the first line that is not JSON. */
export const strict = <Rec, E, R>(
  results: Stream.Stream<Either.Either<Rec, InvalidLine>, E, R>
): Stream.Stream<Rec, E | InvalidLine, R> =>
  results.pipe(
    Stream.mapChunksEffect((chunk) => {
      const out: Array<Rec> = []
      for (const result of chunk) {
        if (Either.isLeft(result)) return Effect.fail(result.left)
        out.push(result.right)
      }
      return Effect.succeed(Chunk.unsafeFromArray(out))
    })
  )

/** @internal Drops lines that are not JSON, as the agents do when they read a transcript. */
export const lenient = <Rec, E, R>(results: Stream.Stream<Either.Either<Rec, InvalidLine>, E, R>): Stream.Stream<Rec, E, R> =>
  results.pipe(Stream.filterMap(Either.getRight))
