/** Small node:fs helpers shared by the atomic writers and the package reader/writer. */
import { createHash, randomBytes } from "node:crypto"
import * as os from "node:os"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { PackageError } from "../PackageError.js"
import { pidAlive } from "../Processes.js"

/** A suffix for temp names that never collides with a concurrent writer. */
export const randomSuffix = (): string => randomBytes(6).toString("hex")

/** this machine, in temp names: a pid means something only on the machine that wrote it */
const HOST = createHash("sha256").update(os.hostname()).digest("hex").slice(0, 8)

/**
 * The temp beside `target` that a writer fills, then renames into place:
 * `<target>.tmp-<host>-<pid>-<random>`. Host and pid let a later writer tell a killed writer's
 * leftover from a live one's ({@link removeStaleTemps}), also in a folder that several machines
 * share.
 */
export const ownedTempPath = (target: string): string => `${target}.tmp-${HOST}-${process.pid}-${randomSuffix()}`

/**
 * A temp whose owner cannot be checked (another machine's, or a pid-less `<target>.tmp-<random>`
 * from before pids were added) is stale once untouched this long.
 */
export const UNOWNED_TEMP_AGE_MS = 60 * 60 * 1000

const OWNED_TEMP = /^([0-9a-f]{8})-(\d+)-[0-9a-f]{12}$/
const UNOWNED_TEMP = /^(?:[0-9a-f]{8}-\d+-)?[0-9a-f]{12}$/

/**
 * Removes the temps a killed writer left beside `target`: those of a process that no longer
 * runs, and pid-less ones untouched for {@link UNOWNED_TEMP_AGE_MS}. A live writer's temp stays.
 * Best effort, never fails; answers the paths removed.
 */
export const removeStaleTemps = async (target: string): Promise<Array<string>> => {
  const dir = Path.dirname(target)
  const prefix = `${Path.basename(target)}.tmp-`
  const names = await fs.readdir(dir).catch((): Array<string> => [])
  const removed: Array<string> = []
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const rest = name.slice(prefix.length)
    const path = Path.join(dir, name)
    const owner = OWNED_TEMP.exec(rest)
    const stale = owner !== null && owner[1] === HOST
      ? Number(owner[2]) !== process.pid && !pidAlive(Number(owner[2]))
      : UNOWNED_TEMP.test(rest) &&
        ((await lstatOrUndefined(path).catch(() => undefined))?.mtimeMs ?? Date.now()) < Date.now() - UNOWNED_TEMP_AGE_MS
    if (!stale) continue
    await removeQuietly(path)
    if (await lstatOrUndefined(path).then((stat) => stat === undefined, () => false)) removed.push(path)
  }
  return removed
}

export const errorText = (error: unknown): string => error instanceof Error ? error.message : String(error)

export const ioError = (pkg: string, detail: string, error?: unknown, entry?: string): PackageError =>
  new PackageError({
    reason: "io",
    package: pkg,
    ...(entry === undefined ? {} : { entry }),
    detail: error === undefined ? detail : `${detail}: ${errorText(error)}`
  })

/** `lstat`, or `undefined` when nothing is there. */
export const lstatOrUndefined = async (path: string) => {
  try {
    return await fs.lstat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** Flushes a file's data to disk (any handle flushes the file; `r+` so Windows may flush too). */
export const fsyncFile = async (path: string): Promise<void> => {
  const handle = await fs.open(path, "r+")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Makes a rename durable. Windows cannot open folders; its renames are journaled by NTFS. */
export const fsyncDir = async (path: string): Promise<void> => {
  if (process.platform === "win32") return
  const handle = await fs.open(path, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Best-effort removal of a temp file or folder; cleanup must never mask the real failure. */
export const removeQuietly = (path: string): Promise<void> =>
  fs.rm(path, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined)

/**
 * Whether `out` may be created: it does not exist, or (when `emptyFolderOk`) it is an empty
 * folder. Answers the reason when not.
 */
export const destinationProblem = async (out: string, emptyFolderOk: boolean): Promise<string | undefined> => {
  const stat = await lstatOrUndefined(out)
  if (stat === undefined) return undefined
  if (emptyFolderOk && stat.isDirectory() && (await fs.readdir(out)).length === 0) return undefined
  return emptyFolderOk ? "already exists and is not an empty folder" : "already exists"
}

/** Renames a finished temp folder onto `out`, which is missing or an empty folder. */
export const renameFolderInto = async (temp: string, out: string): Promise<void> => {
  const stat = await lstatOrUndefined(out)
  // rmdir fails on a folder that gained files since the check, which is what we want
  if (stat !== undefined && stat.isDirectory()) await fs.rmdir(out)
  await fs.rename(temp, out)
}

/** Resolves on `drain`; rejects if the stream is, or gets, destroyed (a failed pipeline never drains). */
export const waitDrain = (stream: NodeJS.EventEmitter & { readonly destroyed: boolean }): Promise<void> =>
  new Promise((resolve, reject) => {
    // streamx (tar-stream) marks `destroying` before `destroyed`
    if (stream.destroyed || (stream as { destroying?: boolean }).destroying === true) {
      return reject(new Error("the output stream was closed"))
    }
    const cleanup = () => {
      stream.off("drain", onDrain)
      stream.off("error", onError)
      stream.off("close", onClose)
    }
    const onDrain = () => {
      cleanup()
      resolve()
    }
    const onError = (error: unknown) => {
      cleanup()
      reject(error)
    }
    const onClose = () => {
      cleanup()
      reject(new Error("the output stream was closed"))
    }
    stream.on("drain", onDrain)
    stream.on("error", onError)
    stream.on("close", onClose)
  })
