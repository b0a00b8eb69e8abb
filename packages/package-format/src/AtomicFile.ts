/**
 * Atomic file replacement: the content goes to a temp file in the same folder
 * (`.<name>.tmp-<random>`), is fsynced, renamed over the target, and the folder is fsynced. A
 * reader sees the old file or the new one, never a mix; on failure or interruption the temp is
 * removed and the target is untouched. Every write to a Codex home goes through here.
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Stream } from "effect"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { fsyncDir, ioError, lstatOrUndefined, randomSuffix } from "./internal/files.js"
import type { PackageError } from "./PackageError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Permission bits of a new file (default `0o666` less the umask); an existing target keeps its own. */
  readonly mode?: number
}

/**
 * The temp name used next to `path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tempPathFor = (path: string): string =>
  Path.join(Path.dirname(path), `.${Path.basename(path)}.tmp-${randomSuffix()}`)

const writeAll = async (handle: fs.FileHandle, buffers: Array<Uint8Array>): Promise<void> => {
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0)
  const { bytesWritten } = await handle.writev(buffers)
  if (bytesWritten === total) return
  // a short write is legal: finish the rest one buffer at a time
  let skip = bytesWritten
  for (const buffer of buffers) {
    let offset = Math.min(skip, buffer.byteLength)
    skip -= offset
    while (offset < buffer.byteLength) {
      offset += (await handle.write(buffer, offset, buffer.byteLength - offset)).bytesWritten
    }
  }
}

/**
 * Replaces `path` with the bytes of `content`, atomically.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeStream: {
  <E, R>(path: string, content: Stream.Stream<Uint8Array, E, R>, options?: Options): Effect.Effect<void, PackageError | E, R>
} = Effect.fn("AtomicFile.writeStream")(function*<E, R>(
  path: string,
  content: Stream.Stream<Uint8Array, E, R>,
  options?: Options
) {
  const io = (detail: string) => (error: unknown) => ioError(path, detail, error)
  const temp = tempPathFor(path)
  const existing = yield* Effect.tryPromise({ try: () => lstatOrUndefined(path), catch: io("cannot inspect the target") })
  const mode = existing === undefined ? options?.mode ?? 0o666 : existing.mode & 0o7777
  let closed = false
  let renamed = false
  yield* Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => fs.open(temp, "wx", mode), catch: io("cannot create the temp file") }),
    (handle) =>
      Effect.gen(function*() {
        yield* Stream.runForEachChunk(content, (chunk) =>
          Effect.tryPromise({ try: () => writeAll(handle, Chunk.toArray(chunk)), catch: io("cannot write") }))
        if (existing !== undefined) {
          // open() applies the umask; a replaced file keeps exactly its old permissions
          yield* Effect.tryPromise({ try: () => handle.chmod(mode), catch: io("cannot set permissions") })
        }
        yield* Effect.tryPromise({ try: () => handle.sync(), catch: io("cannot fsync") })
        yield* Effect.tryPromise({
          try: async () => {
            closed = true
            await handle.close()
            await fs.rename(temp, path)
            renamed = true
          },
          catch: io("cannot move the temp file into place")
        }).pipe(Effect.uninterruptible)
        // the new content is in place: a failing folder fsync must not report the write as failed
        yield* Effect.promise(() => fsyncDir(Path.dirname(path)).catch(() => undefined))
      }),
    (handle) =>
      Effect.promise(async () => {
        if (!closed) await handle.close().catch(() => undefined)
        if (!renamed) await fs.rm(temp, { force: true }).catch(() => undefined)
      })
  )
})

/**
 * Replaces `path` with `data` (a string is written as UTF-8), atomically.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeFile = (path: string, data: Uint8Array | string, options?: Options): Effect.Effect<void, PackageError> =>
  writeStream(path, Stream.succeed(typeof data === "string" ? Buffer.from(data, "utf8") : data), options).pipe(
    Effect.withSpan("AtomicFile.writeFile")
  )

/**
 * Moves a complete file to `to` (same file system) and makes the move durable: the folder's
 * entry is synced, so a crash right after never loses it.
 *
 * @since 0.4.0
 * @category writing
 */
export const rename = (from: string, to: string): Effect.Effect<void, PackageError> =>
  Effect.tryPromise({
    try: async () => {
      await fs.rename(from, to)
      await fsyncDir(Path.dirname(to))
    },
    catch: (error) => ioError(to, "cannot move into place", error)
  }).pipe(Effect.withSpan("AtomicFile.rename"))
