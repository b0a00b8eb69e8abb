/**
 * One line of a Claude Code transcript (`~/.claude/projects/<encoded cwd>/<sessionId>.jsonl`,
 * and a subagent's `<sessionId>/subagents/agent-<id>.jsonl`), as Claude Code 2.1.332 writes it.
 *
 * Two families of lines, told apart by `type`:
 *
 * - conversation lines, `user`, `assistant`, `attachment` and `system`: each has a `uuid` and a
 *   `parentUuid` (the conversation is the chain from the last leaf back), with the `sessionId`,
 *   `cwd`, `version`, `gitBranch`, `entrypoint` (`"cli"` for the TUI, `"sdk-cli"` for `-p`) and
 *   `timestamp` of when it was written. Older versions also wrote `progress` rows into the chain;
 *   Claude Code drops them when it reads a file and links their children to their parents.
 * - metadata lines (titles, modes, request records, cost, file-history checkpoints, …): see
 *   {@link MetadataLine}. Most carry `sessionId`; `summary` and the file-history lines do not.
 *
 * Schemas here have no transformations: a decoded value is the parsed JSON itself, so encoding
 * gives back the same JSON, and fields this version does not model pass through untouched.
 * {@link decode} never throws: a line of a type this version does not model is `Unknown` with
 * its JSON kept as it is.
 *
 * @since 0.2.0
 */
import { Either, Schema } from "effect"
import { Attachment, OtherAttachment } from "./ClaudeAttachment.js"
import { AssistantMessage, ToolUseResult, UserMessage } from "./ClaudeMessage.js"
import { MetadataLine } from "./ClaudeMetadata.js"
import { InvalidLine } from "./RolloutRecord.js"
import { type Checker, checker, classify, type Reason, type Tables } from "./internal/claudeClassify.js"
import { Json, otherThan, typeLiterals } from "./internal/fields.js"

const optionalString = Schema.optional(Schema.String)

/**
 * The fields Claude Code writes on every conversation line.
 *
 * @since 0.2.0
 * @category models
 */
export const conversationFields = {
  uuid: Schema.String,
  // null on the first line of a conversation and on a compaction boundary
  parentUuid: Schema.optional(Schema.NullOr(Schema.String)),
  // a compaction boundary's link to the line before it
  logicalParentUuid: Schema.optional(Schema.NullOr(Schema.String)),
  // true in a subagent's transcript
  isSidechain: Schema.optional(Schema.Boolean),
  timestamp: Schema.String,
  sessionId: Schema.String,
  // the interactive CLI writes the session id a second time on some lines
  session_id: optionalString,
  // an absolute path: the working directory when the line was written
  cwd: optionalString,
  // the Claude Code version that wrote the line
  version: optionalString,
  gitBranch: optionalString,
  // "cli" (interactive), "sdk-cli" (`claude -p`), "sdk-ts", "sdk-py", …; the /resume picker hides sdk-*
  entrypoint: optionalString,
  userType: optionalString,
  // the session's plan-file name (`<CLAUDE_CONFIG_DIR>/plans/<slug>.md`)
  slug: optionalString,
  // the subagent that wrote the line
  agentId: optionalString,
  promptId: optionalString,
  // a line the model is sent but the user is not shown
  isMeta: Schema.optional(Schema.Boolean)
}

/** @since 0.2.0 @category models */
export const UserLine = Schema.Struct({
  type: Schema.Literal("user"),
  ...conversationFields,
  message: UserMessage,
  // beside a tool_result: what the tool returned, for the UI
  toolUseResult: Schema.optional(ToolUseResult),
  // beside a tool_result: the assistant line of the tool call
  sourceToolAssistantUUID: optionalString,
  permissionMode: optionalString,
  // "sdk" (claude -p), "typed", …
  promptSource: optionalString,
  turnOrigin: optionalString,
  // the summary that starts the conversation again after a compaction
  isCompactSummary: Schema.optional(Schema.Boolean),
  isVisibleInTranscriptOnly: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ClaudeUserLine" })

/** @since 0.2.0 @category models */
export const AssistantLine = Schema.Struct({
  type: Schema.Literal("assistant"),
  ...conversationFields,
  message: AssistantMessage,
  // the API's request id (`req_…`)
  requestId: optionalString,
  requestedModel: optionalString,
  // a reply Claude Code made up for an API error
  isApiErrorMessage: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ClaudeAssistantLine" })

/**
 * An attachment line: `attachment` is what Claude Code added, `rendered` the text the model was
 * sent for it (the environment block, with the working directory, among others).
 *
 * @since 0.2.0
 * @category models
 */
export const AttachmentLine = Schema.Struct({
  type: Schema.Literal("attachment"),
  ...conversationFields,
  attachment: Attachment,
  rendered: Schema.optional(Schema.Array(Schema.Struct({ content: Schema.String }))),
  // "system" or "user"
  renderedRole: optionalString
}).annotations({ identifier: "ClaudeAttachmentLine" })

const system = <Subtype extends string, Fields extends Schema.Struct.Fields>(subtype: Subtype, fields: Fields) =>
  Schema.Struct({ type: Schema.Literal("system"), ...conversationFields, subtype: Schema.Literal(subtype), ...fields })

/** How long a turn took (interactive sessions). @since 0.2.0 @category models */
export const TurnDurationLine = system("turn_duration", {
  durationMs: Schema.Number,
  messageCount: Schema.optional(Schema.Number)
}).annotations({ identifier: "ClaudeTurnDurationLine" })

/** A slash command that ran locally (`/rename`, …): its name and arguments. @since 0.2.0 @category models */
export const LocalCommandLine = system("local_command", {
  content: Schema.String,
  level: optionalString
}).annotations({ identifier: "ClaudeLocalCommandLine" })

/**
 * Where a compaction cut the conversation: `parentUuid` is null, `logicalParentUuid` the line
 * before; the compact summary (a `user` line with `isCompactSummary`) follows.
 *
 * @since 0.2.0
 * @category models
 */
export const CompactBoundaryLine = system("compact_boundary", {
  content: optionalString,
  level: optionalString,
  // trigger ("manual" | "auto"), token counts, the preserved segment's uuids
  compactMetadata: Schema.optional(Json)
}).annotations({ identifier: "ClaudeCompactBoundaryLine" })

const systemModelled = [TurnDurationLine, LocalCommandLine, CompactBoundaryLine] as const

/**
 * The `subtype` values of `system` lines this version models.
 *
 * @since 0.2.0
 * @category constants
 */
export const systemSubtypes: ReadonlyArray<string> = systemModelled.map((member) => member.fields.subtype.literals[0])

/**
 * A `system` line of a subtype this version does not model (`informational`, `api_error`,
 * `stop_hook_summary`, `away_summary`, …): the conversation fields typed, the rest kept as it is.
 *
 * @since 0.2.0
 * @category models
 */
export const OtherSystemLine = Schema.Struct({
  type: Schema.Literal("system"),
  ...conversationFields,
  subtype: Schema.optional(otherThan(systemSubtypes)),
  content: optionalString,
  level: optionalString
}).annotations({ identifier: "ClaudeOtherSystemLine" })

/**
 * A progress row of older versions (tool progress in the chain). Claude Code drops these when it
 * reads a transcript and links their children to their parents.
 *
 * @since 0.2.0
 * @category models
 */
export const ProgressLine = Schema.Struct({
  type: Schema.Literal("progress"),
  ...conversationFields,
  toolUseID: optionalString,
  parentToolUseID: Schema.optional(Schema.NullOr(Schema.String)),
  data: Schema.optional(Json)
}).annotations({ identifier: "ClaudeProgressLine" })

/** @since 0.2.0 @category models */
export const SystemLine = Schema.Union(...systemModelled, OtherSystemLine).annotations({ identifier: "ClaudeSystemLine" })

/**
 * Every line this version models.
 *
 * @since 0.2.0
 * @category models
 */
export const ClaudeLine = Schema.Union(
  UserLine,
  AssistantLine,
  AttachmentLine,
  ...systemModelled,
  OtherSystemLine,
  ProgressLine,
  ...MetadataLine.members
).annotations({ identifier: "ClaudeLine" })

/** @since 0.2.0 @category models */
export type ClaudeLine = typeof ClaudeLine.Type

/** @since 0.2.0 @category models */
export type LineType = ClaudeLine["type"]

/** A conversation line: `user`, `assistant`, `attachment` or `system`. @since 0.2.0 @category models */
export type ConversationLine = Extract<ClaudeLine, { readonly type: "user" | "assistant" | "attachment" | "system" }>

/**
 * The line types of the conversation: each such line has a `uuid` and a place in the
 * `parentUuid` chain (Claude Code's own list).
 *
 * @since 0.2.0
 * @category constants
 */
export const conversationLineTypes: ReadonlyArray<LineType> = ["user", "assistant", "attachment", "system"]

/**
 * The metadata line types this version models: every other line type, but `progress`.
 *
 * @since 0.2.0
 * @category constants
 */
export const metadataLineTypes: ReadonlyArray<LineType> = typeLiterals(MetadataLine.members) as ReadonlyArray<LineType>

/**
 * Every line type this version models (the loader of Claude Code 2.1.332 names these).
 *
 * @since 0.2.0
 * @category constants
 */
export const lineTypes: ReadonlyArray<LineType> = [...conversationLineTypes, "progress", ...metadataLineTypes]

const conversationSet: ReadonlySet<string> = new Set(conversationLineTypes)

const field = (line: unknown, key: string): unknown =>
  typeof line === "object" && line !== null && !Array.isArray(line) ? (line as Record<string, unknown>)[key] : undefined

/**
 * True for a line type of the conversation (`user`, `assistant`, `attachment`, `system`).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isConversationType = (type: string): boolean => conversationSet.has(type)

/**
 * True for a conversation line: a conversation type with a `uuid`. Takes any JSON value (a
 * known line, or the JSON of an unknown one).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isConversation = (line: unknown): boolean => {
  const type = field(line, "type")
  return typeof type === "string" && conversationSet.has(type) && typeof field(line, "uuid") === "string"
}

/**
 * True for a metadata line: an object with a `type` that is not a conversation type (nor
 * `progress`), modelled or not.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isMetadata = (line: unknown): boolean => {
  const type = field(line, "type")
  return typeof type === "string" && !conversationSet.has(type) && type !== "progress"
}

/**
 * The session a line names (`sessionId`), when it names one. Takes any JSON value. `summary`
 * and the file-history lines name none: they belong to the file they are in.
 *
 * @since 0.2.0
 * @category getters
 */
export const sessionIdOf = (line: unknown): string | undefined => {
  const value = field(line, "sessionId")
  return typeof value === "string" ? value : undefined
}

/**
 * The working directory a line records: `cwd` of a conversation line, `relocatedCwd` of a
 * `relocated` line (Claude Code's project matcher reads the newest `relocated` line first, then
 * the `cwd` of the first lines). Takes any JSON value.
 *
 * @since 0.2.0
 * @category getters
 */
export const cwdOf = (line: unknown): string | undefined => {
  const cwd = field(line, "cwd")
  if (typeof cwd === "string") return cwd
  if (field(line, "type") !== "relocated") return undefined
  const relocated = field(line, "relocatedCwd")
  return typeof relocated === "string" ? relocated : undefined
}

// -------------------------------------------------------------------------------------------------
// decoding

/** @since 0.2.0 @category models */
export interface KnownEntry {
  readonly _tag: "Known"
  readonly line: ClaudeLine
}

/**
 * Why a JSON line was not recognised: a `type` this version does not model, a modelled type (or
 * attachment kind, or system subtype) whose fields do not match, or a value that is not an object
 * with a string `type`.
 *
 * @since 0.2.0
 * @category models
 */
export type UnknownReason = Reason

/** @since 0.2.0 @category models */
export interface UnknownEntry {
  readonly _tag: "Unknown"
  /** the parsed value, as it is */
  readonly json: unknown
  readonly reason: UnknownReason
  /** `type`, when there is one */
  readonly type: string | undefined
  /** `attachment.type` of an attachment line, `subtype` of a system line */
  readonly subtype: string | undefined
  /** what did not match, for `shape_mismatch` */
  readonly detail: string | undefined
}

/** @since 0.2.0 @category models */
export type Entry = KnownEntry | UnknownEntry

const tables: Tables = (() => {
  const outer = new Map<string, Checker>()
  for (const member of [UserLine, AssistantLine, ProgressLine, ...MetadataLine.members]) {
    outer.set(member.fields.type.literals[0], checker(member as Schema.Schema<any, any, never>))
  }
  const attachments = new Map<string, Checker>()
  for (const member of Attachment.members) {
    if (member === OtherAttachment) continue
    const lineSchema = Schema.Struct({ ...AttachmentLine.fields, attachment: member })
    for (const literal of typeLiterals([member as any])) attachments.set(literal, checker(lineSchema))
  }
  const other = Schema.Struct({ ...AttachmentLine.fields, attachment: OtherAttachment })
  const systems = new Map<string, Checker>()
  for (const member of systemModelled) systems.set(member.fields.subtype.literals[0], checker(member))
  return { outer, attachments, otherAttachment: checker(other), systems, otherSystem: checker(OtherSystemLine) }
})()

/**
 * Classifies an already parsed JSON line. Never throws.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode = (json: unknown): Entry => {
  const result = classify(tables, json)
  return result._tag === "Known"
    ? { _tag: "Known", line: json as ClaudeLine }
    : { _tag: "Unknown", json, reason: result.reason, type: result.type, subtype: result.subtype, detail: result.detail }
}

/**
 * Parses and classifies one line of text. Never throws: text that is not JSON is an
 * {@link InvalidLine} (with `lineNumber`, default 1); any JSON value is an {@link Entry}.
 *
 * @since 0.2.0
 * @category decoding
 */
export const parse = (raw: string, lineNumber = 1): Either.Either<Entry, InvalidLine> => {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return Either.left(new InvalidLine({ lineNumber, reason, raw, terminated: true }))
  }
  return Either.right(decode(json))
}

/**
 * The JSON value an entry stands for: decode then encode gives back the input JSON.
 *
 * @since 0.2.0
 * @category encoding
 */
export const encode = (entry: Entry): unknown => entry._tag === "Known" ? entry.line : entry.json
