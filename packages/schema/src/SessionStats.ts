/**
 * What a session is, read from its records: its `session_meta`, its first real user message
 * (the title and preview Codex shows), its number of user turns, its last activity. Pure: works
 * on any record stream (a file, a package entry, a rewritten copy).
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Either, Stream } from "effect"
import * as RolloutReader from "./RolloutReader.js"
import type { LineResult } from "./RolloutReader.js"
import type { RolloutRecord } from "./RolloutRecord.js"
import type { SessionMeta } from "./SessionMeta.js"
import * as UserPrompt from "./UserPrompt.js"

/** @since 0.1.0 @category models */
export interface SessionStats {
  /** the first `session_meta`: canonical for the thread id */
  readonly meta: SessionMeta | undefined
  readonly firstUserMessage: string | undefined
  /** user turns: real user messages, injected context excluded */
  readonly turns: number
  readonly lines: number
  /** lines that are not JSON */
  readonly invalidLines: number
  /** the last envelope timestamp */
  readonly lastTimestamp: string | undefined
}

/**
 * An incremental fold, for callers that already walk the records for another reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = () => {
  let meta: SessionMeta | undefined
  let firstUserMessage: string | undefined
  let userEvents = 0
  let userItems = 0
  let lines = 0
  let invalidLines = 0
  let lastTimestamp: string | undefined
  return {
    add: (record: RolloutRecord): void => {
      lines++
      const entry = record.entry
      if (entry._tag !== "Known") return
      lastTimestamp = entry.line.timestamp
      if (entry.line.type === "session_meta") {
        meta ??= entry.line.payload
        return
      }
      const prompt = UserPrompt.fromRecord(record)
      if (prompt === undefined) return
      if (entry.line.type === "event_msg" && entry.line.payload.type === "user_message") userEvents++
      else userItems++
      firstUserMessage ??= prompt
    },
    addInvalid: (): void => {
      lines++
      invalidLines++
    },
    // legacy threads log user_message events, paginated ones UserMessage items: never both
    result: (): SessionStats => ({
      meta,
      firstUserMessage,
      turns: Math.max(userEvents, userItems),
      lines,
      invalidLines,
      lastTimestamp
    })
  }
}

/**
 * The stats of bytes pushed chunk by chunk (a package's session, verified as it is read), through
 * {@link RolloutReader.scanner}: `push` answers `false`, and lines after are not even decoded, once
 * `enough` says the stats so far are all that is wanted (by default, never). `push` and `end`
 * throw what the scanner throws (corrupt compressed input).
 *
 * @since 0.1.0
 * @category constructors
 */
export const scanner = (enough?: (stats: SessionStats) => boolean): {
  readonly push: (bytes: Uint8Array) => boolean
  readonly end: () => SessionStats
} => {
  const stats = make()
  const scan = RolloutReader.scanner((line) => {
    if (Either.isRight(line)) stats.add(line.right)
    else stats.addInvalid()
    return enough === undefined || !enough(stats.result())
  })
  return {
    push: scan.push,
    end: () => {
      scan.end()
      return stats.result()
    }
  }
}

/**
 * Reads the stats of a whole record stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLines = <E, R>(lines: Stream.Stream<LineResult, E, R>): Effect.Effect<SessionStats, E, R> =>
  Effect.suspend(() => {
    const stats = make()
    return Stream.runForEachChunk(lines, (chunk) =>
      Effect.sync(() =>
        Chunk.forEach(chunk, (result) => (Either.isRight(result) ? stats.add(result.right) : stats.addInvalid()))
      )).pipe(Effect.map(() => stats.result()))
  })
