/**
 * The `threads` row Codex would write for a fixture session, read independently of sessionport:
 * the rollout's JSON lines (a `.zst` decoded with node:zlib, or fzstd where node has no zstd),
 * fixtures.json and the file's mtime; the rules are those of Codex's `codex-rs/state` extract
 * (the last turn_context's permission profile or sandbox policy, approval and model; the last
 * token_count; the last memory_mode of the thread's own session_meta).
 */
import { copyFixtureHome, type FixtureSession, openDatabase } from "@sessionport/codex-oracle/Fixtures"
import { createRequire } from "node:module"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"

/** The shared contract: the 25 `threads` columns a baseline installer writes, in order. */
export const BASELINE_COLUMNS = [
  "id",
  "rollout_path",
  "created_at",
  "updated_at",
  "source",
  "model_provider",
  "cwd",
  "title",
  "sandbox_policy",
  "approval_mode",
  "tokens_used",
  "has_user_event",
  "archived",
  "archived_at",
  "git_sha",
  "git_branch",
  "git_origin_url",
  "cli_version",
  "first_user_message",
  "agent_nickname",
  "agent_role",
  "memory_mode",
  "model",
  "reasoning_effort",
  "agent_path"
] as const

/** What sessionport adds to a row it makes, after the 25. */
export const EXTRA_COLUMNS = ["created_at_ms", "updated_at_ms", "preview"] as const

/** The columns an older Codex schema lacks (before migrations 0018, 0020 and 0022). */
export const LATE_COLUMNS = ["memory_mode", "model", "reasoning_effort", "agent_path"] as const

const fzstd = createRequire(createRequire(import.meta.url).resolve("@sessionport/schema/package.json"))("fzstd") as {
  decompress(bytes: Uint8Array): Uint8Array
}
const zstdDecompressSync = (zlib as { zstdDecompressSync?: (bytes: Uint8Array) => Buffer }).zstdDecompressSync

/** A rollout's plain bytes: a `.zst` decompressed. */
export const plainBytes = (file: string): Buffer => {
  const bytes = fs.readFileSync(file)
  if (!file.endsWith(".zst")) return bytes
  return zstdDecompressSync !== undefined ? zstdDecompressSync(bytes) : Buffer.from(fzstd.decompress(bytes))
}

/** Every line of a rollout that is JSON. */
export const rolloutLines = (file: string): Array<Record<string, any>> =>
  plainBytes(file).toString("utf8").split("\n").filter((line) => line.trim() !== "").flatMap((line) => {
    try {
      return [JSON.parse(line)]
    } catch {
      return []
    }
  })

/** What the rollout file itself says: a fork's file holds only its own turn. */
export const firstPromptOf = (s: FixtureSession): string => s.parentId === undefined ? s.prompts[0]! : s.prompts[s.prompts.length - 1]!

const text = (value: unknown) => typeof value === "string" ? value : JSON.stringify(value)
const last = <A>(items: ReadonlyArray<A>): A | undefined => items[items.length - 1]

/** The 25 columns and the extras of a session's row, made from its rollout in `home`. */
export const expectedRow = (home: string, s: FixtureSession): Record<string, unknown> => {
  const file = path.join(home, s.rollout)
  const lines = rolloutLines(file)
  const meta = lines[0]!
  if (meta.type !== "session_meta" || meta.payload.id !== s.threadId) throw new Error(`${file}: no session_meta first`)
  const turns = lines.filter((l) => l.type === "turn_context").map((l) => l.payload)
  const turn = last(turns)
  const tokens = last(lines.filter((l) => l.type === "event_msg" && l.payload.type === "token_count" && l.payload.info != null))
  const memory = last(lines.filter((l) => l.type === "session_meta" && l.payload.id === s.threadId && typeof l.payload.memory_mode === "string"))
  const mtimeMs = fs.statSync(file).mtime.getTime()
  const createdMs = Date.parse(meta.payload.timestamp)
  const prompt = firstPromptOf(s)
  return {
    id: s.threadId,
    rollout_path: file.replace(/\.zst$/, ""),
    created_at: Math.floor(createdMs / 1000),
    updated_at: Math.floor(mtimeMs / 1000),
    source: text(meta.payload.source ?? "vscode"),
    model_provider: meta.payload.model_provider ?? "openai",
    cwd: meta.payload.cwd,
    title: prompt,
    sandbox_policy: turn === undefined
      ? "{\"type\":\"read-only\"}"
      : text(turn.permission_profile ?? turn.sandbox_policy),
    approval_mode: turn === undefined ? "on-request" : text(turn.approval_policy),
    tokens_used: tokens === undefined ? 0 : Math.max(0, tokens.payload.info.total_token_usage.total_tokens),
    has_user_event: lines.some((l) => l.type === "event_msg" && l.payload.type === "user_message") ? 1 : 0,
    archived: s.archived ? 1 : 0,
    archived_at: s.archived ? Math.floor(mtimeMs / 1000) : null,
    git_sha: meta.payload.git?.commit_hash ?? null,
    git_branch: meta.payload.git?.branch ?? null,
    git_origin_url: meta.payload.git?.repository_url ?? null,
    cli_version: meta.payload.cli_version,
    first_user_message: prompt,
    agent_nickname: meta.payload.agent_nickname ?? null,
    agent_role: meta.payload.agent_role ?? null,
    memory_mode: memory?.payload.memory_mode ?? "enabled",
    model: turn?.model ?? null,
    reasoning_effort: turn?.effort ?? null,
    agent_path: meta.payload.agent_path ?? null,
    created_at_ms: createdMs,
    updated_at_ms: mtimeMs,
    preview: prompt
  }
}

/** Only these keys of a row, in their order. */
export const pick = (row: Readonly<Record<string, unknown>>, keys: ReadonlyArray<string>): Record<string, unknown> =>
  Object.fromEntries(keys.map((key) => [key, row[key]]))

/** A copy of the fixture home whose `threads` lacks {@link LATE_COLUMNS}, as before those migrations. */
export const olderSchemaHome = (): string => {
  const home = copyFixtureHome()
  const db = openDatabase(path.join(home, "state_5.sqlite"))
  try {
    for (const column of LATE_COLUMNS) db.exec(`ALTER TABLE threads DROP COLUMN ${column}`)
  } finally {
    db.close()
  }
  return home
}
