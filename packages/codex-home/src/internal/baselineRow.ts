/**
 * @internal
 * The `threads` row a package carries, as the baseline tools (codex-session-transfer and
 * codex-session-sync) read it: they write exactly {@link BASELINE_COLUMNS}, each read as
 * `row[column]`, and find the rollout as `sessions/<basename(rollout_path)>`, plain JSONL. A row
 * Codex never wrote (no database), or wrote before a migration added a column, gets the value
 * Codex itself would store (`codex-rs/state` `extract.rs`, `ThreadMetadataBuilder`, the
 * backfill), read from the rollout in one pass ({@link RowScanner}).
 */
import { FileChunks } from "@sessionport/package-format"
import { LineDecoder, LineLimit, RolloutRecord, UserPrompt } from "@sessionport/schema"
import * as nodeFs from "node:fs"
import type { SessionInfo } from "../SessionCatalog.js"

/** @internal The 25 `threads` columns the baseline installers write, in their order. */
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

/** @internal `SandboxPolicy::new_read_only_policy()` as Codex stores it: a thread with no turn_context. */
export const READ_ONLY_POLICY = "{\"type\":\"read-only\"}"

/** @internal `AskForApproval::OnRequest`, the builder's default. */
export const DEFAULT_APPROVAL_MODE = "on-request"

/** @internal Codex's default provider, for a session_meta without `model_provider`. */
export const DEFAULT_MODEL_PROVIDER = "openai"

/** @internal `threads.memory_mode`'s default. */
export const DEFAULT_MEMORY_MODE = "enabled"

/**
 * @internal
 * `session_meta.source` as Codex stores it (`enum_to_string`): a string as it is, any other
 * variant as compact JSON (`{"subagent":"review"}`); missing, serde's default `vscode`.
 */
export const sourceText = (source: unknown): string =>
  source === undefined || source === null ? "vscode" : jsonText(source)

/** a string as it is, anything else as compact JSON (Codex's `enum_to_string`) */
const jsonText = (value: unknown): string => typeof value === "string" ? value : JSON.stringify(value)

/** @internal A rollout path or name without a trailing `.zst`: the plain `.jsonl` a package carries. */
export const plainPath = (file: string): string => file.endsWith(".zst") ? file.slice(0, -".zst".length) : file

/** @internal What {@link RowScanner} read from a whole rollout. */
export interface RowScan {
  /** the last turn_context's `permission_profile` (July 2026+), else its `sandbox_policy` */
  readonly sandboxPolicy: string | undefined
  readonly approvalMode: string | undefined
  readonly model: string | undefined
  /** the last turn_context's `effort`: null when it has none */
  readonly reasoningEffort: string | null | undefined
  /** the last token_count with `info` */
  readonly tokensUsed: number | undefined
  /** an `event_msg/user_message` anywhere */
  readonly hasUserEvent: boolean
  /** the last one of a session_meta of this thread (a fork carries its parent's too) */
  readonly memoryMode: string | undefined
  readonly agentPath: string | undefined
  readonly firstTurnCwd: string | undefined
  /** the first real prompt, `UserPrompt` as everywhere (`"[Image]"` for images only) */
  readonly firstUserMessage: string | undefined
  /** the first prompt with text: an image-only one gives no title */
  readonly title: string | undefined
}

type Json = { readonly [key: string]: unknown }

const asObject = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value as Json : undefined

// a line holding none of these cannot change the row, and is not decoded (`\u`: an escaped name)
const NEEDLES = ["session_meta", "turn_context", "token_count", "user_message", "UserMessage", "\\u"].map((n) =>
  Buffer.from(n)
)
const OVERLAP = Math.max(...NEEDLES.map((n) => n.length)) - 1
const mayMatter = (bytes: Buffer): boolean => NEEDLES.some((needle) => bytes.includes(needle))

const NEWLINE = 10

const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * @internal
 * A synchronous fold over a rollout's plain bytes, pushed chunk by chunk (kept by nothing, so a
 * read buffer may be reused). Lines are split on `\n` and held up to the decoding limit
 * (`LineLimit`); a longer line is skipped, never refused: the export copies it as it is, and
 * such lines are tool outputs, not the small lines read here. Lines that are not JSON are
 * skipped, as Codex skips them.
 */
export class RowScanner {
  private readonly unfinished = new LineLimit.UnfinishedLine({ mayNeedDecoding: mayMatter, overlap: OVERLAP })
  private lineNumber = 0
  private sandboxPolicy: string | undefined
  private approvalMode: string | undefined
  private model: string | undefined
  private reasoningEffort: string | null | undefined
  private tokensUsed: number | undefined
  private hasUserEvent = false
  private memoryMode: string | undefined
  private agentPath: string | undefined
  private firstTurnCwd: string | undefined
  private firstUserMessage: string | undefined
  private title: string | undefined

  constructor(private readonly threadId: string) {}

  push(chunk: Uint8Array): void {
    const bytes = view(chunk)
    let start = 0
    if (this.unfinished.length > 0) {
      const nl = bytes.indexOf(NEWLINE)
      this.unfinished.add(nl === -1 ? bytes : bytes.subarray(0, nl))
      if (nl === -1) return
      this.endUnfinished()
      start = nl + 1
    }
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      this.lineNumber++
      const line = bytes.subarray(start, nl)
      if (line.length <= LineLimit.MAX_LINE_BYTES && mayMatter(line)) this.line(line)
      start = nl + 1
    }
    if (start < bytes.length) this.unfinished.add(bytes.subarray(start))
  }

  /** The end of the rollout (a last line without `\n` counts, as for Codex). */
  end(): RowScan {
    if (this.unfinished.length > 0) this.endUnfinished()
    return {
      sandboxPolicy: this.sandboxPolicy,
      approvalMode: this.approvalMode,
      model: this.model,
      reasoningEffort: this.reasoningEffort,
      tokensUsed: this.tokensUsed,
      hasUserEvent: this.hasUserEvent,
      memoryMode: this.memoryMode,
      agentPath: this.agentPath,
      firstTurnCwd: this.firstTurnCwd,
      firstUserMessage: this.firstUserMessage,
      title: this.title
    }
  }

  private endUnfinished(): void {
    this.lineNumber++
    try {
      const end = this.unfinished.end(this.lineNumber)
      if (end._tag === "Decode") this.line(end.bytes)
    } catch (error) {
      if (!(error instanceof LineLimit.LineTooLong)) throw error
    }
  }

  private line(bytes: Buffer): void {
    let raw = bytes.toString("utf8")
    if (raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1)
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      return
    }
    const json = asObject(parsed)
    const payload = asObject(json?.payload)
    if (json === undefined || payload === undefined) return
    if (json.type === "session_meta") this.sessionMeta(payload)
    else if (json.type === "turn_context") this.turnContext(payload)
    else if (json.type === "event_msg") this.event(json, payload, raw)
  }

  private sessionMeta(meta: Json): void {
    // Codex ignores the session_meta of another thread (a fork carries its parent's)
    if (meta.id !== this.threadId) return
    if (typeof meta.memory_mode === "string") this.memoryMode = meta.memory_mode
    if (typeof meta.agent_path === "string") this.agentPath = meta.agent_path
  }

  private turnContext(context: Json): void {
    if (typeof context.cwd === "string" && context.cwd !== "") this.firstTurnCwd ??= context.cwd
    const profile = context.permission_profile
    if (profile !== undefined && profile !== null) this.sandboxPolicy = jsonText(profile)
    else if (context.sandbox_policy !== undefined && context.sandbox_policy !== null) {
      this.sandboxPolicy = jsonText(context.sandbox_policy)
    }
    if (context.approval_policy !== undefined && context.approval_policy !== null) {
      this.approvalMode = jsonText(context.approval_policy)
    }
    if (typeof context.model === "string") this.model = context.model
    this.reasoningEffort = typeof context.effort === "string" ? context.effort : null
  }

  private event(json: Json, payload: Json, raw: string): void {
    if (payload.type === "token_count") {
      const total = asObject(asObject(asObject(payload.info)?.total_token_usage))?.total_tokens
      if (typeof total === "number") this.tokensUsed = Math.max(0, total)
      return
    }
    if (payload.type === "user_message") this.hasUserEvent = true
    if (this.title !== undefined || (payload.type !== "user_message" && payload.type !== "item_completed")) return
    const prompt = UserPrompt.fromRecord({
      lineNumber: this.lineNumber,
      raw,
      terminated: true,
      entry: RolloutRecord.decodeJson(json)
    })
    if (prompt === undefined) return
    this.firstUserMessage ??= prompt
    if (prompt !== UserPrompt.IMAGE_PLACEHOLDER) this.title = prompt
  }
}

/** one read buffer for every scan: a scan never yields between its reads */
const scanBuffer = Buffer.allocUnsafe(FileChunks.CHUNK_SIZE)

/**
 * @internal
 * Scans the first `size` bytes of a plain rollout (what was listed: a file Codex appends to
 * meanwhile gives the row of the prefix carried). Throws the node error.
 */
export const scanPlainFile = (file: string, size: number, threadId: string): RowScan => {
  const scanner = new RowScanner(threadId)
  if (size > 0) for (const chunk of FileChunks.open(file, { length: size, buffer: scanBuffer })) scanner.push(chunk)
  return scanner.end()
}

/** @internal Whether a row lacks a baseline column (no row at all: all of them). */
export const isIncomplete = (row: Readonly<Record<string, unknown>> | undefined): boolean =>
  row === undefined || BASELINE_COLUMNS.some((column) => !(column in row))

const seconds = (ms: number) => Math.floor(ms / 1000)

/**
 * @internal
 * The row Codex would write for a session it never indexed: the 25 baseline columns in their
 * order, then the `created_at_ms`, `updated_at_ms` and `preview` of newer schemas. The head is
 * the first session_meta; `rollout_path` is the plain path (a `.jsonl.zst` travels as its
 * `.jsonl`); `updated_at` and an archived thread's `archived_at` are the file's mtime, as for
 * Codex's backfill.
 */
export const synthesize = (session: SessionInfo, scan: RowScan): Record<string, unknown> => {
  const head = session.head
  const startMs = Date.parse(head.timestamp)
  const createdMs = Number.isFinite(startMs) ? startMs : session.file.fileTime.getTime()
  const updatedMs = session.lastActivity.getTime()
  const firstUserMessage = scan.firstUserMessage ?? ""
  return {
    id: session.threadId,
    rollout_path: plainPath(session.file.path),
    created_at: seconds(createdMs),
    updated_at: seconds(updatedMs),
    source: sourceText(head.source),
    model_provider: head.modelProvider ?? DEFAULT_MODEL_PROVIDER,
    // kept as written: Codex canonicalizes only a folder that exists on its machine
    cwd: head.cwd !== "" ? head.cwd : scan.firstTurnCwd ?? "",
    title: scan.title ?? "",
    sandbox_policy: scan.sandboxPolicy ?? READ_ONLY_POLICY,
    approval_mode: scan.approvalMode ?? DEFAULT_APPROVAL_MODE,
    tokens_used: scan.tokensUsed ?? 0,
    // Codex has not written this since early 2026 (it stays 0 there); the January 2026 builds
    // set it on a user_message event and listed only such threads. Inferred, not read in a
    // build: 1 when the rollout has one, which later builds ignore.
    has_user_event: scan.hasUserEvent ? 1 : 0,
    archived: session.archived ? 1 : 0,
    archived_at: session.archived ? seconds(updatedMs) : null,
    git_sha: head.git?.commitHash ?? null,
    git_branch: head.git?.branch ?? null,
    git_origin_url: head.git?.repositoryUrl ?? null,
    cli_version: head.cliVersion,
    first_user_message: firstUserMessage,
    agent_nickname: head.agentNickname ?? null,
    agent_role: head.agentRole ?? null,
    memory_mode: scan.memoryMode ?? DEFAULT_MEMORY_MODE,
    model: scan.model ?? null,
    reasoning_effort: scan.reasoningEffort ?? null,
    agent_path: scan.agentPath ?? null,
    created_at_ms: createdMs,
    updated_at_ms: updatedMs,
    preview: firstUserMessage
  }
}

/**
 * @internal
 * A database row with the baseline columns it lacks (a schema before the migrations that added
 * them) after its own, which stay as they are; `compute` (the synthesized row) is called only
 * then. A complete row is answered as it is.
 */
export const complete = (
  row: Readonly<Record<string, unknown>>,
  compute: () => Readonly<Record<string, unknown>>
): Readonly<Record<string, unknown>> => {
  if (!isIncomplete(row)) return row
  const made = compute()
  const added: Record<string, unknown> = {}
  for (const column of BASELINE_COLUMNS) if (!(column in row)) added[column] = made[column]
  return { ...row, ...added }
}

/**
 * @internal
 * The row a session travels with: its own (`own`, from the database) completed, else one made
 * from its rollout; `scan` reads the rollout, only when a column is missing. A `rollout_path`
 * ending in `.zst` loses it: the rollout travels as its `.jsonl` (which Codex's row names anyway
 * once it compressed the file).
 */
export const packageRow = (
  session: SessionInfo,
  own: Readonly<Record<string, unknown>> | undefined,
  scan: () => RowScan
): Readonly<Record<string, unknown>> => {
  const row = own === undefined ? synthesize(session, scan()) : complete(own, () => synthesize(session, scan()))
  const rollout = row.rollout_path
  return typeof rollout === "string" && rollout.endsWith(".zst") ? { ...row, rollout_path: plainPath(rollout) } : row
}

/**
 * @internal
 * Writes the first `size` bytes of a `.jsonl.zst` rollout, decompressed, to `target` (a new
 * file), chunk by chunk: memory stays flat. Each plain chunk also goes to `onPlain` (a
 * {@link RowScanner}); `onRead` counts the bytes read from disk. A file without the zstd magic
 * number is copied as it is. Answers the bytes written; throws the node error or
 * `LineDecoder.CorruptInput`.
 */
export const inflateFile = (
  file: string,
  size: number,
  target: string,
  onPlain: ((chunk: Uint8Array) => void) | undefined,
  onRead: (bytes: number) => void
): number => {
  const fd = nodeFs.openSync(target, "wx")
  let written = 0
  try {
    const put = (chunk: Uint8Array) => {
      for (let at = 0; at < chunk.length;) at += nodeFs.writeSync(fd, chunk, at)
      written += chunk.length
      onPlain?.(chunk)
    }
    let inflater: LineDecoder.Inflater | undefined
    let first = true
    // each chunk a buffer of its own: the inflater keeps what it cannot use yet
    for (const chunk of size === 0 ? [] : FileChunks.open(file, { length: size })) {
      if (first) inflater = LineDecoder.isZstd(chunk) ? new LineDecoder.Inflater() : undefined
      first = false
      onRead(chunk.length)
      if (inflater === undefined) put(chunk)
      else for (const plain of inflater.push(chunk)) put(plain)
    }
    if (inflater !== undefined) for (const plain of inflater.push(new Uint8Array(0), true)) put(plain)
  } finally {
    nodeFs.closeSync(fd)
  }
  return written
}
