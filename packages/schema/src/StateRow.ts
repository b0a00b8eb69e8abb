/**
 * Rows of Codex's state database (`state_5.sqlite`). Column sets differ between Codex versions
 * (migrations add columns almost monthly), so every column but the key is optional and columns
 * this version does not know pass through as they are.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { JsonObject } from "./internal/fields.js"

/** SQLite `INTEGER`, as a number or (with safe integers on) a bigint. @since 0.1.0 @category models */
export const SqlInteger = Schema.Union(Schema.Number, Schema.BigIntFromSelf).annotations({ identifier: "SqlInteger" })

const text = Schema.optional(Schema.NullOr(Schema.String))
const integer = Schema.optional(Schema.NullOr(SqlInteger))

/**
 * A `threads` row (columns up to Codex 0.169; see docs/codex-formats.md for when each appeared).
 *
 * @since 0.1.0
 * @category models
 */
export const ThreadRow = Schema.Struct(
  {
    id: Schema.String,
    // absolute path on this machine
    rollout_path: Schema.String,
    created_at: integer,
    updated_at: integer,
    created_at_ms: integer,
    updated_at_ms: integer,
    recency_at: integer,
    recency_at_ms: integer,
    source: text,
    thread_source: text,
    history_mode: text,
    model_provider: text,
    model: text,
    reasoning_effort: text,
    cwd: text,
    cli_version: text,
    title: text,
    name: text,
    first_user_message: text,
    preview: text,
    sandbox_policy: text,
    approval_mode: text,
    tokens_used: integer,
    has_user_event: integer,
    archived: integer,
    archived_at: integer,
    git_sha: text,
    git_branch: text,
    git_origin_url: text,
    agent_nickname: text,
    agent_role: text,
    agent_path: text,
    memory_mode: text
  },
  JsonObject
).annotations({ identifier: "ThreadRow" })

/** @since 0.1.0 @category models */
export type ThreadRow = typeof ThreadRow.Type

/** A `thread_dynamic_tools` row. @since 0.1.0 @category models */
export const ThreadDynamicToolRow = Schema.Struct(
  {
    thread_id: Schema.String,
    position: SqlInteger,
    name: Schema.String,
    description: Schema.String,
    // JSON text
    input_schema: Schema.String,
    defer_loading: integer,
    namespace: text
  },
  JsonObject
).annotations({ identifier: "ThreadDynamicToolRow" })

/** @since 0.1.0 @category models */
export type ThreadDynamicToolRow = typeof ThreadDynamicToolRow.Type
