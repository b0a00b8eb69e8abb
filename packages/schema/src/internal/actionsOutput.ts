/**
 * @internal
 * What a tool call's recorded output says about how the call ended. Codex has written three
 * shapes over time:
 *
 * - 2025 `shell` / `apply_patch`: the output is itself JSON,
 *   `{"output":"…","metadata":{"exit_code":0,"duration_seconds":0.1}}`;
 * - 2026 unified exec (`exec_command`, `write_stdin`): a text header before `Output:`, with
 *   `Process exited with code N` or `Process running with session ID S`, and `Wall time: X seconds`;
 * - `shell_command`, `apply_patch` (late 2025 on) and MCP calls: `Exit code: N` and/or
 *   `Wall time: X seconds` before `Output:`.
 *
 * Only the header is read: text further down is the command's own output and may say anything.
 */

/** @internal */
export interface OutputFacts {
  readonly exitCode: number | null
  readonly durationMs: number | null
  /** unified exec: the process outlived the call and runs on in this session */
  readonly runningSession: string | null
  /** apply_patch's own verdict (`Success. Updated the following files:`) */
  readonly success: boolean
}

const NONE: OutputFacts = { exitCode: null, durationMs: null, runningSession: null, success: false }

const HEADER_LINES = 8

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal seconds (a float) as whole milliseconds */
export const secondsToMs = (seconds: number): number | null =>
  Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null

/** @internal Rust's `Duration` as serialized by Codex: `{secs, nanos}` */
export const durationToMs = (duration: unknown): number | null => {
  if (!isObject(duration) || typeof duration.secs !== "number") return null
  const nanos = typeof duration.nanos === "number" ? duration.nanos : 0
  const ms = Math.round(duration.secs * 1000 + nanos / 1e6)
  return Number.isFinite(ms) && ms >= 0 ? ms : null
}

/**
 * @internal
 * The text of an output: a string, an array of content items (Feb 2026+), or an object with
 * `text` / `content` (seen in tolerant fixtures).
 */
export const outputText = (output: unknown): string | undefined => {
  if (typeof output === "string") return output
  if (Array.isArray(output)) {
    let text = ""
    for (const item of output) if (isObject(item) && typeof item.text === "string") text += item.text
    return text
  }
  if (isObject(output)) {
    if (typeof output.text === "string") return output.text
    if (typeof output.content === "string") return output.content
  }
  return undefined
}

const EXITED = /^Process exited with code (-?\d+)\s*$/
const RUNNING = /^Process running with session ID (\S+)\s*$/
const EXIT_CODE = /^Exit code: (-?\d+)\s*$/
const WALL_TIME = /^Wall time: ([\d.]+) seconds\s*$/

const fromJson = (text: string): OutputFacts | undefined => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(json) || !isObject(json.metadata)) return undefined
  const { duration_seconds, exit_code } = json.metadata
  return {
    exitCode: typeof exit_code === "number" && Number.isInteger(exit_code) ? exit_code : null,
    durationMs: typeof duration_seconds === "number" ? secondsToMs(duration_seconds) : null,
    runningSession: null,
    success: typeof json.output === "string" && json.output.startsWith("Success.")
  }
}

/** @internal */
export const outputFacts = (output: unknown): OutputFacts => {
  const text = outputText(output)
  if (text === undefined || text.length === 0) return NONE
  if (text.charCodeAt(0) === 123 /* { */) {
    const facts = fromJson(text)
    if (facts !== undefined) return facts
  }
  let exitCode: number | null = null
  let durationMs: number | null = null
  let runningSession: string | null = null
  let start = 0
  for (let n = 0; n < HEADER_LINES && start < text.length; n++) {
    let end = text.indexOf("\n", start)
    if (end === -1) end = text.length
    const line = text.slice(start, end)
    start = end + 1
    if (line === "Output:") {
      return { exitCode, durationMs, runningSession, success: text.startsWith("Success.", start) }
    }
    let match = EXITED.exec(line) ?? EXIT_CODE.exec(line)
    if (match !== null) {
      exitCode = Number(match[1])
      continue
    }
    match = RUNNING.exec(line)
    if (match !== null) {
      runningSession = match[1]!
      continue
    }
    match = WALL_TIME.exec(line)
    if (match !== null) durationMs = secondsToMs(Number(match[1]))
  }
  // no `Output:` marker: plain text, the header (if any) still counts
  return { exitCode, durationMs, runningSession, success: text.startsWith("Success.") }
}
