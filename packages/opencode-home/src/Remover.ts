/**
 * The removal of local OpenCode sessions (`session-transfer cleanup`): planned from one snapshot
 * of the data folder, written in the caller's journal transaction, so that a rollback brings
 * every row and every file back exactly.
 *
 * An OpenCode session (1.18.33, as its own `Session.remove` takes one away: its subagent sessions
 * first, then its event stream and its `session` row, whose foreign keys cascade to the rest) is:
 *
 * - its rows in `opencode.db`: `session`; `message` and `part`; `todo`; `session_share`,
 *   `session_input`, `session_message`, `session_context_epoch` (every table with a foreign key to
 *   `session`, found from the schema); `event_sequence` and `event` (its event stream, the
 *   aggregate named by its id);
 * - its files in the data folder: `storage/session_diff/<id>.json`, the copies OpenCode ≤ 1.1's
 *   JSON storage keeps of it (`storage/session/…/<id>.json`, `storage/message/<id>/`,
 *   `storage/part/<message>/`, `storage/todo/<id>.json`, `storage/session_share/<id>.json`; a data
 *   folder with only that storage is removed from as well), its plan (`plans/<created>-<slug>.md`,
 *   kept there for a session outside git) and the full outputs of its truncated tool calls
 *   (`tool-output/`, as its parts name them);
 * - its subagent sessions (`parent_id`), at any depth: removed with it, each listed after it.
 *
 * What stays: its project (`project`, `project_directory`, `permission` and `workspace` are the
 * project's rows), the undo snapshots (`snapshot/<project>/…`, one git folder per worktree shared
 * by its sessions), a plan kept in the repository (`.opencode/plans/`), and a share on opncd.ai
 * (a warning says so).
 *
 * Rows are deleted below-first, the `session` row last (nothing is left to a cascade), whole
 * sessions at a time in SQL steps of a few thousand rows, each recording the rows it deletes
 * whole; the files are then moved into the transaction's backups in one step.
 *
 * @since 0.3.0
 */
import type { AgentStore } from "@sessionport/agent"
import { type Journal, SqlChange } from "@sessionport/journal"
import { Effect } from "effect"
import * as fs from "node:fs"
import { AGENT, withChildren } from "./Exporter.js"
import { locator } from "./Installer.js"
import * as OpencodeData from "./OpencodeData.js"
import { OpencodeError } from "./OpencodeError.js"
import * as SessionCatalog from "./SessionCatalog.js"
import { BATCH_ROWS } from "./internal/batch.js"
import { type KeyedTable, keyedTables, messageIds, rowCounts, sessionFiles, toolOutputs } from "./internal/removal.js"
import { columnsOf, type Database, messageOf, openSnapshot } from "./internal/sqlite.js"
import { migrationOf, TESTED_SCHEMAS } from "./internal/target.js"

const sizeOf = (path: string): number => {
  try {
    return fs.lstatSync(path).size
  } catch {
    return 0
  }
}

const str = (value: unknown): string | undefined => typeof value === "string" && value !== "" ? value : undefined

const shareUrl = (db: Database, id: string): string | undefined =>
  columnsOf(db, "session_share").includes("url")
    ? str(db.prepare("SELECT url FROM session_share WHERE session_id = ?").pluck().get(id))
    : undefined

/** Sessions whole, in steps of about {@link BATCH_ROWS} rows (a session bigger than that is a step of its own). */
const steps = (sessions: ReadonlyArray<AgentStore.RemovedSession>): Array<Array<string>> => {
  const out: Array<Array<string>> = []
  let rows = 0
  for (const s of sessions) {
    const n = Object.values(s.rows).reduce((a, b) => a + b, 0)
    const last = out.at(-1)
    if (last === undefined || rows + n > BATCH_ROWS) {
      out.push([s.id])
      rows = n
    } else {
      last.push(s.id)
      rows += n
    }
  }
  return out
}

const deletes = (tables: ReadonlyArray<KeyedTable>, ids: ReadonlyArray<string>): Array<SqlChange.SqlChange> =>
  tables.map(({ column, table }) => SqlChange.deleteRows(table, ids.map((id) => ({ [column]: id }))))

/** @since 0.3.0 @category constructors */
export const make = Effect.gen(function*() {
  const data = yield* OpencodeData.OpencodeData

  const unreadable = (error: unknown) =>
    error instanceof OpencodeError
      ? error
      : new OpencodeError({ reason: "unreadable", path: data.database, detail: `cannot read OpenCode's sessions in ${data.root}: ${messageOf(error)}` })

  /** The removal of these sessions (full ids, as `list` gives them) and of their subagent sessions. */
  const plan = Effect.fn("OpencodeRemover.plan")(function*(ids: ReadonlyArray<string>) {
    const read = yield* Effect.scoped(Effect.gen(function*() {
      const source = yield* SessionCatalog.open(data)
      // no weights: a removal counts its own rows
      const all = source === undefined ? [] : source.sessions().map((row) => SessionCatalog.infoOf(source, row, new Map()))
      const byId = new Map(all.map((s) => [s.id, s]))
      const wanted = [...new Set(ids)]
      const missing = wanted.find((id) => !byId.has(id))
      if (missing !== undefined) {
        return yield* new OpencodeError({ reason: "not_found", path: data.database, detail: `no OpenCode session ${missing} in ${data.root}` })
      }
      const planned = withChildren(wanted.map((id) => byId.get(id)!), all)
      return yield* Effect.try({
        try: () => {
          const snapshot = source?.kind === "database" ? openSnapshot(data.database) : undefined
          try {
            const db = snapshot?.db
            const tables = db === undefined ? [] : keyedTables(db)
            const warnings: Array<string> = []
            const migration = db === undefined ? undefined : migrationOf(db)
            if (db !== undefined && !TESTED_SCHEMAS.some((s) => s.migration === migration)) {
              warnings.push(
                `this OpenCode database has schema ${migration ?? "(none)"}, which sessionport was not tested with: rows of tables it does not know may stay`
              )
            }
            const removing = new Set(planned.map((p) => p.info.id))
            const sessions = planned.map(({ info }): AgentStore.RemovedSession => {
              const files = sessionFiles(data.root, {
                id: info.id,
                createdMs: info.createdMs,
                slug: str(info.row.slug),
                messages: db === undefined ? [] : messageIds(db, info.id),
                toolOutputs: db === undefined ? [] : toolOutputs(db, data.root, info.id)
              })
              const url = str(info.row.share_url) ?? (db === undefined ? undefined : shareUrl(db, info.id))
              if (url !== undefined) {
                warnings.push(`OpenCode session ${info.id} is shared (${url}): removing it here does not take the shared copy down`)
              }
              if (info.parentId !== undefined && !removing.has(info.parentId) && byId.has(info.parentId)) {
                warnings.push(`OpenCode session ${info.id} is a subagent session of ${info.parentId}, which stays and still names it`)
              }
              return {
                agent: AGENT,
                id: info.id,
                title: info.title,
                cwd: info.directory,
                path: locator(data.database, info.id),
                files,
                rows: db === undefined ? {} : rowCounts(db, tables, info.id),
                lines: {},
                bytes: files.reduce((n, file) => n + sizeOf(file), 0)
              }
            })
            return { sessions, tables, warnings }
          } finally {
            snapshot?.close()
          }
        },
        catch: unreadable
      })
    }))

    const write = (tx: Journal.Transaction) =>
      Effect.gen(function*() {
        if (read.tables.length > 0) {
          for (const step of steps(read.sessions)) yield* tx.sql(data.database, deletes(read.tables, step))
        }
        const files = [...new Set(read.sessions.flatMap((s) => s.files))]
        if (files.length > 0) yield* tx.removeFiles(files)
      })

    return {
      agent: AGENT,
      home: data.root,
      sessions: read.sessions,
      warnings: read.warnings,
      write
    } satisfies AgentStore.RemovalPlan
  })

  return { plan }
})
