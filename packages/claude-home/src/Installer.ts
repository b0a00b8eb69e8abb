/**
 * First import of a package's Claude Code sessions into this home, written in the caller's
 * journal transaction.
 *
 * Each session gets a new local UUIDv7 id (the shared id policy), and goes where Claude looks for
 * the sessions of its working directory: `projects/<folder of the localized cwd>/<id>.jsonl`
 * (the cwd resolved with realpath when it exists, as Claude does). Its transcript and its
 * subagents' transcripts are rewritten on Claude's rewrite surface (`ClaudeSurface`: the id on
 * every line, every path the path rules map); other files of its folder and its file-history
 * backups are copied as they are. Its `history.jsonl` lines are appended with the new id and the
 * localized project, so up-arrow history knows them.
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { InstallWarnings, LocalId, PackageSessions, ShownChanges } from "@sessionport/agent"
import { Journal } from "@sessionport/journal"
import { type PathRules, Rewriter } from "@sessionport/localize"
import { FileChunks, Layout } from "@sessionport/package-format"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeHome from "./ClaudeHome.js"
import { ClaudeHomeError } from "./ClaudeHomeError.js"
import * as ClaudeSurface from "./ClaudeSurface.js"
import { AGENT, FILE_HISTORY, HISTORY_META, SESSION_DIR, type SessionLine } from "./Exporter.js"
import { realpathOr } from "./internal/files.js"
import { titleOf, type TranscriptHead } from "./internal/head.js"
import { ClaudeProjectFolder } from "@sessionport/schema"


/** A file of a session in the package, and where it goes. */
interface PlannedFile {
  readonly entry: string
  readonly target: string
  /** a transcript (the session's or a subagent's): rewritten; else copied */
  readonly rewrite: boolean
  /** the session's last activity, for its transcript: Claude orders sessions (and `--continue`) by it */
  readonly mtime?: Date | undefined
}

/** @internal */
interface PlannedSession {
  readonly session: AgentStore.InstalledSession
  readonly files: ReadonlyArray<PlannedFile>
  /** a branch of a sync: the `custom-title` that says so, ending its transcript */
  readonly branchTitle: string | undefined
}

/** How a branch is titled: it says what it is. */
const branchTitle = (title: string): string => `[branch] ${title}`

/**
 * @internal
 * The package's `history.jsonl` lines of the sessions in `idMap`, under their local ids, with
 * their project localized: what up-arrow history needs of them here.
 */
export const historyLines = (
  verified: AgentStore.InstallContext["verified"],
  idMap: ReadonlyMap<string, string>,
  rules: PathRules.PathRules
): Array<string> =>
  PackageSessions.jsonLines(verified.metadata.get(HISTORY_META)).flatMap((line) => {
    const localId = typeof line.sessionId === "string" ? idMap.get(line.sessionId) : undefined
    if (localId === undefined) return []
    const project = typeof line.project === "string" ? rules.map(line.project) : line.project
    return [JSON.stringify({ ...line, project, sessionId: localId }) + "\n"]
  })


/** The chunks, then a line of their own (after a `\n` if they did not end with one). */
const withLine = (chunks: Iterable<Uint8Array>, line: string): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    let last = 10
    for (const chunk of chunks) {
      if (chunk.length > 0) last = chunk[chunk.length - 1]!
      yield chunk
    }
    yield Buffer.from(`${last === 10 ? "" : "\n"}${line}\n`, "utf8")
  }
})


const exists = (path: string) => {
  try {
    return fs.statSync(path).isDirectory()
  } catch {
    return false
  }
}


const BACKUP_NAME = /^([0-9a-f]{16})@v(\d+)$/

const pathHash = (path: string) => createHash("sha256").update(path).digest("hex").slice(0, 16)

/**
 * The name of a file-history backup once its file's path is localized: `<first 16 hex of
 * sha256(path)>@v<n>`, the path found among the files the transcript tracks by its hash. A name
 * of another shape, or whose path is not tracked, stays as it is.
 */
const backupName = (name: string, tracked: ReadonlyArray<string>, rules: PathRules.PathRules, label: string) =>
  Effect.gen(function*() {
    const match = BACKUP_NAME.exec(name)
    const path = match === null ? undefined : tracked.find((p) => pathHash(p) === match[1])
    if (match === null || path === undefined) return name
    const localized = yield* Rewriter.localizePath(rules, path, label)
    return localized === path ? name : `${pathHash(localized)}@v${match[2]}`
  })

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* ClaudeHome.ClaudeHome

  /**
   * The package's Claude sessions (or the `choices` of a sync, a branch named as such), planned:
   * `undefined` when it holds none.
   */
  const plan = Effect.fn("ClaudeInstaller.plan")(function*(
    context: AgentStore.InstallContext,
    choices?: ReadonlyArray<AgentStore.ImportChoice>
  ) {
    const { rules, stagedDir, verified } = context
    const { branchOf, ids } = PackageSessions.chosen(verified, AGENT, choices)
    if (ids.length === 0) return undefined
    const meta = PackageSessions.metadata<SessionLine>(verified, AGENT)
    const heads = new Map(ids.map((id) => [id, verified.sessions.get(Layout.agentTranscriptEntry(AGENT, id)) as TranscriptHead | undefined]))
    const idMap = new Map(ids.map((id) => {
      const started = Date.parse(heads.get(id)?.firstTimestamp ?? meta.get(id)?.created_at ?? "")
      return [id, LocalId.make(started)]
    }))
    const planned: Array<PlannedSession> = []
    // a backup is named by a hash of its file's path: a localized path gets the name Claude gives it
    const backupNames = new Map<string, string>()
    // each session's files, found in one pass over the package
    const filesOf = new Map<string, Array<(typeof verified.files)[number]>>()
    for (const file of verified.files) {
      const parsed = Layout.parseAgentEntry(file.path)
      if (parsed === undefined || parsed.kind !== "session-file" || parsed.agent !== AGENT) continue
      const list = filesOf.get(parsed.id)
      if (list === undefined) filesOf.set(parsed.id, [file])
      else list.push(file)
    }
    for (const id of ids) {
      const head = heads.get(id)
      const sourceCwd = head?.cwd ?? meta.get(id)?.cwd
      if (head === undefined || sourceCwd === undefined) {
        return yield* new ClaudeHomeError({
          reason: "bad_session",
          path: Layout.agentTranscriptEntry(AGENT, id),
          detail: `Claude session ${id} of ${context.package} records no working directory`
        })
      }
      const localId = idMap.get(id)!
      const cwd = yield* Rewriter.localizePath(rules, sourceCwd, `Claude session ${id}`)
      const cwdExists = exists(cwd)
      const folder = Path.join(home.projectsDir, ClaudeProjectFolder.projectFolderName(cwdExists ? realpathOr(cwd) : cwd))
      const dir = Layout.agentSessionDir(AGENT, id)
      const transcript = Path.join(folder, `${localId}.jsonl`)
      const last = Date.parse(head.lastTimestamp ?? meta.get(id)?.updated_at ?? "")
      const files: Array<PlannedFile> = [{
        entry: Layout.agentTranscriptEntry(AGENT, id),
        target: transcript,
        rewrite: true,
        mtime: Number.isFinite(last) ? new Date(last) : undefined
      }]
      for (const file of filesOf.get(id) ?? []) {
        const sessionFile = file.path.startsWith(`${dir}/${SESSION_DIR}/`)
        const backup = file.path.startsWith(`${dir}/${FILE_HISTORY}/`)
        if (!sessionFile && !backup) continue
        const rest = file.path.slice(dir.length + 1 + (sessionFile ? SESSION_DIR : FILE_HISTORY).length + 1).split("/")
        if (backup && rest.length === 1) {
          const renamed = yield* backupName(rest[0]!, head.trackedFiles, rules, `Claude session ${id}`)
          if (renamed !== rest[0]) backupNames.set(rest[0]!, renamed)
          rest[0] = renamed
        }
        files.push({
          entry: file.path,
          target: sessionFile ? Path.join(folder, localId, ...rest) : Path.join(home.fileHistoryDir, localId, ...rest),
          rewrite: sessionFile && file.path.endsWith(".jsonl")
        })
      }
      const branch = branchOf.get(id)
      const title = titleOf(head) ?? meta.get(id)?.title ?? undefined
      planned.push({
        files,
        branchTitle: branch === undefined ? undefined : branchTitle(branch.name ?? title ?? id),
        session: {
          agent: AGENT,
          sourceId: id,
          localId,
          sourceCwd,
          cwd,
          cwdExists,
          path: transcript,
          archived: false,
          name: branch === undefined ? head.customTitle : branchTitle(branch.name ?? title ?? id),
          title: branch === undefined ? title : branchTitle(branch.name ?? title ?? id),
          forkOf: undefined,
          rewrites: 0
        }
      })
    }
    const history = historyLines(verified, idMap, rules)

    for (const [from, to] of backupNames) idMap.set(from, to)

    // every file read into the same buffer: the rewriter keeps nothing of its input
    const buffer = Buffer.allocUnsafe(FileChunks.CHUNK_SIZE)
    const staged = (file: PlannedFile) => Path.join(stagedDir, ...file.entry.split("/"))
    const rewriting = (p: PlannedSession, file: PlannedFile) =>
      Rewriter.reportingChunks(FileChunks.read(staged(file), { buffer }), {
        idMap,
        pathRules: rules,
        dialect: ClaudeSurface.dialect,
        maxChanges: ShownChanges.PER_SESSION,
        label: `Claude session ${p.session.sourceId} (${file.entry})`
      })

    /** Every file of every session, rewritten or copied, with what each rewrite reports once it has run. */
    const contents = () => {
      const counts = new Map<string, number>()
      const shown = new ShownChanges.ShownChanges()
      const items = planned.flatMap((p) =>
        p.files.map((file) => {
          // a copy's chunks go to the journal as they are: each in memory of its own
          if (!file.rewrite) return { p, file, chunks: FileChunks.read(staged(file)), ended: Effect.void }
          const rewrite = rewriting(p, file)
          const titled = p.branchTitle !== undefined && file.target === p.session.path
          return {
            p,
            file,
            chunks: titled
              ? withLine(rewrite.chunks, JSON.stringify({ type: "custom-title", customTitle: p.branchTitle, sessionId: p.session.localId }))
              : rewrite.chunks,
            ended: Effect.map(rewrite.report, (report) => {
              counts.set(p.session.localId, (counts.get(p.session.localId) ?? 0) + report.changeCount)
              shown.add(p.session.localId, report.changes)
            })
          }
        })
      )
      const report = (written: AgentStore.InstallReport["written"] = new Map()): AgentStore.InstallReport => ({
        sessions: planned.map((p) => ({ ...p.session, rewrites: counts.get(p.session.localId) ?? 0 })),
        changes: shown.changes,
        written
      })
      return { items, report }
    }

    const preview = Effect.gen(function*() {
      const { items, report } = contents()
      for (const item of items) {
        if (!item.file.rewrite) continue
        yield* Rewriter.drain(item.chunks)
        yield* item.ended
      }
      return report()
    })

    const write = (tx: Journal.Transaction) =>
      Effect.gen(function*() {
        const { items, report } = contents()
        const written = yield* tx.createFiles(
          items.map((item) => ({
            path: item.file.target,
            content: Journal.chunks(item.chunks, Rewriter.isRewriteError),
            mtime: item.file.mtime
          })),
          { onWritten: (_, i) => items[i]!.ended }
        )
        if (history.length > 0) yield* tx.appendText(home.historyPath, history.join(""))
        const transcripts = new Map<string, { path: string; size: number }>()
        items.forEach((item, i) => {
          if (item.file.target === item.p.session.path) transcripts.set(item.p.session.localId, { path: written[i]!.path, size: written[i]!.size })
        })
        return report(transcripts)
      })

    return {
      agent: AGENT,
      home: home.root,
      sessions: planned.map((p) => p.session),
      warnings: InstallWarnings.missingFolders(planned.map((p) => p.session)),
      notes: { history: history.length === 0 ? "no history lines" : `${history.length} history line(s) appended` },
      preview,
      write
    } satisfies AgentStore.InstallPlan
  })

  return { plan }
})

