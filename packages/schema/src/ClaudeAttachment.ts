/**
 * The `attachment` of Claude Code's `attachment` lines: context Claude Code adds to the
 * conversation on its own (the environment block, the model's identity, tool and skill listings,
 * the date, files it read back, mode changes, a snapshot of the system prompt). Each is told
 * apart by `attachment.type`; what the model was sent for it is the line's `rendered` text.
 *
 * Claude Code has dozens of attachment kinds and adds more with most releases. The kinds below
 * are the ones observed in transcripts 2.1.332 wrote; any other kind is an
 * {@link OtherAttachment}, kept as it is. Only fields that hold a path or identify something are
 * typed strictly; listings and flags are opaque.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { Json, JsonObject, otherThan, typeLiterals } from "./internal/fields.js"

/**
 * The environment block ("Primary working directory: …"), at the start of a session and after
 * a change of directory.
 *
 * @since 0.2.0
 * @category models
 */
export const EnvironmentAttachment = Schema.Struct({
  type: Schema.Literal("environment"),
  snapshot: Schema.Struct({
    // an absolute path: the session's cwd when the block was made
    workingDirectory: Schema.String,
    isWorktree: Schema.optional(Schema.Boolean),
    isGitRepo: Schema.optional(Schema.Boolean),
    // absolute paths
    additionalWorkingDirectories: Schema.optional(Schema.Array(Schema.String)),
    platform: Schema.optional(Schema.String),
    shell: Schema.optional(Schema.String),
    osVersion: Schema.optional(Schema.String)
  })
}).annotations({ identifier: "ClaudeEnvironmentAttachment" })

/** @since 0.2.0 @category models */
export const ModelAttachment = Schema.Struct({
  type: Schema.Literal("model"),
  // {modelId, marketingName, knowledgeCutoff}
  identity: Schema.optional(Json),
  text: Schema.optional(Schema.String)
}).annotations({ identifier: "ClaudeModelAttachment" })

/** Tools that load on demand (through ToolSearch), added or removed. @since 0.2.0 @category models */
export const DeferredToolsDeltaAttachment = Schema.Struct({
  type: Schema.Literal("deferred_tools_delta"),
  addedNames: Schema.optional(Schema.Array(Schema.String)),
  removedNames: Schema.optional(Schema.Array(Schema.String))
}).annotations({ identifier: "ClaudeDeferredToolsDeltaAttachment" })

/** @since 0.2.0 @category models */
export const AgentListingDeltaAttachment = Schema.Struct({
  type: Schema.Literal("agent_listing_delta"),
  addedTypes: Schema.optional(Schema.Array(Schema.String)),
  removedTypes: Schema.optional(Schema.Array(Schema.String))
}).annotations({ identifier: "ClaudeAgentListingDeltaAttachment" })

/** @since 0.2.0 @category models */
export const SkillListingAttachment = Schema.Struct({
  type: Schema.Literal("skill_listing"),
  content: Schema.optional(Schema.String),
  names: Schema.optional(Schema.Array(Schema.String))
}).annotations({ identifier: "ClaudeSkillListingAttachment" })

/** @since 0.2.0 @category models */
export const SessionContextAttachment = Schema.Struct({
  type: Schema.Literal("session_context"),
  context: Schema.optional(Json)
}).annotations({ identifier: "ClaudeSessionContextAttachment" })

/** Today's date, `YYYY-MM-DD`. @since 0.2.0 @category models */
export const DateAttachment = Schema.Struct({
  type: Schema.Literal("date"),
  date: Schema.String
}).annotations({ identifier: "ClaudeDateAttachment" })

/** The attribution lines for commits and pull requests. @since 0.2.0 @category models */
export const RemoteSessionChangeAttachment = Schema.Struct({
  type: Schema.Literal("remote_session_change"),
  url: Schema.optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "ClaudeRemoteSessionChangeAttachment" })

/**
 * The system prompt (and, when it changed, the tools) the next request was made with. Its text
 * holds the working directory and the memory folder's path.
 *
 * @since 0.2.0
 * @category models
 */
export const PromptSnapshotAttachment = Schema.Struct({
  type: Schema.Literal("prompt_snapshot"),
  systemPrompt: Schema.Array(Schema.String),
  tools: Schema.optional(Schema.Array(Json)),
  cliPrefix: Schema.optional(Schema.String)
}).annotations({ identifier: "ClaudePromptSnapshotAttachment" })

/** Auto mode turned on (flags of its behaviour). @since 0.2.0 @category models */
export const AutoModeAttachment = Schema.Struct({ type: Schema.Literal("auto_mode") })
  .annotations({ identifier: "ClaudeAutoModeAttachment" })

/** @since 0.2.0 @category models */
export const AutoModeExitAttachment = Schema.Struct({ type: Schema.Literal("auto_mode_exit") })
  .annotations({ identifier: "ClaudeAutoModeExitAttachment" })

/** @since 0.2.0 @category models */
export const PlanModeExitAttachment = Schema.Struct({
  type: Schema.Literal("plan_mode_exit"),
  // an absolute path under the config dir: `<CLAUDE_CONFIG_DIR>/plans/<slug>.md`
  planFilePath: Schema.optional(Schema.String),
  planExists: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ClaudePlanModeExitAttachment" })

/**
 * A file Claude Code read back into the context (after a compaction, or one the prompt
 * mentioned).
 *
 * @since 0.2.0
 * @category models
 */
export const FileAttachment = Schema.Struct({
  type: Schema.Literal("file"),
  // an absolute path
  filename: Schema.String,
  // the Read tool's result: {type: "text", file: {filePath, content, numLines, …}}
  content: Schema.optional(Json),
  // relative to the cwd
  displayPath: Schema.optional(Schema.String)
}).annotations({ identifier: "ClaudeFileAttachment" })

const modelled = [
  EnvironmentAttachment,
  ModelAttachment,
  DeferredToolsDeltaAttachment,
  AgentListingDeltaAttachment,
  SkillListingAttachment,
  SessionContextAttachment,
  DateAttachment,
  RemoteSessionChangeAttachment,
  PromptSnapshotAttachment,
  AutoModeAttachment,
  AutoModeExitAttachment,
  PlanModeExitAttachment,
  FileAttachment
] as const

/**
 * The `attachment.type` values this version models.
 *
 * @since 0.2.0
 * @category constants
 */
export const attachmentTypes: ReadonlyArray<string> = typeLiterals(modelled)

/**
 * An attachment of a kind this version does not model (`todo_reminder`, `nested_memory`,
 * `edited_text_file`, `hook_*`, …): its `type` and fields, kept as they are. An attachment of a
 * modelled kind whose fields do not match is not one of these.
 *
 * @since 0.2.0
 * @category models
 */
export const OtherAttachment = Schema.Struct({ type: otherThan(attachmentTypes) }, JsonObject)
  .annotations({ identifier: "ClaudeOtherAttachment" })

/** @since 0.2.0 @category models */
export const Attachment = Schema.Union(...modelled, OtherAttachment).annotations({ identifier: "ClaudeAttachment" })

/** @since 0.2.0 @category models */
export type Attachment = typeof Attachment.Type

