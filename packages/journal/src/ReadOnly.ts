/**
 * Whether a write into a Codex home failed because the home (or the folder written in) cannot be
 * written at all: a read-only file system or mount (`EROFS`), permissions (`EACCES`), an immutable
 * file (`EPERM`). The one place that tells these from other failures, for the journal (its folder
 * and lock, the first thing every changing command writes) and the sync sidecar. A recursive
 * `mkdir` on a read-only file system may answer `ENOENT`, and SQLite its own codes: when the
 * failure's code does not say, the nearest existing folder is asked whether it can be written.
 *
 * @since 0.1.0
 */
import * as nodeFs from "node:fs"
import * as Path from "node:path"
import { causeChain } from "./internal/files.js"

/** @since 0.1.0 @category models */
export interface ReadOnlyFolder {
  /** the nearest existing folder (or file) on the way to what was written */
  readonly path: string
  /** why it cannot be written, in a few words */
  readonly why: string
}

const WHY: Readonly<Record<string, string>> = {
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted"
}

const codeOf = (error: unknown): string | undefined =>
  causeChain(error).map(({ code }) => code).find((code): code is string => typeof code === "string" && code in WHY)

/** `path`, or its nearest ancestor that exists */
const nearestExisting = (path: string): string => {
  let at = Path.resolve(path)
  while (!nodeFs.existsSync(at)) {
    const parent = Path.dirname(at)
    if (parent === at) break
    at = parent
  }
  return at
}

/** why `path` cannot be written, or `undefined` when it can */
const refusal = (path: string): string | undefined => {
  try {
    nodeFs.accessSync(path, nodeFs.constants.W_OK)
    return undefined
  } catch (probe) {
    const code = codeOf(probe)
    return code === undefined ? undefined : WHY[code]
  }
}

/**
 * The folder a failed write to `path` could not write in, and why; `undefined` when the failure
 * is something else (the folder can be written). The folder named is the highest one up to
 * `home` that cannot be written either: a read-only home is named as such, not the folder of
 * sessionport's inside it.
 *
 * @since 0.1.0
 * @category predicates
 */
export const readOnlyFolder = (path: string, error: unknown, home?: string): ReadOnlyFolder | undefined => {
  let at = nearestExisting(path)
  const code = codeOf(error)
  const why = code !== undefined ? WHY[code] : refusal(at)
  if (why === undefined) return undefined
  const top = home === undefined ? undefined : Path.resolve(home)
  while (top !== undefined && at !== top && at.startsWith(top + Path.sep) && refusal(Path.dirname(at)) !== undefined) {
    at = Path.dirname(at)
  }
  return { path: at, why }
}
