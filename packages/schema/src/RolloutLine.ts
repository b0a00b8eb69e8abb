/**
 * The rollout line envelope `{timestamp, type, payload}` and every outer `type` Codex writes.
 *
 * Schemas here have no transformations: a decoded value is the parsed JSON itself, so encoding
 * gives back the same JSON, and fields this version does not model pass through untouched.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { EventMsg } from "./EventMsg.js"
import { NestedResponseItem, ResponseItem } from "./ResponseItem.js"
import { SessionMeta } from "./SessionMeta.js"
import { TurnContext } from "./TurnContext.js"
import { Json, optionalNullable } from "./internal/fields.js"

/** @since 0.1.0 @category models */
export const CompactedPayload = Schema.Struct({
  // the summary text, or "" for remote compaction
  message: Schema.String,
  replacement_history: optionalNullable(Schema.Array(NestedResponseItem)),
  window_number: optionalNullable(Schema.Number),
  window_id: Schema.optional(Json),
  previous_window_id: optionalNullable(Schema.String),
  first_window_id: optionalNullable(Schema.String)
}).annotations({ identifier: "CompactedPayload" })

/** Snapshot (`full: true`) or patch of the model-visible world state (2026-06+). @since 0.1.0 @category models */
export const WorldStatePayload = Schema.Struct({
  full: Schema.Boolean,
  state: Json
}).annotations({ identifier: "WorldStatePayload" })

const envelope = <Type extends string, Payload extends Schema.Schema.Any>(type: Type, payload: Payload) =>
  Schema.Struct({
    // UTC with milliseconds; a number here breaks Codex
    timestamp: Schema.String,
    type: Schema.Literal(type),
    payload,
    // 0-based record position, paginated threads only (2026-07+)
    ordinal: Schema.optional(Schema.Number)
  })

/** @since 0.1.0 @category models */
export const SessionMetaLine = envelope(
  "session_meta",
  SessionMeta
).annotations({ identifier: "SessionMetaLine" })

/** @since 0.1.0 @category models */
export const TurnContextLine = envelope("turn_context", TurnContext).annotations({ identifier: "TurnContextLine" })

/** @since 0.1.0 @category models */
export const ResponseItemLine = envelope("response_item", ResponseItem).annotations({ identifier: "ResponseItemLine" })

/** @since 0.1.0 @category models */
export const EventMsgLine = envelope("event_msg", EventMsg).annotations({ identifier: "EventMsgLine" })

/** @since 0.1.0 @category models */
export const CompactedLine = envelope("compacted", CompactedPayload).annotations({ identifier: "CompactedLine" })

/** @since 0.1.0 @category models */
export const WorldStateLine = envelope("world_state", WorldStatePayload).annotations({ identifier: "WorldStateLine" })

/** Per-request token usage (0.169+); kept opaque. @since 0.1.0 @category models */
export const TokenUsageRecordLine = envelope("token_usage_record", Json)
  .annotations({ identifier: "TokenUsageRecordLine" })

/** Legacy multi-agent delivery item (2026). @since 0.1.0 @category models */
export const InterAgentCommunicationLine = envelope("inter_agent_communication", Json)
  .annotations({ identifier: "InterAgentCommunicationLine" })

/** @since 0.1.0 @category models */
export const InterAgentCommunicationMetadataLine = envelope(
  "inter_agent_communication_metadata",
  Schema.Struct({ trigger_turn: optionalNullable(Schema.Boolean) })
).annotations({ identifier: "InterAgentCommunicationMetadataLine" })

/**
 * Every envelope line this version models.
 *
 * @since 0.1.0
 * @category models
 */
export const RolloutLine = Schema.Union(
  SessionMetaLine,
  TurnContextLine,
  ResponseItemLine,
  EventMsgLine,
  CompactedLine,
  WorldStateLine,
  TokenUsageRecordLine,
  InterAgentCommunicationLine,
  InterAgentCommunicationMetadataLine
).annotations({ identifier: "RolloutLine" })

/** @since 0.1.0 @category models */
export type RolloutLine = typeof RolloutLine.Type

/** @since 0.1.0 @category models */
export type LineType = RolloutLine["type"]

/** The outer `type` values of {@link RolloutLine}. @since 0.1.0 @category models */
export const lineTypes: ReadonlyArray<LineType> = RolloutLine.members.map((member) => member.fields.type.literals[0])
