/**
 * One line of a rollout file, decoded: its raw text (kept byte for byte for writers that leave
 * it alone) next to what it is.
 *
 * - `Known`: an envelope line whose type and payload this version models; `line` is typed.
 * - `Legacy`: a pre-envelope line (header, bare response item, state marker).
 * - `Unknown`: valid JSON this version does not model (a newer type, or a known type whose
 *   fields changed). Never a failure: the JSON passes through as it is.
 * - `Blank`: an empty line.
 *
 * A line that is not JSON at all is an {@link InvalidLine} carrying its line number.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import { decodeJsonLine } from "./internal/classify.js"
import type { LegacyLine } from "./Legacy.js"
import type { RolloutLine } from "./RolloutLine.js"

/** @since 0.1.0 @category models */
export interface KnownEntry {
  readonly _tag: "Known"
  readonly line: RolloutLine
}

/** @since 0.1.0 @category models */
export interface LegacyEntry {
  readonly _tag: "Legacy"
  readonly line: LegacyLine
}

/**
 * Why a JSON line was not recognised: an outer `type` or `payload.type` this version does not
 * know, a known type whose fields do not match, or a value that is not an object at all.
 *
 * @since 0.1.0
 * @category models
 */
export type UnknownReason = "unknown_type" | "unknown_payload_type" | "shape_mismatch" | "unrecognized"

/** @since 0.1.0 @category models */
export interface UnknownEntry {
  readonly _tag: "Unknown"
  readonly json: unknown
  readonly reason: UnknownReason
  /** the outer `type` when there is one */
  readonly type: string | undefined
  /** `payload.type` when there is one */
  readonly payloadType: string | undefined
  /** what did not match, for `shape_mismatch` */
  readonly detail: string | undefined
}

/** @since 0.1.0 @category models */
export interface BlankEntry {
  readonly _tag: "Blank"
}

/** @since 0.1.0 @category models */
export type RolloutEntry = KnownEntry | LegacyEntry | UnknownEntry | BlankEntry

/** @since 0.1.0 @category models */
export interface RolloutRecord {
  /** 1-based, counting every line, blank ones too */
  readonly lineNumber: number
  /** the line's text without its terminating `\n` */
  readonly raw: string
  /** false only for a last line with no `\n` after it (a torn write, or a hand-edited file) */
  readonly terminated: boolean
  readonly entry: RolloutEntry
}

/**
 * A line that is not JSON. Codex itself skips such lines; readers report them.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLine extends Schema.TaggedError<InvalidLine>("@sessionport/schema/InvalidLine")("InvalidLine", {
  lineNumber: Schema.Number,
  reason: Schema.String,
  raw: Schema.String,
  terminated: Schema.Boolean
}) {
  override get message(): string {
    const excerpt = this.raw.length > 60 ? `${this.raw.slice(0, 60)}…` : this.raw
    return `line ${this.lineNumber} is not JSON (${this.reason}): ${JSON.stringify(excerpt)}`
  }
}

/**
 * Decodes one line. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeLine = (
  raw: string,
  lineNumber: number,
  terminated = true
): Either.Either<RolloutRecord, InvalidLine> => {
  if (raw.length === 0 || raw.trim().length === 0) {
    return Either.right({ lineNumber, raw, terminated, entry: blank })
  }
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return Either.left(new InvalidLine({ lineNumber, reason, raw, terminated }))
  }
  return Either.right({ lineNumber, raw, terminated, entry: decodeJsonLine(json) })
}

const blank: BlankEntry = { _tag: "Blank" }

/**
 * Classifies an already parsed JSON line.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson: (json: unknown) => RolloutEntry = decodeJsonLine

/**
 * The JSON value an entry stands for: decode then encode gives back the input JSON.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeEntry = (entry: Exclude<RolloutEntry, BlankEntry>): unknown =>
  entry._tag === "Unknown" ? entry.json : entry.line

/**
 * The line as it stood in the file (without its `\n`). Writers that leave a line alone write this.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRecord = (record: RolloutRecord): string => record.raw
