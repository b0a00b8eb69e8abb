/**
 * First import of a package's OpenCode sessions into this data folder's database, written in the
 * caller's journal transaction.
 *
 * 1. The target database is checked first: it exists, and its schema version is one sessionport
 *    was tested with (`internal/target.ts`); else one line and nothing is written.
 * 2. Each session gets a new id of OpenCode's scheme, and so does each of its messages and parts
 *    (`internal/ids.ts`: same time, new tail), so a package installed twice, or a branch, never
 *    collides. Its directory is localized with the path rules, and its project is the one OpenCode
 *    derives there (`Project`); a missing `project` row is created.
 * 3. Its transcript is rewritten on OpenCode's rewrite surface (`OpencodeSurface`), each line made
 *    a row (`internal/rows.ts`), and the rows inserted in batches, each a journaled SQL step.
 *
 * `event` rows are not written (OpenCode reads sessions from their tables and appends its own
 * events); nothing is written into the user's repository.
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { InstallWarnings, PackageSessions, ShownChanges } from "@sessionport/agent"
import type { Journal } from "@sessionport/journal"
import { Rewriter } from "@sessionport/localize"
import { FileChunks, Layout } from "@sessionport/package-format"
import { Effect, Either } from "effect"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as Path from "node:path"
import { AGENT, type SessionLine } from "./Exporter.js"
import * as OpencodeData from "./OpencodeData.js"
import { OpencodeError } from "./OpencodeError.js"
import * as OpencodeSurface from "./OpencodeSurface.js"
import * as Project from "./Project.js"
import { RowBatch } from "./internal/batch.js"
import { derive } from "./internal/ids.js"
import { jsonLines, next } from "./internal/lines.js"
import { type Placement, rowOf } from "./internal/rows.js"
import type { TranscriptScan } from "./internal/scan.js"
import { readTarget, type Target } from "./internal/target.js"


/** How a branch is titled: it says what it is. */
const branchTitle = (title: string): string => `[branch] ${title}`


/** Where a session of this machine is, for reports: its row in the database. @internal */
export const locator = (database: string, id: string): string => `${database}#${id}`

const realpathOr = (path: string): string => {
  try {
    return fs.realpathSync(path)
  } catch {
    return path
  }
}

const isDirectory = (path: string): boolean => {
  try {
    return fs.statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** @internal one session, planned */
interface Planned {
  readonly session: AgentStore.InstalledSession
  readonly entry: string
  readonly placement: Placement
}

/** The target, read; a failure is the store's one line. */
const target = (data: OpencodeData.OpencodeDataShape) =>
  Effect.try({
    try: () => readTarget(data.database, data.root),
    catch: (error) =>
      error instanceof OpencodeError
        ? error
        : new OpencodeError({ reason: "unreadable", path: data.database, detail: String(error) })
  })

/**
 * The rows a planned session's transcript becomes, as they are pulled (throws what the rewrite
 * throws).
 */
function* rowsOf(
  chunks: Iterable<Uint8Array>,
  localId: string,
  placement: Placement,
  target: Target,
  dropped: Set<string>
) {
  const mapId = (id: string) => derive(localId, id)
  for (const json of jsonLines(chunks)) yield rowOf(json, mapId, json.type === "session" ? placement : undefined, target.columns, dropped)
}

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const data = yield* OpencodeData.OpencodeData

  /**
   * The package's OpenCode sessions (or the `choices` of a sync, a branch titled as such),
   * planned: `undefined` when it holds none.
   */
  const plan = Effect.fn("OpencodeInstaller.plan")(function*(
    context: AgentStore.InstallContext,
    choices?: ReadonlyArray<AgentStore.ImportChoice>
  ) {
    const { rules, stagedDir, verified } = context
    const { branchOf, ids } = PackageSessions.chosen(verified, AGENT, choices)
    if (ids.length === 0) return undefined
    const meta = PackageSessions.metadata<SessionLine>(verified, AGENT)
    const scans = new Map<string, TranscriptScan>()
    for (const id of ids) {
      const entry = Layout.agentTranscriptEntry(AGENT, id)
      const scan = verified.sessions.get(entry) as TranscriptScan | undefined
      if (scan === undefined || scan.problem !== undefined || scan.session === undefined) {
        return yield* new OpencodeError({
          reason: "bad_session",
          path: entry,
          detail: `OpenCode session ${id} of ${context.package} cannot be installed: ${scan?.problem ?? "its transcript is missing"}`
        })
      }
      if (scan.session.id !== id) {
        return yield* new OpencodeError({
          reason: "bad_session",
          path: entry,
          detail: `OpenCode session ${id} of ${context.package} cannot be installed: its transcript holds session ${String(scan.session.id)}`
        })
      }
      scans.set(id, scan)
    }
    const into = yield* target(data)
    // every session a new id (a fresh salt: installed twice, it gets other ids)
    const sessionMap = new Map(ids.map((id) => [id, derive(randomUUID(), id)]))
    const planned: Array<Planned> = []
    const newProjects = new Map<string, Project.ProjectFacts>()
    for (const id of ids) {
      const row = scans.get(id)!.session!
      const label = `OpenCode session ${id}`
      const sourceCwd = String(row.directory)
      const cwd = yield* Rewriter.localizePath(rules, sourceCwd, label)
      if (!Path.isAbsolute(cwd) || Path.normalize(cwd) !== cwd.replace(/(.)\/$/, "$1") || cwd.split(/[\\/]/).includes("..")) {
        return yield* new OpencodeError({
          reason: "bad_session",
          path: Layout.agentTranscriptEntry(AGENT, id),
          detail: `${label} of ${context.package} cannot be installed: its directory ${JSON.stringify(cwd)} is not an absolute, normalized path`
        })
      }
      // OpenCode keeps the real path of the folder it runs in
      const directory = realpathOr(cwd)
      const project = Project.of(directory)
      if (!into.projects.has(project.id)) newProjects.set(project.id, project)
      const localId = sessionMap.get(id)!
      const parent = typeof row.parent_id === "string" ? sessionMap.get(row.parent_id) : undefined
      const branch = branchOf.get(id)
      const title = typeof row.title === "string" && row.title !== "" ? row.title : meta.get(id)?.title ?? undefined
      const shownTitle = branch === undefined ? title : branchTitle(branch.name ?? title ?? id)
      planned.push({
        entry: Layout.agentTranscriptEntry(AGENT, id),
        placement: {
          projectId: project.id,
          directory,
          path: Project.sessionPath(project, directory),
          parentId: parent ?? null,
          title: branch === undefined ? undefined : shownTitle
        },
        session: {
          agent: AGENT,
          sourceId: id,
          localId,
          sourceCwd,
          cwd,
          cwdExists: isDirectory(cwd),
          path: locator(data.database, localId),
          archived: row.time_archived !== null && row.time_archived !== undefined,
          name: branch === undefined ? undefined : shownTitle,
          title: shownTitle,
          forkOf: undefined,
          rewrites: 0
        }
      })
    }

    // each transcript holds its own session id and at most its parent's: a map of those two keeps
    // the rewriter's pre-check to them (OpenCode ids are not UUIDs, so every id of a map is searched for)
    const idMapOf = (p: Planned) => {
      const parent = scans.get(p.session.sourceId)!.session!.parent_id
      const own = new Map([[p.session.sourceId, p.session.localId]])
      if (typeof parent === "string" && sessionMap.has(parent)) own.set(parent, sessionMap.get(parent)!)
      return own
    }
    const rewriting = (p: Planned) =>
      Rewriter.reportingChunks(FileChunks.read(Path.join(stagedDir, ...p.entry.split("/"))), {
        idMap: idMapOf(p),
        pathRules: rules,
        dialect: OpencodeSurface.dialect,
        maxChanges: ShownChanges.PER_SESSION,
        label: `OpenCode session ${p.session.sourceId} (${p.entry})`
      })

    /** Every session's rows, pulled through `use`, with what each rewrite reports once it has run. */
    const run = <E>(use: (table: string, row: Record<string, unknown>) => Effect.Effect<void, E>) =>
      Effect.gen(function*() {
        const dropped = new Set<string>()
        const shown = new ShownChanges.ShownChanges()
        const sessions: Array<AgentStore.InstalledSession> = []
        const written = new Map<string, { path: string; size: number }>()
        for (const p of planned) {
          const rewrite = rewriting(p)
          const rows = rowsOf(rewrite.chunks, p.session.localId, p.placement, into, dropped)
          for (;;) {
            const step = next(rows, Rewriter.isRewriteError)
            if (Either.isLeft(step)) return yield* step.left
            if (step.right.done === true) break
            yield* use(step.right.value.table, step.right.value.row)
          }
          const report = yield* rewrite.report
          shown.add(p.session.localId, report.changes)
          sessions.push({ ...p.session, rewrites: report.changeCount })
          // recorded by its record count, as sync measures a local session (`recordedSizes`)
          const scan = scans.get(p.session.sourceId)!
          written.set(p.session.localId, { path: p.session.path, size: scan.messages + scan.parts })
        }
        return { changes: shown.changes, sessions, written, dropped }
      })

    const projectRow = (p: Project.ProjectFacts) => {
      const now = Date.now()
      const row: Record<string, unknown> = { id: p.id, worktree: p.worktree, vcs: p.vcs, time_created: now, time_updated: now, sandboxes: "[]" }
      const known = into.columns.get("project")!
      return Object.fromEntries(Object.entries(row).filter(([key]) => known.has(key))) as Record<string, string | number | null>
    }

    const preview = Effect.map(run(() => Effect.void), (r): AgentStore.InstallReport => ({ sessions: r.sessions, changes: r.changes, written: new Map() }))

    const write = (tx: Journal.Transaction) =>
      Effect.gen(function*() {
        const batch = new RowBatch(data.database)
        for (const project of newProjects.values()) batch.add("project", projectRow(project))
        const r = yield* run((table, row) => batch.add(table, row as never) ? batch.flush(tx) : Effect.void)
        yield* batch.flush(tx)
        return { sessions: r.sessions, changes: r.changes, written: r.written } satisfies AgentStore.InstallReport
      })

    const count = (key: "messages" | "parts") => ids.reduce((n, id) => n + scans.get(id)![key], 0)
    // columns of a newer OpenCode have no place in this database
    const unknownColumns = [...new Set(ids.flatMap((id) => scans.get(id)!.columns))].filter((column) => {
      const [table, name] = column.split(".")
      return !(into.columns.get(table!)?.has(name!) ?? true)
    })
    return {
      agent: AGENT,
      home: data.root,
      sessions: planned.map((p) => p.session),
      warnings: [
        ...(unknownColumns.length === 0 ? [] : [
          `this OpenCode database (schema ${into.migration}) has no column ${unknownColumns.sort().join(", ")}: those values are left out`
        ]),
        ...InstallWarnings.missingFolders(planned.map((p) => p.session)),
        ...[...newProjects.values()].filter((p) => p.vcs !== null).map((p) =>
          `OpenCode project ${p.id} (${p.worktree}) is new here: its project row is created`
        )
      ],
      notes: { rows: `${ids.length} session(s), ${count("messages")} message(s), ${count("parts")} part(s) into ${data.database}` },
      preview,
      write
    } satisfies AgentStore.InstallPlan
  })

  return { plan }
})
