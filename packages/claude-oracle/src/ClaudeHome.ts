/**
 * Where a Claude Code config dir (`CLAUDE_CONFIG_DIR`) keeps its transcripts:
 * `projects/<projectDirName(cwd)>/<sessionId>.jsonl`, one JSON object per line.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { ClaudeProjectFolder } from "@sessionport/schema"
import { Effect, Option } from "effect"

/**
 * The folder name of a project (`@sessionport/schema/ClaudeProjectFolder`). Claude resolves the
 * cwd with realpath first; pass a real path.
 *
 * @since 0.1.0
 * @category encoding
 */
export const projectDirName = (cwd: string): string => ClaudeProjectFolder.projectFolderName(cwd)

/** @since 0.1.0 @category models */
export interface TranscriptFile {
  readonly sessionId: string
  /** Absolute path. */
  readonly path: string
  /** Path relative to the config dir, with `/` separators: `projects/<dir>/<id>.jsonl`. */
  readonly relativePath: string
  /** The `projects/` folder name. */
  readonly projectDir: string
  readonly mtimeMs: number
}

const transcriptName = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i

/**
 * Every top-level transcript under `projects/*`, newest (by mtime) first.
 *
 * @since 0.1.0
 * @category queries
 */
export const listTranscripts = Effect.fn("ClaudeHome.listTranscripts")(function*(configDir: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const root = path.join(configDir, "projects")
  const found: Array<TranscriptFile> = []
  if (!(yield* fs.exists(root))) return found as ReadonlyArray<TranscriptFile>
  for (const projectDir of yield* fs.readDirectory(root)) {
    const dir = path.join(root, projectDir)
    if ((yield* fs.stat(dir)).type !== "Directory") continue
    for (const name of yield* fs.readDirectory(dir)) {
      const match = transcriptName.exec(name)
      if (match === null) continue
      const absolute = path.join(dir, name)
      const info = yield* fs.stat(absolute)
      if (info.type !== "File") continue
      found.push({
        sessionId: match[1]!.toLowerCase(),
        path: absolute,
        relativePath: `projects/${projectDir}/${name}`,
        projectDir,
        mtimeMs: Option.match(info.mtime, { onNone: () => 0, onSome: (d) => d.getTime() })
      })
    }
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs) as ReadonlyArray<TranscriptFile>
})

/**
 * The transcript of one session, in whichever project folder it sits.
 *
 * @since 0.1.0
 * @category queries
 */
export const findTranscript = (
  configDir: string,
  sessionId: string
): Effect.Effect<Option.Option<TranscriptFile>, PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.map(
    listTranscripts(configDir),
    (all) => Option.fromNullable(all.find((t) => t.sessionId === sessionId.toLowerCase()))
  )

/** @since 0.1.0 @category models */
export type Line = Readonly<Record<string, unknown>>

/**
 * The lines of a transcript, parsed (blank lines skipped).
 *
 * @since 0.1.0
 * @category queries
 */
export const readTranscript = Effect.fn("ClaudeHome.readTranscript")(function*(file: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(file)
  return text.split("\n").filter((line) => line.trim().length > 0).map((line) => JSON.parse(line) as Line)
})

/**
 * A line's kind: `type`, refined as `attachment:<attachment.type>` or `system:<subtype>`.
 *
 * @since 0.1.0
 * @category getters
 */
export const lineType = (line: Line): string => {
  const type = String(line["type"])
  if (type === "attachment") {
    const attachment = line["attachment"] as { readonly type?: unknown } | undefined
    return `attachment:${String(attachment?.type)}`
  }
  if (type === "system" && typeof line["subtype"] === "string") return `system:${line["subtype"]}`
  return type
}

/**
 * How many lines of each kind ({@link lineType}), sorted by kind.
 *
 * @since 0.1.0
 * @category getters
 */
export const lineTypeCounts = (lines: ReadonlyArray<Line>): Readonly<Record<string, number>> => {
  const counts: Record<string, number> = {}
  for (const line of lines) counts[lineType(line)] = (counts[lineType(line)] ?? 0) + 1
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}
