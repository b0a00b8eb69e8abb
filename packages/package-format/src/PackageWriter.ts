/**
 * Writes a session package as a folder or a `.tgz`, streaming: every file is hashed (SHA-256)
 * as it goes in, and memory stays flat whatever the file sizes. Files on disk are read
 * synchronously into buffers that are reused (a package is many small files: a read stream, or
 * a buffer, per file costs more than its reads); a folder package's files are written
 * synchronously too, each then flushed to disk (fsync) on the threadpool while the next ones are
 * written, and every folder once at the end. Everything lands in a temp
 * sibling (`<out>.tmp-<pid>-<random>`) that `commit` moves into place; when the scope closes
 * without a commit (failure, interruption) the temp is removed and nothing remains. A process
 * killed outright cannot remove its temp: the next write to the same `out` does.
 *
 * Archives are deterministic: entries in the order they are added (each folder announced before
 * its first file), mtime fixed, uid/gid 0, empty user and group names, mode 0644 / 0755. A
 * `.tgz.age` is such an archive encrypted with age as it is written (see `Encryption`).
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { once } from "node:events"
import * as nodeFs from "node:fs"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import * as tar from "tar-stream"
import { nameRule } from "./Credentials.js"
import type * as Encryption from "./Encryption.js"
import * as FileChunks from "./FileChunks.js"
import * as Age from "./internal/age.js"
import { classifyFile, credentialDetail, duplicateDetail, NameSet, parents, unsafeReason } from "./internal/entries.js"
import {
  destinationProblem,
  errorText,
  fsyncDir,
  fsyncFile,
  ownedTempPath,
  removeQuietly,
  removeStaleTemps,
  renameFolderInto,
  waitDrain
} from "./internal/files.js"
import type { PackageFile } from "./Manifest.js"
import { PackageError } from "./PackageError.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Format = "tgz" | "tgz.age" | "directory"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly format: Format
  /** mtime of every archive entry; pass the manifest's `created_at` (default: the Unix epoch, so output stays deterministic) */
  readonly mtime?: Date
  /**
   * skill files written although named like credentials (export's `--allow-file`); the manifest
   * must list them in `allowed_files`, or readers refuse the package
   */
  readonly allowedFiles?: ReadonlyArray<string>
  /** a `"tgz.age"` package's recipients or passphrase (required for it, refused for the others) */
  readonly seal?: Encryption.Seal | undefined
}

/**
 * One file to stream into the package.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry<E> {
  readonly path: string
  /** known up front (tar headers carry it); the content must have exactly this many bytes */
  readonly size: number
  readonly content: Stream.Stream<Uint8Array, E>
}

/**
 * Sees every chunk of a file on disk as it is hashed, in order (a secret scanner); the chunk may
 * be reused once the call returns. A promise it returns is awaited before the next chunk (its
 * backpressure); what it throws or rejects with fails the file.
 *
 * @since 0.6.0
 * @category models
 */
export type Observer = (chunk: Uint8Array) => void | Promise<void>

/**
 * A file on disk to copy in: its first `size` bytes, read when it is written.
 *
 * @since 0.2.0
 * @category models
 */
export interface FileOnDisk {
  readonly path: string
  readonly size: number
  readonly source: string
  /** sees the bytes as they are copied */
  readonly observe?: Observer | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PackageSink {
  /** Streams one file in, hashing while writing; fails if the stream's byte count differs from `size`. */
  readonly add: <E>(entry: Entry<E>) => Effect.Effect<PackageFile, PackageError | E>
  readonly addBytes: (path: string, bytes: Uint8Array | string) => Effect.Effect<PackageFile, PackageError>
  /**
   * Copies the first `size` bytes of a file on disk in: the fast path for rollouts (synchronous
   * reads, no per-chunk effects). `onBytes` sees every chunk, for progress.
   */
  readonly addFile: (
    entry: FileOnDisk,
    onBytes?: (bytes: number) => void
  ) => Effect.Effect<PackageFile, PackageError>
  /**
   * {@link addFile} for many files, in order, in one effect (an effect, span and lock per file
   * cost more than copying a small file): answers them as written, or fails at the first that
   * fails, those before it written.
   */
  readonly addFiles: (
    entries: Iterable<FileOnDisk>,
    onBytes?: (bytes: number) => void
  ) => Effect.Effect<Array<PackageFile>, PackageError>
  /** Finishes the archive / folder and moves it into place atomically. */
  readonly commit: Effect.Effect<void, PackageError>
}

/**
 * `"tgz"` for `.tgz` / `.tar.gz`, `"tgz.age"` for `.tgz.age` / `.tar.gz.age`, else `"directory"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const formatFor = (out: string): Format =>
  /\.(tgz|tar\.gz)$/i.test(out) ? "tgz" : /\.(tgz|tar\.gz)\.age$/i.test(out) ? "tgz.age" : "directory"

const FILE_MODE = 0o644
const DIR_MODE = 0o755
const EPOCH = new Date(0)
const GZIP_LEVEL = 6
// big buffers between the hashing main thread and gzip in the threadpool keep both busy
const HIGH_WATER_MARK = 1024 * 1024
// a folder package's files being flushed (fsync) at once: the threadpool's four threads busy,
// and the disk can commit several in one journal write
const FLUSHING = 16
// a folder package's synchronous writes pause for the event loop after this many bytes
const YIELD_BYTES = 8 * 1024 * 1024

/** Where the bytes of one file go: a tar entry or a file in the temp folder. */
interface Target {
  /** false: wait for `drained` before writing more */
  write(bytes: Buffer): boolean
  drained(): Promise<void>
  /** the file is complete: resolves once it is settled (in the archive; for a folder, on disk) */
  finish(): Promise<void>
}

interface Backend {
  /** what files on disk are read into (`FileChunks`' `buffer`): the backend knows when it is done with a chunk */
  readonly readInto: NonNullable<FileChunks.ReadOptions["buffer"]>
  /** how many files may still be finishing while the next ones are written */
  readonly finishing: number
  readonly begin: (path: string, size: number) => Promise<Target>
  readonly commit: () => Promise<void>
  /** removes the temp output, once `settled` (every file's `finish`) has */
  readonly abort: (settled: Promise<unknown>) => Promise<void>
}

/** A slab of {@link Slabs}: `owed` bytes read into it are not yet consumed by gzip. */
interface Slab {
  readonly bytes: Buffer
  used: number
  owed: number
  /** no more reads go into it */
  sealed: boolean
}

/**
 * An archive's read buffers, reused: files are read into slabs of `FileChunks.CHUNK_SIZE`, one
 * chunk after another, and a slab is read into again once gzip has consumed every byte read
 * into it (the archive and gzip keep the chunks they are given until then; a buffer per file
 * left ~30 MB of garbage between collections). `counter`, between the archive and gzip, places
 * each chunk in gzip's input; `gzip.bytesWritten` tells how much of it gzip has consumed. Bytes
 * that never reach gzip (a failed write) keep their slab from reuse: it is left to the GC.
 */
class Slabs {
  private readonly owners = new WeakMap<ArrayBufferLike, Slab>()
  private readonly free: Array<Slab> = []
  private current: Slab | undefined
  /** chunks of slabs passed to gzip, in order, with where each ends in gzip's input */
  private readonly sent: Array<{ readonly end: number; readonly slab: Slab; readonly length: number }> = []
  private total = 0

  constructor(private readonly gzip: zlib.Gzip) {}

  /** Counts the bytes going into gzip, noting where each slab's chunks end. */
  readonly counter = new Transform({
    transform: (chunk: Buffer, _encoding, callback) => {
      this.total += chunk.length
      const slab = this.owners.get(chunk.buffer)
      if (slab !== undefined) this.sent.push({ end: this.total, slab, length: chunk.length })
      callback(null, chunk)
    }
  })

  /** A buffer of `wanted` bytes (at most `FileChunks.CHUNK_SIZE`) to read into. */
  take(wanted: number): Buffer {
    let slab = this.current
    if (slab === undefined || slab.used + wanted > slab.bytes.length) {
      if (slab !== undefined) {
        slab.sealed = true
        if (slab.owed === 0) this.free.push(slab)
      }
      this.reclaim()
      slab = this.free.pop() ?? this.slab()
      slab.used = 0
      slab.sealed = false
      this.current = slab
    }
    const view = slab.bytes.subarray(slab.used, slab.used + wanted)
    slab.used += wanted
    slab.owed += wanted
    return view
  }

  private reclaim(): void {
    const consumed = this.gzip.bytesWritten
    let done = 0
    for (; done < this.sent.length && this.sent[done]!.end <= consumed; done++) {
      const { length, slab } = this.sent[done]!
      slab.owed -= length
      if (slab.sealed && slab.owed === 0) this.free.push(slab)
    }
    this.sent.splice(0, done)
  }

  private slab(): Slab {
    const slab: Slab = { bytes: Buffer.allocUnsafeSlow(FileChunks.CHUNK_SIZE), used: 0, owed: 0, sealed: false }
    this.owners.set(slab.bytes.buffer, slab)
    return slab
  }
}

/** A `.tgz`; sealed (`.tgz.age`): the gzip stream encrypted as it is written (age, after gzip: fewer bytes to encrypt). */
const tgzBackend = async (out: string, temp: string, mtime: Date, seal: Encryption.Seal | undefined): Promise<Backend> => {
  // made first: a passphrase's scrypt takes a second, before anything is on disk
  const encrypt = seal === undefined ? undefined : await Age.encrypting(seal)
  const file = nodeFs.createWriteStream(temp, { flags: "wx", mode: FILE_MODE, highWaterMark: HIGH_WATER_MARK })
  await once(file, "open")
  const pack = tar.pack({ highWaterMark: HIGH_WATER_MARK })
  const gzip = zlib.createGzip({ level: GZIP_LEVEL, chunkSize: 64 * 1024 })
  const slabs = new Slabs(gzip)
  const done = encrypt === undefined ? pipeline(pack, slabs.counter, gzip, file) : pipeline(pack, slabs.counter, gzip, encrypt, file)
  // a failure is reported by the step that waits on it; keep it from becoming an unhandled rejection
  done.catch(() => undefined)
  const folders = new Set<string>()
  const header = (name: string, type: "file" | "directory", size: number): TarHeader => ({
    name,
    type,
    size,
    mode: type === "file" ? FILE_MODE : DIR_MODE,
    mtime,
    uid: 0,
    gid: 0,
    uname: "",
    gname: ""
  })
  const entry = (headers: TarHeader) => {
    let settle: (error?: unknown) => void = () => undefined
    const finished = new Promise<void>((resolve, reject) => {
      settle = (error) => error ? reject(error) : resolve()
    })
    finished.catch(() => undefined)
    const sink = pack.entry(headers, (error) => settle(error))
    // its failure reaches us through the entry callback; an unheard "error" event would crash the process
    sink.on("error", () => undefined)
    return { sink, finished }
  }
  return {
    // the archive keeps every chunk until gzip has taken it
    readInto: (wanted) => slabs.take(wanted),
    finishing: 1,
    begin: async (path, size) => {
      for (const folder of parents(path)) {
        if (folders.has(folder)) continue
        folders.add(folder)
        const { sink, finished } = entry(header(`${folder}/`, "directory", 0))
        sink.end(undefined)
        await finished
      }
      const { finished, sink } = entry(header(path, "file", size))
      return {
        write: (bytes) => sink.write(bytes),
        drained: () => waitDrain(sink),
        finish: () => {
          sink.end(undefined)
          return finished
        }
      }
    },
    commit: async () => {
      pack.finalize()
      await done
      await fsyncFile(temp)
      const problem = await destinationProblem(out, false)
      if (problem !== undefined) throw new DestinationExists(problem)
      await fs.rename(temp, out)
      // the package is in place: a failing folder fsync must not report it as missing
      await fsyncDir(Path.dirname(Path.resolve(out))).catch(() => undefined)
    },
    abort: async (settled) => {
      // destroying the archive settles the entries still open
      pack.destroy(new Error("package writing aborted"))
      await done.catch(() => undefined)
      await settled
      await removeQuietly(temp)
    }
  }
}

/** Flushes a file written through `fd` to disk and closes it, on the threadpool; closes it whatever happens. */
const flushAndClose = (fd: number): Promise<void> =>
  new Promise((resolve, reject) =>
    nodeFs.fsync(fd, (flushed) =>
      nodeFs.close(fd, (closed) => {
        const error = flushed ?? closed
        if (error) reject(error)
        else resolve()
      })
    )
  )

const writeAll = (fd: number, bytes: Uint8Array): void => {
  for (let done = 0; done < bytes.length;) done += nodeFs.writeSync(fd, bytes, done, bytes.length - done)
}

/**
 * A folder package: each file written synchronously (a few small writes cost less than a write
 * stream's round trips), then flushed (fsync) and closed on the threadpool while the next files
 * are written, {@link FLUSHING} at a time; at commit, once every file is flushed, each folder
 * is, so that the whole tree is on disk before it is renamed into place.
 */
const directoryBackend = async (out: string, temp: string): Promise<Backend> => {
  await fs.mkdir(temp, { mode: DIR_MODE })
  // the folders made so far, each flushed once at commit
  const folders = new Set<string>([temp])
  // the file being written, closed by abort
  let open: number | undefined
  // bytes written since the event loop last turned: synchronous writes must let timers, progress
  // and interruption in now and then
  let unyielding = 0
  let aborted = false
  return {
    // each chunk is written before the next is read
    readInto: readBuffer,
    finishing: FLUSHING,
    begin: async (path) => {
      // a call still under way when its export was interrupted must not make the temp again
      if (aborted) throw new Error("package writing aborted")
      const target = Path.join(temp, ...path.split("/"))
      const folder = Path.dirname(target)
      if (!folders.has(folder)) {
        nodeFs.mkdirSync(folder, { recursive: true, mode: DIR_MODE })
        for (const parent of parents(path)) folders.add(Path.join(temp, ...parent.split("/")))
      }
      // "wx": never follow or reuse anything already there
      const fd = nodeFs.openSync(target, "wx", FILE_MODE)
      open = fd
      return {
        write: (bytes) => {
          if (aborted) throw new Error("package writing aborted")
          writeAll(fd, bytes)
          unyielding += bytes.length
          return unyielding < YIELD_BYTES
        },
        drained: () => {
          unyielding = 0
          return new Promise((resolve) => setImmediate(resolve))
        },
        finish: () => {
          open = undefined
          return flushAndClose(fd)
        }
      }
    },
    commit: async () => {
      // the deepest first: a folder is flushed after the entries made in it
      for (const folder of [...folders].sort((a, b) => b.length - a.length)) await fsyncDir(folder)
      const problem = await destinationProblem(out, true)
      if (problem !== undefined) throw new DestinationExists(problem)
      await renameFolderInto(temp, out)
      await fsyncDir(Path.dirname(Path.resolve(out))).catch(() => undefined)
    },
    abort: async (settled) => {
      aborted = true
      if (open !== undefined) {
        const fd = open
        open = undefined
        await new Promise<void>((resolve) => nodeFs.close(fd, () => resolve()))
      }
      await settled
      await removeQuietly(temp)
    }
  }
}

class DestinationExists extends Error {}
class ShortRead extends Error {}

/** what a folder package's files are read into: the writer copies each chunk before the next read */
const readBuffer = Buffer.allocUnsafe(FileChunks.CHUNK_SIZE)

type TarHeader = Parameters<tar.Pack["entry"]>[0]

/**
 * Opens a package for writing at `out`, which must not exist (a folder package may also go into
 * an empty folder). The temp output is removed when the scope closes without `commit`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open: (out: string, options: Options) => Effect.Effect<PackageSink, PackageError, Scope.Scope> = Effect.fn(
  "PackageWriter.open"
)(function*(out: string, options: Options) {
  const fail = (reason: PackageError["reason"], detail: string, entry?: string) =>
    new PackageError({ reason, package: out, ...(entry === undefined ? {} : { entry }), detail })
  const io = (detail: string, entry?: string) => (error: unknown) =>
    error instanceof DestinationExists
      ? fail("destination_exists", `${out} ${error.message}`)
      : fail("io", `${detail}: ${errorText(error)}`, entry)

  if ((options.format === "tgz.age") !== (options.seal !== undefined)) {
    return yield* fail("io", options.seal === undefined ? "a .tgz.age package needs recipients or a passphrase" : "only a .tgz.age package is encrypted")
  }
  const problem = yield* Effect.tryPromise({
    try: () => destinationProblem(out, options.format === "directory"),
    catch: io("cannot inspect the destination")
  })
  if (problem !== undefined) return yield* fail("destination_exists", `${out} ${problem}`)

  // a killed writer's leftovers: gigabytes, perhaps, that nothing else would ever remove
  const stale = yield* Effect.promise(() => removeStaleTemps(out))
  // a warning: info logs would go to stdout, which carries results only
  for (const path of stale) yield* Effect.logWarning(`removed ${path}, left by an earlier export that was killed`)

  const temp = ownedTempPath(out)
  let state: "open" | "broken" | "committed" = "open"
  // files still finishing (a folder package's fsyncs); each settles, keeping the first failure
  const finishing = new Set<Promise<void>>()
  let failure: PackageError | undefined
  const backend = yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        options.format === "directory"
          ? directoryBackend(out, temp)
          : tgzBackend(out, temp, options.mtime ?? EPOCH, options.format === "tgz.age" ? options.seal : undefined),
      catch: io("cannot create the temp output")
    }),
    (backend) => state === "committed" ? Effect.void : Effect.promise(() => backend.abort(Promise.all(finishing)))
  )
  const names = new NameSet()
  const allowed: ReadonlySet<string> = new Set(options.allowedFiles)
  const lock = yield* Effect.makeSemaphore(1)

  const unusable = () =>
    fail("io", state === "committed" ? "the package is already committed" : "an earlier entry failed; the package cannot be completed")
  const usable = Effect.suspend(() =>
    failure !== undefined ? Effect.fail(failure) : state === "open" ? Effect.void : Effect.fail(unusable())
  )

  const check = (path: string, size: number): PackageError | undefined => {
    const unsafe = unsafeReason(path)
    if (unsafe !== undefined) return fail("unsafe_entry", unsafe, path)
    const kind = classifyFile(path)
    if ("refused" in kind) return fail(kind.refused, kind.detail, path)
    const credential = kind.kind === "skill" && !allowed.has(path) ? nameRule(path) : undefined
    if (credential !== undefined) return fail("credential_file", credentialDetail(credential, path), path)
    if (!Number.isSafeInteger(size) || size < 0) return fail("io", `size ${size} is not a byte count`, path)
    const clash = names.addFile(path)
    if (clash !== undefined) return fail("duplicate_entry", duplicateDetail(path, clash), path)
    return undefined
  }

  /**
   * Hands a written file over to finish; answers once fewer than the backend allows are still
   * finishing, failing with the first failure among them (perhaps an earlier file's).
   */
  const finish = async (target: Target, path: string): Promise<void> => {
    const settled: Promise<void> = target.finish().then(
      () => undefined,
      (error) => void (failure ??= io("cannot write", path)(error))
    ).finally(() => finishing.delete(settled))
    finishing.add(settled)
    while (finishing.size >= backend.finishing) await Promise.race(finishing)
    if (failure !== undefined) throw failure
  }

  /** Writes `chunks`, which must be `size` bytes, as the file `path`, hashing them. */
  const write = async (
    path: string,
    size: number,
    chunks: () => Iterable<Uint8Array>,
    onBytes: ((bytes: number) => void) | undefined,
    observe?: Observer
  ): Promise<PackageFile> => {
    const target = await backend.begin(path, size)
    const hash = createHash("sha256")
    let written = 0
    // opened once the target is: leaving the loop, however, closes it
    for (const chunk of chunks()) {
      written += chunk.byteLength
      if (written > size) throw new ShortRead(`declared ${size} bytes but the content has more (did the file grow meanwhile?)`)
      hash.update(chunk)
      const observed = observe?.(chunk)
      if (observed !== undefined) await observed
      onBytes?.(chunk.byteLength)
      if (!target.write(asBuffer(chunk))) await target.drained()
    }
    if (written !== size) throw new ShortRead(`the file has ${written} bytes, ${size} expected (did it shrink?)`)
    await finish(target, path)
    return { path, size, sha256: hash.digest("hex") }
  }

  /**
   * {@link write} as an entry of the package: checked (a refused entry leaves the package as it
   * was), and the package broken if it fails half-way. Throws a `PackageError`.
   */
  const put = async (
    path: string,
    size: number,
    chunks: () => Iterable<Uint8Array>,
    onBytes: ((bytes: number) => void) | undefined,
    what: string,
    observe?: Observer
  ): Promise<PackageFile> => {
    if (failure !== undefined) throw failure
    if (state !== "open") throw unusable()
    const refused = check(path, size)
    if (refused !== undefined) throw refused
    // from here on a failure leaves a half-written entry: the package can only be abandoned
    state = "broken"
    try {
      const file = await write(path, size, chunks, onBytes, observe)
      state = "open"
      return file
    } catch (error) {
      throw error instanceof PackageError
        ? error
        : error instanceof ShortRead
        ? fail("checksum_mismatch", error.message, path)
        : io(what, path)(error)
    }
  }

  /** the chunks of a file on disk: exactly `size` bytes, so a file that grows meanwhile (Codex appending) gives its prefix */
  const chunksOf = (file: FileOnDisk) => (): Iterable<Uint8Array> =>
    file.size === 0 ? [] : FileChunks.open(file.source, { length: file.size, buffer: backend.readInto })

  const putFile = (file: FileOnDisk, onBytes: ((bytes: number) => void) | undefined) =>
    put(file.path, file.size, chunksOf(file), onBytes, `cannot copy ${file.source}`, file.observe)

  const asPackageError = (error: unknown): PackageError => error instanceof PackageError ? error : io("cannot write")(error)

  const add = <E>(entry: Entry<E>): Effect.Effect<PackageFile, PackageError | E> =>
    Effect.gen(function*() {
      yield* usable
      const refused = check(entry.path, entry.size)
      if (refused !== undefined) return yield* refused
      state = "broken"
      const target = yield* Effect.tryPromise({ try: () => backend.begin(entry.path, entry.size), catch: io("cannot start", entry.path) })
      const hash = createHash("sha256")
      let written = 0
      const tooMany = () =>
        fail("checksum_mismatch", `declared ${entry.size} bytes but the content has more (did the file grow meanwhile?)`, entry.path)
      yield* Stream.runForEachChunk(entry.content, (chunk) => {
        let full = false
        for (const bytes of chunk) {
          written += bytes.byteLength
          if (written > entry.size) return Effect.fail(tooMany())
          hash.update(bytes)
          full = !target.write(asBuffer(bytes)) || full
        }
        return full ? Effect.tryPromise({ try: () => target.drained(), catch: io("cannot write", entry.path) }) : Effect.void
      })
      if (written !== entry.size) {
        return yield* fail("checksum_mismatch", `declared ${entry.size} bytes but the content has ${written}`, entry.path)
      }
      yield* Effect.tryPromise({
        try: () => finish(target, entry.path),
        catch: (error) => error instanceof PackageError ? error : io("cannot write", entry.path)(error)
      })
      state = "open"
      return { path: entry.path, size: written, sha256: hash.digest("hex") }
    }).pipe(lock.withPermits(1), Effect.withSpan("PackageWriter.add", { attributes: { path: entry.path } }))

  const addFile = (entry: FileOnDisk, onBytes?: (bytes: number) => void): Effect.Effect<PackageFile, PackageError> =>
    Effect.tryPromise({ try: () => putFile(entry, onBytes), catch: asPackageError }).pipe(
      lock.withPermits(1),
      Effect.withSpan("PackageWriter.addFile", { attributes: { path: entry.path } })
    )

  const addFiles = (
    entries: Iterable<FileOnDisk>,
    onBytes?: (bytes: number) => void
  ): Effect.Effect<Array<PackageFile>, PackageError> =>
    Effect.tryPromise({
      try: async (signal) => {
        const files: Array<PackageFile> = []
        for (const entry of entries) {
          // interrupted: the scope is closing, and removes what was written
          if (signal.aborted) throw fail("io", "the export was interrupted", entry.path)
          files.push(await putFile(entry, onBytes))
        }
        return files
      },
      catch: asPackageError
    }).pipe(lock.withPermits(1), Effect.withSpan("PackageWriter.addFiles"))

  const addBytes = (path: string, bytes: Uint8Array | string): Effect.Effect<PackageFile, PackageError> => {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes
    return Effect.tryPromise({ try: () => put(path, data.byteLength, () => [data], undefined, "cannot write"), catch: asPackageError })
      .pipe(lock.withPermits(1), Effect.withSpan("PackageWriter.addBytes", { attributes: { path } }))
  }

  const commit = Effect.gen(function*() {
    if (state === "committed") return
    yield* usable
    state = "broken"
    yield* Effect.tryPromise({
      try: async () => {
        // every file on disk (a folder package's fsyncs) before the package is finished
        await Promise.all(finishing)
        if (failure !== undefined) throw failure
        await backend.commit()
      },
      catch: (error) => error instanceof PackageError ? error : io("cannot finish the package")(error)
    })
    state = "committed"
  }).pipe(lock.withPermits(1), Effect.uninterruptible, Effect.withSpan("PackageWriter.commit"))

  return { add, addBytes, addFile, addFiles, commit } satisfies PackageSink
})

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
