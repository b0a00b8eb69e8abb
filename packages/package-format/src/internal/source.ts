/**
 * The entries of a package, one at a time, whatever its form: a gzip tar streamed through
 * tar-stream, or a folder walked with lstat (links are reported, never followed). Names are raw;
 * the reader judges them.
 */
import { createHash, type Hash } from "node:crypto"
import * as nodeFs from "node:fs"
import * as Path from "node:path"
import { pipeline, type Readable, Transform } from "node:stream"
import * as zlib from "node:zlib"
import * as tar from "tar-stream"
import type { KeyRing } from "../Encryption.js"
import * as FileChunks from "../FileChunks.js"
import { PackageError } from "../PackageError.js"
import * as Age from "./age.js"
import { errorText } from "./files.js"

export interface RawEntry {
  readonly name: string
  /** "file", "directory", or what it really is ("symlink", "link", "fifo", …) */
  readonly type: string
  readonly size: number
  /** the bytes of a file; read to the end before asking for the next entry */
  readonly content: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined
}

export interface EntrySource {
  readonly next: () => Promise<RawEntry | undefined>
  readonly close: () => Promise<void>
  /** a chunk of content is valid only until the next one is read (the source reuses its memory) */
  readonly reusesChunks: boolean
}

/** Tar overhead allowed per entry (header, padding, a pax header with a long name). */
export const ENTRY_OVERHEAD = 8 * 1024

const READ_CHUNK = 1024 * 1024
const INFLATE_CHUNK = 64 * 1024

/** Any failure while reading, as the one-line error it deserves. */
export const readFailure = (pkg: string, error: unknown, entry?: string): PackageError => {
  if (error instanceof PackageError) return error
  const where = entry === undefined ? {} : { entry }
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof code === "string" && code.startsWith("Z_")) {
    return new PackageError({ reason: "corrupt_archive", package: pkg, ...where, detail: `bad gzip data (${errorText(error)})` })
  }
  if ((error as NodeJS.ErrnoException | undefined)?.syscall !== undefined) {
    return new PackageError({ reason: "io", package: pkg, ...where, detail: `cannot read: ${errorText(error)}` })
  }
  return new PackageError({ reason: "corrupt_archive", package: pkg, ...where, detail: `bad tar data (${errorText(error)})` })
}

/** How many bytes a `.tgz` may decompress to, and why (the detail of the refusal past it). */
export interface InflateLimit {
  readonly bytes: number
  readonly detail: string
}

/**
 * Streams a `.tgz`. `limit` caps the decompressed bytes (tar headers and padding included), so a
 * gzip bomb (or an endless run of empty tar blocks) stops long before it costs anything.
 * `onConsumed`: progress, in bytes of the archive inflated. `gzipped`: the archive's bytes when
 * they do not come straight from `path` (an encrypted package's plaintext).
 */
export const openTgz = (
  path: string,
  limit: InflateLimit,
  onConsumed?: (bytes: number) => void,
  gzipped?: Readable
): EntrySource => {
  const file = gzipped ?? nodeFs.createReadStream(path, { highWaterMark: READ_CHUNK })
  const gunzip = zlib.createGunzip({ chunkSize: INFLATE_CHUNK })
  let inflated = 0
  // the archive's size is known before, its expansion not; the file stream reads ahead
  let consumed = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (onConsumed !== undefined) {
        onConsumed(gunzip.bytesWritten - consumed)
        consumed = gunzip.bytesWritten
      }
      inflated += chunk.byteLength
      if (inflated > limit.bytes) return callback(new PackageError({ reason: "too_large", package: path, detail: limit.detail }))
      callback(null, chunk)
    }
  })
  const extract = tar.extract()
  pipeline(file, gunzip, counter, (error) => {
    if (error) extract.destroy(error)
  }).pipe(extract)
  const entries = extract[Symbol.asyncIterator]()
  return {
    next: async () => {
      const result = await entries.next()
      if (result.done === true) return undefined
      const source = result.value
      const { name, size, type } = source.header
      return {
        name,
        // tar-stream answers null for a type flag it does not know
        type: type ?? "unknown",
        size,
        content: type === "file" ? source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array> : undefined
      }
    },
    reusesChunks: false,
    close: async () => {
      file.destroy()
      gunzip.destroy()
      counter.destroy()
      extract.destroy()
    }
  }
}

/**
 * Streams a `.tgz` or a `.tgz.age` (decrypted with `keys`; see `internal/age.ts`), whichever
 * `path` is. Rejects with the `PackageError` of a key missing or wrong, or of a damaged header.
 */
export const openArchive = async (
  path: string,
  limit: InflateLimit,
  keys: KeyRing | undefined,
  options: { readonly onConsumed?: ((bytes: number) => void) | undefined; readonly label?: string | undefined } = {}
): Promise<EntrySource> =>
  openTgz(
    path,
    limit,
    options.onConsumed,
    Age.kindOf(Age.headOf(path)) === "age" ? await Age.decrypting(path, keys, options.label ?? path) : undefined
  )

const typeOf = (stat: nodeFs.Stats): string =>
  stat.isFile()
    ? "file"
    : stat.isDirectory()
    ? "directory"
    : stat.isSymbolicLink()
    ? "symlink"
    : stat.isFIFO()
    ? "fifo"
    : stat.isCharacterDevice()
    ? "character-device"
    : stat.isBlockDevice()
    ? "block-device"
    : stat.isSocket()
    ? "socket"
    : "unknown"

/**
 * Walks a folder depth-first in name order, with synchronous calls: a package folder is local,
 * and over thousands of small files a trip through the threadpool per call (and a read stream per
 * file) costs more than the calls. A folder is descended only after the caller has accepted it
 * (asked for the next entry). A file is opened with `O_NOFOLLOW`: one swapped for a link after
 * its lstat still cannot be followed. Every file is read into the same buffer.
 */
export const openFolder = (root: string): EntrySource => {
  const buffer = Buffer.allocUnsafe(READ_CHUNK)
  let open: IterableIterator<Uint8Array> | undefined
  function* walk(dir: string, prefix: string): Generator<RawEntry> {
    const names = nodeFs.readdirSync(dir).sort()
    for (const name of names) {
      const full = Path.join(dir, name)
      const relative = prefix === "" ? name : `${prefix}/${name}`
      const stat = nodeFs.lstatSync(full)
      const type = typeOf(stat)
      if (type === "file") {
        open?.return?.()
        open = FileChunks.open(full, { noFollow: true, buffer })
        yield { name: relative, type, size: stat.size, content: open }
      } else {
        yield { name: relative, type, size: type === "directory" ? 0 : stat.size, content: undefined }
        if (type === "directory") yield* walk(full, relative)
      }
    }
  }
  const entries = walk(root, "")
  return {
    next: async () => {
      const result = entries.next()
      return result.done === true ? undefined : result.value
    },
    reusesChunks: true,
    close: async () => {
      open?.return?.()
      entries.return(undefined)
    }
  }
}

/**
 * Reads one entry's bytes, hashing (and counting against limits) every chunk as it passes. Its
 * consumer may stop early: `drain` still reads and hashes the rest.
 */
export class EntryReader {
  size = 0
  private readonly hash: Hash = createHash("sha256")
  private readonly chunks: Array<Buffer> | undefined
  private failure: unknown = undefined
  private ended = false
  /**
   * sees every accepted chunk after it is hashed (staging writes it out); throws, or answers a
   * promise that rejects, to fail the read; the read waits for the promise it answers (room)
   */
  tee: ((bytes: Uint8Array) => Promise<void> | undefined) | undefined = undefined

  constructor(
    private readonly content: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
    /** called before each chunk is accepted; throws to refuse it (limits) */
    private readonly admit: (bytes: number, sizeSoFar: number) => void,
    keep: boolean,
    /** a chunk is valid only until the next read (kept chunks are copied) */
    private readonly reused = false
  ) {
    this.chunks = keep ? [] : undefined
  }

  async read(): Promise<Uint8Array | undefined> {
    if (this.failure !== undefined) throw this.failure
    if (this.ended) return undefined
    try {
      const result = await this.content.next()
      if (result.done === true) {
        this.ended = true
        return undefined
      }
      const bytes = result.value
      this.admit(bytes.byteLength, this.size + bytes.byteLength)
      this.size += bytes.byteLength
      this.hash.update(bytes)
      const room = this.tee?.(bytes)
      if (room !== undefined) await room
      this.chunks?.push(this.reused ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return bytes
    } catch (error) {
      this.failure = error
      throw error
    }
  }

  /** the next chunk, one its reader may keep */
  async readOwned(): Promise<Uint8Array | undefined> {
    const bytes = await this.read()
    return bytes !== undefined && this.reused ? Uint8Array.prototype.slice.call(bytes) : bytes
  }

  /** reads (and hashes) the rest, handing each chunk to `see`, valid during the call only */
  async drain(see?: (bytes: Uint8Array) => void): Promise<void> {
    for (let bytes = await this.read(); bytes !== undefined; bytes = await this.read()) see?.(bytes)
  }

  sha256(): string {
    return this.hash.digest("hex")
  }

  text(): string {
    return Buffer.concat(this.chunks ?? []).toString("utf8")
  }
}
