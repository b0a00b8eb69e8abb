import { assert, describe, it } from "@effect/vitest"
import { RolloutLine, RolloutRecord } from "@sessionport/schema"
import { Either, Schema } from "effect"

const ts = "2025-10-01T10:00:00.000Z"
const line = (type: string, payload: unknown, extra: object = {}) => JSON.stringify({ timestamp: ts, type, payload, ...extra })

const decode = (raw: string, lineNumber = 1) => Either.getOrThrow(RolloutRecord.decodeLine(raw, lineNumber))

const assertKnown = (raw: string) => {
  const record = decode(raw)
  assert.strictEqual(
    record.entry._tag,
    "Known",
    record.entry._tag === "Unknown" ? `${record.entry.reason}: ${record.entry.detail}` : undefined
  )
  // and through the Effect schema itself, keeping unknown keys: encode(decode(x)) == x
  const options = { onExcessProperty: "preserve" } as const
  const decoded = Schema.decodeUnknownSync(RolloutLine.RolloutLine, options)(JSON.parse(raw))
  assert.deepStrictEqual(Schema.encodeSync(RolloutLine.RolloutLine, options)(decoded), JSON.parse(raw))
  return record
}

describe("RolloutRecord.decodeLine", () => {
  it("a line that is not JSON is a typed error with its line number", () => {
    const result = RolloutRecord.decodeLine(`{"timestamp":"${ts}","type":"event_msg","payl`, 17)
    assert.isTrue(Either.isLeft(result))
    const error = Either.getLeft(result).pipe((o) => (o._tag === "Some" ? o.value : undefined))!
    assert.instanceOf(error, RolloutRecord.InvalidLine)
    assert.strictEqual(error._tag, "InvalidLine")
    assert.strictEqual(error.lineNumber, 17)
    assert.match(error.message, /^line 17 is not JSON/)
  })

  it("blank lines are kept as Blank", () => {
    assert.strictEqual(decode("").entry._tag, "Blank")
    assert.strictEqual(decode("   ").entry._tag, "Blank")
  })

  it("an unknown outer type passes through as Unknown with its raw JSON", () => {
    const raw = line("hologram", { beam: [1, 2, { x: null }] }, { ordinal: 4 })
    const record = decode(raw)
    assert.strictEqual(record.entry._tag, "Unknown")
    const entry = record.entry as RolloutRecord.UnknownEntry
    assert.strictEqual(entry.reason, "unknown_type")
    assert.strictEqual(entry.type, "hologram")
    assert.deepStrictEqual(RolloutRecord.encodeEntry(entry), JSON.parse(raw))
  })

  it("an unknown event or response item type passes through", () => {
    const event = decode(line("event_msg", { type: "teleport_end", where: "/x" })).entry as RolloutRecord.UnknownEntry
    assert.deepStrictEqual([event._tag, event.reason, event.payloadType], ["Unknown", "unknown_payload_type", "teleport_end"])
    const item = decode(line("response_item", { type: "hologram_call", id: "h" })).entry as RolloutRecord.UnknownEntry
    assert.deepStrictEqual([item._tag, item.reason, item.payloadType], ["Unknown", "unknown_payload_type", "hologram_call"])
  })

  it("a known type with changed fields passes through and says what did not match", () => {
    const raw = line("event_msg", { type: "task_started", turn_id: "t", started_at: "not seconds" })
    const entry = decode(raw).entry as RolloutRecord.UnknownEntry
    assert.strictEqual(entry.reason, "shape_mismatch")
    assert.match(entry.detail!, /payload\.started_at/)
    assert.deepStrictEqual(RolloutRecord.encodeEntry(entry), JSON.parse(raw))
  })

  it("fields this version does not know stay on a known line", () => {
    const raw = line("event_msg", { type: "agent_message", message: "hi", brand_new: { deep: [1] } })
    const record = assertKnown(raw)
    assert.deepStrictEqual(RolloutRecord.encodeEntry(record.entry as RolloutRecord.KnownEntry), JSON.parse(raw))
  })
})

describe("every era", () => {
  it("session_meta of 2025-09 (instructions, no source) and 2026-07 (session_id, history_mode, ordinal)", () => {
    assertKnown(line("session_meta", {
      id: "5973b6c0-94b8-487b-a530-2aeb6098ae0e",
      timestamp: ts,
      cwd: "/Users/a/p",
      originator: "codex_cli_rs",
      cli_version: "0.42.0",
      instructions: null,
      git: { commit_hash: "abc", branch: "main", repository_url: "git@x:y.git" }
    }))
    const meta = assertKnown(line("session_meta", {
      session_id: "019f0000-0000-7000-8000-000000000001",
      id: "019f0000-0000-7000-8000-000000000002",
      parent_thread_id: "019f0000-0000-7000-8000-000000000001",
      timestamp: ts,
      cwd: "C:\\Users\\a\\Documents\\p",
      originator: "codex-tui",
      cli_version: "0.146.0",
      source: { subagent: { thread_spawn: { parent_thread_id: "x", depth: 1 } } },
      model_provider: null,
      history_mode: "paginated",
      history_base: { thread_id: "p", end_ordinal_exclusive: 10, end_byte_offset: 2048 },
      dynamic_tools: [{ name: "t", description: "d", input_schema: {} }]
    }, { ordinal: 0 }))
    assert.strictEqual((meta.entry as RolloutRecord.KnownEntry).line.type, "session_meta")
  })

  it("an unknown history_mode is not a known session_meta (Codex cannot read it)", () => {
    const entry = decode(line("session_meta", {
      id: "i", timestamp: ts, cwd: "/p", originator: "o", cli_version: "1", history_mode: "default"
    })).entry
    assert.strictEqual(entry._tag, "Unknown")
  })

  it("turn_context with sandbox_policy tagged `mode` (before 2025-11) and `type` (after)", () => {
    const base = { cwd: "/p", approval_policy: "on-request", model: "gpt-5", effort: "medium", summary: "auto" }
    assertKnown(line("turn_context", {
      ...base,
      sandbox_policy: { mode: "workspace-write", writable_roots: ["/p"], network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false }
    }))
    assertKnown(line("turn_context", { ...base, sandbox_policy: { mode: "read-only" } }))
    assertKnown(line("turn_context", { ...base, sandbox_policy: { type: "external-sandbox", network_access: "restricted" } }))
    assertKnown(line("turn_context", {
      ...base,
      turn_id: "t",
      approval_policy: { granular: { sandbox_approval: true } },
      sandbox_policy: { type: "read-only", access: { type: "restricted", include_platform_defaults: true, readable_roots: [] }, network_access: true },
      workspace_roots: ["/p"],
      permission_profile: { type: "managed", file_system: { type: "restricted", entries: [] }, network: "restricted" }
    }))
  })

  it("response items: ids present (2025), absent, and with 2026 metadata", () => {
    assertKnown(line("response_item", { type: "message", id: "msg_1", role: "user", content: [{ type: "input_text", text: "hi" }] }))
    assertKnown(line("response_item", {
      type: "message",
      role: "assistant",
      content: [{ type: "output_text", text: "ok" }],
      phase: "final_answer",
      metadata: { turn_id: "t" },
      internal_chat_message_metadata_passthrough: { turn_id: "t" }
    }))
    assertKnown(line("response_item", { type: "reasoning", summary: [], content: null, encrypted_content: "gAAA" }))
    assertKnown(line("response_item", {
      type: "local_shell_call",
      call_id: "c",
      status: "completed",
      action: { type: "exec", command: ["ls"], timeout_ms: 1000, working_directory: "/p", env: null, user: null }
    }))
    assertKnown(line("response_item", { type: "function_call", name: "shell", arguments: "{\"command\":[\"ls\"]}", call_id: "c" }))
    assertKnown(line("response_item", { type: "function_call_output", call_id: "c", output: "{\"output\":\"a\",\"metadata\":{\"exit_code\":0}}" }))
    assertKnown(line("response_item", {
      type: "function_call_output",
      call_id: "c",
      output: [{ type: "input_text", text: "a" }, { type: "input_image", image_url: "data:," }]
    }))
    assertKnown(line("response_item", { type: "custom_tool_call", call_id: "c", name: "apply_patch", input: "*** Begin Patch", status: "completed" }))
    assertKnown(line("response_item", { type: "custom_tool_call_output", call_id: "c", output: "ok" }))
    assertKnown(line("response_item", { type: "web_search_call", status: "completed", action: { type: "search", query: "q" } }))
    assertKnown(line("response_item", { type: "image_generation_call", id: "ig", status: "completed", result: "iVBOR" }))
    assertKnown(line("response_item", { type: "ghost_snapshot", ghost_commit: { id: "g", parent: null, preexisting_untracked_files: [], preexisting_untracked_dirs: [] } }))
    assertKnown(line("response_item", { type: "compaction", encrypted_content: "gAAA" }))
    assertKnown(line("response_item", { type: "compaction_summary", encrypted_content: "gAAA" }))
    assertKnown(line("response_item", { type: "context_compaction" }))
    assertKnown(line("response_item", { type: "agent_message", author: "a", recipient: "b", content: [{ type: "encrypted_content", encrypted_content: "x" }] }))
    assertKnown(line("response_item", { type: "tool_search_call", call_id: "c", execution: "local", arguments: { query: "x" } }))
  })

  it("events of every era", () => {
    const events: ReadonlyArray<object> = [
      { type: "user_message", message: "hi", kind: "plain", images: null },
      { type: "user_message", message: "hi", images: [], local_images: ["/p/a.png"], text_elements: [] },
      { type: "agent_message", message: "ok" },
      { type: "agent_reasoning", text: "t" },
      { type: "agent_reasoning_raw_content", text: "t" },
      { type: "token_count", info: null, rate_limits: { primary_used_percent: 1 } },
      { type: "task_started", model_context_window: 1000 },
      { type: "turn_started", turn_id: "t", started_at: 1778488037 },
      { type: "task_complete", turn_id: "t", last_agent_message: null, completed_at: 1778488052, duration_ms: 15481 },
      { type: "turn_aborted", reason: "interrupted" },
      { type: "context_compacted" },
      { type: "entered_review_mode", target: { type: "uncommittedChanges" } },
      { type: "exited_review_mode", review_output: null },
      { type: "thread_rolled_back", num_turns: 2 },
      { type: "undo_completed", success: true },
      { type: "thread_name_updated", thread_id: "t", thread_name: "n" },
      { type: "item_completed", thread_id: "t", turn_id: "u", item: { type: "Plan", id: "p", text: "x" } },
      { type: "patch_apply_end", call_id: "c", success: true, changes: { "/p/a": { add: { content: "x" } } } },
      { type: "patch_apply_end", call_id: "c", success: true, changes: { "/p/a": { type: "update", unified_diff: "@@", move_path: null } }, status: "completed" },
      { type: "mcp_tool_call_end", call_id: "c", invocation: { server: "s", tool: "t", arguments: {} }, duration: { secs: 0, nanos: 1 }, result: { Err: "no" } },
      { type: "exec_command_end", call_id: "c", command: ["ls"], cwd: "/p", exit_code: 2, duration: { secs: 1, nanos: 0 }, aggregated_output: "x" },
      { type: "web_search_end", call_id: "c", query: "q", action: { type: "search", query: "q" } },
      { type: "thread_settings_applied", thread_settings: { cwd: "/p", model: "m" } },
      { type: "image_generation_end", call_id: "c" },
      { type: "collab_agent_spawn_end", anything: 1 }
    ]
    for (const event of events) assertKnown(line("event_msg", event))
  })

  it("compacted (2025 message only, 2026 remote with windows), world_state, token_usage_record", () => {
    assertKnown(line("compacted", { message: "summary" }))
    assertKnown(line("compacted", {
      message: "",
      replacement_history: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "x" }] },
        { type: "compaction", encrypted_content: "gAAA" },
        { type: "some_future_item", x: 1 }
      ],
      window_number: 2,
      window_id: "w2",
      previous_window_id: "w1",
      first_window_id: "w1"
    }))
    assertKnown(line("world_state", { full: true, state: { environments: { cwd: "/p" } } }))
    assertKnown(line("token_usage_record", { input_tokens: 1 }))
    assertKnown(line("inter_agent_communication_metadata", { trigger_turn: false }))
  })
})

describe("the pre-envelope format (2025-05 to 2025-09)", () => {
  const cases = [
    { id: "5973b6c0-94b8-487b-a530-2aeb6098ae0e", timestamp: "2025-08-20T13:20:47.060Z", instructions: null },
    { id: "5973b6c0-94b8-487b-a530-2aeb6098ae0e", timestamp: "2025-08-20T13:20:47.060Z", instructions: "x", git: { commit_hash: "a", branch: "main", repository_url: "u" } },
    { record_type: "state" },
    { type: "message", id: null, role: "user", content: [{ type: "input_text", text: "hi" }] },
    { type: "function_call", name: "shell", arguments: "{}", call_id: "c" },
    { type: "function_call_output", call_id: "c", output: "{\"output\":\"\"}" },
    { type: "reasoning", id: "rs_1", summary: [] }
  ]
  it("decodes headers, bare items and state markers as Legacy, losslessly", () => {
    for (const json of cases) {
      const raw = JSON.stringify(json)
      const record = decode(raw)
      assert.strictEqual(record.entry._tag, "Legacy", raw)
      assert.deepStrictEqual(RolloutRecord.encodeEntry(record.entry as RolloutRecord.LegacyEntry), json)
    }
  })
})
