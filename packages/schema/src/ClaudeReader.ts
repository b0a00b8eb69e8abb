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
import type { FileSystem } from "@effect/platform"
import { type Either, Schema, type Stream } from "effect"
import { type ClaudeRecord, decodeLine } from "./ClaudeRecord.js"
import * as LineStream from "./internal/lineStream.js"
import { LineDecoder } from "./LineDecoder.js"
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
  LineStream.lines(bytes, () => new LineDecoder<ClaudeRecord>({ decode: decodeLine }), (decoder, chunk) => decoder.pushBytes(chunk), onUnreadable)

/**
 * Reads a transcript as a stream of records; lines that are not JSON come as `Left`.
 *
 * @since 0.2.0
 * @category reading
 */
export const readFile = (path: string): Stream.Stream<LineResult, TranscriptReadError, FileSystem.FileSystem> =>
  LineStream.readFile(path, decodeBytes, (path, reason) => new TranscriptReadError({ path, reason }))

/**
 * Fails the stream at the first line that is not JSON.
 *
 * @since 0.2.0
 * @category combinators
 */
export const strict: <E, R>(results: Stream.Stream<LineResult, E, R>) => Stream.Stream<ClaudeRecord, E | InvalidLine, R> = LineStream.strict

/**
 * Drops lines that are not JSON, as Claude Code does when it reads a transcript.
 *
 * @since 0.2.0
 * @category combinators
 */
export const lenient: <E, R>(results: Stream.Stream<LineResult, E, R>) => Stream.Stream<ClaudeRecord, E, R> = LineStream.lenient
