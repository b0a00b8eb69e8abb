/**
 * Writes a session package as a folder or a `.tgz`, streaming: every file is hashed (SHA-256)
 * as it goes in, and memory stays flat whatever the file sizes. Everything lands in a temp
 * sibling (`<out>.tmp-<pid>-<random>`) that `commit` moves into place; when the scope closes
 * without a commit (failure, interruption) the temp is removed and nothing remains. A process
 * killed outright cannot remove its temp: the next write to the same `out` does.
 *
 * Archives are deterministic: entries in the order they are added (each folder announced before
 * its first file), mtime fixed, uid/gid 0, empty user and group names, mode 0644 / 0755.
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
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import * as tar from "tar-stream"
import { nameRule } from "./Credentials.js"
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
export type Format = "tgz" | "directory"

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
 * @since 0.1.0
 * @category models
 */
export interface PackageSink {
  /** Streams one file in, hashing while writing; fails if the stream's byte count differs from `size`. */
  readonly add: <E>(entry: Entry<E>) => Effect.Effect<PackageFile, PackageError | E>
  readonly addBytes: (path: string, bytes: Uint8Array | string) => Effect.Effect<PackageFile, PackageError>
  /**
   * Copies the first `size` bytes of a file on disk in: the fast path for rollouts (one node
   * read stream per file, no per-chunk effects). `onBytes` sees every chunk, for progress.
   */
  readonly addFile: (
    entry: { readonly path: string; readonly size: number; readonly source: string },
    onBytes?: (bytes: number) => void
  ) => Effect.Effect<PackageFile, PackageError>
  /** Finishes the archive / folder and moves it into place atomically. */
  readonly commit: Effect.Effect<void, PackageError>
}

/**
 * `"tgz"` for `.tgz` / `.tar.gz`, else `"directory"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const formatFor = (out: string): Format => /\.(tgz|tar\.gz)$/i.test(out) ? "tgz" : "directory"

const FILE_MODE = 0o644
const DIR_MODE = 0o755
const EPOCH = new Date(0)
const GZIP_LEVEL = 6
// big buffers between the hashing main thread and gzip in the threadpool keep both busy
const HIGH_WATER_MARK = 1024 * 1024

/** Where the bytes of one file go: a tar entry or a file in the temp folder. */
interface Target {
  /** false: wait for `drained` before writing more */
  write(bytes: Buffer): boolean
  drained(): Promise<void>
  finish(): Promise<void>
}

interface Backend {
  readonly begin: (path: string, size: number) => Promise<Target>
  readonly commit: () => Promise<void>
  readonly abort: () => Promise<void>
}

const tgzBackend = async (out: string, temp: string, mtime: Date): Promise<Backend> => {
  const file = nodeFs.createWriteStream(temp, { flags: "wx", mode: FILE_MODE, highWaterMark: HIGH_WATER_MARK })
  await once(file, "open")
  const pack = tar.pack({ highWaterMark: HIGH_WATER_MARK })
  const gzip = zlib.createGzip({ level: GZIP_LEVEL, chunkSize: 64 * 1024 })
  const done = pipeline(pack, gzip, file)
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
    abort: async () => {
      pack.destroy(new Error("package writing aborted"))
      await done.catch(() => undefined)
      await removeQuietly(temp)
    }
  }
}

const directoryBackend = async (out: string, temp: string): Promise<Backend> => {
  await fs.mkdir(temp, { mode: DIR_MODE })
  let open: { readonly file: nodeFs.WriteStream; readonly closed: Promise<void> } | undefined
  return {
    begin: async (path) => {
      const target = Path.join(temp, ...path.split("/"))
      await fs.mkdir(Path.dirname(target), { recursive: true, mode: DIR_MODE })
      // "wx": never follow or reuse anything already there; flush: fsync before close
      const file = nodeFs.createWriteStream(target, { flags: "wx", mode: FILE_MODE, flush: true, highWaterMark: HIGH_WATER_MARK })
      let failure: unknown
      const closed = new Promise<void>((resolve, reject) => {
        file.on("error", (error) => failure ??= error)
        file.on("close", () => failure === undefined ? resolve() : reject(failure))
      })
      closed.catch(() => undefined)
      open = { file, closed }
      await once(file, "open")
      return {
        write: (bytes) => file.write(bytes),
        drained: () => waitDrain(file),
        finish: async () => {
          file.end()
          await closed
          open = undefined
        }
      }
    },
    commit: async () => {
      await fsyncDir(temp)
      const problem = await destinationProblem(out, true)
      if (problem !== undefined) throw new DestinationExists(problem)
      await renameFolderInto(temp, out)
      await fsyncDir(Path.dirname(Path.resolve(out))).catch(() => undefined)
    },
    abort: async () => {
      if (open !== undefined) {
        open.file.destroy()
        await open.closed.catch(() => undefined)
      }
      await removeQuietly(temp)
    }
  }
}

class DestinationExists extends Error {}
class ShortRead extends Error {}

const READ_CHUNK = 1024 * 1024

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
  const backend = yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: () => options.format === "tgz" ? tgzBackend(out, temp, options.mtime ?? EPOCH) : directoryBackend(out, temp),
      catch: io("cannot create the temp output")
    }),
    (backend) => state === "committed" ? Effect.void : Effect.promise(backend.abort)
  )
  const names = new NameSet()
  const allowed: ReadonlySet<string> = new Set(options.allowedFiles)
  const lock = yield* Effect.makeSemaphore(1)

  const usable = Effect.suspend(() =>
    state === "open"
      ? Effect.void
      : Effect.fail(
        fail("io", state === "committed" ? "the package is already committed" : "an earlier entry failed; the package cannot be completed")
      )
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

  const add = <E>(entry: Entry<E>): Effect.Effect<PackageFile, PackageError | E> =>
    Effect.gen(function*() {
      yield* usable
      const refused = check(entry.path, entry.size)
      if (refused !== undefined) return yield* refused
      // from here on a failure leaves a half-written entry: the package can only be abandoned
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
          full = !target.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) || full
        }
        return full ? Effect.tryPromise({ try: () => target.drained(), catch: io("cannot write", entry.path) }) : Effect.void
      })
      if (written !== entry.size) {
        return yield* fail("checksum_mismatch", `declared ${entry.size} bytes but the content has ${written}`, entry.path)
      }
      yield* Effect.tryPromise({ try: () => target.finish(), catch: io("cannot write", entry.path) })
      state = "open"
      return { path: entry.path, size: written, sha256: hash.digest("hex") }
    }).pipe(lock.withPermits(1), Effect.withSpan("PackageWriter.add", { attributes: { path: entry.path } }))

  const addFile = (
    entry: { readonly path: string; readonly size: number; readonly source: string },
    onBytes?: (bytes: number) => void
  ): Effect.Effect<PackageFile, PackageError> =>
    Effect.gen(function*() {
      yield* usable
      const refused = check(entry.path, entry.size)
      if (refused !== undefined) return yield* refused
      state = "broken"
      const file = yield* Effect.tryPromise({
        try: async (): Promise<PackageFile> => {
          const target = await backend.begin(entry.path, entry.size)
          const hash = createHash("sha256")
          let written = 0
          // exactly `size` bytes: a file that grows meanwhile (Codex appending) gives its prefix
          if (entry.size > 0) {
            const input = nodeFs.createReadStream(entry.source, { start: 0, end: entry.size - 1, highWaterMark: READ_CHUNK })
            for await (const chunk of input as AsyncIterable<Buffer>) {
              written += chunk.byteLength
              hash.update(chunk)
              onBytes?.(chunk.byteLength)
              if (!target.write(chunk)) await target.drained()
            }
          }
          if (written !== entry.size) throw new ShortRead(`the file has ${written} bytes, ${entry.size} expected (did it shrink?)`)
          await target.finish()
          return { path: entry.path, size: written, sha256: hash.digest("hex") }
        },
        catch: (error) =>
          error instanceof ShortRead
            ? fail("checksum_mismatch", error.message, entry.path)
            : io(`cannot copy ${entry.source}`, entry.path)(error)
      })
      state = "open"
      return file
    }).pipe(lock.withPermits(1), Effect.withSpan("PackageWriter.addFile", { attributes: { path: entry.path } }))

  const addBytes = (path: string, bytes: Uint8Array | string) => {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes
    return add({ path, size: data.byteLength, content: Stream.succeed(data) })
  }

  const commit = Effect.gen(function*() {
    if (state === "committed") return
    yield* usable
    state = "broken"
    yield* Effect.tryPromise({ try: backend.commit, catch: io("cannot finish the package") })
    state = "committed"
  }).pipe(lock.withPermits(1), Effect.uninterruptible, Effect.withSpan("PackageWriter.commit"))

  return { add, addBytes, addFile, commit } satisfies PackageSink
})
