/**
 * The `data` of an OpenCode `message` row (the JSON text, parsed): a user turn or one assistant
 * reply (a turn with tool calls has one assistant message per model request). OpenCode keeps the
 * message's `id` and `sessionID` in the row's columns, not in `data`.
 *
 * Schemas here have no transformations and every struct is open: a decoded value is the parsed
 * JSON itself, and fields this version does not model pass through untouched. A message of
 * another role is {@link Other}, kept as it is.
 *
 * Facts: OpenCode 1.18.33, observed in the database it wrote (fixtures/opencode).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { Json, JsonObject, otherThan } from "./internal/fields.js"
import { MessageId } from "./OpencodeId.js"

const open = <Fields extends Schema.Struct.Fields>(fields: Fields) => Schema.Struct(fields, JsonObject)

/**
 * A model: the provider's id in OpenCode's config (`anthropic`, `openai`, a custom one) and the
 * model's id at that provider.
 *
 * @since 0.2.0
 * @category models
 */
export const ModelRef = open({ providerID: Schema.String, modelID: Schema.String })
  .annotations({ identifier: "OpencodeModelRef" })

/**
 * A file a turn changed, as the user message's summary lists it (1.18.33 keeps a unified diff in
 * `patch`; `status` is `added`, `modified` or `deleted`).
 *
 * @since 0.2.0
 * @category models
 */
export const FileDiff = open({
  file: Schema.String,
  patch: Schema.optional(Schema.String),
  additions: Schema.Number,
  deletions: Schema.Number,
  status: Schema.optional(Schema.String)
}).annotations({ identifier: "OpencodeFileDiff" })

/**
 * A prompt of the user. `time.created` orders the turn; `agent` and `model` are what the turn ran
 * with; `summary.diffs` the files the turn changed, filled in when it ends.
 *
 * @since 0.2.0
 * @category models
 */
export const User = open({
  role: Schema.Literal("user"),
  time: open({ created: Schema.Number }),
  agent: Schema.String,
  model: ModelRef,
  summary: Schema.optional(open({
    title: Schema.optional(Schema.String),
    body: Schema.optional(Schema.String),
    diffs: Schema.optional(Schema.Array(FileDiff))
  })),
  // a system prompt the user added for this turn
  system: Schema.optional(Schema.String),
  // tools switched on or off for this turn, by name
  tools: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Boolean })),
  variant: Schema.optional(Schema.String)
}).annotations({ identifier: "OpencodeUserMessage" })

/** @since 0.2.0 @category models */
export type User = typeof User.Type

/**
 * Token counts of a model request (a message, a step).
 *
 * @since 0.2.0
 * @category models
 */
export const Tokens = open({
  total: Schema.optional(Schema.Number),
  input: Schema.Number,
  output: Schema.Number,
  reasoning: Schema.Number,
  cache: open({ read: Schema.Number, write: Schema.Number })
}).annotations({ identifier: "OpencodeTokens" })

/**
 * Why a request failed: `name` (`APIError`, `ProviderAuthError`, `MessageAbortedError`,
 * `MessageOutputLengthError`, `UnknownError`, …) and its `data` (a message, a status code, …).
 *
 * @since 0.2.0
 * @category models
 */
export const MessageError = open({ name: Schema.String, data: Schema.optional(Json) })
  .annotations({ identifier: "OpencodeMessageError" })

/**
 * One reply of the model. `parentID` is the user message it answers; `path` the working directory
 * (`cwd`) and the project's worktree (`root`, `/` for the `global` project), both absolute paths
 * of the machine it ran on; `finish` why the model stopped (`stop`, `tool-calls`, `length`, …),
 * absent while it runs.
 *
 * @since 0.2.0
 * @category models
 */
export const Assistant = open({
  role: Schema.Literal("assistant"),
  parentID: MessageId,
  mode: Schema.String,
  agent: Schema.String,
  path: open({ cwd: Schema.String, root: Schema.String }),
  cost: Schema.Number,
  tokens: Tokens,
  modelID: Schema.String,
  providerID: Schema.String,
  time: open({ created: Schema.Number, completed: Schema.optional(Schema.Number) }),
  finish: Schema.optional(Schema.String),
  error: Schema.optional(MessageError),
  // true on the summary a compaction wrote
  summary: Schema.optional(Schema.Boolean),
  variant: Schema.optional(Schema.String)
}).annotations({ identifier: "OpencodeAssistantMessage" })

/** @since 0.2.0 @category models */
export type Assistant = typeof Assistant.Type

/**
 * The roles this version models.
 *
 * @since 0.2.0
 * @category constants
 */
export const roles: ReadonlyArray<string> = ["user", "assistant"]

/**
 * A message of another role: kept as it is. A user or assistant message whose fields do not match
 * is not one of these.
 *
 * @since 0.2.0
 * @category models
 */
export const Other = Schema.Struct({ role: otherThan(roles) }, JsonObject).annotations({ identifier: "OpencodeOtherMessage" })

/** @since 0.2.0 @category models */
export const Message = Schema.Union(User, Assistant, Other).annotations({ identifier: "OpencodeMessage" })

/** @since 0.2.0 @category models */
export type Message = typeof Message.Type
