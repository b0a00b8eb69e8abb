/**
 * Streaming reader of rollout files: `.jsonl` and zstd-compressed `.jsonl.zst` (detected by the
 * zstd magic number, not the name). Memory stays at one read chunk plus one line, whatever the
 * file's size; every record keeps its raw text.
 *
 * @since 0.1.0
 */
import { FileSystem, type Error as PlatformError } from "@effect/platform"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import type { InvalidLine, RolloutRecord } from "./RolloutRecord.js"
import { bytesToText, textToRecords } from "./internal/lines.js"
import { maybeDecompress } from "./internal/zstd.js"

/**
 * A rollout file that could not be read (missing, unreadable, corrupt compression).
 *
 * @since 0.1.0
 * @category errors
 */
export class RolloutReadError extends Schema.TaggedError<RolloutReadError>("@sessionport/schema/RolloutReadError")(
  "RolloutReadError",
  { path: Schema.String, reason: Schema.String }
) {
  override get message(): string {
    return `cannot read ${this.path}: ${this.reason}`
  }
}

/**
 * One decoded line, or the typed error of a line that is not JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type LineResult = Either.Either<RolloutRecord, InvalidLine>

const describe = (error: PlatformError.PlatformError): string => {
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

/** Read chunk size: large enough that per-chunk overhead vanishes, small enough to stay flat. */
const CHUNK_SIZE = 256 * 1024

/**
 * Decodes a stream of text into records, line by line.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeText: <E, R>(text: Stream.Stream<string, E, R>) => Stream.Stream<LineResult, E, R> = textToRecords

/**
 * Decodes a stream of UTF-8 bytes (plain or zstd-compressed) into records.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onCorrupt: (reason: string) => E
): Stream.Stream<LineResult, E, R> =>
  textToRecords(bytesToText(maybeDecompress(bytes, onCorrupt)))

/**
 * Reads a rollout file as a stream of records; lines that are not JSON come as `Left`.
 *
 * @since 0.1.0
 * @category reading
 */
export const readFile = (path: string): Stream.Stream<LineResult, RolloutReadError, FileSystem.FileSystem> =>
  Stream.unwrap(
    Effect.map(FileSystem.FileSystem, (fs) =>
      decodeBytes(
        fs.stream(path, { chunkSize: CHUNK_SIZE }).pipe(
          Stream.mapError((error) => new RolloutReadError({ path, reason: describe(error) }))
        ),
        (reason) => new RolloutReadError({ path, reason })
      ))
  )

/**
 * Fails the stream at the first line that is not JSON.
 *
 * @since 0.1.0
 * @category combinators
 */
export const strict = <E, R>(
  results: Stream.Stream<LineResult, E, R>
): Stream.Stream<RolloutRecord, E | InvalidLine, R> =>
  results.pipe(
    Stream.mapChunksEffect((chunk) => {
      const out: Array<RolloutRecord> = []
      for (const result of chunk) {
        if (Either.isLeft(result)) return Effect.fail(result.left)
        out.push(result.right)
      }
      return Effect.succeed(Chunk.unsafeFromArray(out))
    })
  )

/**
 * Drops lines that are not JSON, as Codex does when it reads a rollout.
 *
 * @since 0.1.0
 * @category combinators
 */
export const lenient = <E, R>(results: Stream.Stream<LineResult, E, R>): Stream.Stream<RolloutRecord, E, R> =>
  results.pipe(Stream.filterMap(Either.getRight))
