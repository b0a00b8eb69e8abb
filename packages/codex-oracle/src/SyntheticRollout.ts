/**
 * Rollout lines and files written by hand, shaped as Codex writes them: for tests that need a
 * case no real session shows, and for benchmarks that need many or large sessions.
 *
 * @since 0.1.0
 */
import { once } from "node:events"
import * as fs from "node:fs"
import * as path from "node:path"
import { writeLines } from "./Fixtures.js"

export const ts = (ms = Date.UTC(2026, 0, 1)) => new Date(ms).toISOString()

export const sessionMeta = (
  fields: { readonly id: string; readonly cwd: string } & Record<string, unknown>
) => ({
  timestamp: ts(),
  type: "session_meta",
  payload: {
    timestamp: ts(),
    originator: "codex_cli_rs",
    cli_version: "0.120.0",
    source: "cli",
    model_provider: "openai",
    ...fields
  }
})

export const userMessage = (message: string, extra: Record<string, unknown> = {}) => ({
  timestamp: ts(),
  type: "event_msg",
  payload: { type: "user_message", message, images: [], local_images: [], text_elements: [], ...extra }
})

export const userItem = (content: ReadonlyArray<unknown>) => ({
  timestamp: ts(),
  type: "event_msg",
  payload: {
    type: "item_completed",
    thread_id: "t",
    turn_id: "u",
    item: { type: "UserMessage", id: "i", content }
  }
})

export const assistant = (text: string) => ({
  timestamp: ts(),
  type: "response_item",
  payload: { type: "message", role: "assistant", content: [{ type: "output_text", text }] }
})

export const userResponseItem = (text: string) => ({
  timestamp: ts(),
  type: "response_item",
  payload: { type: "message", role: "user", content: [{ type: "input_text", text }] }
})

/** `sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl` of a local time given as UTC parts. */
export const rolloutPath = (home: string, id: string, time: Date, archived = false): string => {
  const pad = (n: number) => String(n).padStart(2, "0")
  const [y, m, d] = [time.getUTCFullYear(), pad(time.getUTCMonth() + 1), pad(time.getUTCDate())]
  const name = `rollout-${y}-${m}-${d}T${pad(time.getUTCHours())}-${pad(time.getUTCMinutes())}-${
    pad(time.getUTCSeconds())
  }-${id}.jsonl`
  return archived ? path.join(home, "archived_sessions", name) : path.join(home, "sessions", String(y), m, d, name)
}

export const writeRollout = (
  home: string,
  id: string,
  time: Date,
  lines: ReadonlyArray<unknown>,
  archived = false
): string => {
  const file = rolloutPath(home, id, time, archived)
  writeLines(file, lines)
  return file
}

/** A UUIDv7-looking id from a number, stable across runs. */
export const uuid = (n: number): string => {
  const hex = n.toString(16).padStart(12, "0")
  return `01900000-0000-7000-8000-${hex}`
}

// A synthetic rollout of about `bytes` bytes, written streaming, with the line mix of a real
// 0.125-era session: turn markers, messages, reasoning, tool calls and outputs, token counts.

const pad = (n: number) => "x".repeat(n)

const turn = (i: number): Array<object> => {
  const ts = new Date(Date.UTC(2026, 4, 11, 8, 0, 0) + i * 1000).toISOString()
  const turnId = `019e1625-d031-75e3-a85f-${String(i).padStart(12, "0")}`
  const wrap = (type: string, payload: object) => ({ timestamp: ts, type, payload })
  return [
    wrap("event_msg", { type: "task_started", turn_id: turnId, started_at: 1778488037 + i, model_context_window: 258400, collaboration_mode_kind: "default" }),
    wrap("turn_context", { turn_id: turnId, cwd: "/Users/u/repos/app", approval_policy: "on-request", sandbox_policy: { type: "workspace-write", writable_roots: ["/Users/u/.codex/memories"], network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false }, model: "gpt-5.5", effort: "medium", summary: "none" }),
    wrap("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: `please fix item ${i} ${pad(200)}` }] }),
    wrap("event_msg", { type: "user_message", message: `please fix item ${i}`, images: [], local_images: [], text_elements: [] }),
    wrap("response_item", { type: "reasoning", summary: [{ type: "summary_text", text: pad(300) }], content: null, encrypted_content: pad(1200) }),
    wrap("response_item", { type: "function_call", name: "exec_command", arguments: JSON.stringify({ cmd: `rg -n item${i} src`, workdir: "/Users/u/repos/app" }), call_id: `call_${i}` }),
    wrap("response_item", { type: "function_call_output", call_id: `call_${i}`, output: `Chunk ID: ${i}\nWall time: 0.1s\nProcess exited with code 0\nOutput:\n${pad(1500)}` }),
    wrap("event_msg", { type: "exec_command_end", call_id: `call_${i}`, turn_id: turnId, command: ["/bin/zsh", "-lc", `rg -n item${i} src`], cwd: "/Users/u/repos/app", parsed_cmd: [], source: "unified_exec_startup", stdout: "", stderr: "", aggregated_output: pad(800), exit_code: 0, duration: { secs: 0, nanos: 100 }, formatted_output: "", status: "completed" }),
    wrap("event_msg", { type: "token_count", info: { total_token_usage: { input_tokens: i, cached_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0, total_tokens: i + 5 }, last_token_usage: null, model_context_window: 258400 }, rate_limits: null }),
    wrap("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: `done ${i} ${pad(400)}` }], phase: "final_answer" }),
    wrap("event_msg", { type: "agent_message", message: `done ${i}`, phase: "final_answer" }),
    wrap("event_msg", { type: "task_complete", turn_id: turnId, last_agent_message: `done ${i}`, completed_at: 1778488040 + i, duration_ms: 3000 })
  ]
}

export const generateRollout = async (file: string, bytes: number): Promise<{ lines: number; bytes: number }> => {
  const out = fs.createWriteStream(file)
  const meta = { timestamp: "2026-05-11T08:27:17.490Z", type: "session_meta", payload: { id: "019e1625-789d-76c0-80ab-3724b5ddb799", timestamp: "2026-05-11T08:26:55.042Z", cwd: "/Users/u/repos/app", originator: "codex-tui", cli_version: "0.125.0", source: "cli", model_provider: "openai", base_instructions: { text: pad(20000) } } }
  let written = 0
  let lines = 0
  const write = async (json: object) => {
    const text = JSON.stringify(json) + "\n"
    written += Buffer.byteLength(text)
    lines++
    if (!out.write(text)) await once(out, "drain")
  }
  await write(meta)
  for (let i = 0; written < bytes; i++) for (const line of turn(i)) await write(line)
  out.end()
  await once(out, "finish")
  return { lines, bytes: written }
}
