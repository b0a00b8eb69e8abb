/**
 * What a package holds, checked: its manifest, each session (id, cwd, first prompt, turns,
 * size, name), and an integrity verdict. One streaming pass over the package: every byte is
 * hashed and every session line decoded as it goes by, nothing is written anywhere.
 *
 * @since 0.1.0
 */
import { SessionStats } from "@sessionport/schema"
import { Effect } from "effect"
import * as Layout from "./Layout.js"
import type { PackageManifest } from "./Manifest.js"
import { PackageError } from "./PackageError.js"
import * as PackageReader from "./PackageReader.js"

/** @since 0.1.0 @category models */
export interface InspectedSession {
  readonly entry: string
  readonly threadId: string | undefined
  readonly cwd: string | undefined
  readonly firstPrompt: string | undefined
  readonly turns: number
  readonly lines: number
  /** lines that are not JSON (a torn last line, a damaged file) */
  readonly invalidLines: number
  readonly size: number
  readonly archived: boolean
  readonly name: string | undefined
  /** `forked_from_id` of the session, when it is a fork */
  readonly forkedFrom: string | undefined
}

/** @since 0.1.0 @category models */
export interface Inspection {
  readonly path: string
  readonly format: "tgz" | "directory"
  readonly manifest: PackageManifest
  /** `sessionport` packages list every file's SHA-256; codex-session-transfer ones do not */
  readonly producer: string
  /** "verified": every file matches the manifest; "unverified": the package lists no checksums */
  readonly integrity: "verified" | "unverified"
  readonly sessions: ReadonlyArray<InspectedSession>
  readonly files: number
  readonly bytes: number
}

interface ThreadLine {
  readonly id: string
  readonly rollout_path: string
  readonly archived?: unknown
}

const basename = (path: string) => path.split(/[\\/]/).pop() ?? path

const jsonLines = <A>(text: string | undefined): Array<A> =>
  (text ?? "").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as A)

/**
 * Verifies and reads a package (folder or `.tgz`). Fails with the package's first problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const inspect = (path: string): Effect.Effect<Inspection, PackageError> =>
  Effect.gen(function*() {
    const verified = yield* PackageReader.verify(path, { scanSession: () => SessionStats.scanner() })
    // the reader has already checked these parse
    const threads = jsonLines<ThreadLine>(verified.metadata.get(Layout.THREADS))
    const names = new Map(
      jsonLines<{ id: string; thread_name: string }>(verified.metadata.get(Layout.SESSION_INDEX)).map((l) => [l.id, l.thread_name])
    )
    const byFile = new Map(threads.map((t) => [basename(t.rollout_path), t]))
    const sizes = new Map(verified.files.map((f) => [f.path, f.size]))
    const sessions = [...verified.sessions.entries()].map(([entry, stats]): InspectedSession => {
      // Codex keeps the plain `.jsonl` name in its row after compressing the file to `.jsonl.zst`
      const row = byFile.get(basename(entry)) ?? byFile.get(basename(entry).replace(/\.zst$/, ""))
      const threadId = stats.meta?.id ?? row?.id
      return {
        entry,
        threadId,
        cwd: stats.meta?.cwd,
        firstPrompt: stats.firstUserMessage,
        turns: stats.turns,
        lines: stats.lines,
        invalidLines: stats.invalidLines,
        size: sizes.get(entry) ?? 0,
        archived: row?.archived === 1 || row?.archived === true,
        name: threadId === undefined ? undefined : names.get(threadId),
        forkedFrom: stats.meta?.forked_from_id ?? undefined
      }
    })
    return {
      path,
      format: verified.format,
      manifest: verified.manifest,
      producer: verified.manifest.producer === undefined
        ? "codex-session-transfer (or compatible)"
        : `${verified.manifest.producer.name} ${verified.manifest.producer.version}`,
      integrity: verified.checksums === "verified" ? "verified" : "unverified",
      sessions,
      files: verified.files.length + 1,
      bytes: verified.files.reduce((n, f) => n + f.size, 0)
    }
  })
