import type { CodexHome } from "@sessionport/codex-home"
import { Effect, Stream } from "effect"
import * as nodeFs from "node:fs"
import * as Fingerprint from "../Fingerprint.js"
import type { SessionPrint } from "../Fingerprint.js"
import type * as Sidecar from "../Sidecar.js"

/** @internal a local rollout: where it is and how big it is now */
export interface LocalFile {
  readonly id: string
  readonly path: string
  readonly size: number
}

/**
 * @internal
 * The local rollouts by thread id (the plain file when a `.zst` copy sits beside it), listed
 * once per sync and only when needed.
 */
export const listLocalFiles = (home: CodexHome.CodexHomeShape) =>
  Stream.runFold(home.sessionFiles, new Map<string, LocalFile>(), (map, file) => {
    const known = map.get(file.threadId)
    if (known === undefined || known.path.endsWith(".zst")) map.set(file.threadId, { id: file.threadId, path: file.path, size: file.size })
    return map
  })

/** @internal the size of a file now, or undefined when it is gone */
export const sizeOf = (path: string): number | undefined => {
  try {
    return nodeFs.statSync(path).size
  } catch {
    return undefined
  }
}

/**
 * @internal
 * The current print of a local session: the sidecar's when the file has not changed size; the
 * sidecar's continued over the bytes appended since (Codex only appends to a plain rollout);
 * else the whole file read again.
 */
export const currentPrint = (
  path: string,
  size: number,
  recorded: { readonly session: Sidecar.LocalSession; readonly print: SessionPrint } | undefined
): Effect.Effect<SessionPrint, Fingerprint.FingerprintError> => {
  if (recorded !== undefined && recorded.session.rolloutPath === path && !path.endsWith(".zst")) {
    if (size === recorded.session.size) return Effect.succeed(recorded.print)
    if (size > recorded.session.size) return Fingerprint.resumeFile(recorded.print, path)
  }
  return Fingerprint.fromFile(path)
}
