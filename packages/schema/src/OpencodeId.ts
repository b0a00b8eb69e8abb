/**
 * OpenCode's ids (1.18.33): `<prefix>_<12 lowercase hex><14 base62>`, e.g.
 * `msg_24f366831001m13npYfpftmGQX`.
 *
 * The 12 hex digits are 6 bytes of `ms * 0x1000 + counter`, where `ms` is the creation time and
 * `counter` counts ids made in the same millisecond (from 1). Only the low 48 bits are kept, so an
 * id holds its time modulo 2^36 ms (about 795 days): {@link timeOf} needs a time near the id's to
 * say which period it is in. Session ids sort newest first: their 6 bytes are the bitwise NOT of
 * that number ("descending"); message and part ids sort oldest first ("ascending"), which is the
 * order OpenCode reads a session's messages and parts in.
 *
 * The 14 characters after them are random. Nothing here is random nor reads a clock: callers
 * supply the random part and the time.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"

/**
 * The prefixes of the ids of a session's rows.
 *
 * @since 0.2.0
 * @category constants
 */
export const prefixes = { session: "ses", message: "msg", part: "prt" } as const

/** @since 0.2.0 @category models */
export type Prefix = typeof prefixes[keyof typeof prefixes]

/**
 * How long an id's time part goes before it wraps: 2^36 ms.
 *
 * @since 0.2.0
 * @category constants
 */
export const timeWrap = 2 ** 36

const TIME_MASK = (1n << 48n) - 1n

/**
 * True for a prefix whose ids sort newest first (`ses`).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isDescending = (prefix: Prefix): boolean => prefix === prefixes.session

/**
 * The pattern of an id with the given prefix.
 *
 * @since 0.2.0
 * @category constants
 */
export const pattern = (prefix: Prefix): RegExp => new RegExp(`^${prefix}_[0-9a-f]{12}[0-9A-Za-z]{14}$`)

const patterns: Record<Prefix, RegExp> = {
  ses: pattern("ses"),
  msg: pattern("msg"),
  prt: pattern("prt")
}

/**
 * True for an id of the given prefix in OpenCode's format.
 *
 * @since 0.2.0
 * @category predicates
 */
export const is = (prefix: Prefix, s: unknown): s is string => typeof s === "string" && patterns[prefix].test(s)

const idSchema = (prefix: Prefix, identifier: string, what: string) =>
  Schema.String.pipe(
    Schema.pattern(patterns[prefix], {
      identifier,
      description: `an OpenCode ${what} id: "${prefix}_", 12 lowercase hex digits (the time), 14 base62 characters`
    })
  )

/** A session id, `ses_…`. @since 0.2.0 @category models */
export const SessionId = idSchema("ses", "OpencodeSessionId", "session")

/** A message id, `msg_…`. @since 0.2.0 @category models */
export const MessageId = idSchema("msg", "OpencodeMessageId", "message")

/** A part id, `prt_…`. @since 0.2.0 @category models */
export const PartId = idSchema("prt", "OpencodePartId", "part")

/**
 * The 12 hex digits of an id's time part (the 12 characters after the first `_`).
 *
 * @since 0.2.0
 * @category getters
 */
export const timeHex = (id: string): string => {
  const start = id.indexOf("_") + 1
  return id.slice(start, start + 12)
}

// `ms * 0x1000 + counter` (low 48 bits), the NOT undone for a session id; undefined if not hex
const timeNumber = (id: string): bigint | undefined => {
  const hex = timeHex(id)
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined
  const value = BigInt(`0x${hex}`)
  return id.startsWith(`${prefixes.session}_`) ? ~value & TIME_MASK : value
}

/**
 * The time an id holds: its creation time in ms modulo {@link timeWrap}. NaN when the id has no
 * 12 hex digits after its prefix.
 *
 * @since 0.2.0
 * @category getters
 */
export const encodedTime = (id: string): number => {
  const value = timeNumber(id)
  return value === undefined ? NaN : Number(value >> 12n)
}

/**
 * The counter of an id: how many ids the process had made in that millisecond (from 1).
 *
 * @since 0.2.0
 * @category getters
 */
export const counterOf = (id: string): number => {
  const value = timeNumber(id)
  return value === undefined ? NaN : Number(value & 0xfffn)
}

/**
 * The creation time of an id, in ms: the time it holds, in the 795-day period closest to `near`
 * (any time within about a year of the id's creation, such as its row's `time_created`, or the
 * time the database was read). NaN when the id has no 12 hex digits after its prefix.
 *
 * @since 0.2.0
 * @category getters
 */
export const timeOf = (id: string, near: number): number => {
  const encoded = encodedTime(id)
  return encoded + Math.round((near - encoded) / timeWrap) * timeWrap
}

/**
 * The 12 hex digits OpenCode writes for an id of `prefix` made at `ms`, the `counter`-th in that
 * millisecond.
 *
 * @since 0.2.0
 * @category constructors
 */
export const encodeTime = (prefix: Prefix, ms: number, counter = 1): string => {
  const value = (BigInt(ms) * 0x1000n + BigInt(counter)) & TIME_MASK
  return (isDescending(prefix) ? ~value & TIME_MASK : value).toString(16).padStart(12, "0")
}

/**
 * Assembles an id. Throws a `TypeError` if `timeHex` is not 12 lowercase hex digits or `random`
 * not 14 base62 characters (a caller's mistake, never data).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (prefix: Prefix, timeHex: string, random: string): string => {
  const id = `${prefix}_${timeHex}${random}`
  if (!is(prefix, id)) throw new TypeError(`not an OpenCode ${prefix} id: ${JSON.stringify(id)}`)
  return id
}
