/**
 * Removal of local Claude Code sessions (`session-transfer cleanup`), written in the caller's
 * journal transaction so that a rollback brings every byte back.
 *
 * What a session is in a home, as Claude Code 2.1.332 writes it (and as its own retention
 * cleanup and project purge find it):
 *
 * ```
 * projects/<folder>/<id>.jsonl           the transcript
 * projects/<folder>/<id>.<…>             beside it: `.ccr-tip.json`, `.precompact.json`, leftovers
 * projects/<folder>/<id>/…               subagents/ (their transcripts), tool-results/, workflows/, …
 * file-history/<id>/…                    backups of the files it edited (rewind)
 * tasks/<id>/…                           its task list
 * todos/<id>-*.json                      its todo lists (earlier versions)
 * session-env/<id>/…                     environment its hooks set
 * uploads/<id>/…                         files uploaded into it
 * debug/<id>.txt                         its debug log
 * history.jsonl                          its prompts (lines with its `sessionId`), for up-arrow
 * ```
 *
 * Files are moved into the transaction's backups (the folders they leave empty go too), and
 * `history.jsonl` is replaced by itself without the sessions' lines, every other byte as it was
 * (only when it holds some). Nothing else is touched: `.claude.json` (a project's
 * `lastSessionId` and metrics are the project's), `sessions/<pid>.json` (a running Claude, which
 * `assertIdle` refuses), `shell-snapshots/`, `plans/` and `paste-cache/` (not tied to one
 * session), `projects/<folder>/memory/` (the project's); nor a session's folder that holds no
 * file (nothing to keep; a journal moves files, not empty folders).
 *
 * @since 0.3.0
 */
import type { AgentStore } from "@sessionport/agent"
import { Journal } from "@sessionport/journal"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeHome from "./ClaudeHome.js"
import { ClaudeHomeError } from "./ClaudeHomeError.js"
import { AGENT } from "./Exporter.js"
import { isTranscriptName, readDir } from "./internal/files.js"
import { sessionLines, withoutLines } from "./internal/history.js"
import * as SessionCatalog from "./SessionCatalog.js"

/** Folders of the home holding one folder per session, named by its id. */
const SESSION_FOLDERS = [ClaudeHome.FILE_HISTORY_DIR, "tasks", "session-env", "uploads"]
const TODOS_DIR = "todos"
const DEBUG_DIR = "debug"

/**
 * The id `name` begins with, followed by `sep`: the longest such prefix `known` accepts (`abc`
 * and `abc.def` may both be sessions: `abc.def.jsonl` is the second's).
 */
const ownerOf = (name: string, sep: string, known: (id: string) => boolean): string | undefined => {
  for (let i = name.lastIndexOf(sep); i > 0; i = name.lastIndexOf(sep, i - 1)) {
    const id = name.slice(0, i)
    if (known(id)) return id
  }
  return undefined
}

/** Every file of the sessions `ids`, by session, found in one pass over the home. */
const filesOf = (home: ClaudeHome.ClaudeHomeShape, ids: ReadonlySet<string>): Map<string, Array<SessionCatalog.SessionFile>> => {
  const out = new Map<string, Array<SessionCatalog.SessionFile>>([...ids].map((id) => [id, []]))
  const add = (id: string, files: ReadonlyArray<SessionCatalog.SessionFile>) => out.get(id)!.push(...files)
  const file = (path: string): Array<SessionCatalog.SessionFile> => {
    try {
      const stat = fs.lstatSync(path)
      return stat.isFile() ? [{ relative: Path.basename(path), path, size: stat.size }] : []
    } catch {
      return []
    }
  }
  // every session of the home: a todo list is its session's by the longest id it begins with
  const all = new Set(ids)
  for (const folder of readDir(home.projectsDir)) {
    if (!folder.isDirectory()) continue
    const dir = Path.join(home.projectsDir, folder.name)
    const entries = readDir(dir)
    const here = new Set<string>()
    for (const entry of entries) {
      if (entry.isFile() && isTranscriptName(entry.name)) here.add(entry.name.slice(0, -".jsonl".length))
    }
    for (const id of here) all.add(id)
    for (const entry of entries) {
      if (entry.isDirectory() && ids.has(entry.name)) add(entry.name, SessionCatalog.filesBelow(Path.join(dir, entry.name)))
      else if (entry.isFile()) {
        const id = ownerOf(entry.name, ".", (p) => here.has(p) || ids.has(p))
        if (id !== undefined && ids.has(id)) add(id, file(Path.join(dir, entry.name)))
      }
    }
  }
  for (const id of ids) {
    for (const name of SESSION_FOLDERS) add(id, SessionCatalog.filesBelow(Path.join(home.root, name, id)))
    add(id, file(Path.join(home.root, DEBUG_DIR, `${id}.txt`)))
  }
  for (const entry of readDir(Path.join(home.root, TODOS_DIR))) {
    if (!entry.isFile() || !entry.name.endsWith(".json")) continue
    const id = ownerOf(entry.name, "-", (p) => all.has(p))
    if (id !== undefined && ids.has(id)) add(id, file(Path.join(home.root, TODOS_DIR, entry.name)))
  }
  return out
}

/** @since 0.3.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* ClaudeHome.ClaudeHome
  const catalog = yield* SessionCatalog.SessionCatalog

  /** The removal of the sessions `ids` (as `list` gives them), planned: every file and history line of each. */
  const plan = Effect.fn("ClaudeRemover.plan")(function*(ids: ReadonlyArray<string>) {
    const listing = yield* catalog.list({ ids, cwds: [], since: undefined, all: false })
    if (listing.unmatched.length > 0) {
      return yield* new ClaudeHomeError({
        reason: "not_found",
        path: home.root,
        detail: `no Claude session ${listing.unmatched.join(", ")} in ${home.root}`
      })
    }
    const warnings: Array<string> = []
    const found = new Map<string, { path: string; cwd: string; title: string | undefined }>()
    for (const s of listing.sessions) if (!found.has(s.id)) found.set(s.id, { path: s.path, cwd: s.cwd, title: s.title })
    for (const u of listing.unreadable) {
      if (found.has(u.id)) continue
      found.set(u.id, { path: u.path, cwd: "", title: undefined })
      warnings.push(`Claude session ${u.id} cannot be read (${u.reason}); it is removed all the same`)
    }
    const chosen = new Set(found.keys())
    const files = filesOf(home, chosen)
    const historyLines = new Map<string, number>()
    yield* Effect.try({
      try: () => {
        for (const _ of withoutLines(home.historyPath, sessionLines(chosen, historyLines))) {
          // counted as read
        }
      },
      catch: (error) =>
        new ClaudeHomeError({
          reason: "unreadable",
          path: home.historyPath,
          detail: `cannot read ${home.historyPath}: ${error instanceof Error ? error.message : String(error)}`
        })
    })

    const sessions = [...found].map(([id, s]): AgentStore.RemovedSession => {
      const own = files.get(id)!
      const lines = historyLines.get(id) ?? 0
      return {
        agent: AGENT,
        id,
        title: s.title,
        cwd: s.cwd,
        path: s.path,
        files: own.map((f) => f.path),
        rows: {},
        lines: lines === 0 ? {} : { [home.historyPath]: lines },
        bytes: own.reduce((n, f) => n + f.size, 0)
      }
    })

    const write = (tx: Journal.Transaction) =>
      Effect.gen(function*() {
        yield* tx.removeFiles(sessions.flatMap((s) => s.files))
        if (historyLines.size > 0) {
          const rest = { [Symbol.iterator]: () => withoutLines(home.historyPath, sessionLines(chosen)) }
          yield* tx.replaceFile(home.historyPath, Journal.chunks(rest))
        }
      })

    return { agent: AGENT, home: home.root, sessions, warnings, write } satisfies AgentStore.RemovalPlan
  })

  return { plan }
})
