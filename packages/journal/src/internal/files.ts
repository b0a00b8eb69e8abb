/** node:fs helpers for the journal: digests, durable small changes, folder bookkeeping. */
import * as AtomicFile from "@sessionport/package-format/AtomicFile"
import type * as PackageError from "@sessionport/package-format/PackageError"
import { Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { JournalError } from "../JournalError.js"

/** @internal */
export const errnoCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null ? (error as NodeJS.ErrnoException).code : undefined

/**
 * @internal
 * A write refused for want of room: a full disk or quota (`ENOSPC`, `EDQUOT`), or SQLite's
 * `SQLITE_FULL`, told from the error, its causes or its message.
 */
export const isNoSpace = (error: unknown): boolean =>
  causeChain(error).some(({ code, message }) =>
    code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL" ||
    (typeof message === "string" && /\bENOSPC\b|\bEDQUOT\b|SQLITE_FULL|database or disk is full/.test(message))
  )

/**
 * @internal
 * An error and its causes (a few levels deep), outermost first: Effect's and SQL's wrappers keep
 * the node or SQLite error, with its `code`, behind `cause`.
 */
export const causeChain = (
  error: unknown
): Array<{ readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }> => {
  const chain: Array<{ readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }> = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    chain.push(current as { readonly cause?: unknown })
    current = (current as { readonly cause?: unknown }).cause
  }
  return chain
}

/** @internal */
export const errorText = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** @internal */
export const ioError = (path: string, detail: string, error?: unknown): JournalError =>
  new JournalError({
    reason: "io",
    path,
    detail: error === undefined ? detail : `${detail}: ${errorText(error)}`,
    ...(error === undefined ? {} : { cause: error })
  })

/** @internal a node:fs call as an Effect failing with `io` */
export const io = <A>(path: string, detail: string, run: () => Promise<A>): Effect.Effect<A, JournalError> =>
  Effect.tryPromise({ try: run, catch: (error) => error instanceof JournalError ? error : ioError(path, detail, error) })

/** @internal */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** @internal */
export interface Digest {
  readonly size: number
  readonly sha256: string
}

/** @internal `lstat`, or `undefined` when nothing is there */
export const lstatOrUndefined = async (path: string) => {
  try {
    return await fs.lstat(path)
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return undefined
    throw error
  }
}

/** @internal size and sha256 of a file, `undefined` when it is missing */
export const digestFile = async (path: string): Promise<Digest | undefined> => {
  const hash = createHash("sha256")
  let size = 0
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer)
      size += (chunk as Buffer).byteLength
    }
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined
    throw error
  }
  return { size, sha256: hash.digest("hex") }
}

/** @internal sha256 of `length` bytes from `offset` (fewer at the end of the file), read in chunks */
export const digestRange = async (path: string, offset: number, length: number): Promise<string> => {
  const hash = createHash("sha256")
  if (length > 0) {
    for await (const chunk of createReadStream(path, { start: offset, end: offset + length - 1 })) hash.update(chunk as Buffer)
  }
  return hash.digest("hex")
}

/** @internal what an append expects its target to hold still: `size` bytes whose SHA-256 is `sha256` */
export interface Prefix {
  readonly size: number
  readonly sha256: string
}

/** @internal the target is no longer the prefix an append expects */
export class PrefixChanged extends Error {}

const checkPrefix = async (handle: fs.FileHandle, prefix: Prefix, buffer: Buffer): Promise<void> => {
  const hash = createHash("sha256")
  for (let position = 0; position < prefix.size;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, prefix.size - position), position)
    if (bytesRead === 0) throw new PrefixChanged(`it is shorter than the ${prefix.size} bytes read before`)
    hash.update(buffer.subarray(0, bytesRead))
    position += bytesRead
  }
  if (hash.digest("hex") !== prefix.sha256) throw new PrefixChanged("its first bytes differ from those read before")
  // last, right before the write: anything appended meanwhile
  const size = (await handle.stat()).size
  if (size !== prefix.size) throw new PrefixChanged(`it is ${size} bytes, not the ${prefix.size} read before`)
}

/**
 * @internal
 * Appends the whole of `source` to `path` (created when missing), in chunks, fsynced; with
 * `prefix`, only onto exactly that content, checked through the appending handle itself.
 */
export const appendFileDurably = async (path: string, source: string, created: boolean, prefix?: Prefix): Promise<void> => {
  const handle = await fs.open(path, prefix === undefined ? "a" : "a+")
  const input = await fs.open(source, "r")
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024)
    if (prefix !== undefined) await checkPrefix(handle, prefix, buffer)
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      let offset = 0
      while (offset < bytesRead) offset += (await handle.write(buffer, offset, bytesRead - offset)).bytesWritten
    }
    await handle.sync()
  } finally {
    await input.close()
    await handle.close()
  }
  if (created) await fsyncDir(Path.dirname(path))
}

/** @internal `length` bytes from `offset` (fewer at the end of the file) */
export const readRange = async (path: string, offset: number, length: number): Promise<Buffer> => {
  const handle = await fs.open(path, "r")
  try {
    const buffer = Buffer.alloc(length)
    let read = 0
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, offset + read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    return buffer.subarray(0, read)
  } finally {
    await handle.close()
  }
}

/** @internal makes a rename, create or delete in `dir` durable (Windows cannot open folders) */
export const fsyncDir = async (dir: string): Promise<void> => {
  if (process.platform === "win32") return
  const handle = await fs.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * @internal
 * The folders to create so that `dir` exists, shallowest first; fails when an existing ancestor
 * is not a folder.
 */
export const missingDirs = async (dir: string): Promise<Array<string>> => {
  const missing: Array<string> = []
  let current = dir
  for (;;) {
    const stat = await lstatOrUndefined(current)
    if (stat !== undefined) {
      if (!stat.isDirectory()) throw new Error(`${current} is not a folder`)
      return missing.reverse()
    }
    missing.push(current)
    const parent = Path.dirname(current)
    if (parent === current) return missing.reverse()
    current = parent
  }
}

/**
 * @internal
 * Creates `dirs` (shallowest first), each made durable in its parent; with `durable: false` the
 * caller fsyncs the parents itself (a batch does, once per folder).
 */
export const makeDirs = async (dirs: ReadonlyArray<string>, options: { readonly durable: boolean } = { durable: true }): Promise<void> => {
  for (const dir of dirs) {
    try {
      await fs.mkdir(dir)
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error
    }
    if (options.durable) await fsyncDir(Path.dirname(dir))
  }
}

/** @internal removes those of `dirs` that exist and are empty, deepest first; answers the removed ones */
export const removeDirsIfEmpty = async (dirs: ReadonlyArray<string>): Promise<Array<string>> => {
  const removed: Array<string> = []
  for (const dir of [...dirs].reverse()) {
    try {
      await fs.rmdir(dir)
      removed.push(dir)
      await fsyncDir(Path.dirname(dir))
    } catch (error) {
      // not empty (someone else's files, kept) or already gone
      const code = errnoCode(error)
      if (code !== "ENOENT" && code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOTDIR") throw error
    }
  }
  return removed
}

/** @internal the temp files AtomicFile leaves next to `path` when killed mid-write */
export const tempsOf = async (path: string): Promise<Array<string>> => {
  const prefix = `.${Path.basename(path)}.tmp-`
  try {
    return (await fs.readdir(Path.dirname(path))).filter((name) => name.startsWith(prefix)).map((name) =>
      Path.join(Path.dirname(path), name)
    )
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return []
    throw error
  }
}

/** @internal deletes `path` (already gone is fine) and makes it durable */
export const unlinkDurably = async (path: string): Promise<void> => {
  try {
    await fs.unlink(path)
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return
    throw error
  }
  await fsyncDir(Path.dirname(path))
}

/** @internal */
export const truncateDurably = async (path: string, size: number): Promise<void> => {
  const handle = await fs.open(path, "r+")
  try {
    await handle.truncate(size)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** @internal appends and fsyncs; a file created by it is made durable in its folder too */
export const appendDurably = async (path: string, bytes: Uint8Array, created: boolean): Promise<void> => {
  const handle = await fs.open(path, "a")
  try {
    let offset = 0
    while (offset < bytes.byteLength) {
      offset += (await handle.write(bytes, offset, bytes.byteLength - offset)).bytesWritten
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  if (created) await fsyncDir(Path.dirname(path))
}

/** @internal sets the modification (and access) time, durably */
export const setMtime = async (path: string, mtimeMs: number): Promise<void> => {
  await fs.utimes(path, mtimeMs / 1000, mtimeMs / 1000)
  const handle = await fs.open(path, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const fromPackageError = (path: string) => (error: PackageError.PackageError): JournalError =>
  ioError(path, error.detail)

/** @internal AtomicFile.writeFile with journal errors */
export const atomicWrite = (path: string, data: Uint8Array | string): Effect.Effect<void, JournalError> =>
  AtomicFile.writeFile(path, data).pipe(Effect.mapError(fromPackageError(path)))

/**
 * @internal
 * AtomicFile.writeStream; failures of `content` come out as they are, AtomicFile's own as `io`
 * (they are told apart by wrapping, as a caller's stream may fail with a PackageError too).
 */
export const atomicWriteStream = <E, R>(
  path: string,
  content: Stream.Stream<Uint8Array, E, R>,
  options?: AtomicFile.Options
): Effect.Effect<void, E | JournalError, R> =>
  AtomicFile.writeStream(path, Stream.mapError(content, (error) => new Passthrough(error)), options).pipe(
    Effect.catchAll((error): Effect.Effect<never, E | JournalError> =>
      error instanceof Passthrough
        ? Effect.fail(error.error as E)
        : Effect.fail(fromPackageError(path)(error as PackageError.PackageError))
    )
  )

class Passthrough {
  constructor(readonly error: unknown) {}
}

/** @internal a file's bytes as a stream of chunks */
export const fileStream = (path: string): Stream.Stream<Uint8Array, JournalError> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(createReadStream(path) as AsyncIterable<Buffer>, (error) => ioError(path, "cannot read", error))
  )
