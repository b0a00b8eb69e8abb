import type { AgentStore } from "@sessionport/agent"
import { Effect } from "effect"
import * as nodeFs from "node:fs"
import * as Fingerprint from "../Fingerprint.js"
import type { SessionPrint } from "../Fingerprint.js"
import type * as Sidecar from "../Sidecar.js"

/** @internal a local transcript: where it is and how big it is now */
export type LocalFile = AgentStore.LocalSession

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
 * sidecar's continued over the bytes appended since (agents only append to a plain transcript);
 * else the whole file read, going on from `started` (a print of its first records taken earlier
 * in this command) when there is one.
 */
export const currentPrint = (
  path: string,
  size: number,
  recorded: { readonly session: Sidecar.LocalSession; readonly print: SessionPrint } | undefined,
  dialect?: AgentStore.LineageDialect,
  started?: SessionPrint
): Effect.Effect<SessionPrint, Fingerprint.FingerprintError> => {
  if (recorded !== undefined && recorded.session.rolloutPath === path && !path.endsWith(".zst")) {
    if (size === recorded.session.size) return Effect.succeed(recorded.print)
    if (size > recorded.session.size) return Fingerprint.resumeFile(recorded.print, path, dialect)
  }
  return started === undefined ? Fingerprint.fromFile(path, { dialect }) : Fingerprint.resumeFile(started, path, dialect)
}
