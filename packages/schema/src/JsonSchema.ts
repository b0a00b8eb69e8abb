/**
 * JSON Schema documents generated from the Effect schemas, so tools in any language can
 * validate Codex files and Claude Code transcripts. Published in `docs/json-schema/`; a test
 * fails when they drift.
 *
 * Objects of Codex files and Claude Code transcripts allow additional properties: both add
 * fields often, and this model passes them through. The `actions.v1` document is closed:
 * sessionport writes it.
 *
 * @since 0.1.0
 */
import { JSONSchema, type Schema } from "effect"
import { ActionV1 } from "./Actions.js"
import { ClaudeLine } from "./ClaudeLine.js"
import { HistoryLine } from "./History.js"
import { LegacyJsonSession, LegacyLine } from "./Legacy.js"
import { RolloutLine } from "./RolloutLine.js"
import { SessionIndexLine } from "./SessionIndex.js"

const DIALECT = "http://json-schema.org/draft-07/schema#"

/**
 * Builds one standalone JSON Schema document (draft-07) for a schema. Objects allow additional
 * properties unless `additionalProperties` is `"strict"` (for documents sessionport writes,
 * whose shape is closed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  schema: Schema.Schema.All,
  title: string,
  description: string,
  options: { readonly additionalProperties?: "allow" | "strict" } = {}
): Record<string, unknown> => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {}
  const root = JSONSchema.fromAST(schema.ast, {
    definitions,
    additionalPropertiesStrategy: options.additionalProperties ?? "allow"
  })
  return stripIds({ $schema: DIALECT, title, description, ...root, $defs: sortKeys(definitions) }) as Record<
    string,
    unknown
  >
}

// Effect marks `unknown` with `$id: "/schemas/unknown"` at every use; validators such as Ajv
// refuse a document where one `$id` stands twice, and an `$id` adds nothing here.
const stripIds = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stripIds)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => key !== "$id").map(([key, inner]) => [key, stripIds(inner)])
  )
}

const sortKeys = <A>(record: Record<string, A>): Record<string, A> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)))

/**
 * Every published document, by file name.
 *
 * @since 0.1.0
 * @category constants
 */
export const documents = (): Record<string, Record<string, unknown>> => ({
  "actions-v1.schema.json": make(
    ActionV1,
    "sessionport actions.v1",
    "One completed action of a Codex session, as `session-transfer actions` prints it (one per JSON line). A closed shape: a different one will be actions.v2. See docs/actions-v1.md.",
    { additionalProperties: "strict" }
  ),
  "rollout-line.schema.json": make(
    RolloutLine,
    "Codex rollout line",
    "One line of a Codex rollout file (sessions/YYYY/MM/DD/rollout-*.jsonl) in the {timestamp, type, payload} envelope. Lines of other types exist; readers should pass them through."
  ),
  "legacy-line.schema.json": make(
    LegacyLine,
    "Codex pre-envelope rollout line",
    "One line of a Rust Codex rollout written between 2025-05 and 2025-09: a bare header, a bare response item, or a state marker."
  ),
  "legacy-json-session.schema.json": make(
    LegacyJsonSession,
    "Codex TypeScript CLI session",
    "The whole-session JSON document the TypeScript Codex CLI wrote (2025-04 to 2025-08)."
  ),
  "session-index-line.schema.json": make(
    SessionIndexLine,
    "Codex session_index.jsonl line",
    "One line of CODEX_HOME/session_index.jsonl: a thread name; the newest line per id wins."
  ),
  "claude-line.schema.json": make(
    ClaudeLine,
    "Claude Code transcript line",
    "One line of a Claude Code transcript (CLAUDE_CONFIG_DIR/projects/<encoded cwd>/<sessionId>.jsonl), as Claude Code 2.1.332 writes it: a conversation line (user, assistant, attachment, system) or a metadata line. Lines of other types exist; readers should pass them through."
  ),
  "history-line.schema.json": make(
    HistoryLine,
    "Codex history.jsonl line",
    "One line of CODEX_HOME/history.jsonl: a prompt typed in the TUI."
  )
})
