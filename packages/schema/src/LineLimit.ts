/**
 * The longest rollout line sessionport decodes, and the one way every reader holds a line that
 * spans its read chunks. Decoding a line costs several times its size (its bytes, its text, the
 * parsed value, the text written back), so a line that has to be decoded is refused above
 * {@link MAX_LINE_BYTES}; a line that needs no decoding (a reader's pre-check finds nothing in it
 * to change) is passed on as its bytes come, in flat memory, however long it is.
 *
 * @since 0.1.0
 */

/**
 * The longest line that is decoded: 12 MiB. Parsing a line, walking it and writing it back holds
 * it some eight times over (its bytes, its text, the parsed strings, a JSON string inside it
 * parsed again, the new text, its bytes). Measured with the worst such line (its bulk a JSON
 * string inside a JSON string), an install at the limit peaks near 200 MB and a sync, which
 * decodes the line twice, near 250 MB; at 16 MiB a sync came near 380 MB.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_LINE_BYTES = 12 * 1024 * 1024

const MiB = 1024 * 1024

/** A size as people read it: whole MiB as `12 MiB`, else one decimal; under a MiB, in bytes. */
const size = (bytes: number): string =>
  bytes < MiB ? `${bytes} bytes` : bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${(bytes / MiB).toFixed(1)} MiB`

/** The size of a line over `limit`, in bytes when its rounded MiB would not read as more. */
const over = (bytes: number, limit: number): string =>
  bytes >= MiB && Number((bytes / MiB).toFixed(1)) * MiB <= limit ? `${bytes} bytes` : size(bytes)

/**
 * A line over the limit that would have to be decoded. Thrown synchronously by the readers (as
 * `CorruptInput` is); each caller names the file or session.
 *
 * @since 0.1.0
 * @category errors
 */
export class LineTooLong extends Error {
  constructor(readonly lineNumber: number, readonly bytes: number, readonly limit: number) {
    super(`line ${lineNumber} is ${over(bytes, limit)}, over the ${size(limit)} limit on a line sessionport decodes`)
    this.name = "LineTooLong"
  }
}

/**
 * Refuses a line that lies whole in one chunk, when it would be decoded.
 *
 * @since 0.1.0
 * @category guards
 */
export const checkLength = (lineNumber: number, bytes: number, limit: number = MAX_LINE_BYTES): void => {
  if (bytes > limit) throw new LineTooLong(lineNumber, bytes, limit)
}

/** @since 0.1.0 @category models */
export interface UnfinishedLineOptions {
  /** the longest line decoded; default {@link MAX_LINE_BYTES} */
  readonly limit?: number | undefined
  /**
   * The reader's pre-check: whether these bytes of the line may need it decoded. Absent: every
   * line is decoded. Each piece is checked with the last `overlap` bytes before it in front, so a
   * needle cut by a chunk's end is still found.
   */
  readonly mayNeedDecoding?: ((bytes: Buffer) => boolean) | undefined
  /** the longest needle of `mayNeedDecoding`, less one */
  readonly overlap?: number | undefined
}

/**
 * How a line held by {@link UnfinishedLine} ended: its whole bytes to decode, or the bytes not
 * passed on yet (the line needs no decoding).
 *
 * @since 0.1.0
 * @category models
 */
export type LineEnd =
  | { readonly _tag: "Decode"; readonly bytes: Buffer }
  | { readonly _tag: "Pass"; readonly bytes: ReadonlyArray<Uint8Array> }

const NOTHING: ReadonlyArray<Uint8Array> = []

/**
 * The line a reader has begun but not finished, piece by piece (one per chunk it spans, without
 * its `\n`). Held (copied) up to the limit; past it, a line that needs no decoding is passed on
 * as it comes (what {@link add} answers), and one that does is only counted, then refused by
 * {@link end} with its full length. Memory stays at the limit, whatever the line's length.
 *
 * @since 0.1.0
 * @category models
 */
export class UnfinishedLine {
  /** bytes of the line so far; 0: no line is unfinished */
  length = 0
  private readonly limit: number
  private readonly check: ((bytes: Buffer) => boolean) | undefined
  private readonly overlap: number
  private pieces: Array<Uint8Array> = []
  private tail: Buffer = Buffer.alloc(0)
  private decode: boolean
  /** over the limit with nothing to decode: its bytes go on as they come */
  private passing = false
  /** over the limit and to be decoded: counted only, refused at its end */
  private refused = false

  constructor(options: UnfinishedLineOptions = {}) {
    this.limit = options.limit ?? MAX_LINE_BYTES
    this.check = options.mayNeedDecoding
    this.overlap = options.overlap ?? 0
    this.decode = this.check === undefined
  }

  /**
   * Adds the next piece of the line; answers the bytes that may be passed on now (once the line
   * is over the limit with nothing to decode), valid until the caller's chunk is reused.
   */
  add(piece: Uint8Array): ReadonlyArray<Uint8Array> {
    this.length += piece.length
    if (!this.decode) this.decode = this.scan(piece)
    if (this.refused) return NOTHING
    if (this.passing || this.length > this.limit) {
      if (this.decode) {
        // the bytes passed on already are the caller's to discard: the line fails at its end
        this.refused = true
        this.pieces = []
        return NOTHING
      }
      this.passing = true
      const out = this.pieces.length === 0 ? [piece] : [...this.pieces, piece]
      this.pieces = []
      return out
    }
    this.pieces.push(Uint8Array.prototype.slice.call(piece))
    return NOTHING
  }

  /**
   * The line ended: its bytes to decode, or those not passed on yet. Throws {@link LineTooLong}
   * for a line over the limit that has to be decoded. Ready for the next line either way.
   */
  end(lineNumber: number): LineEnd {
    const { decode, length, passing, pieces, refused } = this
    this.length = 0
    this.pieces = []
    this.tail = Buffer.alloc(0)
    this.decode = this.check === undefined
    this.passing = this.refused = false
    if (refused) throw new LineTooLong(lineNumber, length, this.limit)
    if (decode && !passing) return { _tag: "Decode", bytes: pieces.length === 1 ? view(pieces[0]!) : Buffer.concat(pieces) }
    return { _tag: "Pass", bytes: pieces }
  }

  private scan(piece: Uint8Array): boolean {
    const bytes = this.tail.length === 0 ? view(piece) : Buffer.concat([this.tail, piece])
    if (this.check!(bytes)) return true
    if (this.overlap > 0) this.tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - this.overlap)))
    return false
  }
}

const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
