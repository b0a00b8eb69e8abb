import { isUtf8 } from "node:buffer"
import * as crypto from "node:crypto"

/** @internal bytes of one record's print */
export const PRINT_BYTES = 8

/** @internal */
export const sha256 = (data: Uint8Array): Buffer => crypto.hash("sha256", data, "buffer")

/**
 * @internal The head after the first `k` prints: the SHA-256 of those prints, in order. Every
 * prefix has its own head, recomputed from the prints when asked (one hash per session, not
 * one per record, while reading).
 */
export const headAt = (prints: Uint8Array, k: number): Buffer => sha256(prints.subarray(0, k * PRINT_BYTES))

/** @internal Prints in order, in a buffer that grows. */
export class Prints {
  private bytes: Uint8Array
  count: number

  constructor(from?: { readonly prints: Uint8Array; readonly records: number }) {
    this.count = from?.records ?? 0
    this.bytes = new Uint8Array(Math.max(1024, this.count * 2) * PRINT_BYTES)
    if (from !== undefined) this.bytes.set(from.prints.subarray(0, this.count * PRINT_BYTES))
  }

  /** Adds the record whose canonical UTF-8 text is `text`. */
  add(text: Uint8Array): void {
    this.addLatin1(crypto.hash("sha256", text, "binary"))
  }

  /** Adds a record whose print is taken from this SHA-256 of its canonical text. */
  addDigest(digest: Uint8Array): void {
    const at = this.reserve()
    this.bytes.set(digest.subarray(0, PRINT_BYTES), at)
  }

  /** Adds a record given as text (invalid UTF-8 already replaced by U+FFFD). */
  addText(text: string): void {
    // hashed as UTF-8 without a copy of its bytes: a long line's text is big enough already
    this.addLatin1(crypto.hash("sha256", text, "binary"))
  }

  /**
   * A digest as a Latin-1 (`binary`) string, a char a byte: half the cost of one as a buffer,
   * which is a native allocation per record.
   */
  private addLatin1(digest: string): void {
    const at = this.reserve()
    const bytes = this.bytes
    for (let i = 0; i < PRINT_BYTES; i++) bytes[at + i] = digest.charCodeAt(i)
  }

  /** Room for one more print: where it goes. */
  private reserve(): number {
    const at = this.count * PRINT_BYTES
    if (at + PRINT_BYTES > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    this.count++
    return at
  }

  /**
   * Adds a record given as its raw bytes: hashed as they are when they are UTF-8, else as the text
   * they decode to (so that a record prints the same read from plain bytes or from decoded text).
   */
  addRaw(raw: Uint8Array): void {
    if (isUtf8(raw)) this.add(raw)
    else this.addText(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"))
  }

  get head(): Buffer {
    return headAt(this.bytes, this.count)
  }

  /** A copy of the prints so far. */
  snapshot(): Uint8Array {
    return this.bytes.slice(0, this.count * PRINT_BYTES)
  }
}

/** @internal The number of leading prints two print arrays share. */
export const commonPrints = (a: Uint8Array, aCount: number, b: Uint8Array, bCount: number): number => {
  const n = Math.min(aCount, bCount) * PRINT_BYTES
  let i = 0
  while (i < n && a[i] === b[i]) i++
  return Math.floor(i / PRINT_BYTES)
}

/**
 * @internal The print of one record given piece by piece, as {@link Prints.addRaw} takes it
 * whole: its UTF-8 text hashed (the very bytes, when they are UTF-8; U+FFFD for invalid ones, as
 * when the whole is decoded). `blank`: every piece so far was blank.
 */
export class RecordHash {
  private readonly hash = crypto.createHash("sha256")
  // a byte order mark is part of the record, as `toString` keeps it
  private readonly text = new TextDecoder("utf-8", { ignoreBOM: true })
  blank = true

  update(piece: Uint8Array): void {
    const text = this.text.decode(piece, { stream: true })
    if (this.blank) this.blank = text.trim().length === 0
    this.hash.update(text, "utf8")
  }

  digest(): Buffer {
    this.hash.update(this.text.decode(), "utf8")
    return this.hash.digest()
  }
}
