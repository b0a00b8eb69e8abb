/**
 * `response_item` payloads: the Responses-API items that make up the model-visible history.
 *
 * Ids (`id`) were written until 2025-09, left out until 2026-06 and written again after, so
 * every `id` is optional. Any variant may carry `metadata` and
 * `internal_chat_message_metadata_passthrough` (2026); unknown fields pass through untouched.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ContentItem, ToolOutput } from "./ContentItem.js"
import { Json, JsonObject, optionalNullable, typeLiterals } from "./internal/fields.js"

const common = {
  id: optionalNullable(Schema.String),
  metadata: Schema.optional(Json),
  internal_chat_message_metadata_passthrough: Schema.optional(Json)
}

/** @since 0.1.0 @category models */
export const MessageItem = Schema.Struct({
  type: Schema.Literal("message"),
  ...common,
  role: Schema.String,
  content: Schema.Array(ContentItem),
  phase: optionalNullable(Schema.String),
  end_turn: optionalNullable(Schema.Boolean)
}).annotations({ identifier: "MessageItem" })

/** @since 0.1.0 @category models */
export const ReasoningItem = Schema.Struct({
  type: Schema.Literal("reasoning"),
  ...common,
  summary: Schema.Array(Schema.Struct({ type: Schema.String, text: Schema.String })),
  content: optionalNullable(Schema.Array(Schema.Struct({ type: Schema.String, text: Schema.String }))),
  // opaque and tied to the provider account: never rewritten
  encrypted_content: optionalNullable(Schema.String)
}).annotations({ identifier: "ReasoningItem" })

/** @since 0.1.0 @category models */
export const LocalShellAction = Schema.Struct({
  type: Schema.Literal("exec"),
  command: Schema.Array(Schema.String),
  timeout_ms: optionalNullable(Schema.Number),
  working_directory: optionalNullable(Schema.String),
  env: optionalNullable(Json),
  user: optionalNullable(Schema.String)
}).annotations({ identifier: "LocalShellAction" })

/** @since 0.1.0 @category models */
export const LocalShellCallItem = Schema.Struct({
  type: Schema.Literal("local_shell_call"),
  ...common,
  call_id: optionalNullable(Schema.String),
  status: Schema.String,
  action: LocalShellAction
}).annotations({ identifier: "LocalShellCallItem" })

/** @since 0.1.0 @category models */
export const FunctionCallItem = Schema.Struct({
  type: Schema.Literal("function_call"),
  ...common,
  name: Schema.String,
  namespace: optionalNullable(Schema.String),
  // a string holding JSON, exactly as the model produced it
  arguments: Schema.String,
  call_id: Schema.String
}).annotations({ identifier: "FunctionCallItem" })

/** @since 0.1.0 @category models */
export const FunctionCallOutputItem = Schema.Struct({
  type: Schema.Literal("function_call_output"),
  ...common,
  call_id: Schema.String,
  output: ToolOutput
}).annotations({ identifier: "FunctionCallOutputItem" })

/** @since 0.1.0 @category models */
export const CustomToolCallItem = Schema.Struct({
  type: Schema.Literal("custom_tool_call"),
  ...common,
  call_id: Schema.String,
  name: Schema.String,
  namespace: optionalNullable(Schema.String),
  input: Schema.String,
  status: optionalNullable(Schema.String)
}).annotations({ identifier: "CustomToolCallItem" })

/** @since 0.1.0 @category models */
export const CustomToolCallOutputItem = Schema.Struct({
  type: Schema.Literal("custom_tool_call_output"),
  ...common,
  call_id: Schema.String,
  name: optionalNullable(Schema.String),
  output: ToolOutput
}).annotations({ identifier: "CustomToolCallOutputItem" })

/** @since 0.1.0 @category models */
export const ToolSearchCallItem = Schema.Struct({
  type: Schema.Literal("tool_search_call"),
  ...common,
  call_id: optionalNullable(Schema.String),
  status: optionalNullable(Schema.String),
  execution: Schema.optional(Json),
  arguments: Schema.optional(Json)
}).annotations({ identifier: "ToolSearchCallItem" })

/** @since 0.1.0 @category models */
export const ToolSearchOutputItem = Schema.Struct({
  type: Schema.Literal("tool_search_output"),
  ...common,
  call_id: optionalNullable(Schema.String),
  status: optionalNullable(Schema.String),
  execution: Schema.optional(Json),
  tools: Schema.Array(Json)
}).annotations({ identifier: "ToolSearchOutputItem" })

/** @since 0.1.0 @category models */
export const WebSearchAction = Schema.Struct({
  type: Schema.String,
  query: optionalNullable(Schema.String),
  queries: optionalNullable(Schema.Array(Schema.String)),
  url: optionalNullable(Schema.String),
  pattern: optionalNullable(Schema.String)
}).annotations({ identifier: "WebSearchAction" })

/** @since 0.1.0 @category models */
export const WebSearchCallItem = Schema.Struct({
  type: Schema.Literal("web_search_call"),
  ...common,
  status: optionalNullable(Schema.String),
  action: optionalNullable(WebSearchAction)
}).annotations({ identifier: "WebSearchCallItem" })

/** @since 0.1.0 @category models */
export const ImageGenerationCallItem = Schema.Struct({
  type: Schema.Literal("image_generation_call"),
  ...common,
  status: Schema.String,
  revised_prompt: optionalNullable(Schema.String),
  result: Schema.String
}).annotations({ identifier: "ImageGenerationCallItem" })

/** @since 0.1.0 @category models */
export const GhostSnapshotItem = Schema.Struct({
  type: Schema.Literal("ghost_snapshot"),
  ...common,
  ghost_commit: Schema.Struct({
    id: Schema.String,
    parent: optionalNullable(Schema.String),
    preexisting_untracked_files: Schema.optional(Schema.Array(Schema.String)),
    preexisting_untracked_dirs: Schema.optional(Schema.Array(Schema.String))
  })
}).annotations({ identifier: "GhostSnapshotItem" })

/** Remote-compaction output (`compaction_summary` is its older alias). @since 0.1.0 @category models */
export const CompactionItem = Schema.Struct({
  type: Schema.Literal("compaction", "compaction_summary"),
  ...common,
  encrypted_content: Schema.String
}).annotations({ identifier: "CompactionItem" })

/** @since 0.1.0 @category models */
export const ContextCompactionItem = Schema.Struct({
  type: Schema.Literal("context_compaction"),
  ...common,
  encrypted_content: optionalNullable(Schema.String)
}).annotations({ identifier: "ContextCompactionItem" })

/** Multi-agent v2 message between agents (June 2026+). @since 0.1.0 @category models */
export const AgentMessageItem = Schema.Struct({
  type: Schema.Literal("agent_message"),
  ...common,
  author: Schema.String,
  recipient: Schema.String,
  content: Schema.Array(ContentItem)
}).annotations({ identifier: "AgentMessageItem" })

/**
 * Every response item type this version models.
 *
 * @since 0.1.0
 * @category models
 */
export const ResponseItem = Schema.Union(
  MessageItem,
  ReasoningItem,
  LocalShellCallItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  CustomToolCallItem,
  CustomToolCallOutputItem,
  ToolSearchCallItem,
  ToolSearchOutputItem,
  WebSearchCallItem,
  ImageGenerationCallItem,
  GhostSnapshotItem,
  CompactionItem,
  ContextCompactionItem,
  AgentMessageItem
).annotations({ identifier: "ResponseItem" })

/** @since 0.1.0 @category models */
export type ResponseItem = typeof ResponseItem.Type

/** The `type` values of {@link ResponseItem}. @since 0.1.0 @category models */
export const responseItemTypes: ReadonlySet<string> = new Set(typeLiterals(ResponseItem.members))

/**
 * A response item of a type this version does not know (Codex's own `ResponseItem::Other`):
 * its `type` and raw fields, kept as they are.
 *
 * @since 0.1.0
 * @category models
 */
export const OtherResponseItem = Schema.Struct({ type: Schema.String }, JsonObject)
  .annotations({ identifier: "OtherResponseItem" })

/**
 * A response item inside another record (`compacted.replacement_history`): a known item, or
 * any other object, so that one new item type does not make the whole record unknown.
 *
 * @since 0.1.0
 * @category models
 */
export const NestedResponseItem = Schema.Union(ResponseItem, OtherResponseItem)
  .annotations({ identifier: "NestedResponseItem" })
