/**
 * Files removed by a transaction (`removeFiles`): each is moved whole into the transaction's
 * folder, so a rollback moves it back (same inode, mode and mtime on one file system; a copy
 * with mode and mtime set across two). Nothing is deleted for good until the transaction's
 * folder is.
 */
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import type { RemoveFilesOp } from "../TransactionRecord.js"
import { digestFile, errnoCode, fsyncDir, lstatOrUndefined, makeDirs, missingDirs, removeDirsIfEmpty, setMtime } from "./files.js"

/** @internal one file to remove, as recorded */
export type RemovedFile = RemoveFilesOp["files"][number]

/** @internal the state of one removed file on disk */
export type FileState = "before" | "after" | "changed"

/**
 * @internal
 * The record of each file (size, SHA-256, mode, mtime) and its place in the transaction's
 * backups; fails on a file that is not a regular file.
 */
export const describe = async (paths: ReadonlyArray<string>, backupOf: (path: string, i: number) => string): Promise<Array<RemovedFile>> => {
  const out: Array<RemovedFile> = []
  for (const [i, path] of paths.entries()) {
    const stat = await lstatOrUndefined(path)
    if (stat === undefined || !stat.isFile()) throw new Error(stat === undefined ? "does not exist" : "is not a regular file")
    const digest = (await digestFile(path))!
    out.push({ path, backup: backupOf(path, i), size: digest.size, sha256: digest.sha256, mode: stat.mode & 0o7777, mtime_ms: stat.mtimeMs })
  }
  return out
}

/** A move that works across file systems: rename, else copy (mode and mtime kept), fsync, unlink. */
const move = async (from: string, to: string, file: RemovedFile): Promise<void> => {
  try {
    await fs.rename(from, to)
  } catch (error) {
    if (errnoCode(error) !== "EXDEV") throw error
    const temp = `${to}.sessionport-move.tmp`
    await fs.copyFile(from, temp)
    const handle = await fs.open(temp, "r+")
    try {
      await handle.chmod(file.mode)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await setMtime(temp, file.mtime_ms)
    await fs.rename(temp, to)
    await fsyncDir(Path.dirname(to))
    await fs.unlink(from)
  }
}

/** @internal moves a file into the backups (the folder exists) */
export const moveOut = (dir: string, file: RemovedFile): Promise<void> => move(file.path, Path.join(dir, file.backup), file)

/** @internal makes the moves durable: the folders the files left, and the backups folder */
export const syncFolders = async (dir: string, files: ReadonlyArray<RemovedFile>): Promise<void> => {
  for (const folder of new Set([...files.map((file) => Path.dirname(file.path)), ...files.map((file) => Path.dirname(Path.join(dir, file.backup)))])) {
    await fsyncDir(folder)
  }
}

/**
 * @internal
 * Removes the folders the files left empty, deepest first, up to (not including) the top folders
 * of each root (`sessions/`, `projects/`: an agent's own layout stays).
 */
export const removeEmptyFolders = async (files: ReadonlyArray<RemovedFile>, roots: ReadonlyArray<string>): Promise<void> => {
  const candidates = new Set<string>()
  for (const file of files) {
    const root = roots.find((r) => file.path.startsWith(r + Path.sep))
    if (root === undefined) continue
    for (let dir = Path.dirname(file.path); Path.dirname(dir) !== root && dir.startsWith(root + Path.sep); dir = Path.dirname(dir)) {
      candidates.add(dir)
    }
  }
  // deepest first (removeDirsIfEmpty takes shallowest first)
  await removeDirsIfEmpty([...candidates].sort((a, b) => a.length - b.length))
}

/** @internal where a file is now: still in place (`before`), in the backups (`after`), or neither / something else (`changed`) */
export const check = async (dir: string, file: RemovedFile): Promise<{ readonly state: FileState; readonly detail?: string }> => {
  const here = await lstatOrUndefined(file.path)
  const backup = Path.join(dir, file.backup)
  const backedUp = await lstatOrUndefined(backup)
  if (here !== undefined) {
    const digest = here.isFile() ? await digestFile(file.path) : undefined
    if (digest?.sha256 === file.sha256 && digest.size === file.size) return { state: "before" }
    return { state: "changed", detail: "was created again since the transaction removed it" }
  }
  if (backedUp === undefined) return { state: "changed", detail: "is gone, and so is its copy in the journal; it cannot be restored" }
  const digest = await digestFile(backup)
  return digest?.sha256 === file.sha256 && digest.size === file.size
    ? { state: "after" }
    : { state: "changed", detail: "its copy in the journal is damaged; it cannot be restored" }
}

/** @internal moves a removed file back, recreating its folders */
export const moveBack = async (dir: string, file: RemovedFile): Promise<void> => {
  await makeDirs(await missingDirs(Path.dirname(file.path)))
  await move(Path.join(dir, file.backup), file.path, file)
  await fsyncDir(Path.dirname(file.path))
}
