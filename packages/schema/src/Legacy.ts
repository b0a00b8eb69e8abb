/**
 * Formats Codex wrote before the `{timestamp, type, payload}` envelope.
 *
 * - Rust, 2025-05-07 to 2025-09-09: JSON Lines with a bare header `{id, timestamp, instructions,
 *   git?}`, then bare response items, and `{"record_type":"state"}` markers.
 * - TypeScript CLI, April–August 2025: one pretty-printed JSON document per session
 *   (`{"session":{…},"items":[…]}`).
 *
 * Modern Codex cannot read either; they are decoded so that they can be validated and converted.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { GitInfo } from "./SessionMeta.js"
import { NestedResponseItem, ResponseItem } from "./ResponseItem.js"
import { optionalNullable } from "./internal/fields.js"

/** @since 0.1.0 @category models */
export const LegacyHeader = Schema.Struct({
  id: Schema.String,
  timestamp: Schema.String,
  instructions: optionalNullable(Schema.String),
  git: optionalNullable(GitInfo)
}).annotations({ identifier: "LegacyHeader" })

/** @since 0.1.0 @category models */
export const LegacyStateRecord = Schema.Struct({ record_type: Schema.Literal("state") })
  .annotations({ identifier: "LegacyStateRecord" })

/** A response item written bare, without the envelope. @since 0.1.0 @category models */
export const LegacyResponseItem = ResponseItem

/** @since 0.1.0 @category models */
export const LegacyLine = Schema.Union(LegacyHeader, LegacyStateRecord, LegacyResponseItem)
  .annotations({ identifier: "LegacyLine" })

/** @since 0.1.0 @category models */
export type LegacyLine = typeof LegacyLine.Type

/** The TypeScript CLI's whole-session JSON document. @since 0.1.0 @category models */
export const LegacyJsonSession = Schema.Struct({
  session: Schema.Struct({
    timestamp: Schema.String,
    id: Schema.String,
    instructions: optionalNullable(Schema.String)
  }),
  items: Schema.Array(NestedResponseItem)
}).annotations({ identifier: "LegacyJsonSession" })

/** @since 0.1.0 @category models */
export type LegacyJsonSession = typeof LegacyJsonSession.Type
