/**
 * This data folder's share of a package: the selected sessions (and their subagent sessions),
 * each as its transcript (its rows as JSON lines, `internal/transcript.ts`), plus
 * `sessions.jsonl`: what each session is and its project's facts (id, worktree, vcs, name).
 * All of it is read from one snapshot of the database, taken when the package is written: a
 * consistent state even while OpenCode writes. Nothing else travels: never `auth.json`, the
 * `account*` or `credential` tables, snapshots, nor the database itself.
 *
 * ```
 * agents/opencode/sessions.jsonl
 * agents/opencode/sessions/<id>/transcript.jsonl
 * ```
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { Layout, type Manifest, type PackageWriter } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"
import * as OpencodeData from "./OpencodeData.js"
import { OpencodeError } from "./OpencodeError.js"
import * as SessionCatalog from "./SessionCatalog.js"
import { messageOf } from "./internal/sqlite.js"
import { type Counts, writeLines } from "./internal/transcript.js"

/** @since 0.2.0 @category constants */
export const AGENT = "opencode"
/** @since 0.2.0 @category constants */
export const SESSIONS_META = Layout.agentMetadataEntry(AGENT, "sessions.jsonl")

/**
 * One line of `agents/opencode/sessions.jsonl`.
 *
 * @since 0.2.0
 * @category models
 */
export interface SessionLine {
  readonly id: string
  readonly directory: string
  /** the same, under the name every agent's `sessions.jsonl` gives it (inspect reads it) */
  readonly cwd: string
  readonly title: string | null
  readonly first_prompt: string | null
  readonly parent_id: string | null
  readonly project: SessionCatalog.ProjectInfo | null
  readonly created_at: string | null
  readonly updated_at: string | null
  readonly archived: boolean
  readonly messages: number
  readonly parts: number
  readonly todos: number
  /** user messages */
  readonly turns: number
  readonly size: number
  /** where it was read from: `database`, the `legacy` JSON storage, or an `opencode-json` file (`opencode export`) */
  readonly source: "database" | "legacy" | "opencode-json"
}

const iso = (ms: number | undefined): string | null => ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString()
const str = (value: unknown): string | null => typeof value === "string" && value !== "" ? value : null
const num = (value: unknown): number | undefined => typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : undefined

/**
 * The `sessions.jsonl` line of a session: its row as rendered, what its transcript holds
 * (`counts`, `size` bytes), its project and where it was read from.
 *
 * @since 0.5.0
 * @category constructors
 */
export const sessionLine = (
  row: Readonly<Record<string, unknown>>,
  transcript: { readonly counts: Counts; readonly size: number },
  project: SessionCatalog.ProjectInfo | null,
  source: SessionLine["source"]
): SessionLine => {
  const { counts, size } = transcript
  const directory = String(row.directory ?? "")
  return {
    id: String(row.id),
    directory,
    cwd: directory,
    title: str(row.title),
    first_prompt: counts.firstPrompt ?? null,
    parent_id: str(row.parent_id),
    project,
    created_at: iso(num(row.time_created)),
    updated_at: iso(num(row.time_updated)),
    archived: row.time_archived !== null && row.time_archived !== undefined,
    messages: counts.messages,
    parts: counts.parts,
    todos: counts.todos,
    turns: counts.turns,
    size,
    source
  }
}

/**
 * The selected sessions and, after them, the subagent sessions below them (which resume with them,
 * and go with them when they are removed).
 *
 * @internal
 */
export const withChildren = (
  selected: ReadonlyArray<SessionCatalog.SessionInfo>,
  all: ReadonlyArray<SessionCatalog.SessionInfo>
): Array<{ readonly info: SessionCatalog.SessionInfo; readonly subagentOf: string | undefined }> => {
  const children = new Map<string, Array<SessionCatalog.SessionInfo>>()
  for (const s of all) {
    if (s.parentId === undefined) continue
    const list = children.get(s.parentId)
    if (list === undefined) children.set(s.parentId, [s])
    else list.push(s)
  }
  const taken = new Set(selected.map((s) => s.id))
  const out = selected.map((info) => ({ info, subagentOf: undefined as string | undefined }))
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i]!.info.id) ?? []) {
      if (taken.has(child.id)) continue
      taken.add(child.id)
      out.push({ info: child, subagentOf: out[i]!.info.id })
    }
  }
  return out
}

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const data = yield* OpencodeData.OpencodeData

  const part = Effect.fn("OpencodeExporter.part")(function*(selection: AgentStore.Selection) {
    const { all, selected } = yield* Effect.scoped(Effect.map(SessionCatalog.open(data), (source) => ({
      selected: SessionCatalog.select(source, selection),
      all: SessionCatalog.select(source, { ids: [], cwds: [], since: undefined, all: true, includeArchived: true }).sessions
    })))
    const plan = withChildren(selected.sessions, all)
    const sessions = plan.map(({ info, subagentOf }): AgentStore.ExportedSession => ({
      agent: AGENT,
      id: info.id,
      cwd: info.directory,
      title: info.title,
      name: undefined,
      archived: info.archived,
      entry: Layout.agentTranscriptEntry(AGENT, info.id),
      size: info.stats.bytes,
      parentOf: undefined,
      subagentOf
    }))

    /** Every session rendered from one snapshot, one at a time through a temp file, into the package. */
    const write = (sink: PackageWriter.PackageSink, advance: (bytes: number) => void) =>
      Effect.scoped(Effect.gen(function*() {
        const source = yield* SessionCatalog.open(data)
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => fs.mkdtempSync(Path.join(os.tmpdir(), "sessionport-opencode-export-"))),
          (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
        )
        const written: Array<Manifest.PackageFile> = []
        const lines: Array<SessionLine> = []
        for (const { info } of plan) {
          const row = source?.session(info.id)
          if (source === undefined || row === undefined) {
            return yield* new OpencodeError({ reason: "not_found", path: data.database, detail: `OpenCode session ${info.id} is gone from ${data.root}` })
          }
          const counts: Counts = { messages: 0, parts: 0, todos: 0, turns: 0 }
          const file = Path.join(dir, "transcript.jsonl")
          const size = yield* Effect.try({
            try: () => writeLines(source.lines(row, counts), file),
            catch: (error) =>
              new OpencodeError({ reason: "unreadable", path: source.path, detail: `cannot read OpenCode session ${info.id}: ${messageOf(error)}` })
          })
          written.push(yield* sink.addFile({ path: Layout.agentTranscriptEntry(AGENT, info.id), size, source: file }, advance))
          // the row as rendered (a legacy one with its sums)
          lines.push(sessionLine(row, { counts, size }, info.project ?? null, source.kind))
        }
        written.push(yield* sink.addBytes(SESSIONS_META, lines.map((line) => JSON.stringify(line) + "\n").join("")))
        return written
      }))

    return {
      agent: AGENT,
      home: data.root,
      sessions,
      skipped: [],
      warnings: [],
      unmatched: selected.unmatched,
      bytes: plan.reduce((n, { info }) => n + info.stats.bytes, 0),
      manifest: {},
      write
    } satisfies AgentStore.ExportPart<OpencodeError>
  })

  return { part }
})
