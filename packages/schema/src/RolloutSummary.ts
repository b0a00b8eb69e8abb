/**
 * What a rollout holds, counted in one streaming pass: lines by kind and type, the unknown
 * variants passed through, and the lines that are not JSON (with their numbers).
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Either, Stream } from "effect"
import type { LineResult } from "./RolloutReader.js"
import type { RolloutRecord } from "./RolloutRecord.js"

/** @since 0.1.0 @category models */
export interface RolloutSummary {
  readonly lines: number
  readonly known: number
  readonly legacy: number
  readonly unknown: number
  readonly blank: number
  readonly invalid: number
  /** `type` or `type/payload.type` → count, known and legacy lines */
  readonly byType: Readonly<Record<string, number>>
  /** `type` or `type/payload.type` (and the reason) → count, for lines passed through as unknown */
  readonly unknownByType: Readonly<Record<string, number>>
  /** line numbers of lines that are not JSON, with the parser's reason (first 100) */
  readonly invalidLines: ReadonlyArray<{ readonly lineNumber: number; readonly reason: string }>
}

const MAX_INVALID_LISTED = 100

const keyOf = (json: any): string => {
  const inner = json?.payload?.type
  return typeof inner === "string" ? `${json.type}/${inner}` : typeof json?.type === "string" ? json.type : "(no type)"
}

const legacyKind = (json: any): string =>
  typeof json.type === "string" ? json.type : "record_type" in json ? "state" : "header"

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

/**
 * Counts a stream of line results.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLines = <E, R>(lines: Stream.Stream<LineResult, E, R>): Effect.Effect<RolloutSummary, E, R> =>
  Effect.suspend(() => {
    const summary = {
      lines: 0,
      known: 0,
      legacy: 0,
      unknown: 0,
      blank: 0,
      invalid: 0,
      byType: {} as Record<string, number>,
      unknownByType: {} as Record<string, number>,
      invalidLines: [] as Array<{ lineNumber: number; reason: string }>
    }
    const add = (record: RolloutRecord) => {
      const entry = record.entry
      switch (entry._tag) {
        case "Blank":
          summary.blank++
          return
        case "Known":
          summary.known++
          return bump(summary.byType, keyOf(entry.line))
        case "Legacy":
          summary.legacy++
          return bump(summary.byType, `legacy/${legacyKind(entry.line)}`)
        case "Unknown":
          summary.unknown++
          return bump(summary.unknownByType, `${keyOf(entry.json)} (${entry.reason})`)
      }
    }
    const count = (result: LineResult) => {
      summary.lines++
      if (Either.isRight(result)) return add(result.right)
      summary.invalid++
      if (summary.invalidLines.length < MAX_INVALID_LISTED) {
        summary.invalidLines.push({ lineNumber: result.left.lineNumber, reason: result.left.reason })
      }
    }
    return Stream.runForEachChunk(lines, (chunk) => Effect.sync(() => chunk.pipe(Chunk.forEach(count)))).pipe(
      Effect.as(summary as RolloutSummary)
    )
  })
