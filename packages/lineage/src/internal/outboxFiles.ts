/**
 * The file operations push and compaction make in this machine's own outbox, each failing with
 * a one-line `PackageError` (`io`) that names the path.
 *
 * @internal
 */
import { PackageError } from "@sessionport/package-format/PackageError"
import { Effect } from "effect"
import * as fs from "node:fs/promises"

const errorText = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** @internal */
export const io = <A>(path: string, detail: string, run: () => Promise<A>): Effect.Effect<A, PackageError> =>
  Effect.tryPromise({
    try: run,
    catch: (error) => new PackageError({ reason: "io", package: path, detail: `${detail}: ${errorText(error)}` })
  })

/** @internal the names in a folder; a missing folder has none */
export const names = (dir: string): Effect.Effect<ReadonlyArray<string>, PackageError> =>
  io(dir, "cannot list", () =>
    fs.readdir(dir).then((found) => found.sort(), (error) =>
      (error as NodeJS.ErrnoException).code === "ENOENT" ? [] : Promise.reject(error)))

/** @internal */
export const remove = (path: string): Effect.Effect<void, PackageError> =>
  io(path, "cannot remove", () => fs.rm(path, { recursive: true, force: true, maxRetries: 3 }))

/** @internal a folder removed if it is empty (else, or missing, left as it is) */
export const removeEmptyDir = (path: string): Effect.Effect<void> => Effect.promise(() => fs.rmdir(path).catch(() => undefined))

/** @internal */
export const makeDir = (path: string): Effect.Effect<void, PackageError> =>
  io(path, "cannot create", () => fs.mkdir(path, { recursive: true }).then(() => undefined))

/** @internal */
export const sizeOf = (path: string): Effect.Effect<number, PackageError> =>
  io(path, "cannot inspect", () => fs.stat(path).then((stat) => stat.size))
