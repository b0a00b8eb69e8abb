/**
 * The sessions of a Claude Code home: every `projects/<folder>/<id>.jsonl`, with what its bytes
 * say (id, working directory, first prompt, titles, first and last activity) and the files of its
 * session folder (`projects/<folder>/<id>/`: subagents and the like).
 *
 * Selecting by working directory looks only into the project folders whose name can be such a
 * folder's (Claude's encoding keeps a parent's name as a prefix of its children's), and reads only
 * their transcripts; the working directory recorded in the transcript decides.
 *
 * @since 0.2.0
 */
import { PathMatch } from "@sessionport/localize"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeHome from "./ClaudeHome.js"
import { isTranscriptName, readDir } from "./internal/files.js"
import { scanFile, titleOf, type TranscriptHead } from "./internal/head.js"
import { ClaudeProjectFolder } from "@sessionport/schema"

/** A file of a session's folder, relative to it (POSIX). @since 0.2.0 @category models */
export interface SessionFile {
  readonly relative: string
  readonly path: string
  readonly size: number
}

/** @since 0.2.0 @category models */
export interface SessionInfo {
  /** the transcript's file name without `.jsonl` */
  readonly id: string
  readonly path: string
  /** the project folder's name under `projects/` */
  readonly folder: string
  readonly size: number
  readonly mtimeMs: number
  readonly head: TranscriptHead
  readonly cwd: string
  readonly title: string | undefined
  /** the files of `projects/<folder>/<id>/`, if any */
  readonly files: ReadonlyArray<SessionFile>
}

/** A selected session that cannot be read. @since 0.2.0 @category models */
export interface UnreadableSession {
  readonly id: string
  readonly path: string
  readonly reason: string
}

/** @since 0.2.0 @category models */
export interface ListRequest {
  readonly ids: ReadonlyArray<string>
  readonly cwds: ReadonlyArray<string>
  readonly since: Date | undefined
  readonly all: boolean
}

/** @since 0.2.0 @category models */
export interface Listing {
  readonly sessions: ReadonlyArray<SessionInfo>
  readonly unreadable: ReadonlyArray<UnreadableSession>
  /** requested ids this home does not have */
  readonly unmatched: ReadonlyArray<string>
}

/** @since 0.2.0 @category models */
export interface SessionCatalogShape {
  readonly list: (request: ListRequest) => Effect.Effect<Listing>
}

/** @since 0.2.0 @category tags */
export class SessionCatalog extends Context.Tag("@sessionport/claude-home/SessionCatalog")<SessionCatalog, SessionCatalogShape>() {}

/** Every regular file below `dir`, relative, sorted; links are not followed. */
export const filesBelow = (dir: string): Array<SessionFile> => {
  const out: Array<SessionFile> = []
  const walk = (relative: string) => {
    for (const entry of readDir(Path.join(dir, relative)).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
      const rel = relative === "" ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory()) walk(rel)
      else if (entry.isFile()) {
        const path = Path.join(dir, ...rel.split("/"))
        const size = sizeOf(path)
        if (size !== undefined) out.push({ relative: rel, path, size })
      }
    }
  }
  walk("")
  return out
}

const sizeOf = (path: string): number | undefined => {
  try {
    return fs.statSync(path).size
  } catch {
    return undefined
  }
}

/** A project folder name of a folder given, and whether it is compared in any case. */
interface Prefix {
  readonly name: string
  readonly anyCase: boolean
}

/**
 * The project folder names of the folders' keys (`PathMatch`): the name a key's folder has, its
 * children's continuing it after a `-`. A root's key drops its separator (`/` → ``, `c:\` → `c:`),
 * so that every folder of its drive follows it. A Windows key is lower case: its names are
 * compared in any case.
 */
const prefixesOf = (keys: ReadonlyArray<string>): ReadonlyArray<Prefix> =>
  keys.map((key): Prefix => ({
    name: ClaudeProjectFolder.projectFolderName(/[\\/]$/.test(key) ? key.slice(0, -1) : key),
    anyCase: !key.startsWith("/")
  }))

/** Whether a project folder's name may hold sessions of a working directory at or below one of the folders. */
const folderMayHold = (folder: string, prefixes: ReadonlyArray<Prefix>): boolean =>
  prefixes.some(({ anyCase, name }) => {
    const f = anyCase ? folder.toLowerCase() : folder
    return name.length >= ClaudeProjectFolder.MAX_NAME_LENGTH || f === name || f.startsWith(`${name}-`)
  })

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* ClaudeHome.ClaudeHome

  const list = Effect.fn("ClaudeSessionCatalog.list")(function*(request: ListRequest) {
    // thousands of transcripts take seconds: the command's progress, if it shows any
    const task = yield* Progress.ambient("listing sessions", 0, "items")
    const wantedIds = new Set(request.ids.map((id) => id.trim().toLowerCase()))
    const folders = PathMatch.folders(request.cwds)
    const prefixes = prefixesOf(folders)
    const sessions: Array<SessionInfo> = []
    const unreadable: Array<UnreadableSession> = []
    const found = new Set<string>()
    for (const folder of readDir(home.projectsDir).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      const byCwd = folders.length > 0 && folderMayHold(folder, prefixes)
      if (!request.all && !byCwd && wantedIds.size === 0) continue
      const dir = Path.join(home.projectsDir, folder)
      for (const entry of readDir(dir)) {
        if (!entry.isFile() || !isTranscriptName(entry.name)) continue
        const id = entry.name.slice(0, -".jsonl".length)
        const byId = wantedIds.has(id.toLowerCase())
        if (!request.all && !byId && !byCwd) continue
        const path = Path.join(dir, entry.name)
        task.advance(1)
        let stat: fs.Stats
        let head: TranscriptHead
        try {
          stat = fs.statSync(path)
          head = scanFile(path, stat.size)
        } catch (error) {
          if (byId || request.all) unreadable.push({ id, path, reason: error instanceof Error ? error.message : String(error) })
          continue
        }
        if (head.cwd === undefined) {
          if (byId || request.all) unreadable.push({ id, path, reason: "no line records a working directory" })
          continue
        }
        // the transcript's cwd by its target too (Claude Code encodes the resolved folder)
        const selected = request.all || byId || PathMatch.folders([head.cwd]).some((cwd) => PathMatch.matches(cwd, folders))
        if (!selected) continue
        if (request.since !== undefined && stat.mtimeMs < request.since.getTime()) continue
        found.add(id.toLowerCase())
        sessions.push({
          id,
          path,
          folder,
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          head,
          cwd: head.cwd,
          title: titleOf(head),
          files: filesBelow(Path.join(dir, id))
        })
      }
    }
    for (const s of unreadable) found.add(s.id.toLowerCase())
    return {
      sessions,
      unreadable,
      unmatched: request.ids.filter((id) => !found.has(id.trim().toLowerCase()))
    } satisfies Listing
  }, Effect.scoped)

  return SessionCatalog.of({ list })
})

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<SessionCatalog, never, ClaudeHome.ClaudeHome> = Layer.effect(SessionCatalog, make)
