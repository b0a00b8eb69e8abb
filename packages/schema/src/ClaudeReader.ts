/**
 * Streaming reader of Claude Code transcripts (`projects/<encoded cwd>/<sessionId>.jsonl`):
 * memory stays at one read chunk plus one line, whatever the file's size; every record keeps its
 * raw text, so a writer can give back untouched lines byte for byte.
 *
 * Lines split on `\n` only (a `\r` stays in the raw text); text is UTF-8. A line over
 * `LineLimit.MAX_LINE_BYTES` is refused, as in the rollout reader.
 *
 * @since 0.2.0
 */
import { FileSystem, type Error as PlatformError } from "@effect/platform"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import { decodeLine, type ClaudeRecord } from "./ClaudeRecord.js"
import { CorruptInput, LineDecoder } from "./LineDecoder.js"
import { LineTooLong } from "./LineLimit.js"
import type { InvalidLine } from "./RolloutRecord.js"

/**
 * One decoded line, or the typed error of a line that is not JSON.
 *
 * @since 0.2.0
 * @category models
 */
export type LineResult = Either.Either<ClaudeRecord, InvalidLine>

/**
 * A transcript that could not be read (missing, unreadable, a line over the limit).
 *
 * @since 0.2.0
 * @category errors
 */
export class TranscriptReadError
  extends Schema.TaggedError<TranscriptReadError>("@sessionport/schema/TranscriptReadError")("TranscriptReadError", {
    path: Schema.String,
    reason: Schema.String
  })
{
  override get message(): string {
    return `cannot read ${this.path}: ${this.reason}`
  }
}

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

const unreadable = (error: unknown): string =>
  error instanceof CorruptInput || error instanceof LineTooLong ? error.message : String(error)

const CHUNK_SIZE = 256 * 1024

/**
 * Decodes a stream of UTF-8 bytes into records.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decodeBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onUnreadable: (reason: string) => E
): Stream.Stream<LineResult, E, R> =>
  Stream.suspend(() => {
    // one decoder per run of the stream: state never leaks between runs
    const decoder = new LineDecoder<ClaudeRecord>({ decode: decodeLine })
    const guarded = (f: () => Array<LineResult>) =>
      Effect.try({ try: () => Chunk.unsafeFromArray(f()), catch: (error) => onUnreadable(unreadable(error)) })
    return bytes.pipe(
      Stream.mapChunksEffect((chunk) =>
        guarded(() => {
          const out: Array<LineResult> = []
          for (const bytes of chunk) for (const line of decoder.pushBytes(bytes)) out.push(line)
          return out
        })
      ),
      Stream.concat(Stream.flattenChunks(Stream.fromEffect(guarded(() => decoder.end()))))
    )
  })

/**
 * Reads a transcript as a stream of records; lines that are not JSON come as `Left`.
 *
 * @since 0.2.0
 * @category reading
 */
export const readFile = (path: string): Stream.Stream<LineResult, TranscriptReadError, FileSystem.FileSystem> =>
  Stream.unwrap(
    Effect.map(FileSystem.FileSystem, (fs) =>
      decodeBytes(
        fs.stream(path, { chunkSize: CHUNK_SIZE }).pipe(
          Stream.mapError((error) => new TranscriptReadError({ path, reason: describe(error) }))
        ),
        (reason) => new TranscriptReadError({ path, reason })
      ))
  )

/**
 * Fails the stream at the first line that is not JSON.
 *
 * @since 0.2.0
 * @category combinators
 */
export const strict = <E, R>(
  results: Stream.Stream<LineResult, E, R>
): Stream.Stream<ClaudeRecord, E | InvalidLine, R> =>
  results.pipe(
    Stream.mapChunksEffect((chunk) => {
      const out: Array<ClaudeRecord> = []
      for (const result of chunk) {
        if (Either.isLeft(result)) return Effect.fail(result.left)
        out.push(result.right)
      }
      return Effect.succeed(Chunk.unsafeFromArray(out))
    })
  )

/**
 * Drops lines that are not JSON, as Claude Code does when it reads a transcript.
 *
 * @since 0.2.0
 * @category combinators
 */
export const lenient = <E, R>(results: Stream.Stream<LineResult, E, R>): Stream.Stream<ClaudeRecord, E, R> =>
  results.pipe(Stream.filterMap(Either.getRight))
