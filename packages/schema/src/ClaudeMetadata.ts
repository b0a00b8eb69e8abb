/**
 * The metadata lines of a Claude Code transcript: every line type that is not part of the
 * conversation (no `uuid`, no place in the `parentUuid` chain). Titles, modes, the prompt queue,
 * request records, cost, file-history checkpoints and the like.
 *
 * How Claude Code 2.1.332 treats them (read in its embedded JS):
 *
 * - its loader skips them when it rebuilds the conversation: `queue-operation`, `api-request`,
 *   `api-request-resumed`, `api-request-shape`, `api-request-blob`, `frame-link`,
 *   `observer-ref`, `continued-in`, `resume-head-vouch`, `host-row`;
 * - when it compacts a transcript file, it keeps only those after the last compaction boundary
 *   of `file-history-snapshot`, `file-history-delta`, `last-prompt`, `continued-in`,
 *   `resume-head-vouch`, `api-request*`, `host-row`; all of `content-replacement`,
 *   `memory-mode`, `data-flow-records`, `data-flow-incomplete`, `fork-context-ref`,
 *   `frame-link`, `artifact-comment-monitor`; and the last of every other kind (`summary`,
 *   `custom-title`, `ai-title`, `tag`, `relocated`, `agent-*`, `mode`, `permission-mode`,
 *   `cost-state`, `tools-used`, …);
 * - it writes `last-prompt`, the titles, `tag`, `relocated`, `agent-*`, `mode`,
 *   `permission-mode`, `atis-latch`, `tools-used` and a few more again at the end of the file
 *   when a session is resumed and at other checkpoints: a file holds many of each.
 *
 * Observed in transcripts 2.1.332 wrote: `queue-operation`, `api-request`, `api-request-blob`,
 * `api-request-shape`, `atis-latch`, `last-prompt`, `cost-state`, `tools-used`, `mode`,
 * `permission-mode`, `file-history-snapshot`, `file-history-delta`, `custom-title`, `ai-title`,
 * `agent-name`. The others are modelled from the code that writes them (its fields), and kept
 * loose: only `type` and the fields that code always writes are required.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { ApiMessage } from "./ClaudeMessage.js"
import { Json } from "./internal/fields.js"

const line = <Type extends string, Fields extends Schema.Struct.Fields>(type: Type, fields: Fields) =>
  Schema.Struct({ type: Schema.Literal(type), ...fields })

const sessionId = Schema.String
const optionalString = Schema.optional(Schema.String)

// -------------------------------------------------------------------------------------------------
// observed

/**
 * The prompt queue: `enqueue` (with the prompt or a `<task-notification>` in `content`),
 * `dequeue`, `remove`, `popAll`, … Written by `claude -p` and background agents.
 *
 * @since 0.2.0
 * @category models
 */
export const QueueOperationLine = line("queue-operation", {
  operation: Schema.String,
  timestamp: Schema.String,
  sessionId,
  content: optionalString,
  reason: Schema.optional(Json),
  commandUuid: optionalString,
  deliveryId: optionalString
}).annotations({ identifier: "ClaudeQueueOperationLine" })

/**
 * One API request, as a delta over an earlier one (`base`, `keep`, `tail` of message hashes).
 * Claude Code does not read it to rebuild the conversation.
 *
 * @since 0.2.0
 * @category models
 */
export const ApiRequestLine = line("api-request", {
  sessionId,
  id: Schema.String,
  timestamp: Schema.String,
  version: optionalString,
  querySource: optionalString,
  shapeHash: optionalString,
  params: Schema.optional(Json),
  base: optionalString,
  keep: Schema.optional(Schema.Number),
  // sha-256 hashes of api-request-blob messages
  tail: Schema.optional(Schema.Array(Schema.String)),
  agentId: optionalString
}).annotations({ identifier: "ClaudeApiRequestLine" })

/**
 * A message as it was sent to the API, by its hash (the environment block, the first prompt
 * with its reminders): it holds the working directory.
 *
 * @since 0.2.0
 * @category models
 */
export const ApiRequestBlobLine = line("api-request-blob", {
  sessionId,
  hash: Schema.String,
  message: ApiMessage,
  agentId: optionalString
}).annotations({ identifier: "ClaudeApiRequestBlobLine" })

/**
 * The system prompt and tools of requests, by hash: the system text holds the working
 * directory.
 *
 * @since 0.2.0
 * @category models
 */
export const ApiRequestShapeLine = line("api-request-shape", {
  sessionId,
  shapeHash: Schema.String,
  timestamp: optionalString,
  version: optionalString,
  shape: Schema.Struct({
    system: Schema.optional(Schema.Array(Schema.Struct({ type: Schema.String, text: optionalString }))),
    tools: Schema.optional(Schema.Array(Json))
  }),
  agentId: optionalString
}).annotations({ identifier: "ClaudeApiRequestShapeLine" })

/** @since 0.2.0 @category models */
export const AtisLatchLine = line("atis-latch", {
  atis: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeAtisLatchLine" })

/**
 * The last prompt (the picker's title when there is no custom title) and the leaf of the
 * conversation to resume from (`leafUuid`; `null` with `explicit: true` after a rewind to the
 * start).
 *
 * @since 0.2.0
 * @category models
 */
export const LastPromptLine = line("last-prompt", {
  lastPrompt: optionalString,
  leafUuid: Schema.optional(Schema.NullOr(Schema.String)),
  sessionId,
  explicit: Schema.optional(Schema.Boolean),
  rewound: Schema.optional(Schema.Boolean),
  cutUuid: optionalString
}).annotations({ identifier: "ClaudeLastPromptLine" })

/** The session's cost and durations so far. @since 0.2.0 @category models */
export const CostStateLine = line("cost-state", {
  sessionId,
  totalCostUSD: Schema.Number,
  totalAPIDuration: Schema.optional(Schema.Number),
  totalDuration: Schema.optional(Schema.Number),
  totalLinesAdded: Schema.optional(Schema.Number),
  totalLinesRemoved: Schema.optional(Schema.Number),
  startTime: Schema.optional(Schema.Number),
  // per model: tokens and cost
  modelUsage: Schema.optional(Json)
}).annotations({ identifier: "ClaudeCostStateLine" })

/** @since 0.2.0 @category models */
export const ToolsUsedLine = line("tools-used", {
  tools: Schema.Array(Schema.String),
  sessionId
}).annotations({ identifier: "ClaudeToolsUsedLine" })

/** `"normal"`, … @since 0.2.0 @category models */
export const ModeLine = line("mode", {
  mode: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeModeLine" })

/** `"default"`, `"auto"`, `"plan"`, `"acceptEdits"`, … @since 0.2.0 @category models */
export const PermissionModeLine = line("permission-mode", {
  permissionMode: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudePermissionModeLine" })

/**
 * The backup of one tracked file: `<CLAUDE_CONFIG_DIR>/file-history/<sessionId>/<backupFileName>`
 * (`null`: the file did not exist before).
 *
 * @since 0.2.0
 * @category models
 */
export const FileBackup = Schema.Struct({
  // sha256(absolute path).hex[0..16] + "@v" + version; see ClaudeFileHistory
  backupFileName: Schema.NullOr(Schema.String),
  version: Schema.Number,
  backupTime: Schema.String,
  // an absolute path: the folder of the file (keys of trackedFileBackups are relative to the cwd)
  realParentDir: optionalString
}).annotations({ identifier: "ClaudeFileBackup" })

/**
 * The tracked files' backups at a user message (`messageId`): what `/rewind` restores. No
 * `sessionId`: the line belongs to the file it is in.
 *
 * @since 0.2.0
 * @category models
 */
export const FileHistorySnapshotLine = line("file-history-snapshot", {
  messageId: Schema.String,
  snapshot: Schema.Struct({
    messageId: Schema.String,
    // path relative to the cwd -> backup
    trackedFileBackups: Schema.Record({ key: Schema.String, value: FileBackup }),
    timestamp: Schema.String
  }),
  isSnapshotUpdate: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ClaudeFileHistorySnapshotLine" })

/** One more tracked file for the snapshot of `snapshotMessageId`. @since 0.2.0 @category models */
export const FileHistoryDeltaLine = line("file-history-delta", {
  messageId: Schema.String,
  snapshotMessageId: Schema.String,
  // relative to the cwd
  trackingPath: Schema.String,
  backup: FileBackup,
  timestamp: Schema.String
}).annotations({ identifier: "ClaudeFileHistoryDeltaLine" })

/** A title the user gave (`-n`, `/rename`); `claude --resume <title>` finds it. @since 0.2.0 @category models */
export const CustomTitleLine = line("custom-title", {
  customTitle: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeCustomTitleLine" })

/** A title the model generated (interactive sessions). @since 0.2.0 @category models */
export const AiTitleLine = line("ai-title", {
  aiTitle: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeAiTitleLine" })

/** Written with every custom title since 2.1. @since 0.2.0 @category models */
export const AgentNameLine = line("agent-name", {
  agentName: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeAgentNameLine" })

// -------------------------------------------------------------------------------------------------
// from the writer's code (not observed)

/** The older title line: a summary of the conversation up to `leafUuid`; no `sessionId`. @since 0.2.0 @category models */
export const SummaryLine = line("summary", {
  summary: Schema.String,
  leafUuid: Schema.String
}).annotations({ identifier: "ClaudeSummaryLine" })

/** @since 0.2.0 @category models */
export const TagLine = line("tag", {
  tag: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeTagLine" })

/**
 * The session's transcript was moved to the project folder of a new working directory
 * (`EnterWorktree`, `ExitWorktree`): Claude's project matcher reads the cwd from it first.
 *
 * @since 0.2.0
 * @category models
 */
export const RelocatedLine = line("relocated", {
  // an absolute path
  relocatedCwd: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeRelocatedLine" })

/** @since 0.2.0 @category models */
export const AgentColorLine = line("agent-color", {
  agentColor: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeAgentColorLine" })

/** @since 0.2.0 @category models */
export const AgentSettingLine = line("agent-setting", {
  agentSetting: Json,
  sessionId
}).annotations({ identifier: "ClaudeAgentSettingLine" })

/** @since 0.2.0 @category models */
export const PrLinkLine = line("pr-link", {
  sessionId,
  prNumber: Schema.Number,
  prUrl: Schema.String,
  prRepository: Schema.String,
  timestamp: optionalString
}).annotations({ identifier: "ClaudePrLinkLine" })

/** @since 0.2.0 @category models */
export const EndedByModelLine = line("ended-by-model", {
  timestamp: optionalString,
  sessionId
}).annotations({ identifier: "ClaudeEndedByModelLine" })

/** The conversation went on in another session (a background session). @since 0.2.0 @category models */
export const ContinuedInLine = line("continued-in", {
  timestamp: optionalString,
  sessionId,
  continuedInSessionId: Schema.String
}).annotations({ identifier: "ClaudeContinuedInLine" })

/** A checksum of the head of the file, for fast resume. @since 0.2.0 @category models */
export const ResumeHeadVouchLine = line("resume-head-vouch", {
  sessionId,
  sum: Schema.String
}).annotations({ identifier: "ClaudeResumeHeadVouchLine" })

/** @since 0.2.0 @category models */
export const ApiRequestResumedLine = line("api-request-resumed", {
  sessionId,
  timestamp: optionalString,
  version: optionalString,
  agentId: optionalString
}).annotations({ identifier: "ClaudeApiRequestResumedLine" })

/** @since 0.2.0 @category models */
export const FrameLinkLine = line("frame-link", {
  sessionId,
  artifactCount: Schema.optional(Schema.Number),
  frameUrl: optionalString,
  timestamp: optionalString
}).annotations({ identifier: "ClaudeFrameLinkLine" })

/** @since 0.2.0 @category models */
export const ObserverRefLine = line("observer-ref", {
  sessionId: optionalString,
  timestamp: optionalString
}).annotations({ identifier: "ClaudeObserverRefLine" })

/** @since 0.2.0 @category models */
export const WorktreeStateLine = line("worktree-state", {
  // the worktree session (paths of the worktree and the original cwd), or null
  worktreeSession: Json,
  sessionId
}).annotations({ identifier: "ClaudeWorktreeStateLine" })

/** @since 0.2.0 @category models */
export const ReplModeLine = line("repl-mode", {
  replMode: Schema.Boolean,
  typedEvents: Schema.optional(Schema.Boolean),
  sessionId
}).annotations({ identifier: "ClaudeReplModeLine" })

/** The account and organization the session belongs to. @since 0.2.0 @category models */
export const SessionOwnerLine = line("session-owner", { sessionId })
  .annotations({ identifier: "ClaudeSessionOwnerLine" })

/** @since 0.2.0 @category models */
export const HybridOrganizationLine = line("hybrid-organization", {
  organizationUuid: Schema.String,
  sessionId: optionalString
}).annotations({ identifier: "ClaudeHybridOrganizationLine" })

/** @since 0.2.0 @category models */
export const IsolationLatchLine = line("isolation-latch", {
  side: Json,
  sessionId
}).annotations({ identifier: "ClaudeIsolationLatchLine" })

/** @since 0.2.0 @category models */
export const DevModsLine = line("dev-mods", {
  // a folder path (Claude keeps it only when it is the session's own)
  folder: Schema.String,
  sessionId
}).annotations({ identifier: "ClaudeDevModsLine" })

/** Memory turned on or off after a message. @since 0.2.0 @category models */
export const MemoryModeLine = line("memory-mode", {
  mode: Schema.String,
  afterUuid: Schema.optional(Schema.NullOr(Schema.String)),
  timestamp: optionalString,
  reason: optionalString,
  sessionId
}).annotations({ identifier: "ClaudeMemoryModeLine" })

/** @since 0.2.0 @category models */
export const DataFlowRecordsLine = line("data-flow-records", {
  v: Schema.optional(Schema.Number),
  sessionId,
  records: Schema.Array(Json)
}).annotations({ identifier: "ClaudeDataFlowRecordsLine" })

/** @since 0.2.0 @category models */
export const DataFlowIncompleteLine = line("data-flow-incomplete", {
  v: Schema.optional(Schema.Number),
  sessionId,
  codes: Schema.optional(Schema.Array(Json))
}).annotations({ identifier: "ClaudeDataFlowIncompleteLine" })

/** @since 0.2.0 @category models */
export const DataFlowHandoverLine = line("data-flow-handover", { sessionId: optionalString })
  .annotations({ identifier: "ClaudeDataFlowHandoverLine" })

/** The sessions this one took context from. @since 0.2.0 @category models */
export const DerivedFromLine = line("derived-from", {
  v: Schema.optional(Schema.Number),
  sessionId,
  sessions: Schema.Array(Json)
}).annotations({ identifier: "ClaudeDerivedFromLine" })

/** @since 0.2.0 @category models */
export const HistorySuppressionLine = line("history-suppression", {
  sessionId,
  cause: optionalString,
  ts: optionalString
}).annotations({ identifier: "ClaudeHistorySuppressionLine" })

/** A link to a remote-control (bridge) session. @since 0.2.0 @category models */
export const BridgeSessionLine = line("bridge-session", {
  sessionId,
  bridgeSessionId: Schema.String,
  lastSequenceNum: Schema.optional(Schema.Number)
}).annotations({ identifier: "ClaudeBridgeSessionLine" })

/** Tool results replaced by shorter content (kept on disk elsewhere). @since 0.2.0 @category models */
export const ContentReplacementLine = line("content-replacement", {
  sessionId,
  agentId: optionalString,
  replacements: Schema.Array(Json)
}).annotations({ identifier: "ClaudeContentReplacementLine" })

/** @since 0.2.0 @category models */
export const ForkContextRefLine = line("fork-context-ref", {
  agentId: optionalString,
  sessionId: optionalString
}).annotations({ identifier: "ClaudeForkContextRefLine" })

/** @since 0.2.0 @category models */
export const ArtifactCommentMonitorLine = line("artifact-comment-monitor", {
  v: Schema.optional(Schema.Number),
  sessionId,
  artifacts: Schema.optional(Json)
}).annotations({ identifier: "ClaudeArtifactCommentMonitorLine" })

/** @since 0.2.0 @category models */
export const ArtifactAutoreactLedgerLine = line("artifact-autoreact-ledger", {
  v: Schema.optional(Schema.Number),
  sessionId,
  accountUuid: Schema.optional(Json),
  artifacts: Schema.optional(Json)
}).annotations({ identifier: "ClaudeArtifactAutoreactLedgerLine" })

/** Which lines the model wrote, for commit attribution, at a message. @since 0.2.0 @category models */
export const AttributionSnapshotLine = line("attribution-snapshot", { messageId: optionalString })
  .annotations({ identifier: "ClaudeAttributionSnapshotLine" })

/** A record of a script's tool call (REPL mode). @since 0.2.0 @category models */
export const HostRowLine = line("host-row", {
  sessionId,
  agentId: optionalString,
  timestamp: optionalString,
  ranByToolUseId: optionalString
}).annotations({ identifier: "ClaudeHostRowLine" })

/**
 * Every metadata line this version models, observed ones first.
 *
 * @since 0.2.0
 * @category models
 */
export const MetadataLine = Schema.Union(
  QueueOperationLine,
  ApiRequestLine,
  ApiRequestBlobLine,
  ApiRequestShapeLine,
  AtisLatchLine,
  LastPromptLine,
  CostStateLine,
  ToolsUsedLine,
  ModeLine,
  PermissionModeLine,
  FileHistorySnapshotLine,
  FileHistoryDeltaLine,
  CustomTitleLine,
  AiTitleLine,
  AgentNameLine,
  SummaryLine,
  TagLine,
  RelocatedLine,
  AgentColorLine,
  AgentSettingLine,
  PrLinkLine,
  EndedByModelLine,
  ContinuedInLine,
  ResumeHeadVouchLine,
  ApiRequestResumedLine,
  FrameLinkLine,
  ObserverRefLine,
  WorktreeStateLine,
  ReplModeLine,
  SessionOwnerLine,
  HybridOrganizationLine,
  IsolationLatchLine,
  DevModsLine,
  MemoryModeLine,
  DataFlowRecordsLine,
  DataFlowIncompleteLine,
  DataFlowHandoverLine,
  DerivedFromLine,
  HistorySuppressionLine,
  BridgeSessionLine,
  ContentReplacementLine,
  ForkContextRefLine,
  ArtifactCommentMonitorLine,
  ArtifactAutoreactLedgerLine,
  AttributionSnapshotLine,
  HostRowLine
).annotations({ identifier: "ClaudeMetadataLine" })

/** @since 0.2.0 @category models */
export type MetadataLine = typeof MetadataLine.Type
