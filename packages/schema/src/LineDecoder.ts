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

/** @since 0.1.0 @category models */
export class LineDecoder {
  private started = false
  private zstd: Decompress | undefined
  private inflated: Array<Uint8Array> = []
  private readonly text = new TextDecoder("utf-8")
  private pending = ""
  private lineNumber = 0

  /** Decodes a chunk of bytes; answers the lines it completed. */
  pushBytes(bytes: Uint8Array): Array<LineResult> {
    if (!this.started && bytes.length > 0) {
      this.started = true
      if (isZstd(bytes)) this.zstd = new Decompress((data) => void this.inflated.push(data))
    }
    if (this.zstd === undefined) return this.pushText(this.text.decode(bytes, { stream: true }))
    this.inflate(bytes, false)
    return this.drainInflated()
  }

  /** Decodes a chunk of text. */
  pushText(chunk: string): Array<LineResult> {
    const out: Array<LineResult> = []
    let start = 0
    let end = chunk.indexOf("\n")
    if (end === -1) {
      this.pending += chunk
      return out
    }
    out.push(decodeLine(this.pending + chunk.slice(0, end), ++this.lineNumber, true))
    start = end + 1
    end = chunk.indexOf("\n", start)
    while (end !== -1) {
      out.push(decodeLine(chunk.slice(start, end), ++this.lineNumber, true))
      start = end + 1
      end = chunk.indexOf("\n", start)
    }
    this.pending = chunk.slice(start)
    return out
  }

  /** The end of input: the last line, if it had no `\n`. */
  end(): Array<LineResult> {
    const out: Array<LineResult> = []
    if (this.zstd !== undefined) {
      this.inflate(new Uint8Array(0), true)
      append(out, this.drainInflated())
    }
    append(out, this.pushText(this.text.decode()))
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

  private drainInflated(): Array<LineResult> {
    const out: Array<LineResult> = []
    for (const data of this.inflated) append(out, this.pushText(this.text.decode(data, { stream: true })))
    this.inflated = []
    return out
  }
}

const append = <A>(to: Array<A>, from: ReadonlyArray<A>) => {
  for (const a of from) to.push(a)
}
