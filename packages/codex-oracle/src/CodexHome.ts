/**
 * Where a Codex home keeps its rollouts: `sessions/YYYY/MM/DD/` and the flat `archived_sessions/`,
 * each as `.jsonl` or (cold, compressed by Codex) `.jsonl.zst`.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Option } from "effect"
import { rolloutFilePattern } from "./internal/config.js"

/** @since 0.1.0 @category models */
export interface RolloutFile {
  readonly threadId: string
  /** Absolute path. */
  readonly path: string
  /** Path relative to the Codex home, with `/` separators. */
  readonly relativePath: string
  readonly archived: boolean
  readonly compressed: boolean
  readonly mtimeMs: number
}

/**
 * Every rollout file under `sessions/` and `archived_sessions/`, newest (by mtime) first.
 *
 * @since 0.1.0
 * @category queries
 */
export const listRollouts = Effect.fn("CodexHome.listRollouts")(function*(codexHome: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const found: Array<RolloutFile> = []
  for (const folder of ["sessions", "archived_sessions"] as const) {
    const root = path.join(codexHome, folder)
    if (!(yield* fs.exists(root))) continue
    const entries = yield* fs.readDirectory(root, { recursive: true })
    for (const entry of entries) {
      const match = rolloutFilePattern.exec(path.basename(entry))
      if (match === null) continue
      const absolute = path.join(root, entry)
      const info = yield* fs.stat(absolute)
      if (info.type !== "File") continue
      found.push({
        threadId: match[1]!.toLowerCase(),
        path: absolute,
        relativePath: path.relative(codexHome, absolute).split(path.sep).join("/"),
        archived: folder === "archived_sessions",
        compressed: match[2] !== undefined,
        mtimeMs: Option.match(info.mtime, { onNone: () => 0, onSome: (d) => d.getTime() })
      })
    }
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs) as ReadonlyArray<RolloutFile>
})

/**
 * The rollout of one thread, wherever it sits.
 *
 * @since 0.1.0
 * @category queries
 */
export const findRollout = (
  codexHome: string,
  threadId: string
): Effect.Effect<Option.Option<RolloutFile>, PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.map(listRollouts(codexHome), (all) => Option.fromNullable(all.find((r) => r.threadId === threadId.toLowerCase())))
