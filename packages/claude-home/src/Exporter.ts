/**
 * This Claude Code home's share of a package: the selected sessions, each as its transcript, the
 * files of its session folder (subagents), and with `includeFileHistory` its file-history
 * backups; plus `sessions.jsonl` (what each session is) and the sessions' `history.jsonl` lines.
 * Files go in byte for byte, exactly the bytes present when the session was listed. Nothing else
 * of the home travels: never `.credentials.json`, `.claude.json` or `settings*.json`, and a file
 * of a session folder named like a credential is left out and named.
 *
 * ```
 * agents/claude/sessions.jsonl
 * agents/claude/history.jsonl
 * agents/claude/sessions/<id>/transcript.jsonl
 * agents/claude/sessions/<id>/session/<path in projects/<folder>/<id>/>
 * agents/claude/sessions/<id>/file-history/<backup name>
 * ```
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { Credentials, Layout, type Manifest, type PackageWriter } from "@sessionport/package-format"
import { Effect } from "effect"
import * as Path from "node:path"
import * as ClaudeHome from "./ClaudeHome.js"
import { ClaudeHomeError } from "./ClaudeHomeError.js"
import { lines, sessionIdOf } from "./internal/files.js"
import * as SessionCatalog from "./SessionCatalog.js"

/** @since 0.2.0 @category constants */
export const AGENT = "claude"
/** @since 0.2.0 @category constants */
export const SESSIONS_META = Layout.agentMetadataEntry(AGENT, "sessions.jsonl")
/** @since 0.2.0 @category constants */
export const HISTORY_META = Layout.agentMetadataEntry(AGENT, "history.jsonl")
/** Where a session's folder files go, below its package folder. @since 0.2.0 @category constants */
export const SESSION_DIR = "session"
/** @since 0.2.0 @category constants */
export const FILE_HISTORY = "file-history"

/**
 * One line of `agents/claude/sessions.jsonl`.
 *
 * @since 0.2.0
 * @category models
 */
export interface SessionLine {
  readonly id: string
  readonly cwd: string
  readonly project_folder: string
  readonly title: string | null
  readonly custom_title: string | null
  readonly first_prompt: string | null
  readonly created_at: string | null
  readonly updated_at: string
  readonly entrypoint: string | null
  readonly version: string | null
  readonly size: number
}

/** The lines of `history.jsonl` (streamed: any size) whose `sessionId` is one of `ids`, as they are. */
const historyLines = (path: string, ids: ReadonlySet<string>): string => {
  let out = ""
  for (const line of lines(path)) {
    const id = sessionIdOf(line)
    if (id !== undefined && ids.has(id)) out += `${line}\n`
  }
  return out
}

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* ClaudeHome.ClaudeHome
  const catalog = yield* SessionCatalog.SessionCatalog

  const part = Effect.fn("ClaudeExporter.part")(function*(selection: AgentStore.Selection) {
    const listing = yield* catalog.list({ ids: selection.ids, cwds: selection.cwds, since: selection.since, all: selection.all })
    const skipped = listing.unreadable.map((s): AgentStore.SkippedSession => ({ agent: AGENT, ...s }))
    if (skipped.length > 0 && !selection.skipUnreadable) {
      return yield* new ClaudeHomeError({
        reason: "unreadable",
        path: skipped[0]!.path,
        detail: `cannot read Claude session ${skipped.map((s) => `${s.id} (${s.reason})`).join("; ")}; --skip-unreadable leaves it out`
      })
    }
    const warnings: Array<string> = []
    const plan = listing.sessions.map((s) => {
      const carried = s.files.filter((file) => {
        const rule = Credentials.nameRule(file.relative)
        if (rule !== undefined) warnings.push(`left out ${file.path}: it looks like a credential (${rule})`)
        return rule === undefined
      })
      const history = selection.includeFileHistory ? SessionCatalog.filesBelow(Path.join(home.fileHistoryDir, s.id)) : []
      const dir = Layout.agentSessionDir(AGENT, s.id)
      return {
        session: s,
        files: [
          { path: Layout.agentTranscriptEntry(AGENT, s.id), size: s.size, source: s.path },
          ...carried.map((f) => ({ path: `${dir}/${SESSION_DIR}/${f.relative}`, size: f.size, source: f.path })),
          ...history.map((f) => ({ path: `${dir}/${FILE_HISTORY}/${f.relative}`, size: f.size, source: f.path }))
        ]
      }
    })
    const sessions = plan.map(({ files, session: s }): AgentStore.ExportedSession => ({
      agent: AGENT,
      id: s.id,
      cwd: s.cwd,
      title: s.title,
      name: s.head.customTitle,
      archived: false,
      entry: Layout.agentTranscriptEntry(AGENT, s.id),
      size: files.reduce((n, f) => n + f.size, 0),
      parentOf: undefined
    }))

    const write = (sink: PackageWriter.PackageSink, advance: (bytes: number) => void) =>
      Effect.gen(function*() {
        const written: Array<Manifest.PackageFile> = yield* sink.addFiles(plan.flatMap(({ files }) => files), advance)
        const lines = plan.map(({ session: s }): SessionLine => ({
          id: s.id,
          cwd: s.cwd,
          project_folder: s.folder,
          title: s.title ?? null,
          custom_title: s.head.customTitle ?? null,
          first_prompt: s.head.firstPrompt ?? null,
          created_at: s.head.firstTimestamp ?? null,
          updated_at: new Date(s.mtimeMs).toISOString(),
          entrypoint: s.head.entrypoint ?? null,
          version: s.head.version ?? null,
          size: s.size
        }))
        written.push(yield* sink.addBytes(SESSIONS_META, lines.map((line) => JSON.stringify(line) + "\n").join("")))
        written.push(yield* sink.addBytes(HISTORY_META, historyLines(home.historyPath, new Set(plan.map((p) => p.session.id)))))
        return written
      })

    return {
      agent: AGENT,
      home: home.root,
      sessions,
      skipped,
      warnings,
      unmatched: listing.unmatched,
      bytes: plan.reduce((n, p) => n + p.files.reduce((m, f) => m + f.size, 0), 0),
      manifest: {},
      write
    } satisfies AgentStore.ExportPart<ClaudeHomeError>
  })

  return { part }
})
