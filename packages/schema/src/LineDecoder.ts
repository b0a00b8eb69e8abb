/**
 * Bytes in, decoded lines out, synchronously and incrementally: the one implementation behind
 * every reader (streams, and head reads that stop after a few lines). zstd input is recognised
 * by its first bytes and decompressed as it comes; lines split on `\n` only, so a `\r` stays in
 * the raw text; a character split across pushes is carried over. Every line is decoded, so a
 * line over the limit ({@link LineLimit.MAX_LINE_BYTES}) is refused with a `LineTooLong` when it
 * ends, having been counted, not held.
 *
 * @since 0.1.0
 */
import type { Either } from "effect"
import { Decompress } from "fzstd"
import * as LineLimit from "./LineLimit.js"
import { decodeLine, type InvalidLine, type RolloutRecord } from "./RolloutRecord.js"

/** One decoded line, or the typed error of a line that is not JSON. @since 0.1.0 @category models */
export type LineResult = Either.Either<RolloutRecord, InvalidLine>

/**
 * How a decoder turns one line's text into a result (default: a Codex rollout record,
 * `RolloutRecord.decodeLine`; `ClaudeRecord.decodeLine` for Claude Code transcripts).
 *
 * @since 0.2.0
 * @category models
 */
export type DecodeLine<A> = (raw: string, lineNumber: number, terminated: boolean) => Either.Either<A, InvalidLine>

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const

/** True when bytes start with the zstd frame magic number. @since 0.1.0 @category predicates */
export const isZstd = (head: Uint8Array): boolean => ZSTD_MAGIC.every((byte, i) => head[i] === byte)

/** Thrown by {@link LineDecoder} for corrupt compressed input. @since 0.1.0 @category errors */
export class CorruptInput extends Error {}

/**
 * zstd decompression as the input comes: compressed chunks in, the plain chunks they complete
 * out. Keeps what it cannot use yet, so `push` takes a chunk the caller will not reuse (a copy).
 *
 * @since 0.1.0
 * @category models
 */
export class Inflater {
  private out: Array<Uint8Array> = []
  private readonly zstd = new Decompress((data) => void this.out.push(data))

  /** Throws {@link CorruptInput} for bytes that do not decompress. */
  push(bytes: Uint8Array, final = false): Array<Uint8Array> {
    try {
      this.zstd.push(bytes, final)
    } catch (cause) {
      throw new CorruptInput(`zstd: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
    const out = this.out
    this.out = []
    return out
  }
}

const NEWLINE = 10
const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** @since 0.1.0 @category models */
export class LineDecoder<A = RolloutRecord> {
  private started = false
  private zstd: Inflater | undefined
  private inflated: Array<Uint8Array> = []
  /** the text decoder of text input ({@link pushText}) */
  private readonly text = new TextDecoder("utf-8")
  private pending = ""
  /** the unfinished line (copies: a chunk is not kept alive for its tail) */
  private readonly unfinished: LineLimit.UnfinishedLine
  private readonly limit: number
  /** the start of the text, where a byte order mark is dropped (as TextDecoder does) */
  private atStart = true
  private lineNumber = 0
  private readonly decodeLine: DecodeLine<A>

  /**
   * `maxLineBytes`: the longest line decoded (default {@link LineLimit.MAX_LINE_BYTES}); smaller
   * in tests. `decode`: how a line is decoded (default: a Codex rollout record).
   */
  constructor(
    options: { readonly maxLineBytes?: number | undefined; readonly decode?: DecodeLine<A> | undefined } = {}
  ) {
    this.decodeLine = options.decode ?? (decodeLine as unknown as DecodeLine<A>)
    this.limit = options.maxLineBytes ?? LineLimit.MAX_LINE_BYTES
    this.unfinished = new LineLimit.UnfinishedLine({ limit: this.limit })
  }

  /**
   * The bytes of the line not finished yet (decompressed, for zstd input; held up to the limit,
   * counted past it): a reader can give up on an endless line early.
   */
  get unfinishedLineBytes(): number {
    return this.unfinished.length
  }

  /** Decodes a chunk of bytes; answers the lines it completed. */
  pushBytes(bytes: Uint8Array): Array<Either.Either<A, InvalidLine>> {
    return Array.from(this.linesOfBytes(bytes))
  }

  /**
   * The lines a chunk of bytes completes, each decoded (UTF-8, then JSON) only when the
   * iteration reaches it: a reader that needs only the first lines stops early and never decodes
   * the rest. A decoder whose iteration was stopped early must not be used again. Nothing of
   * `bytes` is kept: its memory may be reused once the iteration is over.
   */
  *linesOfBytes(bytes: Uint8Array): Generator<Either.Either<A, InvalidLine>> {
    if (!this.started && bytes.length > 0) {
      this.started = true
      if (isZstd(bytes)) this.zstd = new Inflater()
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
  pushText(chunk: string): Array<Either.Either<A, InvalidLine>> {
    return Array.from(this.linesOfText(chunk))
  }

  private *linesOfText(chunk: string): Generator<Either.Either<A, InvalidLine>> {
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
    for (const line of lines) yield this.decodeText(line, true)
  }

  private decodeText(line: string, terminated: boolean): Either.Either<A, InvalidLine> {
    if (line.length * 3 > this.limit) LineLimit.checkLength(this.lineNumber + 1, Buffer.byteLength(line), this.limit)
    return this.decodeLine(line, ++this.lineNumber, terminated)
  }

  /**
   * Splits UTF-8 bytes on `\n` (never part of a multi-byte character), so each line is decoded
   * on its own, when reached.
   */
  private *linesOfPlain(chunk: Uint8Array): Generator<Either.Either<A, InvalidLine>> {
    const bytes = view(chunk)
    const first = bytes.indexOf(NEWLINE)
    if (first === -1) {
      if (bytes.length > 0) this.unfinished.add(bytes)
      return
    }
    const ends = [first]
    for (let nl = bytes.indexOf(NEWLINE, first + 1); nl !== -1; nl = bytes.indexOf(NEWLINE, nl + 1)) ends.push(nl)
    const last = ends[ends.length - 1]!
    // the carried-over bytes are settled before the first yield
    let head = bytes.subarray(0, first)
    if (this.unfinished.length > 0) {
      this.unfinished.add(head)
      head = this.endUnfinished()
    }
    if (last + 1 < bytes.length) this.unfinished.add(bytes.subarray(last + 1))
    yield this.decodeBytes(head, true)
    for (let i = 1; i < ends.length; i++) yield this.decodeBytes(bytes.subarray(ends[i - 1]! + 1, ends[i]!), true)
  }

  /** the whole unfinished line, now ended (every line is decoded: never passed on) */
  private endUnfinished(): Buffer {
    const end = this.unfinished.end(this.lineNumber + 1)
    return end._tag === "Decode" ? end.bytes : Buffer.concat(end.bytes)
  }

  private decodeBytes(line: Uint8Array, terminated: boolean): Either.Either<A, InvalidLine> {
    LineLimit.checkLength(this.lineNumber + 1, line.length, this.limit)
    return this.decodeLine(this.decodeUtf8(line), ++this.lineNumber, terminated)
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
  end(): Array<Either.Either<A, InvalidLine>> {
    const out: Array<Either.Either<A, InvalidLine>> = []
    if (this.zstd !== undefined) {
      this.inflate(new Uint8Array(0), true)
      for (const line of this.drainInflated()) out.push(line)
    }
    for (const line of this.linesOfText(this.text.decode())) out.push(line)
    if (this.unfinished.length > 0) {
      out.push(this.decodeBytes(this.endUnfinished(), false))
    }
    if (this.pending.length > 0) out.push(this.decodeText(this.pending, false))
    this.pending = ""
    return out
  }

  private inflate(bytes: Uint8Array, final: boolean) {
    for (const data of this.zstd!.push(bytes, final)) this.inflated.push(data)
  }

  private *drainInflated(): Generator<Either.Either<A, InvalidLine>> {
    const ready = this.inflated
    this.inflated = []
    for (const data of ready) yield* this.linesOfPlain(data)
  }
}
