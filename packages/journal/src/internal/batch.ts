/**
 * The file work of `create_files` (see `CreateFilesOp`): planning a batch (one readdir a folder),
 * streaming each file to its temp sibling while hashing it, with the writes, the mtime, the fsync
 * and the close of each temp going on behind the streams (a few files and 8 MB at once, in
 * libuv's threadpool), renaming, fsyncing each folder once; and, for a rollback, checking and
 * deleting the batch.
 */
import { type Chunk, Effect, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import type { Content, Written } from "../Journal.js"
import { JournalError } from "../JournalError.js"
import { batchTempPath, type CreateFilesOp } from "../TransactionRecord.js"
import * as Chunks from "./content.js"
import * as Crash from "./crash.js"
import { digestFile, errnoCode, fsyncDir, io, ioError, lstatOrUndefined, removeDirsIfEmpty } from "./files.js"

/** @internal temp files being written, fsynced and closed at once (their chains of calls share libuv's threadpool) */
export const FILES_IN_FLIGHT = 16

/**
 * @internal bytes handed to writes that have not finished, at most: enough to keep a disk busy;
 * a chunk waiting for its write outlives young-generation GCs, so more only costs memory
 */
export const BYTES_IN_FLIGHT = 8 * 1024 * 1024

/** @internal lstat, readdir, folder fsync, digest: at most this many at once */
export const IO_CONCURRENCY = 8

/** @internal `run` over `items`, at most `limit` at once; answers in order */
export const mapLimit = async <A, B>(
  items: ReadonlyArray<A>,
  limit: number,
  run: (item: A, index: number) => Promise<B>
): Promise<Array<B>> => {
  const out = new Array<B>(items.length)
  let next = 0
  let failed = false
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        out[i] = await run(items[i]!, i)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  const lanes = Array.from({ length: Math.min(limit, items.length) }, lane)
  // every lane settles before the first error comes out: nothing runs on behind the caller's back
  const settled = await Promise.allSettled(lanes)
  const rejected = settled.find((result): result is PromiseRejectedResult => result.status === "rejected")
  if (rejected !== undefined) throw rejected.reason
  return out
}

/** @internal what a batch needs before its intent is recorded */
export interface Plan {
  /** folders to create, shallowest first */
  readonly dirs: Array<string>
  /** the distinct folders of the files and of the created folders: fsynced once each at the end */
  readonly syncDirs: Array<string>
}

/**
 * @internal
 * Refuses a batch naming a path twice, an existing target or one under a non-folder; answers
 * the folders to create.
 */
export const plan = async (targets: ReadonlyArray<string>): Promise<Plan> => {
  const seen = new Set<string>()
  for (const target of targets) {
    if (seen.has(target)) throw new JournalError({ reason: "invalid", path: target, detail: "is twice in the batch" })
    seen.add(target)
  }
  await refuseExisting(targets)
  const byParent = new Map<string, string>()
  for (const target of targets) if (!byParent.has(Path.dirname(target))) byParent.set(Path.dirname(target), target)
  const parents = [...byParent.keys()]
  const missing = new Set<string>()
  await mapLimit(parents, IO_CONCURRENCY, async (parent) => {
    let current = parent
    for (;;) {
      if (missing.has(current)) return
      const stat = await lstatOrUndefined(current)
      if (stat !== undefined) {
        if (stat.isDirectory()) return
        throw new JournalError({ reason: "not_a_file", path: byParent.get(parent)!, detail: `${current} is not a folder` })
      }
      missing.add(current)
      const up = Path.dirname(current)
      if (up === current) return
      current = up
    }
  })
  for (const target of targets) {
    if (missing.has(target)) {
      throw new JournalError({ reason: "invalid", path: target, detail: "is both a file and a folder of the batch" })
    }
  }
  // a parent is a prefix of its children: shorter first is shallowest first
  const dirs = [...missing].sort((a, b) => a.length - b.length || (a < b ? -1 : 1))
  const syncDirs = [...new Set([...parents, ...dirs.map((dir) => Path.dirname(dir))])]
  return { dirs, syncDirs }
}

/** how a name may compare in a case- or normalization-insensitive file system (APFS, NTFS) */
const folded = (name: string): string => name.normalize("NFC").toLowerCase()

/**
 * @internal
 * Fails `target_exists` naming the first target that exists. One readdir per folder; a name
 * that matches one listed but for case or Unicode normalization is looked up (lstat) to know
 * whether the file system tells them apart.
 */
export const refuseExisting = async (targets: ReadonlyArray<string>, detail?: string): Promise<void> => {
  const byDir = new Map<string, Array<string>>()
  for (const target of targets) {
    const dir = Path.dirname(target)
    const list = byDir.get(dir)
    if (list === undefined) byDir.set(dir, [target])
    else list.push(target)
  }
  const found = await mapLimit([...byDir], IO_CONCURRENCY, async ([dir, inDir]) => {
    let names: Array<string>
    try {
      names = await fs.readdir(dir)
    } catch (error) {
      if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return []
      throw error
    }
    if (names.length === 0) return []
    const exact = new Set(names)
    const loose = new Set(names.map(folded))
    const existing: Array<string> = []
    for (const target of inDir) {
      const name = Path.basename(target)
      if (exact.has(name) || (loose.has(folded(name)) && (await lstatOrUndefined(target)) !== undefined)) {
        existing.push(target)
      }
    }
    return existing
  })
  const existing = new Set(found.flat())
  const first = targets.find((target) => existing.has(target))
  if (first !== undefined) {
    throw new JournalError({ reason: "target_exists", path: first, ...(detail === undefined ? {} : { detail }) })
  }
}

/**
 * @internal
 * Moves a complete temp into place: synchronous, as the rename is a single short call and
 * a thousand of them through the threadpool, one after the other, cost several times more.
 */
export const rename = (temp: string, target: string): void => Fs.renameSync(temp, target)

/** @internal fsyncs each of `dirs` */
export const syncDirs = (dirs: ReadonlyArray<string>): Promise<Array<void>> => mapLimit(dirs, IO_CONCURRENCY, fsyncDir)

/** @internal a file of a batch, as given, with its confined path */
export interface Entry<E, R> {
  readonly target: string
  readonly temp: string
  readonly content: Content<E, R>
  readonly mode?: number | undefined
  readonly mtime?: Date | undefined
}

/** `Stream.runForEachChunk`, pulled by hand: a third of its cost a stream, which counts over a thousand files */
const forEachChunk = <E, R, E2, R2>(
  stream: Stream.Stream<Uint8Array, E, R>,
  f: (chunk: Chunk.Chunk<Uint8Array>) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R | R2> =>
  Effect.scoped(Effect.flatMap(Stream.toPull(stream), (pull) => {
    const loop: Effect.Effect<void, E | E2, R | R2> = Effect.matchEffect(pull, {
      onFailure: Option.match({ onNone: () => Effect.void, onSome: (error) => Effect.fail(error) }),
      onSuccess: (chunk) => Effect.zipRight(f(chunk), loop)
    })
    return loop
  }))

const IOV_MAX = 1024

/**
 * One temp file written behind the stream that produces it: opened, written chunk after chunk
 * (those that queued up meanwhile in one writev), then its mtime set, fsynced and closed; all
 * with node:fs callbacks, in libuv's threadpool, none of which the producer waits for (but for
 * room: see {@link Writers}). The chunks are written after the producer moved on: it must not
 * reuse their memory (no node stream does).
 */
class TempWriter {
  private fd: number | undefined
  private readonly queue: Array<Uint8Array> = []
  /** an open, a writev or the final calls under way */
  private busy = true
  private ended = false
  private aborted = false
  private closing = false
  private idle: Array<() => void> = []
  /** settles once the temp is durable and closed, or failed (and closed) */
  readonly done: Promise<void>
  private resolve!: () => void

  constructor(
    readonly path: string,
    mode: number,
    private readonly mtime: Date | undefined,
    private readonly writers: Writers
  ) {
    this.done = new Promise<void>((resolve) => (this.resolve = resolve))
    Fs.open(path, "wx", mode, (error, fd) => {
      if (error !== null) return this.fail(error)
      this.fd = fd
      this.busy = false
      this.pump()
    })
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0 || this.closing) return
    this.queue.push(chunk)
    this.writers.buffered += chunk.byteLength
    this.pump()
  }

  end(): void {
    this.ended = true
    this.pump()
  }

  /** drops what is not written yet and closes the file (it is going to be removed) */
  abort(): void {
    this.aborted = true
    this.pump()
  }

  /** every chunk pushed so far is in the file (or the file failed) */
  written(): Promise<void> {
    if (this.closing || (!this.busy && this.queue.length === 0)) return Promise.resolve()
    return new Promise<void>((resolve) => this.idle.push(resolve))
  }

  private wakeIdle(): void {
    const idle = this.idle
    this.idle = []
    for (const resolve of idle) resolve()
  }

  private pump(): void {
    if (this.busy || this.closing) return
    const fd = this.fd!
    if (this.aborted) {
      this.closing = true
      this.writers.release(this.queue.reduce((sum, buffer) => sum + buffer.byteLength, 0))
      this.queue.length = 0
      this.wakeIdle()
      Fs.close(fd, () => this.resolve())
      return
    }
    if (this.queue.length > 0) {
      this.busy = true
      const buffers = this.queue.splice(0, IOV_MAX)
      const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0)
      const done = (error: NodeJS.ErrnoException | null, written: number) => {
        if (error !== null) return this.fail(error)
        this.writers.release(written)
        if (written < total) {
          // a short write is legal: the rest goes first next time
          let skip = written
          const rest: Array<Uint8Array> = []
          for (const buffer of buffers) {
            if (skip >= buffer.byteLength) skip -= buffer.byteLength
            else {
              rest.push(skip === 0 ? buffer : buffer.subarray(skip))
              skip = 0
            }
          }
          this.queue.unshift(...rest)
        }
        this.busy = false
        this.pump()
      }
      if (buffers.length === 1) Fs.write(fd, buffers[0]!, 0, total, null, done)
      else Fs.writev(fd, buffers, done)
      return
    }
    this.wakeIdle()
    if (!this.ended) return
    // the mtime first (a rename keeps it), then one fsync for the data and the mtime
    this.busy = true
    this.closing = true
    const sync = () => Fs.fsync(fd, (error) => this.close(error))
    if (this.mtime === undefined) return sync()
    const seconds = this.mtime.getTime() / 1000
    Fs.futimes(fd, seconds, seconds, (error) => error !== null ? this.close(error) : sync())
  }

  private close(error: NodeJS.ErrnoException | null): void {
    Fs.close(this.fd!, (closeError) => {
      const failure = error ?? closeError
      if (failure !== null) this.writers.failed(this, failure)
      this.resolve()
    })
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.writers.failed(this, error)
    this.closing = true
    this.writers.release(this.queue.reduce((sum, buffer) => sum + buffer.byteLength, 0))
    this.queue.length = 0
    this.wakeIdle()
    if (this.fd === undefined) this.resolve()
    else Fs.close(this.fd, () => this.resolve())
  }
}

/** The temp writers of a batch, and the room they leave: files and bytes in flight are bounded. */
class Writers {
  buffered = 0
  failure: { readonly path: string; readonly error: unknown } | undefined
  private readonly active = new Set<TempWriter>()
  private waiting: Array<() => void> = []

  start(path: string, mode: number, mtime: Date | undefined): TempWriter {
    const writer = new TempWriter(path, mode, mtime, this)
    this.active.add(writer)
    void writer.done.then(() => {
      this.active.delete(writer)
      this.wake()
    })
    return writer
  }

  release(bytes: number): void {
    this.buffered -= bytes
    if (this.buffered <= BYTES_IN_FLIGHT) this.wake()
  }

  failed(writer: TempWriter, error: unknown): void {
    this.failure ??= { path: writer.path, error }
    this.wake()
  }

  private wake(): void {
    const waiting = this.waiting
    this.waiting = []
    for (const resolve of waiting) resolve()
  }

  roomForBytes(): boolean {
    return this.buffered <= BYTES_IN_FLIGHT || this.failure !== undefined
  }

  roomForFile(): boolean {
    return (this.active.size < FILES_IN_FLIGHT && this.buffered <= BYTES_IN_FLIGHT) || this.failure !== undefined
  }

  async until(room: () => boolean): Promise<void> {
    while (!room()) await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  /** every chunk pushed is written (the crash steps die in a well-defined state) */
  written(): Promise<void> {
    return Promise.all([...this.active].map((writer) => writer.written())).then(() => undefined)
  }

  /** stops every writer (the batch failed) */
  abort(): void {
    for (const writer of this.active) writer.abort()
  }

  /** every temp durable and closed, or one failed */
  async settle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active].map((writer) => writer.done))
  }
}

/**
 * @internal
 * Streams every entry to its temp file, in order (one content stream after the other), hashing
 * as it goes: one crash step `temp <path>` per file (`:before` dies with the temp created and its
 * first chunk written). The writes, the mtime, the fsync and the close of each temp go on behind
 * the streams (a few files and 8 MB at most); all the temps are durable when this succeeds. On
 * failure or interruption every temp created is removed.
 */
export const writeTemps = <E, R, E2, R2>(
  entries: ReadonlyArray<Entry<E, R>>,
  onWritten: ((written: Written, index: number) => Effect.Effect<void, E2, R2>) | undefined
): Effect.Effect<Array<Written>, E | E2 | JournalError, R | R2> =>
  Effect.suspend(() => {
    const writers = new Writers()
    const created: Array<string> = []
    const written: Array<Written> = []
    const failed = Effect.suspend(() => {
      const failure = writers.failure
      return failure === undefined
        ? Effect.void
        : Effect.fail(ioError(failure.path, "cannot write the temp file", failure.error))
    })
    const wait = (room: () => boolean) =>
      room() ? failed : Effect.zipRight(Effect.promise(() => writers.until(room)), failed)
    const settled = Effect.promise(() => writers.written())
    const one = (entry: Entry<E, R>, index: number) =>
      Effect.gen(function*() {
        const step = yield* Crash.begin(`temp ${entry.target}`)
        yield* wait(() => writers.roomForFile())
        const writer = writers.start(entry.temp, entry.mode ?? 0o666, entry.mtime)
        created.push(entry.temp)
        const hash = createHash("sha256")
        let size = 0
        let first = true
        const take = (buffers: Iterable<Uint8Array>) => {
          for (const buffer of buffers) {
            hash.update(buffer)
            size += buffer.byteLength
            writer.push(buffer)
          }
          if (first) {
            first = false
            return Effect.zipRight(step.armed ? Effect.zipRight(settled, failed) : Effect.void, step.aboutToChange).pipe(
              Effect.zipRight(wait(() => writers.roomForBytes()))
            )
          }
          return wait(() => writers.roomForBytes())
        }
        const content = entry.content
        if (typeof content === "string") yield* take([Buffer.from(content, "utf8")])
        else if (content instanceof Uint8Array) yield* take([content])
        else if (Chunks.isChunks(content)) yield* Chunks.forEach(content, (chunk) => take([chunk]))
        else yield* forEachChunk(content, take)
        writer.end()
        if (first) yield* step.armed ? Effect.zipRight(settled, step.aboutToChange) : step.aboutToChange
        if (step.armed) yield* Effect.zipRight(settled, failed)
        yield* step.changed
        const result: Written = { path: entry.target, size, sha256: hash.digest("hex") }
        written.push(result)
        if (onWritten !== undefined) yield* onWritten(result, index)
      })
    return Effect.gen(function*() {
      for (let i = 0; i < entries.length; i++) yield* one(entries[i]!, i)
      yield* Effect.promise(() => writers.settle())
      yield* failed
      return written
    }).pipe(
      Effect.onExit((exit) =>
        exit._tag === "Success" ? Effect.void : Effect.promise(async () => {
          writers.abort()
          await writers.settle()
          await removeTemps(created)
        })
      )
    )
  })

/** @internal deletes temp files (already gone is fine) */
export const removeTemps = async (temps: ReadonlyArray<string>): Promise<void> => {
  await mapLimit(temps, IO_CONCURRENCY, (temp) => fs.rm(temp, { force: true }).catch(() => undefined))
}

/** @internal the temp files of a batch */
export const tempsOf = (op: CreateFilesOp, transaction: string): Array<string> =>
  op.files.map((file) => batchTempPath(file.path, transaction, op.seq))

/** @internal the deepest folder holding every file of a batch */
export const commonDir = (op: CreateFilesOp): string => {
  let common = Path.dirname(op.files[0]?.path ?? Path.sep)
  for (const file of op.files) {
    while (common !== Path.dirname(common) && !file.path.startsWith(common + Path.sep)) common = Path.dirname(common)
  }
  return common
}

// ---------------------------------------------------------------------------------------------
// rollback

/** @internal a batch against the disk */
export interface BatchCheck {
  /** the files that hold what the batch wrote */
  readonly ours: ReadonlyArray<string>
  /** the files changed since (or no longer regular files), with why */
  readonly changed: ReadonlyArray<{ readonly path: string; readonly detail: string }>
}

/**
 * @internal
 * Which files of the batch (but those in `skip`) hold what it wrote. Before `staged` nothing was
 * renamed into place: whatever is at a target is not the batch's.
 */
export const check = async (op: CreateFilesOp, skip: ReadonlySet<string>): Promise<BatchCheck> => {
  if (op.state === "intent") return { ours: [], changed: [] }
  const files = op.files.filter((file) => !skip.has(file.path))
  const states = await mapLimit(files, IO_CONCURRENCY, async (file) => {
    const stat = await lstatOrUndefined(file.path)
    if (stat === undefined) return "before" as const
    if (!stat.isFile()) return "is no longer a regular file"
    if (stat.size !== file.size) return "changed since the transaction created it (sha256 differs)"
    const digest = await digestFile(file.path)
    if (digest?.sha256 === file.sha256 && digest?.size === file.size) return "after" as const
    return "changed since the transaction created it (sha256 differs)"
  })
  const ours: Array<string> = []
  const changed: Array<{ path: string; detail: string }> = []
  states.forEach((state, i) => {
    const path = files[i]!.path
    if (state === "after") ours.push(path)
    else if (state !== "before") changed.push({ path, detail: state })
  })
  return { ours, changed }
}

/**
 * @internal
 * Deletes `files` and makes that durable (each folder fsynced once), deletes the temps a crash
 * left (before `done`), then removes the created folders that are empty.
 */
export const undo = (op: CreateFilesOp, transaction: string, files: ReadonlyArray<string>) =>
  io(commonDir(op), "cannot undo", async () => {
    await mapLimit(files, IO_CONCURRENCY, async (file) => {
      try {
        await fs.unlink(file)
      } catch (error) {
        if (errnoCode(error) !== "ENOENT") throw error
      }
    })
    // a crash before `done` may have left temps: then every folder of the batch has changed
    const temps = op.state !== "done"
    if (temps) await removeTemps(tempsOf(op, transaction))
    const dirs = new Set((temps ? op.files.map((file) => file.path) : files).map((file) => Path.dirname(file)))
    await mapLimit([...dirs], IO_CONCURRENCY, async (dir) => {
      try {
        await fsyncDir(dir)
      } catch (error) {
        // never created (the crash came first)
        if (errnoCode(error) !== "ENOENT" && errnoCode(error) !== "ENOTDIR") throw error
      }
    })
    await removeDirsIfEmpty(op.created_dirs)
  })
