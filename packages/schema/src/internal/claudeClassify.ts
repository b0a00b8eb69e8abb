import { ParseResult, Schema } from "effect"
import { compileGuard } from "./guard.js"

type Member = Schema.Schema<any, any, never>

/** @internal */
export interface Checker {
  readonly is: (u: unknown) => boolean
  readonly explain: (u: unknown) => string
}

/** @internal a compiled guard, and the schema's own decoder only to explain a mismatch (the slow path) */
export const checker = (schema: Member): Checker => {
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

/** @internal why a JSON line is not a known line */
export type Reason = "unknown_type" | "shape_mismatch" | "unrecognized"

/** @internal */
export type Classified =
  | { readonly _tag: "Known" }
  | {
    readonly _tag: "Unknown"
    readonly reason: Reason
    readonly type: string | undefined
    readonly subtype: string | undefined
    readonly detail: string | undefined
  }

/**
 * @internal
 * Line checkers by outer `type`; `attachment` lines by `attachment.type` and `system` lines by
 * `subtype`, each with a fallback for kinds not modelled, so a line is checked against exactly
 * one schema.
 */
export interface Tables {
  readonly outer: ReadonlyMap<string, Checker>
  readonly attachments: ReadonlyMap<string, Checker>
  readonly otherAttachment: Checker
  readonly systems: ReadonlyMap<string, Checker>
  readonly otherSystem: Checker
}

const known: Classified = { _tag: "Known" }

const unknown = (
  reason: Reason,
  type: string | undefined,
  subtype: string | undefined,
  detail: string | undefined = undefined
): Classified => ({ _tag: "Unknown", reason, type, subtype, detail })

const stringAt = (value: unknown, key: string): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const inner = (value as Record<string, unknown>)[key]
  return typeof inner === "string" ? inner : undefined
}

/** @internal */
export const classify = (tables: Tables, json: unknown): Classified => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return unknown("unrecognized", undefined, undefined)
  const type = stringAt(json, "type")
  if (type === undefined) return unknown("unrecognized", undefined, undefined)
  let check: Checker | undefined
  let subtype: string | undefined
  if (type === "attachment") {
    subtype = stringAt((json as Record<string, unknown>).attachment, "type")
    check = (subtype === undefined ? undefined : tables.attachments.get(subtype)) ?? tables.otherAttachment
  } else if (type === "system") {
    subtype = stringAt(json, "subtype")
    check = (subtype === undefined ? undefined : tables.systems.get(subtype)) ?? tables.otherSystem
  } else {
    check = tables.outer.get(type)
    if (check === undefined) return unknown("unknown_type", type, undefined)
  }
  return check.is(json) ? known : unknown("shape_mismatch", type, subtype, check.explain(json))
}
