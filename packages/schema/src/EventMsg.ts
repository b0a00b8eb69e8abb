/**
 * `event_msg` payloads: the UI-side events Codex persists (user and agent messages, turn
 * markers, tool-call end events). Begin, delta and approval events are never persisted.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { WebSearchAction } from "./ResponseItem.js"
import { Json, JsonObject, optionalNullable, typeLiterals } from "./internal/fields.js"

/** `{secs, nanos}` as serde writes a Rust `Duration`. @since 0.1.0 @category models */
export const Duration = Schema.Struct({ secs: Schema.Number, nanos: Schema.Number })
  .annotations({ identifier: "Duration" })

/** @since 0.1.0 @category models */
export const UserMessageEvent = Schema.Struct({
  type: Schema.Literal("user_message"),
  message: Schema.String,
  // Sept–Oct 2025: "plain" | "user_instructions" | "environment_context"
  kind: optionalNullable(Schema.String),
  images: optionalNullable(Schema.Array(Json)),
  local_images: optionalNullable(Schema.Array(Json)),
  text_elements: optionalNullable(Schema.Array(Json)),
  client_id: optionalNullable(Schema.String)
}).annotations({ identifier: "UserMessageEvent" })

/** @since 0.1.0 @category models */
export const AgentMessageEvent = Schema.Struct({
  type: Schema.Literal("agent_message"),
  message: Schema.String,
  phase: optionalNullable(Schema.String),
  memory_citation: Schema.optional(Json)
}).annotations({ identifier: "AgentMessageEvent" })

/** @since 0.1.0 @category models */
export const AgentReasoningEvent = Schema.Struct({
  type: Schema.Literal("agent_reasoning", "agent_reasoning_raw_content"),
  text: Schema.String
}).annotations({ identifier: "AgentReasoningEvent" })

/** @since 0.1.0 @category models */
export const TokenCountEvent = Schema.Struct({
  type: Schema.Literal("token_count"),
  info: optionalNullable(
    Schema.Struct({
      total_token_usage: Schema.optional(Json),
      last_token_usage: Schema.optional(Json),
      model_context_window: optionalNullable(Schema.Number)
    })
  ),
  // changed shape several times: opaque
  rate_limits: Schema.optional(Json)
}).annotations({ identifier: "TokenCountEvent" })

/** Written as `task_started`; `turn_started` is accepted when reading. @since 0.1.0 @category models */
export const TaskStartedEvent = Schema.Struct({
  type: Schema.Literal("task_started", "turn_started"),
  turn_id: optionalNullable(Schema.String),
  trace_id: optionalNullable(Schema.String),
  // Unix seconds
  started_at: optionalNullable(Schema.Number),
  model_context_window: optionalNullable(Schema.Number),
  collaboration_mode_kind: optionalNullable(Schema.String)
}).annotations({ identifier: "TaskStartedEvent" })

/** Written as `task_complete`; `turn_complete` is accepted when reading. @since 0.1.0 @category models */
export const TaskCompleteEvent = Schema.Struct({
  type: Schema.Literal("task_complete", "turn_complete"),
  turn_id: optionalNullable(Schema.String),
  last_agent_message: optionalNullable(Schema.String),
  started_at: optionalNullable(Schema.Number),
  completed_at: optionalNullable(Schema.Number),
  duration_ms: optionalNullable(Schema.Number),
  time_to_first_token_ms: optionalNullable(Schema.Number)
}).annotations({ identifier: "TaskCompleteEvent" })

/** @since 0.1.0 @category models */
export const TurnAbortedEvent = Schema.Struct({
  type: Schema.Literal("turn_aborted"),
  turn_id: optionalNullable(Schema.String),
  reason: Schema.String,
  started_at: optionalNullable(Schema.Number),
  completed_at: optionalNullable(Schema.Number),
  duration_ms: optionalNullable(Schema.Number)
}).annotations({ identifier: "TurnAbortedEvent" })

/** @since 0.1.0 @category models */
export const ContextCompactedEvent = Schema.Struct({ type: Schema.Literal("context_compacted") })
  .annotations({ identifier: "ContextCompactedEvent" })

/** @since 0.1.0 @category models */
export const EnteredReviewModeEvent = Schema.Struct({
  type: Schema.Literal("entered_review_mode"),
  target: Schema.optional(Json),
  user_facing_hint: optionalNullable(Schema.String),
  turn_id: optionalNullable(Schema.String),
  item_id: optionalNullable(Schema.String)
}).annotations({ identifier: "EnteredReviewModeEvent" })

/** @since 0.1.0 @category models */
export const ExitedReviewModeEvent = Schema.Struct({
  type: Schema.Literal("exited_review_mode"),
  review_output: Schema.optional(Json),
  turn_id: optionalNullable(Schema.String),
  item_id: optionalNullable(Schema.String)
}).annotations({ identifier: "ExitedReviewModeEvent" })

/** @since 0.1.0 @category models */
export const ThreadRolledBackEvent = Schema.Struct({
  type: Schema.Literal("thread_rolled_back"),
  num_turns: Schema.Number
}).annotations({ identifier: "ThreadRolledBackEvent" })

/** @since 0.1.0 @category models */
export const UndoCompletedEvent = Schema.Struct({
  type: Schema.Literal("undo_completed"),
  success: Schema.Boolean,
  message: optionalNullable(Schema.String)
}).annotations({ identifier: "UndoCompletedEvent" })

/** January–May 2026; names now live in `session_index.jsonl`. @since 0.1.0 @category models */
export const ThreadNameUpdatedEvent = Schema.Struct({
  type: Schema.Literal("thread_name_updated"),
  thread_id: Schema.String,
  thread_name: optionalNullable(Schema.String)
}).annotations({ identifier: "ThreadNameUpdatedEvent" })

/**
 * A completed turn item (`Plan`, `UserMessage`, `AgentMessage`, `CommandExecution`, …, tagged
 * with a PascalCase `type`). Paginated threads persist every item this way.
 *
 * @since 0.1.0
 * @category models
 */
export const ItemCompletedEvent = Schema.Struct({
  type: Schema.Literal("item_completed"),
  thread_id: Schema.String,
  turn_id: Schema.String,
  item: Schema.Struct({ type: Schema.String }, JsonObject),
  completed_at_ms: optionalNullable(Schema.Number)
}).annotations({ identifier: "ItemCompletedEvent" })

/**
 * One file's change: internally tagged `{"type":"add"|"delete"|"update",…}` since 2025-11-13,
 * externally tagged `{"add":{…}}` before.
 *
 * @since 0.1.0
 * @category models
 */
export const FileChange = Schema.Union(
  Schema.Struct({
    type: Schema.String,
    content: optionalNullable(Schema.String),
    unified_diff: optionalNullable(Schema.String),
    move_path: optionalNullable(Schema.String)
  }),
  JsonObject
).annotations({ identifier: "FileChange" })

/** @since 0.1.0 @category models */
export const PatchApplyEndEvent = Schema.Struct({
  type: Schema.Literal("patch_apply_end"),
  call_id: Schema.String,
  turn_id: optionalNullable(Schema.String),
  stdout: optionalNullable(Schema.String),
  stderr: optionalNullable(Schema.String),
  success: Schema.Boolean,
  // keys are absolute paths on the machine that ran the patch
  changes: Schema.Record({ key: Schema.String, value: FileChange }),
  status: optionalNullable(Schema.String)
}).annotations({ identifier: "PatchApplyEndEvent" })

/** @since 0.1.0 @category models */
export const McpToolCallEndEvent = Schema.Struct({
  type: Schema.Literal("mcp_tool_call_end"),
  call_id: Schema.String,
  invocation: Schema.Struct({ server: Schema.String, tool: Schema.String, arguments: Schema.optional(Json) }),
  duration: optionalNullable(Duration),
  // {"Ok": CallToolResult} | {"Err": string}
  result: Schema.optional(Json)
}).annotations({ identifier: "McpToolCallEndEvent" })

/** @since 0.1.0 @category models */
export const ExecCommandEndEvent = Schema.Struct({
  type: Schema.Literal("exec_command_end"),
  call_id: Schema.String,
  process_id: optionalNullable(Schema.String),
  turn_id: optionalNullable(Schema.String),
  command: Schema.Array(Schema.String),
  cwd: optionalNullable(Schema.String),
  parsed_cmd: optionalNullable(Schema.Array(Json)),
  source: optionalNullable(Schema.String),
  aggregated_output: optionalNullable(Schema.String),
  stdout: optionalNullable(Schema.String),
  stderr: optionalNullable(Schema.String),
  formatted_output: optionalNullable(Schema.String),
  exit_code: Schema.Number,
  duration: optionalNullable(Duration),
  status: optionalNullable(Schema.String)
}).annotations({ identifier: "ExecCommandEndEvent" })

/** @since 0.1.0 @category models */
export const WebSearchEndEvent = Schema.Struct({
  type: Schema.Literal("web_search_end"),
  call_id: Schema.String,
  query: optionalNullable(Schema.String),
  action: optionalNullable(WebSearchAction),
  results: Schema.optional(Json)
}).annotations({ identifier: "WebSearchEndEvent" })

/** @since 0.1.0 @category models */
export const ThreadSettingsAppliedEvent = Schema.Struct({
  type: Schema.Literal("thread_settings_applied"),
  thread_settings: Schema.Struct({ cwd: optionalNullable(Schema.String) }, JsonObject)
}).annotations({ identifier: "ThreadSettingsAppliedEvent" })

/** @since 0.1.0 @category models */
export const ImageGenerationEndEvent = Schema.Struct({
  type: Schema.Literal("image_generation_end"),
  call_id: Schema.String
}).annotations({ identifier: "ImageGenerationEndEvent" })

/**
 * Events whose fields this version keeps opaque: known by type, every field passed through.
 *
 * @since 0.1.0
 * @category models
 */
export const OpaqueEvent = Schema.Struct({
  type: Schema.Literal(
    "thread_goal_updated",
    "sub_agent_activity",
    "error",
    "guardian_assessment",
    "view_image_tool_call",
    "collab_agent_spawn_end",
    "collab_agent_interaction_end",
    "collab_waiting_end",
    "collab_close_end",
    "collab_resume_end",
    "dynamic_tool_call_request",
    "dynamic_tool_call_response"
  )
}).annotations({ identifier: "OpaqueEvent" })

/** Every persisted event type this version models. @since 0.1.0 @category models */
export const EventMsg = Schema.Union(
  UserMessageEvent,
  AgentMessageEvent,
  AgentReasoningEvent,
  TokenCountEvent,
  TaskStartedEvent,
  TaskCompleteEvent,
  TurnAbortedEvent,
  ContextCompactedEvent,
  EnteredReviewModeEvent,
  ExitedReviewModeEvent,
  ThreadRolledBackEvent,
  UndoCompletedEvent,
  ThreadNameUpdatedEvent,
  ItemCompletedEvent,
  PatchApplyEndEvent,
  McpToolCallEndEvent,
  ExecCommandEndEvent,
  WebSearchEndEvent,
  ThreadSettingsAppliedEvent,
  ImageGenerationEndEvent,
  OpaqueEvent
).annotations({ identifier: "EventMsg" })

/** @since 0.1.0 @category models */
export type EventMsg = typeof EventMsg.Type

/** The `type` values of {@link EventMsg}. @since 0.1.0 @category models */
export const eventMsgTypes: ReadonlySet<string> = new Set(typeLiterals(EventMsg.members))
