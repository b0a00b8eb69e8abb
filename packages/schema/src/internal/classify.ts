import { ParseResult, Schema } from "effect"
import { EventMsg } from "../EventMsg.js"
import { LegacyHeader, LegacyStateRecord } from "../Legacy.js"
import { ResponseItem } from "../ResponseItem.js"
import { RolloutLine } from "../RolloutLine.js"
import type { RolloutEntry, UnknownReason } from "../RolloutRecord.js"
import { typeLiterals } from "./fields.js"
import { compileGuard } from "./guard.js"

type Guard = (u: unknown) => boolean
type Member = Schema.Schema<any, any, never>

interface Checker {
  readonly is: Guard
  readonly explain: (u: unknown) => string
}

// Built once at load: a compiled guard per variant, and the schema's own decoder only to explain
// a mismatch (the slow path).
const checker = (schema: Member): Checker => {
  const is = compileGuard(schema)
  const decode = Schema.decodeUnknownEither(schema)
  return {
    is,
    explain: (u) => {
      const result = decode(u)
      if (result._tag === "Right") return "matches"
      const issue = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
      return issue === undefined ? "does not match" : `${issue.path.join(".") || "(root)"}: ${issue.message}`
    }
  }
}

const byLiteral = (members: ReadonlyArray<any>) => {
  const map = new Map<string, Checker>()
  for (const member of members) {
    const c = checker(member)
    for (const literal of typeLiterals([member])) map.set(literal, c)
  }
  return map
}

// Per outer type: a whole-line checker; response_item and event_msg are split further by
// payload.type so a line is checked against exactly one variant.
const outer = new Map<string, Checker>()
const nested = new Map<string, Map<string, Checker>>()
for (const line of RolloutLine.members) {
  const type = line.fields.type.literals[0] as string
  const payload = line.fields.payload as unknown
  if (payload === ResponseItem || payload === EventMsg) {
    const union = payload as typeof ResponseItem | typeof EventMsg
    const perPayload = new Map<string, Checker>()
    for (const member of union.members as ReadonlyArray<any>) {
      const lineSchema = Schema.Struct({ ...line.fields, payload: member })
      for (const literal of typeLiterals([member])) perPayload.set(literal, checker(lineSchema as unknown as Member))
    }
    nested.set(type, perPayload)
  } else {
    outer.set(type, checker(line as Member))
  }
}

const legacyItems = byLiteral(ResponseItem.members as any)
const legacyHeader = checker(LegacyHeader)
const legacyState = checker(LegacyStateRecord)

const unknown = (
  json: unknown,
  reason: UnknownReason,
  type: string | undefined,
  payloadType: string | undefined,
  detail: string | undefined = undefined
): RolloutEntry => ({ _tag: "Unknown", json, reason, type, payloadType, detail })

const typeOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null && typeof (value as any).type === "string"
    ? (value as any).type
    : undefined

/** @internal */
export const decodeJsonLine = (json: unknown): RolloutEntry => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return unknown(json, "unrecognized", undefined, undefined)
  }
  const obj = json as Record<string, unknown>
  const type = typeof obj.type === "string" ? obj.type : undefined
  if ("payload" in obj && type !== undefined) {
    const payloadType = typeOf(obj.payload)
    const perPayload = nested.get(type)
    let check: Checker | undefined
    if (perPayload !== undefined) {
      if (payloadType === undefined) return unknown(json, "shape_mismatch", type, undefined, "payload.type is missing")
      check = perPayload.get(payloadType)
      if (check === undefined) return unknown(json, "unknown_payload_type", type, payloadType)
    } else {
      check = outer.get(type)
      if (check === undefined) return unknown(json, "unknown_type", type, payloadType)
    }
    return check.is(json)
      ? { _tag: "Known", line: json as any }
      : unknown(json, "shape_mismatch", type, payloadType, check.explain(json))
  }
  if ("record_type" in obj) {
    return legacyState.is(json) ? { _tag: "Legacy", line: json as any } : unknown(json, "unrecognized", type, undefined)
  }
  if (type === undefined) {
    return legacyHeader.is(json)
      ? { _tag: "Legacy", line: json as any }
      : unknown(json, "unrecognized", undefined, undefined)
  }
  const item = legacyItems.get(type)
  if (item === undefined) return unknown(json, "unrecognized", type, undefined)
  return item.is(json)
    ? { _tag: "Legacy", line: json as any }
    : unknown(json, "shape_mismatch", type, undefined, item.explain(json))
}
