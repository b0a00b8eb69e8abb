/**
 * Bytes in, decoded lines out, synchronously and incrementally: the one implementation behind
 * every reader (streams, and head reads that stop after a few lines). zstd input is recognised
 * by its first bytes and decompressed as it comes; lines split on `\n` only, so a `\r` stays in
 * the raw text; a character split across pushes is carried over.
 *
 * @since 0.1.0
 */
import type { Either } from "effect"
import { Decompress } from "fzstd"
import { decodeLine, type InvalidLine, type RolloutRecord } from "./RolloutRecord.js"

/** One decoded line, or the typed error of a line that is not JSON. @since 0.1.0 @category models */
export type LineResult = Either.Either<RolloutRecord, InvalidLine>

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const

/** True when bytes start with the zstd frame magic number. @since 0.1.0 @category predicates */
export const isZstd = (head: Uint8Array): boolean => ZSTD_MAGIC.every((byte, i) => head[i] === byte)

/** Thrown by {@link LineDecoder} for corrupt compressed input. @since 0.1.0 @category errors */
export class CorruptInput extends Error {}

const NEWLINE = 10
const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** @since 0.1.0 @category models */
export class LineDecoder {
  private started = false
  private zstd: Decompress | undefined
  private inflated: Array<Uint8Array> = []
  /** the text decoder of text input ({@link pushText}) */
  private readonly text = new TextDecoder("utf-8")
  private pending = ""
  /** the bytes of the unfinished line (copies: a chunk is not kept alive for its tail) */
  private pendingBytes: Array<Uint8Array> = []
  /** the start of the text, where a byte order mark is dropped (as TextDecoder does) */
  private atStart = true
  private lineNumber = 0

  /** Decodes a chunk of bytes; answers the lines it completed. */
  pushBytes(bytes: Uint8Array): Array<LineResult> {
    return Array.from(this.linesOfBytes(bytes))
  }

  /**
   * The lines a chunk of bytes completes, each decoded (UTF-8, then JSON) only when the
   * iteration reaches it: a reader that needs only the first lines stops early and never decodes
   * the rest. A decoder whose iteration was stopped early must not be used again. Nothing of
   * `bytes` is kept: its memory may be reused once the iteration is over.
   */
  *linesOfBytes(bytes: Uint8Array): Generator<LineResult> {
    if (!this.started && bytes.length > 0) {
      this.started = true
      if (isZstd(bytes)) this.zstd = new Decompress((data) => void this.inflated.push(data))
    }
    if (this.zstd === undefined) {
      yield* this.linesOfPlain(bytes)
      return
    }
    // the zstd decoder keeps what it cannot use yet: a copy, so the caller may reuse its chunk
    this.inflate(Uint8Array.prototype.slice.call(bytes), false)
    yield* this.drainInflated()
  }

  /** Decodes a chunk of text. */
  pushText(chunk: string): Array<LineResult> {
    return Array.from(this.linesOfText(chunk))
  }

  private *linesOfText(chunk: string): Generator<LineResult> {
    let end = chunk.indexOf("\n")
    if (end === -1) {
      this.pending += chunk
      return
    }
    const first = this.pending + chunk.slice(0, end)
    let start = end + 1
    end = chunk.indexOf("\n", start)
    // the carried-over text is settled before the first yield, so stopping early is safe
    const lines = [first]
    while (end !== -1) {
      lines.push(chunk.slice(start, end))
      start = end + 1
      end = chunk.indexOf("\n", start)
    }
    this.pending = chunk.slice(start)
    for (const line of lines) yield decodeLine(line, ++this.lineNumber, true)
  }

  /**
   * Splits UTF-8 bytes on `\n` (never part of a multi-byte character), so each line is decoded
   * on its own, when reached.
   */
  private *linesOfPlain(chunk: Uint8Array): Generator<LineResult> {
    const bytes = view(chunk)
    const first = bytes.indexOf(NEWLINE)
    if (first === -1) {
      if (bytes.length > 0) this.pendingBytes.push(Uint8Array.prototype.slice.call(bytes))
      return
    }
    const ends = [first]
    for (let nl = bytes.indexOf(NEWLINE, first + 1); nl !== -1; nl = bytes.indexOf(NEWLINE, nl + 1)) ends.push(nl)
    const last = ends[ends.length - 1]!
    const carried = this.pendingBytes
    // the carried-over bytes are settled before the first yield
    this.pendingBytes = last + 1 < bytes.length ? [Uint8Array.prototype.slice.call(bytes, last + 1)] : []
    const head = carried.length === 0 ? bytes.subarray(0, first) : Buffer.concat([...carried, bytes.subarray(0, first)])
    yield decodeLine(this.decodeUtf8(head), ++this.lineNumber, true)
    for (let i = 1; i < ends.length; i++) {
      yield decodeLine(this.decodeUtf8(bytes.subarray(ends[i - 1]! + 1, ends[i]!)), ++this.lineNumber, true)
    }
  }

  private decodeUtf8(line: Uint8Array): string {
    let start = 0
    if (this.atStart) {
      this.atStart = false
      if (line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) start = 3
    }
    return view(line).toString("utf8", start)
  }

  /** The end of input: the last line, if it had no `\n`. */
  end(): Array<LineResult> {
    const out: Array<LineResult> = []
    if (this.zstd !== undefined) {
      this.inflate(new Uint8Array(0), true)
      for (const line of this.drainInflated()) out.push(line)
    }
    for (const line of this.linesOfText(this.text.decode())) out.push(line)
    if (this.pendingBytes.length > 0) {
      out.push(decodeLine(this.decodeUtf8(Buffer.concat(this.pendingBytes)), ++this.lineNumber, false))
      this.pendingBytes = []
    }
    if (this.pending.length > 0) out.push(decodeLine(this.pending, ++this.lineNumber, false))
    this.pending = ""
    return out
  }

  private inflate(bytes: Uint8Array, final: boolean) {
    try {
      this.zstd!.push(bytes, final)
    } catch (cause) {
      throw new CorruptInput(`zstd: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
  }

  private *drainInflated(): Generator<LineResult> {
    const ready = this.inflated
    this.inflated = []
    for (const data of ready) yield* this.linesOfPlain(data)
  }
}
