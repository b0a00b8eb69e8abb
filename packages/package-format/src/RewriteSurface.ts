/**
 * The rewrite surface: every place in a rollout that holds a machine path, a thread id or the
 * thread's start time, as data. Installers rewrite exactly these places and nothing else;
 * `docs/rewrite-surface.md` lists them.
 *
 * An entry says where (the line's `type`, optionally its `payload.type`, and a field path from
 * the line's root) and what the value holds. Field paths are dotted keys with these steps:
 *
 * - `[*]`: every element of an array, or every value of an object (map);
 * - `[~]`: every key of an object (the keys themselves are rewritten, order kept);
 * - `[?key=value]`: continue only when the current object's `key` is the string `value`;
 * - `@json`: the current value is a string of JSON text; continue inside it.
 *
 * A field that is absent, or of another shape than the entry expects, is left alone.
 *
 * @since 0.1.0
 */

/**
 * What a surface value holds:
 *
 * - `path`: a machine path (string), mapped by the path rules;
 * - `path-list`: an array of paths, each mapped;
 * - `file-url`: a `file://` URL whose path is mapped (a plain path here is mapped as a path);
 * - `thread-id`: a thread id, mapped only when that thread is in the package;
 * - `timestamp`: the start time of the thread named by `payload.id` on the same line;
 * - `text-with-writable-roots`: the developer `<permissions instructions>` text, whose line
 *   ``The writable roots are `a`, `b`.`` names paths in backticks; only those are mapped.
 * - `text-with-cwd`: text whose `<environment_context>` blocks hold paths: the values of
 *   `<cwd>`, `<root>` and `<path>` elements (also inside `<environment …>`), and the 2025
 *   `Current working directory: …` line. With `whole`, the whole string is such a fragment;
 * - `byte-offset`: an offset into the rollout of the thread named by the sibling `thread_id`,
 *   moved to where the same line boundary lies after that rollout was rewritten.
 * - `text-with-paths`: free text (a tool's output, an environment block) in which every
 *   occurrence of a mapped path prefix, standing as a path of its own, is mapped; the rest of the
 *   text is kept as it is.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind =
  | "path"
  | "path-list"
  | "file-url"
  | "thread-id"
  | "timestamp"
  | "text-with-cwd"
  | "text-with-writable-roots"
  | "byte-offset"
  | "text-with-paths"

/**
 * Why an entry is on the surface:
 *
 * - `contract`: the shared rollout rewrite surface of the reference tools;
 * - `required`: required by sessionport for sessions to resume on the target;
 * - `addition`: sessionport's own, beyond both (each says why in `notes`).
 *
 * @since 0.1.0
 * @category models
 */
export type Origin = "contract" | "required" | "addition"

/**
 * The `type` of an entry that applies to every line (of a type the dialect recognises).
 *
 * @since 0.2.0
 * @category constants
 */
export const EVERY_TYPE = "*"

/** @since 0.1.0 @category models */
export interface Entry {
  /** the line's outer `type`; {@link EVERY_TYPE}: every line */
  readonly type: string
  /** `payload.type`; absent: any payload of that line type */
  readonly payloadType?: string
  /** field path from the line's root (see the module doc for the steps) */
  readonly field: string
  readonly holds: Kind
  /** `text-with-cwd` only: the whole string is an environment fragment, not wrapped in `<environment_context>` */
  readonly whole?: boolean
  /** when Codex began writing the field (date, PR or version) */
  readonly since: string
  readonly origin: Origin
  readonly notes?: string
}

/**
 * The entries of an agent's surface that its sessions need to resume on the target (origin
 * `required`), all known since the agent version `since`: `entry(type, field, holds, notes?)`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const requiredSince = (since: string) => (type: string, field: string, holds: Kind, notes?: string): Entry => ({
  type,
  field,
  holds,
  since,
  origin: "required",
  ...(notes === undefined ? {} : { notes })
})

/**
 * One step of a parsed field path.
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | { readonly _tag: "Key"; readonly key: string }
  | { readonly _tag: "Each" }
  | { readonly _tag: "Keys" }
  | { readonly _tag: "Where"; readonly key: string; readonly equals: string }
  | { readonly _tag: "Json" }

const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\[\*\]|\[~\]|\[\?([A-Za-z_][A-Za-z0-9_]*)=([^\]]+)\]|@json/y

/**
 * Parses a field path into steps. Throws on a malformed path: paths are constants of this module.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseField = (field: string): ReadonlyArray<Step> => {
  const steps: Array<Step> = []
  const text = `.${field}`
  STEP.lastIndex = 0
  while (STEP.lastIndex < text.length) {
    const at = STEP.lastIndex
    const match = STEP.exec(text)
    if (match === null) throw new Error(`bad field path ${JSON.stringify(field)} at ${at}`)
    const token = match[0]
    if (match[1] !== undefined) steps.push({ _tag: "Key", key: match[1] })
    else if (match[2] !== undefined) steps.push({ _tag: "Where", key: match[2], equals: match[3]! })
    else if (token === "[*]") steps.push({ _tag: "Each" })
    else if (token === "[~]") steps.push({ _tag: "Keys" })
    else steps.push({ _tag: "Json" })
  }
  return steps
}

const PERMISSION_ENTRIES = "permission_profile.file_system.entries[*].path[?type=path].path"

/**
 * The surface. Order matters only for reading; an interpreter computes every value of a line
 * against the line as it was read.
 *
 * @since 0.1.0
 * @category constants
 */
export const entries: ReadonlyArray<Entry> = [
  // session_meta: the thread itself
  { type: "session_meta", field: "payload.id", holds: "thread-id", since: "2025-09-09 (#3380)", origin: "contract", notes: "the new local id; must match the file name" },
  { type: "session_meta", field: "payload.session_id", holds: "thread-id", since: "2026-05", origin: "required", notes: "root of the agent tree; defaults to id" },
  { type: "session_meta", field: "payload.timestamp", holds: "timestamp", since: "2025-09-09 (#3380)", origin: "contract", notes: "only when the caller gives a new start time" },
  { type: "session_meta", field: "payload.cwd", holds: "path", since: "2025-09-09 (#3380)", origin: "contract" },
  { type: "session_meta", field: "payload.forked_from_id", holds: "thread-id", since: "2026-01-16 (#9330)", origin: "required" },
  { type: "session_meta", field: "payload.history_base.thread_id", holds: "thread-id", since: "2026-07 (#34407)", origin: "required", notes: "paginated forks read this parent's rollout prefix" },
  { type: "session_meta", field: "payload.history_base.end_byte_offset", holds: "byte-offset", since: "2026-07 (#34407)", origin: "addition", notes: "points into the parent's file, whose length changes when it is rewritten" },
  { type: "session_meta", field: "payload.parent_thread_id", holds: "thread-id", since: "2026-05-31 (#25113)", origin: "addition", notes: "parent of a sub-agent thread" },
  { type: "session_meta", field: "payload.source.subagent.thread_spawn.parent_thread_id", holds: "thread-id", since: "2026-02", origin: "addition", notes: "parent of a spawned sub-agent" },
  { type: "session_meta", field: "payload.runtime_workspace_roots", holds: "path-list", since: "0.169", origin: "addition", notes: "workspace roots the thread was started with" },
  // turn_context: what resume restores
  { type: "turn_context", field: "payload.cwd", holds: "path", since: "2025-09-11 (#3444)", origin: "contract" },
  { type: "turn_context", field: "payload.sandbox_policy.writable_roots", holds: "path-list", since: "2025-09-11 (#3444)", origin: "contract", notes: "every root is mapped; none is dropped or replaced by the cwd" },
  { type: "turn_context", field: "payload.sandbox_policy.read_only_access.readable_roots", holds: "path-list", since: "2026-02-11 to 2026-04-24", origin: "addition", notes: "workspace-write read access of that period" },
  { type: "turn_context", field: "payload.sandbox_policy.access.readable_roots", holds: "path-list", since: "2026-02-11 to 2026-04-24", origin: "addition", notes: "read-only access of that period" },
  { type: "turn_context", field: "payload.workspace_roots", holds: "path-list", since: "2026-07", origin: "required" },
  { type: "turn_context", field: `payload.${PERMISSION_ENTRIES}`, holds: "path", since: "2026-04-22", origin: "required", notes: "entries whose path.type is \"path\"; special and glob entries stay" },
  { type: "turn_context", field: "payload.file_system_sandbox_policy.entries[*].path", holds: "path", since: "2026-04-16", origin: "required", notes: "when path is a plain string" },
  { type: "turn_context", field: "payload.file_system_sandbox_policy.entries[*].path[?type=path].path", holds: "path", since: "2026-04-16", origin: "required", notes: "when path is {type: \"path\", path}" },
  // response_item: model-visible history
  { type: "response_item", payloadType: "message", field: "payload[?role=developer].content[*][?type=input_text].text", holds: "text-with-writable-roots", since: "2026-01-12 (#8961)", origin: "addition", notes: "the injected <permissions instructions>: Codex sends it again on resume, so its writable roots follow the project" },
  { type: "response_item", payloadType: "message", field: "payload[?role=user].content[*][?type=input_text].text", holds: "text-with-cwd", since: "2025-08-20 (#2272)", origin: "contract", notes: "the injected <environment_context> block; other text is never touched" },
  { type: "response_item", payloadType: "function_call", field: "payload.arguments@json.workdir", holds: "path", since: "2025", origin: "addition", notes: "inside a JSON string: only the workdir value is replaced in the arguments text" },
  { type: "response_item", payloadType: "local_shell_call", field: "payload.action.working_directory", holds: "path", since: "2025", origin: "addition", notes: "the working directory of a local shell call" },
  // event_msg: UI history and thread events
  { type: "event_msg", payloadType: "user_message", field: "payload.message", holds: "text-with-cwd", since: "2025-09 (#3127)", origin: "required", notes: "environment-context user_message events of 2025-09 to 2025-10-22" },
  { type: "event_msg", payloadType: "thread_settings_applied", field: "payload.thread_settings.cwd", holds: "path", since: "2026-05", origin: "required" },
  { type: "event_msg", payloadType: "thread_settings_applied", field: `payload.thread_settings.${PERMISSION_ENTRIES}`, holds: "path", since: "2026-05", origin: "required" },
  { type: "event_msg", payloadType: "thread_settings_applied", field: "payload.thread_settings.runtime_workspace_roots", holds: "path-list", since: "0.169", origin: "addition", notes: "as session_meta.runtime_workspace_roots" },
  { type: "event_msg", field: "payload.thread_id", holds: "thread-id", since: "2026-01", origin: "required", notes: "any event (item_completed, thread_settings_applied, thread_name_updated, …)" },
  { type: "event_msg", field: "payload.session_id", holds: "thread-id", since: "2026-05", origin: "required", notes: "any event" },
  { type: "event_msg", payloadType: "thread_goal_updated", field: "payload.threadId", holds: "thread-id", since: "2026-07", origin: "addition" },
  { type: "event_msg", payloadType: "sub_agent_activity", field: "payload.agent_thread_id", holds: "thread-id", since: "2026-07", origin: "addition", notes: "a sub-agent thread; mapped when it is in the package" },
  { type: "event_msg", field: "payload.sender_thread_id", holds: "thread-id", since: "2026-02", origin: "addition", notes: "collab_* events" },
  { type: "event_msg", field: "payload.receiver_thread_id", holds: "thread-id", since: "2026-02", origin: "addition", notes: "collab_* events" },
  { type: "event_msg", field: "payload.new_thread_id", holds: "thread-id", since: "2026-02", origin: "addition", notes: "collab_agent_spawn_end" },
  { type: "event_msg", payloadType: "item_completed", field: "payload.item[?type=CommandExecution].cwd", holds: "file-url", since: "0.169", origin: "addition", notes: "a file:// URL in 0.169; the turn history shows it" },
  { type: "event_msg", payloadType: "item_completed", field: "payload.item[?type=FileChange].changes[~]", holds: "path", since: "0.169", origin: "addition", notes: "absolute paths of changed files, as map keys" },
  { type: "event_msg", payloadType: "exec_command_end", field: "payload.cwd", holds: "path", since: "2026-02-12 (#11227)", origin: "addition" },
  { type: "event_msg", payloadType: "patch_apply_end", field: "payload.changes[~]", holds: "path", since: "2025-09", origin: "addition", notes: "absolute paths of changed files, as map keys" },
  // compacted: the history that replaces the model context after compaction
  { type: "compacted", field: "payload.replacement_history[*][?type=message][?role=user].content[*][?type=input_text].text", holds: "text-with-cwd", since: "2025-11-18 (#6795)", origin: "required" },
  // world_state: the model-visible world state
  { type: "world_state", field: "payload.state.environments.environments[*].cwd", holds: "path", since: "2026-06-24 (#29835)", origin: "required", notes: "environments is a map by id (0.169) or an array" },
  { type: "world_state", field: "payload.state.environments.filesystem", holds: "text-with-cwd", whole: true, since: "0.169", origin: "addition", notes: "the <filesystem> fragment of the environment context, as a string" },
  { type: "world_state", field: "payload.state.agents_md.directory", holds: "path", since: "2026-07", origin: "addition", notes: "where AGENTS.md was read" },
  // token_usage_record: per-request usage
  { type: "token_usage_record", field: "payload.thread_id", holds: "thread-id", since: "0.169", origin: "addition" },
  { type: "token_usage_record", field: "payload.session_id", holds: "thread-id", since: "0.169", origin: "addition" }
]

/**
 * Never on the surface, whatever it holds: written in the docs next to the table.
 *
 * @since 0.1.0
 * @category constants
 */
export const neverTouched: ReadonlyArray<string> = [
  "encrypted_content (reasoning, compaction, agent messages): opaque, cannot be rewritten",
  "tool outputs: function_call_output, custom_tool_call_output, exec output, aggregated_output",
  "model and user text other than <environment_context> blocks: messages, reasoning, summaries, the developer message (but for its writable roots line), skills roots, AGENTS.md headers",
  "tool call inputs other than function_call workdir: commands, apply_patch input, parsed_cmd",
  "session_meta.git, base_instructions, dynamic_tools; turn ids, call ids, window ids",
  "lines the schema does not recognise (Unknown, Legacy) and lines that are not JSON"
]
