/**
 * Streaming reader of rollout files: `.jsonl` and zstd-compressed `.jsonl.zst` (detected by the
 * zstd magic number, not the name). Memory stays at one read chunk plus one line, whatever the
 * file's size; every record keeps its raw text.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import { Effect, Schema, Stream } from "effect"
import * as LineStream from "./internal/lineStream.js"
import type { InvalidLine, RolloutRecord } from "./RolloutRecord.js"
import { LineDecoder, type LineResult as DecodedLine } from "./LineDecoder.js"

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
export type LineResult = DecodedLine


const lines = <A, E, R>(
  input: Stream.Stream<A, E, R>,
  push: (decoder: LineDecoder, a: A) => Array<LineResult>,
  onCorrupt: (reason: string) => E
): Stream.Stream<LineResult, E, R> => LineStream.lines(input, () => new LineDecoder(), push, onCorrupt)


/**
 * Decodes a stream of text into records, line by line.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeText = <E, R>(text: Stream.Stream<string, E, R>): Stream.Stream<LineResult, E, R> =>
  lines(text, (decoder, chunk) => decoder.pushText(chunk), (reason) => {
    throw new Error(reason)
  })

/**
 * Decodes a stream of UTF-8 bytes (plain or zstd-compressed) into records.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onCorrupt: (reason: string) => E
): Stream.Stream<LineResult, E, R> => lines(bytes, (decoder, chunk) => decoder.pushBytes(chunk), onCorrupt)

/**
 * A synchronous line scan: chunks of bytes pushed in, each line handed to `step` as it is
 * reached, until `step` answers `false`. `push` and `end` throw `CorruptInput` (from
 * `LineDecoder`) for corrupt compressed input, `LineTooLong` (from `LineLimit`) for a line over
 * the limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scanner {
  /** decodes a chunk, line by line; answers `false` once `step` has (the rest is not wanted) */
  readonly push: (bytes: Uint8Array) => boolean
  /** the end of input: the last line, when it had no `\n` (nothing after an early stop) */
  readonly end: () => void
}

/**
 * Feeds lines to `step` until it answers `false`: each line is decoded only when reached, so a
 * reader that needs the first lines of a file (its session_meta, its first prompt) never parses
 * the rest, even when one chunk holds all of it.
 *
 * @since 0.1.0
 * @category reading
 */
export const scanner = (step: (line: LineResult) => boolean): Scanner => {
  const decoder = new LineDecoder()
  let going = true
  const feed = (results: Iterable<LineResult>) => {
    for (const result of results) {
      if (!step(result)) {
        going = false
        return
      }
    }
  }
  return {
    push: (bytes) => {
      if (going) feed(decoder.linesOfBytes(bytes))
      return going
    },
    end: () => {
      if (going) feed(decoder.end())
      going = false
    }
  }
}

/**
 * {@link scanner} over a byte stream: the rest of the stream is not pulled once `step` answered
 * `false`.
 *
 * @since 0.1.0
 * @category reading
 */
export const scanBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  step: (line: LineResult) => boolean,
  onCorrupt: (reason: string) => E
): Effect.Effect<void, E, R> =>
  Effect.suspend(() => {
    const scan = scanner(step)
    const guarded = <A>(f: () => A) =>
      Effect.try({
        try: f,
        catch: (error) => onCorrupt(LineStream.unreadable(error))
      })
    return Stream.runForEachWhile(bytes, (chunk) => guarded(() => scan.push(chunk))).pipe(
      Effect.zipRight(guarded(scan.end))
    )
  })

/**
 * Reads a rollout file as a stream of records; lines that are not JSON come as `Left`.
 *
 * @since 0.1.0
 * @category reading
 */
export const readFile = (path: string): Stream.Stream<LineResult, RolloutReadError, FileSystem.FileSystem> =>
  LineStream.readFile(path, decodeBytes, (path, reason) => new RolloutReadError({ path, reason }))


/**
 * Fails the stream at the first line that is not JSON.
 *
 * @since 0.1.0
 * @category combinators
 */
export const strict: <E, R>(results: Stream.Stream<LineResult, E, R>) => Stream.Stream<RolloutRecord, E | InvalidLine, R> = LineStream.strict


/**
 * Drops lines that are not JSON, as Codex does when it reads a rollout.
 *
 * @since 0.1.0
 * @category combinators
 */
export const lenient: <E, R>(results: Stream.Stream<LineResult, E, R>) => Stream.Stream<RolloutRecord, E, R> = LineStream.lenient
