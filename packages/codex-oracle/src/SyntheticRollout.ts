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

// Text that compresses like real transcripts (words, code, base64 blobs), not like padding:
// benchmarks against gzip would be meaningless on runs of one letter.
const WORDS = "the of and to in is that for it with as was on be at by this had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three"
  .split(" ")
let seed = 12345
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const PROSE = Array.from({ length: 20000 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ")
const BLOB = Buffer.from(Array.from({ length: 48000 }, () => Math.floor(random() * 256))).toString("base64")
const pad = (n: number, at = 0) => PROSE.slice(at % 50000, (at % 50000) + n)
const blob = (n: number, at = 0) => BLOB.slice(at % 30000, (at % 30000) + n)

/** @since 0.1.0 @category models */
export interface SyntheticOptions {
  readonly id?: string
  readonly cwd?: string
  readonly startedAt?: Date
}

const turn = (i: number, cwd: string, start: number): Array<object> => {
  const ts = new Date(start + i * 1000).toISOString()
  const turnId = `019e1625-d031-75e3-a85f-${String(i).padStart(12, "0")}`
  const wrap = (type: string, payload: object) => ({ timestamp: ts, type, payload })
  return [
    wrap("event_msg", { type: "task_started", turn_id: turnId, started_at: Math.floor(start / 1000) + i, model_context_window: 258400, collaboration_mode_kind: "default" }),
    wrap("turn_context", { turn_id: turnId, cwd, approval_policy: "on-request", sandbox_policy: { type: "workspace-write", writable_roots: [cwd], network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false }, model: "gpt-5.5", effort: "medium", summary: "none" }),
    wrap("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: `please fix item ${i} ${pad(200, i * 7)}` }] }),
    wrap("event_msg", { type: "user_message", message: `please fix item ${i}`, images: [], local_images: [], text_elements: [] }),
    wrap("response_item", { type: "reasoning", summary: [{ type: "summary_text", text: pad(300, i * 13) }], content: null, encrypted_content: blob(1200, i * 17) }),
    wrap("response_item", { type: "function_call", name: "exec_command", arguments: JSON.stringify({ cmd: `rg -n item${i} src`, workdir: cwd }), call_id: `call_${i}` }),
    wrap("response_item", { type: "function_call_output", call_id: `call_${i}`, output: `Chunk ID: ${i}\nWall time: 0.1s\nProcess exited with code 0\nOutput:\n${pad(1500, i * 19)}` }),
    wrap("event_msg", { type: "exec_command_end", call_id: `call_${i}`, turn_id: turnId, command: ["/bin/zsh", "-lc", `rg -n item${i} src`], cwd, parsed_cmd: [], source: "unified_exec_startup", stdout: "", stderr: "", aggregated_output: pad(800, i * 23), exit_code: 0, duration: { secs: 0, nanos: 100 }, formatted_output: "", status: "completed" }),
    wrap("event_msg", { type: "token_count", info: { total_token_usage: { input_tokens: i, cached_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0, total_tokens: i + 5 }, last_token_usage: null, model_context_window: 258400 }, rate_limits: null }),
    wrap("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: `done ${i} ${pad(400, i * 29)}` }], phase: "final_answer" }),
    wrap("event_msg", { type: "agent_message", message: `done ${i}`, phase: "final_answer" }),
    wrap("event_msg", { type: "task_complete", turn_id: turnId, last_agent_message: `done ${i}`, completed_at: Math.floor(start / 1000) + i + 3, duration_ms: 3000 })
  ]
}

/**
 * A synthetic rollout of about `bytes` bytes, written streaming, with the line mix of a real
 * 0.125-era session (legacy history: `user_message` events, so Codex lists it): turn markers,
 * messages, reasoning, tool calls and outputs, token counts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateRollout = async (
  file: string,
  bytes: number,
  options: SyntheticOptions = {}
): Promise<{ lines: number; bytes: number }> => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const out = fs.createWriteStream(file)
  const cwd = options.cwd ?? "/Users/u/repos/app"
  const start = (options.startedAt ?? new Date(Date.UTC(2026, 4, 11, 8, 0, 0))).getTime()
  const meta = { timestamp: new Date(start).toISOString(), type: "session_meta", payload: { id: options.id ?? "019e1625-789d-76c0-80ab-3724b5ddb799", timestamp: new Date(start).toISOString(), cwd, originator: "codex-tui", cli_version: "0.125.0", source: "cli", model_provider: "openai", base_instructions: { text: pad(20000) } } }
  let written = 0
  let lines = 0
  const write = async (json: object) => {
    const text = JSON.stringify(json) + "\n"
    written += Buffer.byteLength(text)
    lines++
    if (!out.write(text)) await once(out, "drain")
  }
  await write(meta)
  for (let i = 0; written < bytes; i++) for (const line of turn(i, cwd, start)) await write(line)
  out.end()
  await once(out, "finish")
  return { lines, bytes: written }
}
