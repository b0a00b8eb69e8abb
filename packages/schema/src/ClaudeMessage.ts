/**
 * The `message` of Claude Code transcript lines (`user`, `assistant`, `api-request-blob`): the
 * Anthropic Messages API message as Claude Code keeps it, with its content blocks, and the
 * `toolUseResult` a tool's `user` line carries beside it.
 *
 * Text the user or the model wrote, thinking and signatures are opaque strings here: a signature
 * is tied to its exact thinking text and must never change.
 *
 * Facts: Claude Code 2.1.332, observed in the transcripts it wrote.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { Json, JsonObject, otherThan, typeLiterals } from "./internal/fields.js"

/** @since 0.2.0 @category models */
export const TextBlock = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String,
  citations: Schema.optional(Json)
}).annotations({ identifier: "ClaudeTextBlock" })

/** A tool call of the model; `input` is the tool's arguments (`file_path`, `command`, …). @since 0.2.0 @category models */
export const ToolUseBlock = Schema.Struct({
  type: Schema.Literal("tool_use"),
  // `toolu_…`; a tool_result answers it by this id
  id: Schema.String,
  name: Schema.String,
  input: Json
}).annotations({ identifier: "ClaudeToolUseBlock" })

/** @since 0.2.0 @category models */
export const ImageBlock = Schema.Struct({
  type: Schema.Literal("image"),
  // `{type:"base64", media_type, data}` or `{type:"url", url}`
  source: Json
}).annotations({ identifier: "ClaudeImageBlock" })

/** @since 0.2.0 @category models */
export const DocumentBlock = Schema.Struct({
  type: Schema.Literal("document"),
  source: Json,
  title: Schema.optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "ClaudeDocumentBlock" })

const nestedTypes = typeLiterals([TextBlock, ImageBlock, DocumentBlock])

/**
 * A block of a tool result's content of another kind (`tool_reference`, `search_result`, …): kept
 * as it is.
 *
 * @since 0.2.0
 * @category models
 */
export const OtherToolResultContentBlock = Schema.Struct({ type: otherThan(nestedTypes) }, JsonObject)
  .annotations({ identifier: "ClaudeOtherToolResultContentBlock" })

/**
 * What a tool sent back to the model: text, or blocks (text, images; the Agent tool answers with
 * text blocks).
 *
 * @since 0.2.0
 * @category models
 */
export const ToolResultContent = Schema.Union(
  Schema.String,
  Schema.Array(Schema.Union(TextBlock, ImageBlock, DocumentBlock, OtherToolResultContentBlock))
).annotations({ identifier: "ClaudeToolResultContent" })

/** @since 0.2.0 @category models */
export const ToolResultBlock = Schema.Struct({
  type: Schema.Literal("tool_result"),
  tool_use_id: Schema.String,
  content: Schema.optional(ToolResultContent),
  is_error: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ClaudeToolResultBlock" })

/** @since 0.2.0 @category models */
export const ThinkingBlock = Schema.Struct({
  type: Schema.Literal("thinking"),
  // may be "" when the API was asked to omit thinking text
  thinking: Schema.String,
  // opaque, tied to the exact thinking text: never rewritten
  signature: Schema.optional(Schema.String)
}).annotations({ identifier: "ClaudeThinkingBlock" })

/** @since 0.2.0 @category models */
export const RedactedThinkingBlock = Schema.Struct({
  type: Schema.Literal("redacted_thinking"),
  // opaque
  data: Schema.String
}).annotations({ identifier: "ClaudeRedactedThinkingBlock" })

/** A server-side tool call (web search, web fetch). @since 0.2.0 @category models */
export const ServerToolUseBlock = Schema.Struct({
  type: Schema.Literal("server_tool_use"),
  id: Schema.String,
  name: Schema.String,
  input: Json
}).annotations({ identifier: "ClaudeServerToolUseBlock" })

const modelled = [
  TextBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
  ImageBlock,
  DocumentBlock,
  ServerToolUseBlock
] as const

/**
 * The `type` values of the content blocks this version models.
 *
 * @since 0.2.0
 * @category constants
 */
export const contentBlockTypes: ReadonlyArray<string> = typeLiterals(modelled)

/**
 * A content block of a kind this version does not model (`web_search_tool_result`,
 * `container_upload`, …): its `type` and fields, kept as they are. A block of a modelled kind
 * whose fields do not match is not one of these.
 *
 * @since 0.2.0
 * @category models
 */
export const OtherContentBlock = Schema.Struct({ type: otherThan(contentBlockTypes) }, JsonObject)
  .annotations({ identifier: "ClaudeOtherContentBlock" })

/** @since 0.2.0 @category models */
export const ContentBlock = Schema.Union(...modelled, OtherContentBlock).annotations({ identifier: "ClaudeContentBlock" })

/** @since 0.2.0 @category models */
export type ContentBlock = typeof ContentBlock.Type

/** A string (a typed prompt, an injected reminder) or content blocks. @since 0.2.0 @category models */
export const Content = Schema.Union(Schema.String, Schema.Array(ContentBlock)).annotations({ identifier: "ClaudeContent" })

/**
 * The `message` of a `user` line: a prompt (text), or tool results (blocks).
 *
 * @since 0.2.0
 * @category models
 */
export const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Content
}).annotations({ identifier: "ClaudeUserMessage" })

/** @since 0.2.0 @category models */
export type UserMessage = typeof UserMessage.Type

/**
 * The `message` of an `assistant` line: the API's response message, one content block per line
 * (a response of several blocks is written as several lines sharing `message.id`).
 * Messages Claude Code makes itself (an API error shown as a reply) have `model: "<synthetic>"`.
 *
 * @since 0.2.0
 * @category models
 */
export const AssistantMessage = Schema.Struct({
  // `msg_…`
  id: Schema.optional(Schema.String),
  type: Schema.optional(Schema.Literal("message")),
  role: Schema.Literal("assistant"),
  model: Schema.optional(Schema.String),
  content: Schema.Array(ContentBlock),
  stop_reason: Schema.optional(Schema.NullOr(Schema.String)),
  stop_sequence: Schema.optional(Schema.NullOr(Schema.String)),
  // token counts; changes with every API beta: opaque
  usage: Schema.optional(Json)
}).annotations({ identifier: "ClaudeAssistantMessage" })

/** @since 0.2.0 @category models */
export type AssistantMessage = typeof AssistantMessage.Type

/**
 * A message as it was sent to the API (`api-request-blob`): any role (2.1.332 sends the
 * environment block as a `role: "system"` message).
 *
 * @since 0.2.0
 * @category models
 */
export const ApiMessage = Schema.Struct({
  role: Schema.String,
  content: Content
}).annotations({ identifier: "ClaudeApiMessage" })

/**
 * What a tool returned, for the UI (`toolUseResult` of a tool's `user` line): tool-specific.
 * An object for most tools (Write: `{type: "create" | "update", filePath, content,
 * structuredPatch, originalFile}`; Bash: `{stdout, stderr, interrupted, …}`; Read:
 * `{type: "text", file: {filePath, …}}`; Agent: `{status, agentId, outputFile, …}`), the error
 * text (`"Error: …"`) for a refused or failed call, or content blocks (MCP tools).
 *
 * @since 0.2.0
 * @category models
 */
export const ToolUseResult = Schema.Union(
  Schema.String,
  Schema.Array(Json),
  Schema.Struct({
    type: Schema.optional(Schema.String),
    // Write, Edit: the absolute path of the file
    filePath: Schema.optional(Schema.String)
  }, JsonObject)
).annotations({ identifier: "ClaudeToolUseResult" })

/** @since 0.2.0 @category models */
export type ToolUseResult = typeof ToolUseResult.Type
