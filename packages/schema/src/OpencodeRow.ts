/**
 * Rows of OpenCode's database (`$XDG_DATA_HOME/opencode/opencode.db`) that make up a session, as
 * SQLite gives them: `session`, `message`, `part` and `todo`, and the `project` a session belongs
 * to. `message.data` and `part.data` are JSON text here (see OpencodeMessage and OpencodePart for
 * what they hold).
 *
 * Columns follow OpenCode 1.18.33's schema. A `NOT NULL` column is required; a nullable one may be
 * missing (a version without it); columns this version does not know pass through as they are.
 * Times are Unix ms.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { JsonObject } from "./internal/fields.js"
import { MessageId, PartId, SessionId } from "./OpencodeId.js"
import { SqlInteger } from "./StateRow.js"

const text = Schema.optional(Schema.NullOr(Schema.String))
const integer = Schema.optional(Schema.NullOr(SqlInteger))

/**
 * A `session` row. `project_id` is the root commit of the project's git repository, or `global`;
 * `directory` the absolute working directory; `path` that directory relative to the project's
 * worktree. `permission` and `model` are JSON text; the token columns sum the session's messages.
 *
 * @since 0.2.0
 * @category models
 */
export const SessionRow = Schema.Struct(
  {
    id: SessionId,
    project_id: Schema.String,
    workspace_id: text,
    // the session this one was forked or spawned from (a subagent's)
    parent_id: Schema.optional(Schema.NullOr(SessionId)),
    slug: Schema.String,
    directory: Schema.String,
    path: text,
    title: Schema.String,
    // the OpenCode version that created the session
    version: Schema.String,
    share_url: text,
    summary_additions: integer,
    summary_deletions: integer,
    summary_files: integer,
    summary_diffs: text,
    metadata: text,
    cost: Schema.Number,
    tokens_input: SqlInteger,
    tokens_output: SqlInteger,
    tokens_reasoning: SqlInteger,
    tokens_cache_read: SqlInteger,
    tokens_cache_write: SqlInteger,
    // JSON text: where an undo left the session
    revert: text,
    permission: text,
    agent: text,
    model: text,
    time_created: SqlInteger,
    time_updated: SqlInteger,
    time_compacting: integer,
    time_archived: integer
  },
  JsonObject
).annotations({ identifier: "OpencodeSessionRow" })

/** @since 0.2.0 @category models */
export type SessionRow = typeof SessionRow.Type

/** A `message` row; `data` is the JSON text of the message. @since 0.2.0 @category models */
export const MessageRow = Schema.Struct(
  {
    id: MessageId,
    session_id: SessionId,
    time_created: SqlInteger,
    time_updated: SqlInteger,
    data: Schema.String
  },
  JsonObject
).annotations({ identifier: "OpencodeMessageRow" })

/** @since 0.2.0 @category models */
export type MessageRow = typeof MessageRow.Type

/** A `part` row; `data` is the JSON text of the part. @since 0.2.0 @category models */
export const PartRow = Schema.Struct(
  {
    id: PartId,
    message_id: MessageId,
    session_id: SessionId,
    time_created: SqlInteger,
    time_updated: SqlInteger,
    data: Schema.String
  },
  JsonObject
).annotations({ identifier: "OpencodePartRow" })

/** @since 0.2.0 @category models */
export type PartRow = typeof PartRow.Type

/**
 * A `todo` row: one item of the session's todo list (the `todowrite` tool), keyed by `position`.
 * `status` is `pending`, `in_progress`, `completed` or `cancelled`; `priority` `high`, `medium`
 * or `low`.
 *
 * @since 0.2.0
 * @category models
 */
export const TodoRow = Schema.Struct(
  {
    session_id: SessionId,
    content: Schema.String,
    status: Schema.String,
    priority: Schema.String,
    position: SqlInteger,
    time_created: SqlInteger,
    time_updated: SqlInteger
  },
  JsonObject
).annotations({ identifier: "OpencodeTodoRow" })

/** @since 0.2.0 @category models */
export type TodoRow = typeof TodoRow.Type

/**
 * A `project` row: `id` is the root commit of a git repository (`vcs` `git`) or `global`
 * (`worktree` `/`); `sandboxes` is JSON text (an array of paths).
 *
 * @since 0.2.0
 * @category models
 */
export const ProjectRow = Schema.Struct(
  {
    id: Schema.String,
    worktree: Schema.String,
    vcs: text,
    name: text,
    icon_url: text,
    icon_url_override: text,
    icon_color: text,
    time_created: SqlInteger,
    time_updated: SqlInteger,
    time_initialized: integer,
    sandboxes: Schema.String,
    commands: text
  },
  JsonObject
).annotations({ identifier: "OpencodeProjectRow" })

/** @since 0.2.0 @category models */
export type ProjectRow = typeof ProjectRow.Type

/**
 * The columns of each table, in OpenCode 1.18.33's order (the order of `SELECT *`).
 *
 * @since 0.2.0
 * @category constants
 */
export const columns: {
  readonly session: ReadonlyArray<string>
  readonly message: ReadonlyArray<string>
  readonly part: ReadonlyArray<string>
  readonly todo: ReadonlyArray<string>
  readonly project: ReadonlyArray<string>
} = {
  session: Object.keys(SessionRow.fields),
  message: Object.keys(MessageRow.fields),
  part: Object.keys(PartRow.fields),
  todo: Object.keys(TodoRow.fields),
  project: Object.keys(ProjectRow.fields)
}

/** @since 0.2.0 @category models */
export type Table = keyof typeof columns
