/**
 * Removal of local Codex sessions (`session-transfer cleanup`) as one journaled change that a
 * rollback undoes exactly. A session of this home is, on disk:
 *
 * - its rollout files: every file named for the thread in `sessions/YYYY/MM/DD/` and
 *   `archived_sessions/`, `.jsonl` and the `.jsonl.zst` copy beside it or instead of it;
 * - its rows in Codex's databases (in the sqlite home): `threads` by `id`, and every table with a
 *   column naming the thread (`thread_read_receipts`, `thread_dynamic_tools`,
 *   `thread_attachments`, …; the paginated-history projection of `thread_history_1.sqlite`;
 *   goals, memories, queued items; a spawn edge by either end), found by introspection;
 *   `logs_2.sqlite` is left alone (diagnostics, not the session);
 * - its lines in `session_index.jsonl` (`id`: its names) and `history.jsonl` (`session_id`: its
 *   prompts).
 *
 * The write, in the caller's transaction, deletes the rows (their old values recorded), replaces
 * the two index files without the sessions' lines (every other byte as it was; a file is touched
 * only when a line goes), and moves the rollouts into the journal's backups. It reads the home
 * again when it runs, so it takes away what the sessions have then. Nothing else changes: a fork
 * of a removed session keeps its own file, and a paginated fork, which reads its first turns
 * from its parent's file, is named in a warning.
 *
 * @since 0.3.0
 */
import type { AgentStore } from "@sessionport/agent"
import type { Journal } from "@sessionport/journal"
import { Effect, Option, Stream } from "effect"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import { CodexHome, type SessionFile } from "./CodexHome.js"
import { CodexHomeError } from "./CodexHomeError.js"
import { type Pruned, withoutLines } from "./internal/jsonlLines.js"
import { toCodexHomeError } from "./internal/sqlite.js"
import { deletions, readThreadRows, THREAD_DATABASES, threadRows } from "./internal/threadRows.js"
import { SessionCatalog } from "./SessionCatalog.js"

/**
 * How much older than its parent's a fork's file name may look: names carry the local time of
 * the machine that made them, read back as UTC.
 */
const CLOCK_SLACK_MS = 24 * 60 * 60 * 1000

/** The rollouts of the threads removed (every copy), and the others. */
interface Rollouts {
  readonly mine: ReadonlyMap<string, ReadonlyArray<SessionFile>>
  readonly others: ReadonlyArray<SessionFile>
}

/**
 * The removal support of the home in context.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: Effect.Effect<AgentStore.RemovalSupport, never, CodexHome | SessionCatalog> = Effect.gen(function*() {
  const home = yield* CodexHome
  const catalog = yield* SessionCatalog

  const indexFiles = [
    { path: home.sessionIndexPath, field: "id" },
    { path: home.historyPath, field: "session_id" }
  ]
  const databases = THREAD_DATABASES.map((name) => nodePath.join(home.sqliteHome, name))

  const rollouts = (wanted: ReadonlySet<string>): Effect.Effect<Rollouts, CodexHomeError> =>
    Stream.runFold(home.sessionFiles, { mine: new Map<string, Array<SessionFile>>(), others: new Array<SessionFile>() }, (acc, file) => {
      if (wanted.has(file.threadId)) acc.mine.set(file.threadId, [...(acc.mine.get(file.threadId) ?? []), file])
      else acc.others.push(file)
      return acc
    })

  // the file, and the `.zst` copy left beside it
  const pathsOf = (files: ReadonlyArray<SessionFile>): Array<string> =>
    files.flatMap((f) => f.ignoredCopy === undefined ? [f.path] : [f.path, nodePath.join(home.root, ...f.ignoredCopy.split("/"))])

  const sizeOf = (path: string, file: SessionFile): number =>
    path === file.path ? file.size : nodeFs.statSync(path, { throwIfNoEntry: false })?.size ?? 0

  const pruned = (ids: ReadonlySet<string>) =>
    Effect.forEach(indexFiles, (index) =>
      Effect.try({
        try: () => ({ path: index.path, pruned: withoutLines(index.path, index.field, ids) }),
        catch: (error) =>
          new CodexHomeError({ reason: "unreadable", path: index.path, detail: error instanceof Error ? error.message : String(error), cause: error })
      }))

  const existing = () => databases.filter((db) => nodeFs.existsSync(db))

  /** the paginated forks that stay while the session they read their first turns from goes */
  const orphanedForks = (wanted: ReadonlySet<string>, found: Rollouts) =>
    Effect.gen(function*() {
      const oldest = Math.min(...[...found.mine.values()].flat().map((f) => f.fileTime.getTime()))
      const warnings: Array<string> = []
      for (const file of found.others) {
        // a fork is younger than its parent: older files need no read
        if (file.fileTime.getTime() < oldest - CLOCK_SLACK_MS) continue
        const head = yield* Effect.option(home.readHead(file))
        const parent = Option.getOrUndefined(head)?.historyBase?.threadId.toLowerCase()
        if (parent === undefined || !wanted.has(parent) || wanted.has(file.threadId)) continue
        warnings.push(
          `fork ${file.threadId} reads its first turns from session ${parent}, which this removes: Codex cannot open the fork without it (remove both, or keep ${parent})`
        )
      }
      return warnings
    })

  const write = (ids: ReadonlyArray<string>, wanted: ReadonlySet<string>) => (tx: Journal.Transaction) =>
    Effect.gen(function*() {
      // rows first: a database Codex holds fails the write before a file moves
      for (const db of existing()) {
        yield* tx.sql(db, (sql) => Effect.mapError(Effect.map(threadRows(sql, ids), deletions), toCodexHomeError(db)))
      }
      for (const index of yield* pruned(wanted)) {
        if (index.pruned !== undefined && index.pruned.removed.size > 0) yield* tx.replaceFile(index.path, index.pruned.content)
      }
      const paths = pathsOf([...(yield* rollouts(wanted)).mine.values()].flat())
      if (paths.length > 0) yield* tx.removeFiles(paths)
    }).pipe(Effect.withSpan("Remover.write"))

  const plan = Effect.fn("Remover.plan")(function*(given: ReadonlyArray<string>) {
    const ids = [...new Set(given.map((id) => id.trim().toLowerCase()))]
    const wanted = new Set(ids)
    const found = yield* rollouts(wanted)
    const missing = ids.find((id) => !found.mine.has(id))
    if (missing !== undefined) {
      return yield* new CodexHomeError({ reason: "missing_file", path: `session ${missing}`, detail: `no rollout of it in ${home.root}` })
    }
    const listed = yield* catalog.list({ threadIds: ids, includeArchived: true, all: false })
    const infos = new Map(listed.sessions.flatMap((info) => [[info.file.threadId, info], [info.threadId, info]] as const))
    const rows = (yield* Effect.forEach(existing(), (db) => readThreadRows(db, ids))).flat()
    const lines: ReadonlyArray<{ readonly path: string; readonly pruned: Pruned | undefined }> = yield* pruned(wanted)
    const sessions = ids.map((id): AgentStore.RemovedSession => {
      const files = found.mine.get(id)!
      const info = infos.get(id)
      const paths = pathsOf(files)
      const byTable: Record<string, number> = {}
      for (const row of rows) if (row.id === id) byTable[row.table] = (byTable[row.table] ?? 0) + row.count
      const byFile: Record<string, number> = {}
      for (const index of lines) {
        const n = index.pruned?.removed.get(id)
        if (n !== undefined) byFile[index.path] = n
      }
      return {
        agent: "codex",
        id,
        title: info === undefined ? undefined : info.name ?? info.head.firstUserMessage,
        // an unreadable rollout says nowhere where it ran
        cwd: info?.head.cwd ?? "",
        path: info?.file.path ?? files[0]!.path,
        files: paths,
        rows: byTable,
        lines: byFile,
        bytes: files.reduce((sum, file) => sum + pathsOf([file]).reduce((n, path) => n + sizeOf(path, file), 0), 0)
      }
    })
    return {
      agent: "codex",
      home: home.root,
      sessions,
      warnings: yield* orphanedForks(wanted, found),
      write: write(ids, wanted)
    } satisfies AgentStore.RemovalPlan
  })

  return { plan }
})
