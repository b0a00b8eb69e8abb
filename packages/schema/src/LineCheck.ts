/**
 * The lines of a rollout that Codex skips when it reads it, found on the bytes as they stream by,
 * without decoding: a non-blank line that is not a JSON object (it does not open with `{` and
 * close with `}`, blanks aside: a torn write, stray text), or that holds a NUL byte (never valid
 * in JSON text: what a crash leaves in a file). A line shaped like an object that still does not
 * parse is not seen here: parsing every line would cost more than the rest of an install.
 *
 * @since 0.1.0
 */
import { Inflater, isZstd } from "./LineDecoder.js"

/** @since 0.1.0 @category models */
export interface SkippedLines {
  /** how many lines Codex would skip */
  readonly count: number
  /** their numbers (1-based), the first {@link KEPT} */
  readonly lines: ReadonlyArray<number>
  /** of them, how many hold a NUL byte */
  readonly nulCount: number
  /** their numbers, the first {@link KEPT} */
  readonly nul: ReadonlyArray<number>
}

/**
 * Line numbers kept of each kind; the rest are counted.
 *
 * @since 0.1.0
 * @category constants
 */
export const KEPT = 100

/** line numbers shown in a message */
const SHOWN = 5

const OPEN = 0x7b
const CLOSE = 0x7d
const isSpace = (byte: number) => byte === 32 || byte === 9 || byte === 13

/**
 * Pushed chunks of a rollout (plain, or zstd recognised by its first bytes), then its
 * {@link SkippedLines}. Keeps no chunk: a caller may reuse its buffer.
 *
 * @since 0.1.0
 * @category models
 */
export class LineCheck {
  private mode: "undecided" | "plain" | "zstd" = "undecided"
  private head: Array<Uint8Array> = []
  private inflater: Inflater | undefined
  private lineNumber: number
  /** the line so far: any byte, its first non-blank byte (-1: none yet), its last one, a NUL */
  private started = false
  private first = -1
  private last = -1
  private nulInLine = false
  /** a byte order mark may open the file */
  private atFileStart: boolean
  private count = 0
  private readonly lines: Array<number> = []
  private nulCount = 0
  private readonly nul: Array<number> = []

  /** `lineOffset`: lines before the input (a suffix of a file), so numbers are the file's */
  constructor(options: { readonly lineOffset?: number | undefined } = {}) {
    this.lineNumber = options.lineOffset ?? 0
    this.atFileStart = this.lineNumber === 0
  }

  /** Throws `CorruptInput` (from `LineDecoder`) for zstd input that does not decompress. */
  push(bytes: Uint8Array): void {
    if (this.mode === "undecided") {
      // zstd is recognised by its first 4 bytes, however the input is cut
      this.head.push(Uint8Array.prototype.slice.call(bytes))
      const head = Buffer.concat(this.head)
      if (head.length < 4) return
      this.head = []
      this.mode = isZstd(head) ? "zstd" : "plain"
      if (this.mode === "zstd") this.inflater = new Inflater()
      bytes = head
    }
    if (this.inflater === undefined) this.plain(view(bytes))
    else for (const data of this.inflater.push(Uint8Array.prototype.slice.call(bytes))) this.plain(view(data))
  }

  /** The end of input (an unterminated last line counts too: Codex reads it). */
  end(): SkippedLines {
    if (this.mode === "undecided" && this.head.length > 0) this.plain(Buffer.concat(this.head))
    if (this.inflater !== undefined) for (const data of this.inflater.push(new Uint8Array(0), true)) this.plain(view(data))
    if (this.started) this.endLine()
    return { count: this.count, lines: this.lines, nulCount: this.nulCount, nul: this.nul }
  }

  private plain(chunk: Buffer): void {
    let nul = chunk.indexOf(0)
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(10, start)
      const end = nl === -1 ? chunk.length : nl
      if (nul !== -1 && nul < start) nul = chunk.indexOf(0, start)
      if (nul !== -1 && nul < end) this.nulInLine = true
      this.segment(chunk, start, end)
      if (nl === -1) return
      this.endLine()
      start = nl + 1
    }
  }

  /** The bytes `[start, end)` of the current line. */
  private segment(chunk: Buffer, start: number, end: number): void {
    let i = start
    if (end > start) this.started = true
    if (this.first === -1) {
      if (this.atFileStart && chunk[i] === 0xef && chunk[i + 1] === 0xbb && chunk[i + 2] === 0xbf) i += 3
      this.atFileStart = false
      while (i < end && isSpace(chunk[i]!)) i++
      if (i === end) return
      this.first = chunk[i]!
    }
    let j = end - 1
    while (j >= i && isSpace(chunk[j]!)) j--
    if (j >= i) this.last = chunk[j]!
  }

  private endLine(): void {
    this.lineNumber++
    // a blank line is no record: Codex passes over it (a NUL is no blank)
    if (this.first !== -1 && (this.first !== OPEN || this.last !== CLOSE || this.nulInLine)) {
      if (this.count++ < KEPT) this.lines.push(this.lineNumber)
      if (this.nulInLine && this.nulCount++ < KEPT) this.nul.push(this.lineNumber)
    }
    this.atFileStart = false
    this.started = this.nulInLine = false
    this.first = this.last = -1
  }
}

/**
 * What was found, in a few words (`lines 5, 7 are not JSON (line 7 holds NUL bytes)`), or
 * `undefined` when every line reads.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describe = (found: SkippedLines): string | undefined => {
  if (found.count === 0) return undefined
  const nul = found.nulCount === 0
    ? ""
    : ` (${found.nulCount === 1 ? "line" : "lines"} ${list(found.nul, found.nulCount)} ${found.nulCount === 1 ? "holds" : "hold"} NUL bytes)`
  return found.count === 1
    ? `line ${found.lines[0]} is not JSON${nul}`
    : `${found.count} lines are not JSON: ${list(found.lines, found.count)}${nul}`
}

const list = (lines: ReadonlyArray<number>, count: number): string =>
  lines.slice(0, SHOWN).join(", ") + (count > SHOWN ? ", …" : "")

const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
