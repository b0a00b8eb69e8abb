/**
 * The `session_meta` payload: thread identity, where and by what it was started.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Json, JsonObject, optionalNullable } from "./internal/fields.js"

/**
 * Where a thread came from: `"cli"`, `"vscode"`, `"exec"`, `"mcp"`, `"unknown"`, or an object
 * (`{"custom":"atlas"}`, `{"subagent":…}`, `{"internal":…}`).
 *
 * @since 0.1.0
 * @category models
 */
export const SessionSource = Schema.Union(Schema.String, JsonObject).annotations({ identifier: "SessionSource" })

/** @since 0.1.0 @category models */
export const GitInfo = Schema.Struct({
  commit_hash: optionalNullable(Schema.String),
  branch: optionalNullable(Schema.String),
  repository_url: optionalNullable(Schema.String)
}).annotations({ identifier: "GitInfo" })

/**
 * `history_mode` (2026-06+). Codex refuses to read a thread with any other value.
 *
 * @since 0.1.0
 * @category models
 */
export const HistoryMode = Schema.Literal("legacy", "paginated").annotations({ identifier: "HistoryMode" })

/** @since 0.1.0 @category models */
export const SessionMeta = Schema.Struct({
  // root of an agent tree (2026-05+); defaults to `id`
  session_id: optionalNullable(Schema.String),
  id: Schema.String,
  forked_from_id: optionalNullable(Schema.String),
  // paginated forks: the parent's records before this ordinal belong to the fork (0.169)
  forked_from_ordinal_exclusive: optionalNullable(Schema.Number),
  parent_thread_id: optionalNullable(Schema.String),
  timestamp: Schema.String,
  cwd: Schema.String,
  originator: Schema.String,
  cli_version: Schema.String,
  source: Schema.optional(SessionSource),
  thread_source: optionalNullable(Schema.String),
  agent_nickname: optionalNullable(Schema.String),
  agent_role: optionalNullable(Schema.String),
  agent_path: optionalNullable(Schema.String),
  model_provider: optionalNullable(Schema.String),
  base_instructions: optionalNullable(Schema.Struct({ text: Schema.String })),
  // removed 2026-01; user and AGENTS.md instructions in older files
  instructions: optionalNullable(Schema.String),
  // an array of tool specs, or a grouped form Codex also accepts
  dynamic_tools: Schema.optional(Json),
  selected_capability_roots: optionalNullable(Schema.Array(Json)),
  memory_mode: optionalNullable(Schema.String),
  history_mode: Schema.optional(HistoryMode),
  history_base: optionalNullable(
    Schema.Struct({
      thread_id: Schema.String,
      end_ordinal_exclusive: Schema.Number,
      end_byte_offset: Schema.Number
    })
  ),
  multi_agent_version: optionalNullable(Schema.String),
  context_window: optionalNullable(Json),
  git: optionalNullable(GitInfo)
}).annotations({ identifier: "SessionMeta" })

/** @since 0.1.0 @category models */
export type SessionMeta = typeof SessionMeta.Type
