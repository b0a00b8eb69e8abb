/**
 * The sessions of an OpenCode data folder, selected as export selects them: by id, by working
 * directory (`session.directory` at or below one of the folders), every one (`all`), updated
 * since a date, archived ones only when asked. Read from one snapshot of `opencode.db`, or from
 * the JSON storage of OpenCode ≤ 1.1 when there is no database.
 *
 * @since 0.2.0
 */
import { PathMatch } from "@sessionport/localize"
import { Effect } from "effect"
import * as fs from "node:fs"
import { type OpencodeDataShape } from "./OpencodeData.js"
import { OpencodeError } from "./OpencodeError.js"
import * as Legacy from "./internal/legacy.js"
import { fromDatabase, type Source, type Stats } from "./internal/source.js"
import { messageOf, type Row } from "./internal/sqlite.js"

/** What a session's project is, as the package carries it. @since 0.2.0 @category models */
export interface ProjectInfo {
  readonly id: string
  readonly worktree: string | null
  readonly vcs: string | null
  readonly name: string | null
}

/** @since 0.2.0 @category models */
export interface SessionInfo {
  readonly id: string
  readonly row: Row
  readonly directory: string
  readonly title: string | undefined
  readonly parentId: string | undefined
  readonly createdMs: number | undefined
  readonly updatedMs: number | undefined
  readonly archived: boolean
  readonly project: ProjectInfo | undefined
  readonly stats: Stats
}

/** @since 0.2.0 @category models */
export interface ListRequest {
  readonly ids: ReadonlyArray<string>
  readonly cwds: ReadonlyArray<string>
  readonly since: Date | undefined
  readonly all: boolean
  readonly includeArchived: boolean
}

/** @since 0.2.0 @category models */
export interface Listing {
  readonly sessions: ReadonlyArray<SessionInfo>
  /** requested ids this data folder does not have */
  readonly unmatched: ReadonlyArray<string>
}

const NO_STATS: Stats = { messages: 0, parts: 0, bytes: 0 }

const str = (value: unknown): string | undefined => typeof value === "string" && value !== "" ? value : undefined
const num = (value: unknown): number | undefined => typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : undefined

/**
 * Opens the data folder's sessions (a database snapshot, or the legacy storage) for the scope;
 * `undefined` when it has neither.
 *
 * @since 0.2.0
 * @category reading
 */
export const open = (data: OpencodeDataShape) =>
  Effect.acquireRelease(
    Effect.try({
      try: (): Source | undefined => {
        if (fs.existsSync(data.database)) return fromDatabase(data.database)
        if (fs.existsSync(data.legacyStorage)) return Legacy.fromStorage(data.legacyStorage)
        return undefined
      },
      catch: (error) =>
        new OpencodeError({
          reason: "unreadable",
          path: fs.existsSync(data.database) ? data.database : data.legacyStorage,
          detail: `cannot read OpenCode's sessions in ${data.root}: ${messageOf(error)}`
        })
    }),
    (source) => Effect.sync(() => source?.close())
  )

/**
 * What a session row says, with its project and its weight.
 *
 * @since 0.2.0
 * @category reading
 */
export const infoOf = (source: Source, row: Row, stats: ReadonlyMap<string, Stats>, projects = new Map<string, ProjectInfo | undefined>()): SessionInfo => {
  const projectId = str(row.project_id)
  let project = projectId === undefined ? undefined : projects.get(projectId)
  if (projectId !== undefined && !projects.has(projectId)) {
    const p = source.project(projectId)
    project = p === undefined ? undefined : { id: projectId, worktree: str(p.worktree) ?? null, vcs: str(p.vcs) ?? null, name: str(p.name) ?? null }
    projects.set(projectId, project)
  }
  const id = String(row.id)
  return {
    id,
    row,
    directory: String(row.directory ?? ""),
    title: str(row.title),
    parentId: str(row.parent_id),
    createdMs: num(row.time_created),
    updatedMs: num(row.time_updated),
    archived: row.time_archived !== null && row.time_archived !== undefined,
    project,
    stats: stats.get(id) ?? NO_STATS
  }
}

/**
 * The selected sessions of an open source, oldest first.
 *
 * @since 0.2.0
 * @category reading
 */
export const select = (source: Source | undefined, request: ListRequest): Listing => {
  if (source === undefined) return { sessions: [], unmatched: [...request.ids] }
  const wanted = new Set(request.ids.map((id) => id.trim()))
  const folders = PathMatch.folders(request.cwds)
  const since = request.since?.getTime()
  const stats = source.stats()
  const projects = new Map<string, ProjectInfo | undefined>()
  const found = new Set<string>()
  const sessions: Array<SessionInfo> = []
  for (const row of source.sessions()) {
    const id = String(row.id)
    const byId = wanted.has(id)
    if (byId) found.add(id)
    const directory = String(row.directory ?? "")
    const byCwd = PathMatch.matches(directory, folders)
    if (!request.all && !byId && !byCwd) continue
    const info = infoOf(source, row, stats, projects)
    // a session asked for by id is taken whatever its date or state
    if (!byId && since !== undefined && (info.updatedMs ?? 0) < since) continue
    if (!byId && info.archived && !request.includeArchived) continue
    sessions.push(info)
  }
  return { sessions, unmatched: [...wanted].filter((id) => !found.has(id)) }
}

/**
 * The selected sessions of a data folder (read once, then let go).
 *
 * @since 0.2.0
 * @category reading
 */
export const list = (data: OpencodeDataShape, request: ListRequest) =>
  Effect.scoped(Effect.map(open(data), (source) => select(source, request)))
