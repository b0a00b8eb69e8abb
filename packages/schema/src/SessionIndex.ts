/**
 * `session_index.jsonl`: an append-only log of thread names. Readers scan it whole; the newest
 * line for an id wins, and a blank name is skipped.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { JsonObject } from "./internal/fields.js"

/** @since 0.1.0 @category models */
export const SessionIndexLine = Schema.Struct(
  {
    id: Schema.String,
    thread_name: Schema.String,
    // RFC 3339 UTC, nanosecond precision
    updated_at: Schema.String
  },
  JsonObject
).annotations({ identifier: "SessionIndexLine" })

/** @since 0.1.0 @category models */
export type SessionIndexLine = typeof SessionIndexLine.Type

/**
 * Thread names from index lines in file order: the newest line per id wins, blank names are
 * skipped (as Codex reads the file).
 *
 * @since 0.1.0
 * @category combinators
 */
export const latestNames = (lines: Iterable<SessionIndexLine>): Map<string, string> =>
  new Map([...latestLines(lines)].map(([id, line]) => [id, line.thread_name]))

/**
 * The lines that give each thread its name: the newest line per id, blank names skipped.
 *
 * @since 0.1.0
 * @category combinators
 */
export const latestLines = (lines: Iterable<SessionIndexLine>): Map<string, SessionIndexLine> => {
  const latest = new Map<string, SessionIndexLine>()
  for (const line of lines) {
    if (line.thread_name.trim().length === 0) continue
    latest.set(line.id, line)
  }
  return latest
}
