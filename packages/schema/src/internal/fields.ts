import { Schema } from "effect"

/** @internal a field Codex may leave out or write as `null`. */
export const optionalNullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** @internal any JSON value: kept as it is, never validated. */
export const Json = Schema.Unknown

/** @internal a JSON object whose keys this version does not model. */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** @internal the `type` literals of a union of `{type: Literal(…)}` structs. */
export const typeLiterals = (
  members: ReadonlyArray<{ readonly fields: { readonly type: { readonly literals: ReadonlyArray<unknown> } } }>
): ReadonlyArray<string> => members.flatMap((member) => member.fields.type.literals as ReadonlyArray<string>)

/**
 * @internal
 * A `type` (or `subtype`) of a kind this version does not model: any string but the `known`
 * ones, so that a known kind whose fields do not match is never taken for an unknown one. JSON
 * Schema: `{"type":"string","not":{"enum":[…]}}`.
 */
export const otherThan = (known: ReadonlyArray<string>) => {
  const set = new Set(known)
  return Schema.String.pipe(
    Schema.filter((value) => !set.has(value), {
      message: () => `one of the modelled kinds (${known.join(", ")}) that does not match its schema`,
      jsonSchema: { not: { enum: [...known] } }
    })
  )
}
