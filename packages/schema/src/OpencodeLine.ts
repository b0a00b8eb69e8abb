/**
 * One line of a sessionport OpenCode transcript: how a package carries one OpenCode session, one
 * database row per line. Each line is a JSON object with `type` (the table) first, then the row's
 * columns with their SQL values, in the table's column order:
 *
 * ```
 * {"type":"session","id":"ses_…","project_id":"…",…,"time_archived":null}
 * {"type":"message","id":"msg_…","session_id":"ses_…","time_created":…,"time_updated":…,"data":{"role":"user",…}}
 * {"type":"part","id":"prt_…","message_id":"msg_…","session_id":"ses_…",…,"data":{"type":"text",…}}
 * {"type":"todo","session_id":"ses_…","content":"…","status":"…","priority":"…","position":0,…}
 * ```
 *
 * The session line comes first, then each message (by `time_created`, then `id`) followed by its
 * parts (by `id`), then the todo lines (by `position`). Columns OpenCode 1.18.33 does not have are
 * kept as they are.
 *
 * `message.data` and `part.data` are the parsed JSON object, so a line reads as one JSON value.
 * Writing it back must give the row's exact text: when a `data` text is not what
 * `JSON.stringify(JSON.parse(text))` gives back (hand-edited spacing, key order, a value that is
 * not an object), the line carries `data_text` with the raw text instead of `data`. With that rule
 * {@link toRow} of {@link fromRow} gives every row back unchanged.
 *
 * Schemas here have no transformations: a decoded line is the parsed JSON itself. {@link decode}
 * never throws: a line of another `type` is {@link UnknownLine}, kept as it is.
 *
 * @since 0.2.0
 */
import { Either, type ParseResult, Schema, Struct } from "effect"
import { JsonObject, otherThan } from "./internal/fields.js"
import { compileGuard } from "./internal/guard.js"
import { Message } from "./OpencodeMessage.js"
import { Part } from "./OpencodePart.js"
import { MessageRow, PartRow, SessionRow, TodoRow } from "./OpencodeRow.js"

const absent = Schema.optional(Schema.Never)

/** @since 0.2.0 @category models */
export const SessionLine = Schema.Struct({ type: Schema.Literal("session"), ...SessionRow.fields }, JsonObject)
  .annotations({ identifier: "OpencodeSessionLine" })

/** @since 0.2.0 @category models */
export type SessionLine = typeof SessionLine.Type

const messageColumns = Struct.omit(MessageRow.fields, "data")

/** A message line with its `data` parsed. @since 0.2.0 @category models */
export const MessageDataLine = Schema.Struct(
  { type: Schema.Literal("message"), ...messageColumns, data: Message, data_text: absent },
  JsonObject
).annotations({ identifier: "OpencodeMessageDataLine" })

/** A message line with its `data` text kept raw (it does not round-trip through JSON). @since 0.2.0 @category models */
export const MessageTextLine = Schema.Struct(
  { type: Schema.Literal("message"), ...messageColumns, data_text: Schema.String, data: absent },
  JsonObject
).annotations({ identifier: "OpencodeMessageTextLine" })

/** @since 0.2.0 @category models */
export const MessageLine = Schema.Union(MessageDataLine, MessageTextLine).annotations({ identifier: "OpencodeMessageLine" })

/** @since 0.2.0 @category models */
export type MessageLine = typeof MessageLine.Type

const partColumns = Struct.omit(PartRow.fields, "data")

/** A part line with its `data` parsed. @since 0.2.0 @category models */
export const PartDataLine = Schema.Struct(
  { type: Schema.Literal("part"), ...partColumns, data: Part, data_text: absent },
  JsonObject
).annotations({ identifier: "OpencodePartDataLine" })

/** A part line with its `data` text kept raw (it does not round-trip through JSON). @since 0.2.0 @category models */
export const PartTextLine = Schema.Struct(
  { type: Schema.Literal("part"), ...partColumns, data_text: Schema.String, data: absent },
  JsonObject
).annotations({ identifier: "OpencodePartTextLine" })

/** @since 0.2.0 @category models */
export const PartLine = Schema.Union(PartDataLine, PartTextLine).annotations({ identifier: "OpencodePartLine" })

/** @since 0.2.0 @category models */
export type PartLine = typeof PartLine.Type

/** @since 0.2.0 @category models */
export const TodoLine = Schema.Struct({ type: Schema.Literal("todo"), ...TodoRow.fields }, JsonObject)
  .annotations({ identifier: "OpencodeTodoLine" })

/** @since 0.2.0 @category models */
export type TodoLine = typeof TodoLine.Type

/**
 * The line types, one per table of a session, in the order they appear in a transcript.
 *
 * @since 0.2.0
 * @category constants
 */
export const lineTypes = ["session", "message", "part", "todo"] as const

/** @since 0.2.0 @category models */
export type LineType = typeof lineTypes[number]

/**
 * A line of another `type` (a table a later version carries): kept as it is. A line of a known
 * type whose fields do not match is not one of these.
 *
 * @since 0.2.0
 * @category models
 */
export const UnknownLine = Schema.Struct({ type: otherThan(lineTypes) }, JsonObject)
  .annotations({ identifier: "OpencodeUnknownLine" })

/** @since 0.2.0 @category models */
export const KnownLine = Schema.Union(SessionLine, MessageLine, PartLine, TodoLine).annotations({ identifier: "OpencodeKnownLine" })

/** @since 0.2.0 @category models */
export type KnownLine = typeof KnownLine.Type

/** @since 0.2.0 @category models */
export const Line = Schema.Union(SessionLine, MessageLine, PartLine, TodoLine, UnknownLine)
  .annotations({ identifier: "OpencodeLine" })

/** @since 0.2.0 @category models */
export type Line = typeof Line.Type

// -------------------------------------------------------------------------------------------------
// decoding

interface Check {
  readonly is: (u: unknown) => boolean
  readonly decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

const check = (schema: Schema.Schema<any, any, never>): Check => ({
  is: compileGuard(schema),
  decode: Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })
})

// each line is checked against its type's schema only, so a mismatch says what did not match
const checks = new Map<unknown, Check>([
  ["session", check(SessionLine)],
  ["message", check(MessageLine)],
  ["part", check(PartLine)],
  ["todo", check(TodoLine)]
])
const unknownCheck = check(UnknownLine)
const anyCheck = check(Line)

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Checks an already parsed JSON line. Never throws. The line given back is the input itself (same
 * object, same key order), so it encodes to the same JSON.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode = (json: unknown): Either.Either<Line, ParseResult.ParseError> => {
  const type = isRecord(json) ? json.type : undefined
  const member = typeof type === "string" ? checks.get(type) ?? unknownCheck : anyCheck
  if (member.is(json)) return Either.right(json as Line)
  return Either.map(member.decode(json), () => json as Line)
}

// -------------------------------------------------------------------------------------------------
// rows

/** A value of a SQLite column of these tables: TEXT, INTEGER, REAL or NULL. @since 0.2.0 @category models */
export type SqlValue = null | string | number | bigint

const isLineType = (type: unknown): type is LineType => (lineTypes as ReadonlyArray<unknown>).includes(type)

const hasData = (table: LineType): boolean => table === "message" || table === "part"

// a column value as JSON: a bigint by its digits (JSON has no bigint; lines never use one in 1.18.33)
const sqlJson = (key: string, value: unknown): string => {
  if (value === null || typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" && Number.isFinite(value)) return JSON.stringify(value)
  if (typeof value === "bigint") return value.toString()
  throw new TypeError(`column ${key}: not a SQL text, integer, real or null`)
}

/** The data text parsed, when it is an object that JSON.stringify gives back exactly. */
const roundTrips = (text: string): boolean => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return false
  }
  return isRecord(parsed) && JSON.stringify(parsed) === text
}

/**
 * The transcript line of a row (without its `\n`): `type` first, then the row's columns in their
 * order, `data` parsed by the round-trip rule (else `data_text`). Pure. Throws a `TypeError` for a
 * row no line can carry: another table, a column named `type` (or `data_text` beside `data`), a
 * `data` that is not text, or a value that is not a SQL text, integer, finite real or null (these
 * tables hold no blobs).
 *
 * @since 0.2.0
 * @category conversions
 */
export const fromRow = (table: LineType, row: Readonly<Record<string, unknown>>): string => {
  if (!isLineType(table)) throw new TypeError(`not a session table: ${JSON.stringify(table)}`)
  const withData = hasData(table)
  const out = [`"type":${JSON.stringify(table)}`]
  for (const key of Object.keys(row)) {
    const value = row[key]
    if (key === "type" || (withData && key === "data_text")) throw new TypeError(`a ${table} row with a ${key} column`)
    if (withData && key === "data") {
      if (typeof value !== "string") throw new TypeError(`${table}.data is not text`)
      // the text is what JSON.stringify would write: embed it as it is
      out.push(roundTrips(value) ? `"data":${value}` : `"data_text":${JSON.stringify(value)}`)
      continue
    }
    out.push(`${JSON.stringify(key)}:${sqlJson(key, value)}`)
  }
  return `{${out.join(",")}}`
}

const set = (row: Record<string, SqlValue>, key: string, value: SqlValue): void => {
  // a `__proto__` column must be an own key, not the prototype
  Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true })
}

/**
 * The row of a line: its table (the line's `type`) and its columns in the line's order, `data`
 * stringified back (or `data_text` written as it is). Takes a {@link Line} or any parsed JSON
 * line. Pure. Throws a `TypeError` for a line no table holds: another `type`, or a column value
 * that is not a string, number, bigint or null.
 *
 * @since 0.2.0
 * @category conversions
 */
export const toRow = (
  line: Line | Readonly<Record<string, unknown>>
): { readonly table: LineType; readonly row: Record<string, SqlValue> } => {
  const table: unknown = line.type
  if (!isLineType(table)) throw new TypeError(`not a line of a session table: ${JSON.stringify(table)}`)
  const record = line as Readonly<Record<string, unknown>>
  const withData = hasData(table)
  const raw = withData ? record.data_text : undefined
  const row: Record<string, SqlValue> = {}
  for (const key of Object.keys(record)) {
    if (key === "type") continue
    const value = record[key]
    if (withData && key === "data_text") {
      if (typeof value !== "string") throw new TypeError(`${table}.data_text is not text`)
      set(row, "data", value)
    } else if (withData && key === "data") {
      if (typeof raw === "string") continue
      const text: unknown = JSON.stringify(value)
      if (typeof text !== "string") throw new TypeError(`${table}.data is not JSON`)
      set(row, "data", text)
    } else if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
      set(row, key, value)
    } else {
      throw new TypeError(`column ${key}: not a SQL text, integer, real or null`)
    }
  }
  return { table, row }
}
