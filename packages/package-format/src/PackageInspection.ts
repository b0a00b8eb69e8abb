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
import * as PeerArchive from "./PeerArchive.js"

/** @since 0.1.0 @category models */
export interface InspectedSession {
  /** `codex`, or the agent whose `agents/<agent>/` the session is in */
  readonly agent: string
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

/**
 * Where a package made here from another tool's file came from (a coding-cli-session-sync
 * archive: `PeerArchive.Origin`; an `opencode export` file): its format, and an integrity that
 * cannot be checked.
 *
 * @since 0.5.0
 * @category models
 */
export interface Origin {
  readonly format: string
  readonly integrity: "unverified"
}

/** @since 0.1.0 @category models */
export interface Inspection {
  readonly path: string
  readonly format: "tgz" | "tgz.age" | "directory"
  readonly manifest: PackageManifest
  /** `sessionport` packages list every file's SHA-256; codex-session-transfer ones do not */
  readonly producer: string
  /**
   * "verified": every file matches the manifest; "unverified": the package lists no checksums, or
   * it was made here from another tool's file (`origin`)
   */
  readonly integrity: "verified" | "unverified"
  readonly sessions: ReadonlyArray<InspectedSession>
  readonly files: number
  readonly bytes: number
  /** present when the package was made here from another tool's file */
  readonly origin?: Origin | undefined
}

const isPeer = (origin: Origin): origin is PeerArchive.Origin => origin.format === PeerArchive.FORMAT

interface ThreadLine {
  readonly id: string
  readonly rollout_path: string
  readonly archived?: unknown
}

/** What inspect reads of another agent's session line in `agents/<agent>/sessions.jsonl`. */
interface AgentSessionLine {
  readonly id?: unknown
  readonly cwd?: unknown
  readonly first_prompt?: unknown
  readonly custom_title?: unknown
  /** the user turns, when the agent counted them (else they are counted on the transcript's bytes) */
  readonly turns?: unknown
  readonly archived?: unknown
}

interface LineCount {
  readonly lines: number
  /** lines that open a user turn: `"type":"user"` lines that are not tool results */
  readonly turns: number
}

/** Counts the lines of a transcript of another agent, and its user prompts, on the bytes. */
const lineCounter = (): PackageReader.Scan<LineCount> => {
  let lines = 0
  let turns = 0
  let carry = ""
  const look = (line: string) => {
    if (line.trim() === "") return
    lines++
    if (line.startsWith("{") && line.includes("\"type\":\"user\"") && !line.includes("\"tool_result\"")) turns++
  }
  return {
    push: (bytes) => {
      const text = carry + Buffer.from(bytes).toString("utf8")
      const parts = text.split("\n")
      carry = parts.pop() ?? ""
      // a long line is not kept whole: only whether it opens a turn matters, seen in its head
      if (carry.length > 65_536) carry = carry.slice(0, 65_536)
      for (const line of parts) look(line)
      return true
    },
    end: () => {
      look(carry)
      return { lines, turns }
    }
  }
}

const safeJsonLines = <A>(text: string | undefined): Array<A> =>
  (text ?? "").split("\n").flatMap((line) => {
    if (line.trim() === "") return []
    try {
      return [JSON.parse(line) as A]
    } catch {
      return []
    }
  })

const basename = (path: string) => path.split(/[\\/]/).pop() ?? path

const jsonLines = <A>(text: string | undefined): Array<A> =>
  (text ?? "").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as A)

/**
 * Verifies and reads a package (folder or `.tgz`). Fails with the package's first problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const inspect = <O extends Origin = Origin>(
  path: string,
  options: {
    /** the agents besides Codex whose packages may be inspected (see `PackageReader.verify`) */
    readonly agents?: ReadonlyArray<string> | undefined
    /**
     * the package was made here from another tool's file: its integrity is that file's, which
     * cannot be checked (`unverified`), and a peer archive is what produced it
     */
    readonly origin?: O | undefined
  } = {}
): Effect.Effect<Inspection & { readonly origin?: O | undefined }, PackageError> =>
  Effect.gen(function*() {
    const verified = yield* PackageReader.verify(path, {
      agents: options.agents,
      scanSession: (entry): PackageReader.Scan<SessionStats.SessionStats | LineCount> =>
        Layout.isSessionEntry(entry) ? SessionStats.scanner() : lineCounter()
    })
    // another agent's sessions: what its `agents/<agent>/sessions.jsonl` says of each
    const agentMeta = new Map<string, AgentSessionLine>()
    for (const agent of verified.manifest.agents ?? []) {
      for (const line of safeJsonLines<AgentSessionLine>(verified.metadata.get(Layout.agentMetadataEntry(agent, "sessions.jsonl")))) {
        if (typeof line.id === "string") agentMeta.set(`${agent}/${line.id}`, line)
      }
    }
    // the reader has already checked these parse
    const threads = jsonLines<ThreadLine>(verified.metadata.get(Layout.THREADS))
    const names = new Map(
      jsonLines<{ id: string; thread_name: string }>(verified.metadata.get(Layout.SESSION_INDEX)).map((l) => [l.id, l.thread_name])
    )
    const byFile = new Map(threads.map((t) => [basename(t.rollout_path), t]))
    const sizes = new Map(verified.files.map((f) => [f.path, f.size]))
    const sessions = [...verified.sessions.entries()].map(([entry, scanned]): InspectedSession => {
      const other = Layout.parseAgentEntry(entry)
      if (other !== undefined && other.kind === "transcript") {
        const meta = agentMeta.get(`${other.agent}/${other.id}`)
        const count = scanned as LineCount
        return {
          agent: other.agent,
          entry,
          threadId: other.id,
          cwd: typeof meta?.cwd === "string" ? meta.cwd : undefined,
          firstPrompt: typeof meta?.first_prompt === "string" ? meta.first_prompt : undefined,
          turns: typeof meta?.turns === "number" ? meta.turns : count.turns,
          lines: count.lines,
          invalidLines: 0,
          size: sizes.get(entry) ?? 0,
          archived: meta?.archived === true,
          name: typeof meta?.custom_title === "string" ? meta.custom_title : undefined,
          forkedFrom: undefined
        }
      }
      const stats = scanned as SessionStats.SessionStats
      // Codex keeps the plain `.jsonl` name in its row after compressing the file to `.jsonl.zst`
      const row = byFile.get(basename(entry)) ?? byFile.get(basename(entry).replace(/\.zst$/, ""))
      const threadId = stats.meta?.id ?? row?.id
      return {
        agent: "codex",
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
    const origin = options.origin
    return {
      path,
      format: verified.format,
      manifest: verified.manifest,
      producer: origin !== undefined && isPeer(origin)
        ? PeerArchive.producer(origin)
        : verified.manifest.producer === undefined
        ? "codex-session-transfer (or compatible)"
        : `${verified.manifest.producer.name} ${verified.manifest.producer.version}`,
      integrity: verified.checksums === "verified" && origin === undefined ? "verified" : "unverified",
      sessions,
      files: verified.files.length + 1,
      bytes: verified.files.reduce((n, f) => n + f.size, 0),
      ...(origin === undefined ? {} : { origin })
    }
  })
