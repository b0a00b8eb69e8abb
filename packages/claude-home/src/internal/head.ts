/**
 * One pass over a transcript's bytes for what listing and install need of it: its session id,
 * working directory, first prompt, entrypoint and version (from its first lines, parsed), its
 * title lines (`custom-title`, `ai-title`, small lines recognised by their start, anywhere), the
 * time of its first and last timestamped lines, and how many lines it has. Other lines are not
 * parsed, and none is held: memory stays flat whatever the file's size.
 */
import * as fs from "node:fs"

/** @internal */
export interface TranscriptHead {
  readonly sessionId: string | undefined
  readonly cwd: string | undefined
  readonly firstPrompt: string | undefined
  readonly customTitle: string | undefined
  readonly aiTitle: string | undefined
  readonly entrypoint: string | undefined
  readonly version: string | undefined
  readonly firstTimestamp: string | undefined
  readonly lastTimestamp: string | undefined
  readonly lines: number
  /** absolute paths of the files its file history tracks (`realParentDir` + the file's name) */
  readonly trackedFiles: ReadonlyArray<string>
}

/** Lines parsed at the head, at most: the first prompt comes after a few attachments. */
const HEAD_LINES = 400
/** A head line longer than this is not parsed (a pasted file), and a title line longer neither. */
const PARSED_LINE_BYTES = 1024 * 1024
const START_BYTES = 64
const TIMESTAMP = Buffer.from("\"timestamp\":\"")
const NEWLINE = 10

const isTitleLine = (start: string) => start.startsWith("{\"type\":\"custom-title\"") || start.startsWith("{\"type\":\"ai-title\"")
const isFileHistoryLine = (start: string) => start.startsWith("{\"type\":\"file-history-")

/** The tracked file of a file-history entry: its real folder and its name (or path, as tracked). */
const trackedPath = (realParentDir: unknown, name: string): string | undefined => {
  if (typeof realParentDir !== "string" || realParentDir === "") return undefined
  if (name.startsWith("/") || /^[A-Za-z]:[\\/]/.test(name)) return name
  const base = name.split(/[\\/]/).pop() ?? name
  return `${realParentDir}${realParentDir.includes("\\") && !realParentDir.includes("/") ? "\\" : "/"}${base}`
}

const textOf = (content: unknown): string | undefined => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return undefined
  if (content.some((block) => (block as { type?: unknown })?.type === "tool_result")) return undefined
  const text = content.find((block) => (block as { type?: unknown })?.type === "text") as { text?: unknown } | undefined
  return typeof text?.text === "string" ? text.text : undefined
}

/** @internal A prompt Claude would show as the session's first: typed text, not a command's output or a meta line. */
export const promptOf = (line: Record<string, unknown>): string | undefined => {
  if (line.type !== "user" || line.isMeta === true || line.isCompactSummary === true) return undefined
  const text = textOf((line.message as { content?: unknown } | undefined)?.content)?.trim()
  if (text === undefined || text === "" || text.startsWith("<command-") || text.startsWith("<local-command")) return undefined
  return text
}

/** @internal */
export class HeadScanner {
  private sessionId: string | undefined
  private cwd: string | undefined
  private firstPrompt: string | undefined
  private customTitle: string | undefined
  private aiTitle: string | undefined
  private entrypoint: string | undefined
  private version: string | undefined
  private firstTimestamp: string | undefined
  private lastTimestamp: string | undefined
  private lines = 0
  private readonly tracked = new Set<string>()
  /** the line begun in an earlier chunk: kept only while it may be parsed */
  private pending: Array<Buffer> = []
  private pendingLength = 0
  private pendingStart = Buffer.alloc(0)
  /** whether the current line is to be parsed */
  private keep = false

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      this.piece(buf.subarray(start, nl), true)
      start = nl + 1
    }
    if (start < buf.length) this.piece(buf.subarray(start), false)
  }

  end(): TranscriptHead {
    if (this.pendingLength > 0 || this.pending.length > 0) this.finishLine()
    return {
      sessionId: this.sessionId,
      cwd: this.cwd,
      firstPrompt: this.firstPrompt,
      customTitle: this.customTitle,
      aiTitle: this.aiTitle,
      entrypoint: this.entrypoint,
      version: this.version,
      firstTimestamp: this.firstTimestamp,
      lastTimestamp: this.lastTimestamp,
      lines: this.lines,
      trackedFiles: [...this.tracked]
    }
  }

  private piece(bytes: Buffer, ends: boolean): void {
    this.timestampIn(bytes)
    if (this.pendingLength === 0) {
      this.pendingStart = Buffer.from(bytes.subarray(0, START_BYTES))
      const needHead = this.lines < HEAD_LINES &&
        (this.firstPrompt === undefined || this.cwd === undefined || this.sessionId === undefined)
      const start = this.pendingStart.toString("latin1")
      this.keep = needHead || isTitleLine(start) || isFileHistoryLine(start)
    }
    if (this.keep && this.pendingLength + bytes.length <= PARSED_LINE_BYTES) this.pending.push(Buffer.from(bytes))
    else if (this.keep) {
      this.keep = false
      this.pending = []
    }
    this.pendingLength += bytes.length
    if (ends) this.finishLine()
  }

  private finishLine(): void {
    const length = this.pendingLength
    const parts = this.pending
    const start = this.pendingStart.toString("latin1")
    this.pending = []
    this.pendingLength = 0
    if (length === 0 || /^\s*$/.test(start)) return
    this.lines++
    if (!this.keep || parts.length === 0) return
    let line: Record<string, unknown>
    try {
      const parsed = JSON.parse(Buffer.concat(parts, length).toString("utf8"))
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return
      line = parsed
    } catch {
      return
    }
    if (line.type === "file-history-delta") {
      const backup = line.backup as { realParentDir?: unknown } | undefined
      const path = typeof line.trackingPath === "string" ? trackedPath(backup?.realParentDir, line.trackingPath) : undefined
      if (path !== undefined) this.tracked.add(path)
    }
    if (line.type === "file-history-snapshot") {
      const files = (line.snapshot as { trackedFileBackups?: unknown } | undefined)?.trackedFileBackups
      if (typeof files === "object" && files !== null) {
        for (const [name, backup] of Object.entries(files)) {
          const path = trackedPath((backup as { realParentDir?: unknown } | null)?.realParentDir, name)
          if (path !== undefined) this.tracked.add(path)
        }
      }
    }
    if (line.type === "custom-title" && typeof line.customTitle === "string") this.customTitle = line.customTitle
    if (line.type === "ai-title" && typeof line.aiTitle === "string") this.aiTitle = line.aiTitle
    if (this.sessionId === undefined && typeof line.sessionId === "string") this.sessionId = line.sessionId
    if (this.cwd === undefined && typeof line.cwd === "string") this.cwd = line.cwd
    if (this.firstPrompt === undefined) {
      const prompt = promptOf(line)
      if (prompt !== undefined) {
        this.firstPrompt = prompt
        if (typeof line.entrypoint === "string") this.entrypoint = line.entrypoint
      }
    }
    if (this.version === undefined && typeof line.version === "string") this.version = line.version
  }

  /** The first and last `"timestamp":"…"` seen, read from the bytes (a line is not parsed for it). */
  private timestampIn(bytes: Buffer): void {
    let at = bytes.lastIndexOf(TIMESTAMP)
    if (at === -1) return
    const read = (from: number) => {
      const begin = from + TIMESTAMP.length
      const end = bytes.indexOf(34, begin)
      return end === -1 || end - begin > 40 ? undefined : bytes.toString("latin1", begin, end)
    }
    const last = read(at)
    if (last !== undefined) this.lastTimestamp = last
    if (this.firstTimestamp === undefined) {
      at = bytes.indexOf(TIMESTAMP)
      this.firstTimestamp = read(at)
    }
  }
}

/** @internal Scans a transcript on disk (the first `size` bytes of it). */
export const scanFile = (path: string, size?: number): TranscriptHead => {
  const scanner = new HeadScanner()
  const fd = fs.openSync(path, "r")
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024)
    let left = size ?? Number.POSITIVE_INFINITY
    while (left > 0) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, left), null)
      if (n === 0) break
      scanner.push(buffer.subarray(0, n))
      left -= n
    }
  } finally {
    fs.closeSync(fd)
  }
  return scanner.end()
}

/** @internal What a session is called: its custom title, else Claude's own title, else its first prompt. */
export const titleOf = (head: TranscriptHead): string | undefined => head.customTitle ?? head.aiTitle ?? head.firstPrompt
