import { isUtf8 } from "node:buffer"
import * as crypto from "node:crypto"

/** @internal bytes of one record's print */
export const PRINT_BYTES = 8

/** @internal */
export const sha256 = (data: Uint8Array): Buffer => crypto.hash("sha256", data, "buffer")

/** @internal head_0 = sha256("") */
export const EMPTY_HEAD: Buffer = sha256(new Uint8Array(0))

/** @internal The chain, one record at a time: head_k = sha256(head_{k-1} ‖ print_k). */
export class Chain {
  private readonly scratch = Buffer.alloc(32 + PRINT_BYTES)
  head: Buffer

  constructor(head: Buffer = EMPTY_HEAD) {
    this.head = head
  }

  /** Adds the print at `at` in `prints`. */
  add(prints: Uint8Array, at: number): void {
    this.head.copy(this.scratch, 0)
    this.scratch.set(prints.subarray(at, at + PRINT_BYTES), 32)
    this.head = sha256(this.scratch)
  }
}

/** @internal The head after the first `k` prints. */
export const headAt = (prints: Uint8Array, k: number): Buffer => {
  const chain = new Chain()
  for (let i = 0; i < k; i++) chain.add(prints, i * PRINT_BYTES)
  return chain.head
}

/** @internal Prints in order, in a buffer that grows; the chain follows. */
export class Prints {
  private bytes: Uint8Array
  private readonly chain: Chain
  count: number

  constructor(from?: { readonly prints: Uint8Array; readonly records: number; readonly head: Buffer }) {
    this.count = from?.records ?? 0
    this.bytes = new Uint8Array(Math.max(1024, this.count * 2) * PRINT_BYTES)
    if (from !== undefined) this.bytes.set(from.prints.subarray(0, this.count * PRINT_BYTES))
    this.chain = new Chain(from?.head)
  }

  /** Adds the record whose canonical UTF-8 text is `text`. */
  add(text: Uint8Array): void {
    const at = this.count * PRINT_BYTES
    if (at + PRINT_BYTES > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    this.bytes.set(sha256(text).subarray(0, PRINT_BYTES), at)
    this.chain.add(this.bytes, at)
    this.count++
  }

  /** Adds a record given as text (invalid UTF-8 already replaced by U+FFFD). */
  addText(text: string): void {
    this.add(Buffer.from(text, "utf8"))
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
    return this.chain.head
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
