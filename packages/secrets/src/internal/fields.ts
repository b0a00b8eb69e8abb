/**
 * Where each agent's records hold values that are never scanned (ids and opaque data: nothing
 * to find there, nothing redaction may change), and where a finding is reported but never
 * redacted (`kept`): text tied to a signature, which the provider checks on resume.
 *
 * - `never`: keys, at any depth, whose values are skipped whole; a dotted entry
 *   (`metadata.*.signature`, `*` any one key) matches the end of a value's path;
 * - `objects`: objects recognised by their `type` field: `opaque` fields (relative, dotted)
 *   skipped; when one of `signedBy` holds a non-empty string, the strings under `kept` are
 *   reported with `reason` and never redacted;
 * - `embedded`: keys whose string value is a whole row of the agent as JSON text (OpenCode's
 *   `data_text`, a row that does not round-trip through JSON): scanned as text, and kept when
 *   the row it holds is signed;
 * - everywhere: `data:` URIs (base64 file content, not text) and strings shorter than
 *   {@link MIN_STRING} (no rule can match in them) are skipped.
 *
 * Facts: Codex rollouts, Claude Code transcripts and OpenCode rows as in `fixtures/` and the
 * schemas of `@sessionport/schema` (Claude `ThinkingBlock`, `RedactedThinkingBlock`; OpenCode
 * reasoning parts, whose `metadata` is the AI SDK's provider metadata).
 */

/** An object rule: see the module's doc. */
export interface ObjectRule {
  readonly type: string
  readonly opaque?: ReadonlyArray<string>
  readonly signedBy?: ReadonlyArray<string>
  readonly kept?: ReadonlyArray<string>
  readonly reason?: string
}

/** One agent's fields: see the module's doc. */
export interface AgentFields {
  readonly never: ReadonlyArray<string>
  readonly objects: ReadonlyArray<ObjectRule>
  readonly embedded?: ReadonlyArray<string>
}

/** strings shorter than this are not scanned: the shortest match of any rule is longer */
export const MIN_STRING = 8

export const SIGNED_THINKING = "signed thinking"

// base64 content blocks (Claude image/document `source`, MCP image content)
const BASE64_BLOCKS: ReadonlyArray<ObjectRule> = [
  { type: "base64", opaque: ["data"] },
  { type: "image", opaque: ["data"] }
]

// provider data that signs or encrypts reasoning (AI SDK provider metadata, as OpenCode keeps it)
const OPENCODE_SIGNATURES = [
  "metadata.*.signature",
  "metadata.*.reasoningEncryptedContent",
  "metadata.*.redactedData",
  "metadata.*.thoughtSignature",
  "metadata.*.encryptedContent"
]

export const fields: Readonly<Record<"codex" | "claude" | "opencode", AgentFields>> = {
  codex: {
    never: [
      "encrypted_content",
      "id",
      "call_id",
      "callId",
      "turn_id",
      "turnId",
      "thread_id",
      "threadId",
      "session_id",
      "response_id",
      "item_id",
      "target_item_id",
      "process_id",
      "window_id",
      "first_window_id",
      "previous_window_id",
      "root_turn_id",
      "parent_thread_id",
      "forked_from_id",
      "new_thread_id",
      "agent_thread_id",
      "receiver_thread_id",
      "sender_thread_id",
      "link_id",
      "event_id"
    ],
    objects: BASE64_BLOCKS
  },
  claude: {
    never: [
      "id",
      "uuid",
      "parentUuid",
      "logicalParentUuid",
      "leafUuid",
      "sessionId",
      "session_id",
      "requestId",
      "promptId",
      "messageId",
      "tool_use_id",
      "toolUseID",
      "sourceToolUseID",
      "sourceToolAssistantUUID",
      "agentId"
    ],
    objects: [
      { type: "thinking", opaque: ["signature"], signedBy: ["signature"], kept: ["thinking"], reason: SIGNED_THINKING },
      { type: "redacted_thinking", opaque: ["data"] },
      ...BASE64_BLOCKS
    ]
  },
  opencode: {
    never: [
      "id",
      "session_id",
      "message_id",
      "project_id",
      "parent_id",
      "workspace_id",
      "sessionID",
      "messageID",
      "partID",
      "parentID",
      "callID",
      "workspaceID",
      ...OPENCODE_SIGNATURES
    ],
    objects: [
      { type: "reasoning", signedBy: OPENCODE_SIGNATURES, kept: ["text"], reason: SIGNED_THINKING },
      ...BASE64_BLOCKS
    ],
    embedded: ["data_text"]
  }
}
