/**
 * The `data` of an OpenCode `part` row (the JSON text, parsed): one piece of a message, told apart
 * by `type`. A user message has its prompt as `text` parts (and `file`, `agent`, `subtask` parts
 * for attachments and mentions); an assistant message has, per model request, a `step-start`,
 * then `text`, `reasoning` and `tool` parts, then a `step-finish`, and a `patch` when files
 * changed. OpenCode keeps the part's `id`, `messageID` and `sessionID` in the row's columns.
 *
 * Schemas here have no transformations and every struct is open: a decoded value is the parsed
 * JSON itself, and fields this version does not model pass through untouched. A part of a type
 * this version does not model is {@link Unknown}, kept as it is.
 *
 * Facts: OpenCode 1.18.33, observed in the database it wrote (fixtures/opencode).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { Json, JsonObject, otherThan, typeLiterals } from "./internal/fields.js"
import { MessageError, ModelRef, Tokens } from "./OpencodeMessage.js"

const open = <Fields extends Schema.Struct.Fields>(fields: Fields) => Schema.Struct(fields, JsonObject)

const optionalString = Schema.optional(Schema.String)
const optionalEnd = open({ start: Schema.Number, end: Schema.optional(Schema.Number) })

/**
 * Text the user typed or the model wrote. `synthetic` text was added by OpenCode (not shown as
 * typed); `ignored` text is not sent to the model.
 *
 * @since 0.2.0
 * @category models
 */
export const Text = open({
  type: Schema.Literal("text"),
  text: Schema.String,
  synthetic: Schema.optional(Schema.Boolean),
  ignored: Schema.optional(Schema.Boolean),
  time: Schema.optional(optionalEnd),
  metadata: Schema.optional(Json)
}).annotations({ identifier: "OpencodeTextPart" })

/** The model's reasoning; `metadata` holds provider data (signatures): never rewritten. @since 0.2.0 @category models */
export const Reasoning = open({
  type: Schema.Literal("reasoning"),
  text: Schema.String,
  time: optionalEnd,
  metadata: Schema.optional(Json)
}).annotations({ identifier: "OpencodeReasoningPart" })

/** A call waiting to run: `raw` is the arguments' text as streamed. @since 0.2.0 @category models */
export const ToolPending = open({
  status: Schema.Literal("pending"),
  input: Json,
  raw: optionalString
}).annotations({ identifier: "OpencodeToolPending" })

/** @since 0.2.0 @category models */
export const ToolRunning = open({
  status: Schema.Literal("running"),
  input: Json,
  title: optionalString,
  metadata: Schema.optional(Json),
  time: open({ start: Schema.Number })
}).annotations({ identifier: "OpencodeToolRunning" })

/**
 * A call that ran: its arguments (`input.filePath`, `input.command`, …), what it sent back to the
 * model (`output`), what the UI shows (`title`, `metadata`, e.g. `metadata.filepath`).
 * `time.compacted` is set when a compaction dropped the output from the context.
 *
 * @since 0.2.0
 * @category models
 */
export const ToolCompleted = open({
  status: Schema.Literal("completed"),
  input: Json,
  output: Schema.String,
  title: Schema.String,
  metadata: Json,
  time: open({ start: Schema.Number, end: Schema.Number, compacted: Schema.optional(Schema.Number) }),
  attachments: Schema.optional(Schema.Array(Json))
}).annotations({ identifier: "OpencodeToolCompleted" })

/** @since 0.2.0 @category models */
export const ToolError = open({
  status: Schema.Literal("error"),
  input: Json,
  error: Schema.String,
  metadata: Schema.optional(Json),
  time: open({ start: Schema.Number, end: Schema.Number })
}).annotations({ identifier: "OpencodeToolError" })

const toolStates = [ToolPending, ToolRunning, ToolCompleted, ToolError] as const

/**
 * The `status` values of tool states this version models.
 *
 * @since 0.2.0
 * @category constants
 */
export const toolStatuses: ReadonlyArray<string> = toolStates.map((state) => state.fields.status.literals[0])

/** A tool state of another status: kept as it is. @since 0.2.0 @category models */
export const OtherToolState = Schema.Struct({ status: otherThan(toolStatuses) }, JsonObject)
  .annotations({ identifier: "OpencodeOtherToolState" })

/** @since 0.2.0 @category models */
export const ToolState = Schema.Union(...toolStates, OtherToolState).annotations({ identifier: "OpencodeToolState" })

/** A tool call of the model; `callID` is the provider's id of the call. @since 0.2.0 @category models */
export const Tool = open({
  type: Schema.Literal("tool"),
  tool: Schema.String,
  callID: Schema.String,
  state: ToolState,
  metadata: Schema.optional(Json)
}).annotations({ identifier: "OpencodeToolPart" })

/**
 * The start of a model request; `snapshot` is the tree hash of the project in OpenCode's snapshot
 * repository (`<data>/snapshot/<project>/…`), for undo.
 *
 * @since 0.2.0
 * @category models
 */
export const StepStart = open({
  type: Schema.Literal("step-start"),
  snapshot: optionalString
}).annotations({ identifier: "OpencodeStepStartPart" })

/** The end of a model request: why it stopped, its tokens and cost. @since 0.2.0 @category models */
export const StepFinish = open({
  type: Schema.Literal("step-finish"),
  reason: Schema.String,
  snapshot: optionalString,
  tokens: Tokens,
  cost: Schema.Number
}).annotations({ identifier: "OpencodeStepFinishPart" })

/** The files a step changed (absolute paths) and the snapshot hash before it. @since 0.2.0 @category models */
export const Patch = open({
  type: Schema.Literal("patch"),
  hash: Schema.String,
  files: Schema.Array(Schema.String)
}).annotations({ identifier: "OpencodePatchPart" })

/**
 * A file attached to a prompt: `url` is a `data:` or `file://` URL; `source` where it came from
 * (a file, a symbol, an MCP resource).
 *
 * @since 0.2.0
 * @category models
 */
export const File = open({
  type: Schema.Literal("file"),
  mime: Schema.String,
  filename: optionalString,
  url: Schema.String,
  source: Schema.optional(Json)
}).annotations({ identifier: "OpencodeFilePart" })

/** An `@agent` mention in a prompt. @since 0.2.0 @category models */
export const Agent = open({
  type: Schema.Literal("agent"),
  name: Schema.String,
  source: Schema.optional(Json)
}).annotations({ identifier: "OpencodeAgentPart" })

/** A task handed to a subagent. @since 0.2.0 @category models */
export const Subtask = open({
  type: Schema.Literal("subtask"),
  prompt: Schema.String,
  description: Schema.String,
  agent: Schema.String,
  model: Schema.optional(ModelRef),
  command: optionalString
}).annotations({ identifier: "OpencodeSubtaskPart" })

/** A compaction request: `auto` when OpenCode started it on context overflow. @since 0.2.0 @category models */
export const Compaction = open({
  type: Schema.Literal("compaction"),
  auto: Schema.Boolean,
  overflow: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "OpencodeCompactionPart" })

/** A retried model request: the attempt and the error that caused it. @since 0.2.0 @category models */
export const Retry = open({
  type: Schema.Literal("retry"),
  attempt: Schema.Number,
  error: MessageError,
  time: open({ created: Schema.Number })
}).annotations({ identifier: "OpencodeRetryPart" })

/** A snapshot hash of the project. @since 0.2.0 @category models */
export const Snapshot = open({
  type: Schema.Literal("snapshot"),
  snapshot: Schema.String
}).annotations({ identifier: "OpencodeSnapshotPart" })

const modelled = [Text, Reasoning, Tool, StepStart, StepFinish, Patch, File, Agent, Subtask, Compaction, Retry, Snapshot] as const

/**
 * The `type` values of the parts this version models.
 *
 * @since 0.2.0
 * @category constants
 */
export const partTypes: ReadonlyArray<string> = typeLiterals(modelled)

/**
 * A part of a type this version does not model: kept as it is. A part of a modelled type whose
 * fields do not match is not one of these.
 *
 * @since 0.2.0
 * @category models
 */
export const Unknown = Schema.Struct({ type: otherThan(partTypes) }, JsonObject).annotations({ identifier: "OpencodeUnknownPart" })

/** @since 0.2.0 @category models */
export const Part = Schema.Union(...modelled, Unknown).annotations({ identifier: "OpencodePart" })

/** @since 0.2.0 @category models */
export type Part = typeof Part.Type
