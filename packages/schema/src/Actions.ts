/**
 * `actions.v1`: a small, versioned, stable projection of what a Codex session did (commands
 * run, files changed, tools called, turns, compactions), in order, with their results. Derived
 * only from what Codex persists, from every rollout era this package reads, so tools need not
 * follow Codex's internal format.
 *
 * - Only completed actions: a call paired with its output, an end event or a completed item.
 *   Begin and delta events, approvals and calls that never got an output are left out.
 * - One action per call: the records Codex writes for one call (response item call + output,
 *   `exec_command_end` / `patch_apply_end` / `mcp_tool_call_end` / `web_search_end`,
 *   `item_completed`) are matched by `call_id` and merged, the richest winning field by field.
 * - No prompts, reasoning or model text unless `includeText` is set, and then only the first
 *   prompt (on `session_started`) and each turn's last agent message (on `turn_completed`).
 * - Streaming in bounded memory; see docs/actions-v1.md for the exact rules and bounds.
 *
 * `actions.v1` never changes incompatibly: a different shape will be `actions.v2`, beside it.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import { Chunk, Schema, Stream } from "effect"
import { DEFAULT_MAX_HELD, DEFAULT_MAX_PENDING, DEFAULT_MAX_RUNNING, makeProjector } from "./internal/actionsProjection.js"
import * as RolloutReader from "./RolloutReader.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const SCHEMA_VERSION = "actions.v1" as const

/**
 * @since 0.1.0
 * @category models
 */
export const ActionType = Schema.Literal(
  "command_execution",
  "file_change",
  "tool_call",
  "mcp_tool_call",
  "web_search",
  "turn_started",
  "turn_completed",
  "turn_aborted",
  "session_started",
  "compaction"
).annotations({
  description:
    "What happened: a shell command ran (command_execution), a patch was applied (file_change), a tool, MCP tool or web search was called, a turn started, completed or was aborted, the session started, or the history was compacted."
})

/**
 * @since 0.1.0
 * @category models
 */
export type ActionType = typeof ActionType.Type

/**
 * @since 0.1.0
 * @category models
 */
export const ActionStatus = Schema.Literal("completed", "failed", "declined", "unknown").annotations({
  description:
    "How the action ended: completed (exit code 0, success), failed (non-zero exit code, failed patch, MCP error, aborted or failed turn), declined (the user or policy refused it, where Codex recorded that), unknown (nothing recorded says)."
})

/**
 * @since 0.1.0
 * @category models
 */
export type ActionStatus = typeof ActionStatus.Type

/**
 * @since 0.1.0
 * @category models
 */
export const ChangeKind = Schema.Literal("add", "update", "delete", "move").annotations({
  description: "add, update or delete a file; move: updated and renamed to move_path."
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChangeKind = typeof ChangeKind.Type

/**
 * @since 0.1.0
 * @category models
 */
export const ChangedPath = Schema.Struct({
  path: Schema.String.annotations({
    description:
      "The file as recorded: absolute in patch_apply_end events and FileChange items, as written in the patch (usually relative to cwd) otherwise."
  }),
  kind: Schema.NullOr(ChangeKind).annotations({ description: "The kind of change; null where the record does not say." }),
  move_path: Schema.NullOr(Schema.String).annotations({ description: "For kind move: the new path; else null." })
}).annotations({ identifier: "ChangedPath", description: "One file a file_change touched." })

/**
 * @since 0.1.0
 * @category models
 */
export type ChangedPath = typeof ChangedPath.Type

/**
 * One completed action of a session.
 *
 * @since 0.1.0
 * @category models
 */
export const ActionV1 = Schema.Struct({
  schema_version: Schema.Literal(SCHEMA_VERSION).annotations({
    description: "Always \"actions.v1\". A different shape is a different version, never a change to this one."
  }),
  session_id: Schema.NullOr(Schema.String).annotations({
    description:
      "The thread id (session_meta.id). Null only for a file with no session metadata whose name holds no id."
  }),
  turn_id: Schema.NullOr(Schema.String).annotations({
    description: "The turn the action belongs to; null where the era did not record turn ids (before 2026-02)."
  }),
  seq: Schema.NonNegativeInt.annotations({
    description: "0-based position in the session's actions: the order in which the actions completed."
  }),
  timestamp: Schema.NullOr(Schema.String).annotations({
    description:
      "RFC 3339 time of the record that completed the action (session_started: the session's start). Null for pre-envelope (2025) lines, which carry no time."
  }),
  action_type: ActionType,
  tool_name: Schema.NullOr(Schema.String).annotations({
    description:
      "The tool the model called (exec_command, shell, shell_command, local_shell, apply_patch, update_plan, …); MCP tools as mcp__SERVER__TOOL; web_search for searches. Null for turn, session and compaction markers, and for commands Codex recorded without a call (user shell commands)."
  }),
  call_id: Schema.NullOr(Schema.String).annotations({
    description: "Codex's call id (the key records of one call share); null for markers and id-less searches."
  }),
  command: Schema.NullOr(Schema.Union(Schema.Array(Schema.String), Schema.String)).annotations({
    description:
      "command_execution: the command as recorded, an argv array (exec_command_end, CommandExecution items, shell, local_shell) or a string (exec_command's cmd, shell_command); web_search: the query or URL; else null."
  }),
  cwd: Schema.NullOr(Schema.String).annotations({
    description:
      "Working directory: of the command (recorded, else the turn's, else the session's), of a patch (the turn's), of the session for session_started; null where none applies."
  }),
  changed_paths: Schema.Array(ChangedPath).annotations({
    description: "file_change: the files touched, in recorded order; empty for other actions."
  }),
  status: ActionStatus,
  exit_code: Schema.NullOr(Schema.Int).annotations({
    description: "The process's exit code where recorded (commands, and patches whose output records one); else null."
  }),
  duration_ms: Schema.NullOr(Schema.NonNegativeInt).annotations({
    description: "Duration in whole milliseconds where recorded (commands, patches, MCP calls, turns); else null."
  }),
  text: Schema.optional(Schema.NullOr(Schema.String).annotations({
    description:
      "Only with include-text: the first user prompt on session_started, the last agent message on turn_completed (null when there is none). Absent otherwise."
  }))
}).annotations({
  identifier: "ActionV1",
  description: "One completed action of a Codex session, actions.v1."
})

/**
 * @since 0.1.0
 * @category models
 */
export type ActionV1 = typeof ActionV1.Type

/**
 * @since 0.1.0
 * @category models
 */
export interface ProjectOptions {
  /** add `text` to session_started (first prompt) and turn_completed (last agent message) */
  readonly includeText?: boolean | undefined
  /** the session id until a `session_meta` says otherwise (e.g. from the file name) */
  readonly sessionId?: string | undefined
  /** actions held back waiting for a richer record of the same call (default 256) */
  readonly maxHeld?: number | undefined
  /** calls waiting for their output (default 4096); the oldest is forgotten beyond that */
  readonly maxPending?: number | undefined
  /** unified-exec commands still running (default 1024); the oldest is emitted as unknown */
  readonly maxRunning?: number | undefined
}

/**
 * The bounds used when {@link ProjectOptions} leaves them out.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBounds = {
  maxHeld: DEFAULT_MAX_HELD,
  maxPending: DEFAULT_MAX_PENDING,
  maxRunning: DEFAULT_MAX_RUNNING
} as const

/**
 * The actions of one session's lines, in order. Pure and synchronous per chunk; memory is
 * bounded by the options' bounds, whatever the session's size.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLines = <E, R>(
  lines: Stream.Stream<RolloutReader.LineResult, E, R>,
  options: ProjectOptions = {}
): Stream.Stream<ActionV1, E, R> =>
  Stream.suspend(() => {
    // one projector per run of the stream: state never leaks between runs
    const projector = makeProjector(options)
    return lines.pipe(
      Stream.mapChunks((chunk) => {
        const out: Array<ActionV1> = []
        for (const line of chunk) projector.push(line, out)
        return Chunk.unsafeFromArray(out)
      }),
      Stream.concat(Stream.suspend(() => {
        const out: Array<ActionV1> = []
        projector.end(out)
        return Stream.fromChunk(Chunk.unsafeFromArray(out))
      }))
    )
  })

const ID_IN_NAME = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(?:\.zst)?$/i

/**
 * The thread id in a rollout file's name (`rollout-…-<uuid>.jsonl[.zst]`), lower-cased.
 *
 * @since 0.1.0
 * @category utils
 */
export const threadIdFromFileName = (path: string): string | undefined => ID_IN_NAME.exec(path)?.[1]?.toLowerCase()

/**
 * The actions of a rollout file (`.jsonl` or `.jsonl.zst`); the session id falls back to the
 * one in the file's name.
 *
 * @since 0.1.0
 * @category reading
 */
export const readFile = (
  path: string,
  options: ProjectOptions = {}
): Stream.Stream<ActionV1, RolloutReader.RolloutReadError, FileSystem.FileSystem> =>
  fromLines(RolloutReader.readFile(path), { ...options, sessionId: options.sessionId ?? threadIdFromFileName(path) })
