/**
 * One line of a Claude Code transcript, decoded: its raw text (kept byte for byte for writers
 * that leave it alone) next to what it is.
 *
 * - `Known`: a line whose type (and attachment kind, or system subtype) this version models and
 *   whose fields match; `line` is typed.
 * - `Unknown`: valid JSON this version does not model (a newer type, or a known type whose
 *   fields changed). Never a failure: the JSON passes through as it is.
 * - `Blank`: an empty line.
 *
 * A line that is not JSON at all is an {@link InvalidLine} carrying its line number (Claude Code
 * skips such lines when it reads a transcript).
 *
 * @since 0.2.0
 */
import { Either } from "effect"
import * as ClaudeLine from "./ClaudeLine.js"
import { InvalidLine } from "./RolloutRecord.js"

/** @since 0.2.0 @category models */
export interface BlankEntry {
  readonly _tag: "Blank"
}

/** @since 0.2.0 @category models */
export type ClaudeEntry = ClaudeLine.Entry | BlankEntry

/** @since 0.2.0 @category models */
export interface ClaudeRecord {
  /** 1-based, counting every line, blank ones too */
  readonly lineNumber: number
  /** the line's text without its terminating `\n` */
  readonly raw: string
  /** false only for a last line with no `\n` after it (a torn write) */
  readonly terminated: boolean
  readonly entry: ClaudeEntry
}

const blank: BlankEntry = { _tag: "Blank" }

/**
 * Decodes one line. Never throws.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decodeLine = (
  raw: string,
  lineNumber: number,
  terminated = true
): Either.Either<ClaudeRecord, InvalidLine> => {
  if (raw.trim().length === 0) return Either.right({ lineNumber, raw, terminated, entry: blank })
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return Either.left(new InvalidLine({ lineNumber, reason, raw, terminated }))
  }
  return Either.right({ lineNumber, raw, terminated, entry: ClaudeLine.decode(json) })
}

/**
 * The JSON value an entry stands for: decode then encode gives back the input JSON.
 *
 * @since 0.2.0
 * @category encoding
 */
export const encodeEntry = (entry: ClaudeLine.Entry): unknown => ClaudeLine.encode(entry)

/**
 * The line as it stood in the file (without its `\n`). Writers that leave a line alone write this.
 *
 * @since 0.2.0
 * @category encoding
 */
export const encodeRecord = (record: ClaudeRecord): string => record.raw
