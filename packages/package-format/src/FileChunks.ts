/**
 * A local file's bytes as a lazy, synchronous iterable of chunks: for the many small files of a
 * package folder, where a read stream per file (its open, reads and close through the
 * threadpool, its events) costs more than the reads. Each chunk is a buffer of its own, sized to
 * what is left of the file (at most 1 MiB), so a consumer may keep chunks and a 100 KB file costs
 * one 100 KB buffer; or, for a consumer done with each chunk before the next, a view of one
 * buffer given for all reads.
 *
 * @since 0.1.0
 */
import * as nodeFs from "node:fs"

/** @since 0.1.0 @category models */
export interface ReadOptions {
  /** refuse to follow a symlink at `path` (`ELOOP`; ignored where the OS has no `O_NOFOLLOW`) */
  readonly noFollow?: boolean | undefined
  /**
   * read into this buffer: every chunk is a view of it, valid only until the next one is pulled,
   * for a consumer done with each chunk before it pulls the next (hashing, decoding); reading a
   * thousand files then allocates nothing per file. Or, for a consumer that keeps chunks and
   * recycles their memory itself, a function answering for each read the buffer to read into
   * (`wanted`: the bytes the read asks for, at most {@link CHUNK_SIZE}; a longer buffer is read
   * into no further); a read that fills it answers that very buffer as its chunk.
   */
  readonly buffer?: Uint8Array | ((wanted: number) => Uint8Array) | undefined
  /**
   * read at most this many bytes, the file's first ones: a file that grew since it was listed
   * gives the prefix that was listed (one that shrank gives less: the caller checks the count)
   */
  readonly length?: number | undefined
}

/**
 * The largest chunk.
 *
 * @since 0.1.0
 * @category constants
 */
export const CHUNK_SIZE = 1024 * 1024

const PROBE_SIZE = 64 * 1024
/** the read that finds the end of a file already read to its size: shared, its bytes copied out when there are any */
const probe = Buffer.allocUnsafe(PROBE_SIZE)
const EMPTY = new Uint8Array(0)

class Reader implements IterableIterator<Uint8Array> {
  private fd: number | undefined
  /** bytes before the size the file had when opened, or before the length asked for */
  private left: number
  /** {@link ReadOptions.length} was given: nothing past it is read */
  private readonly bounded: boolean

  constructor(
    path: string,
    flags: number,
    private readonly buffer: ReadOptions["buffer"],
    length: number | undefined
  ) {
    const fd = nodeFs.openSync(path, flags)
    try {
      // with a length, no fstat: the caller knows how much it wants
      this.left = length ?? nodeFs.fstatSync(fd).size
    } catch (error) {
      nodeFs.closeSync(fd)
      throw error
    }
    this.bounded = length !== undefined
    this.fd = fd
  }

  [Symbol.iterator](): IterableIterator<Uint8Array> {
    return this
  }

  next(): IteratorResult<Uint8Array, undefined> {
    if (this.fd === undefined) return { done: true, value: undefined }
    let bytes: Uint8Array
    try {
      // a file that grew since it was opened is read on until its end, unless a length bounds it
      if (this.bounded && this.left <= 0) {
        bytes = EMPTY
      } else if (typeof this.buffer === "function") {
        // sized to what is left, as a chunk of its own is; past the size the file had, a probe's worth
        const buffer = this.buffer(this.left > 0 ? Math.min(this.left, CHUNK_SIZE) : PROBE_SIZE)
        const read = nodeFs.readSync(this.fd, buffer, 0, this.bounded ? Math.min(buffer.length, this.left) : buffer.length, null)
        bytes = read === buffer.length ? buffer : buffer.subarray(0, read)
      } else if (this.buffer !== undefined) {
        const read = nodeFs.readSync(this.fd, this.buffer, 0, this.bounded ? Math.min(this.buffer.length, this.left) : this.buffer.length, null)
        bytes = this.buffer.subarray(0, read)
      } else if (this.left > 0) {
        const buffer = Buffer.allocUnsafe(Math.min(this.left, CHUNK_SIZE))
        const read = nodeFs.readSync(this.fd, buffer, 0, buffer.length, null)
        bytes = read === buffer.length ? buffer : buffer.subarray(0, read)
      } else {
        const read = nodeFs.readSync(this.fd, probe, 0, PROBE_SIZE, null)
        bytes = Buffer.from(probe.subarray(0, read))
      }
    } catch (error) {
      this.close()
      throw error
    }
    if (bytes.length === 0) {
      this.close()
      return { done: true, value: undefined }
    }
    this.left -= bytes.length
    return { done: false, value: bytes }
  }

  return(): IteratorResult<Uint8Array, undefined> {
    this.close()
    return { done: true, value: undefined }
  }

  private close(): void {
    const fd = this.fd
    this.fd = undefined
    if (fd !== undefined) nodeFs.closeSync(fd)
  }
}

// O_NOFOLLOW is absent on Windows
const NO_FOLLOW: number = nodeFs.constants.O_NOFOLLOW ?? 0

/**
 * Opens `path` and answers its chunks, read as they are pulled; the file is closed when the
 * iteration ends, throws, or is left early (`return`). Opening, reading and closing throw what
 * `node:fs` throws. Each iteration of the iterable opens the file afresh.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (path: string, options?: ReadOptions): Iterable<Uint8Array> => ({
  [Symbol.iterator]: () => open(path, options)
})

/**
 * Opens `path` now (so that a missing file fails here) and answers one pass over its chunks.
 *
 * @since 0.1.0
 * @category reading
 */
export const open = (path: string, options?: ReadOptions): IterableIterator<Uint8Array> =>
  new Reader(path, nodeFs.constants.O_RDONLY | (options?.noFollow === true ? NO_FOLLOW : 0), options?.buffer, options?.length)
