/**
 * The sessions of a Codex home, joined from its three sources for selection by export: the
 * rollout files (what exists, and the head of each), `state_5.sqlite` `threads` (the row, when
 * there is one) and `session_index.jsonl` (names).
 *
 * Listing streams through the home: names are listed folder by folder, each candidate's head
 * is read (a few lines), rows are fetched in batches. No file content is kept, so memory stays
 * flat whatever the number of sessions; only the selected `SessionInfo`s are collected.
 *
 * A candidate whose head cannot be read (empty, not JSON, a line too long, refused by the OS) is
 * never dropped: it is listed as an {@link UnreadableSession}, so the caller refuses or skips it
 * out loud.
 *
 * @since 0.1.0
 */
import { PathMatch } from "@sessionport/localize"
import * as Progress from "@sessionport/package-format/Progress"
import type { StateRow } from "@sessionport/schema"
import { Chunk, Context, Effect, Layer, Option, Stream } from "effect"
import { CodexHome, type SessionFile, type SessionHead } from "./CodexHome.js"
import type { CodexHomeError } from "./CodexHomeError.js"
import { StateDb } from "./StateDb.js"

/** @since 0.1.0 @category models */
export interface SessionInfo {
  readonly _tag: "SessionInfo"
  /** the canonical id: the first `session_meta.id` */
  readonly threadId: string
  readonly file: SessionFile
  readonly head: SessionHead
  /** the `threads` row; absent when Codex never indexed the file or has no database */
  readonly row: StateRow.ThreadRow | undefined
  /** `session_index.jsonl` first, then `threads.name`, then a `threads.title` that was renamed */
  readonly name: string | undefined
  /** the file is in `archived_sessions/` (the location decides, as for Codex's read-repair) */
  readonly archived: boolean
  /** the file's mtime: Codex's `updated_at` when it indexes a file, and what `since` compares */
  readonly lastActivity: Date
  /** `history_base.thread_id`, else `forked_from_id` */
  readonly forkParentId: string | undefined
  /** a paginated fork (`history_base`): its first records live in the parent's file */
  readonly requiresParent: boolean
}

/**
 * A selected rollout whose head cannot be read, so nothing but its name and `stat` is known.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnreadableSession {
  readonly _tag: "UnreadableSession"
  /** from the file name */
  readonly threadId: string
  readonly file: SessionFile
  /** why, in a few words (without the path) */
  readonly reason: string
}

/** @since 0.1.0 @category models */
export type CatalogEntry = SessionInfo | UnreadableSession

/** @since 0.1.0 @category models */
export interface Selection {
  readonly sessions: ReadonlyArray<SessionInfo>
  readonly unreadable: ReadonlyArray<UnreadableSession>
}

/**
 * Which sessions to list.
 *
 * - `all`, `threadIds` and `cwds` select (a session matching any of them is a candidate);
 *   with `all` false and neither list given, nothing is selected.
 * - `cwds`: the session's cwd (`session_meta.cwd` or the canonical `threads.cwd`) equals one of
 *   them or lies inside one, at a path boundary, as `PathMatch` (of `@sessionport/localize`)
 *   compares them: trailing separators do not matter, relative folders are resolved against the
 *   working directory, symlinked folders match their target, and a Windows folder given on
 *   another system is compared as written, in any case and slash style.
 * - `includeArchived` false drops sessions in `archived_sessions/`; `since` drops sessions whose
 *   last activity (file mtime) is older.
 * - Thread ids named in `threadIds` are always kept, archived or old.
 * - An unreadable session is matched by its file name's id, location and mtime; for `cwds`, by
 *   its `threads` row, and when it has none (its folder is unknown) it is listed, as it may match.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListFilter {
  readonly threadIds?: ReadonlyArray<string> | undefined
  readonly cwds?: ReadonlyArray<string> | undefined
  readonly since?: Date | undefined
  readonly includeArchived: boolean
  readonly all: boolean
}

/** @since 0.1.0 @category models */
export interface Lineage {
  /** the sessions given, then the fork parents they need (and the parents' parents) */
  readonly sessions: ReadonlyArray<SessionInfo>
  /** parent ids with no rollout in this home */
  readonly missingParents: ReadonlyArray<string>
  /** parents whose rollout is there but cannot be read */
  readonly unreadableParents: ReadonlyArray<UnreadableSession>
}

/** @since 0.1.0 @category models */
export interface SessionCatalogShape {
  /** the selected sessions and the selected ones that cannot be read, in the order of `CodexHome.sessionFiles` */
  readonly list: (filter: ListFilter) => Effect.Effect<Selection, CodexHomeError>
  /** the same, as a stream */
  readonly stream: (filter: ListFilter) => Stream.Stream<CatalogEntry, CodexHomeError>
  /** adds the fork parents the sessions depend on (transitively), found in this home */
  readonly withForkParents: (sessions: ReadonlyArray<SessionInfo>) => Effect.Effect<Lineage, CodexHomeError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SessionCatalog
  extends Context.Tag("@sessionport/codex-home/SessionCatalog")<SessionCatalog, SessionCatalogShape>()
{}

// rows per SELECT
const ROW_BATCH = 200

/** a candidate after its head read: the head, or why there is none */
type Head =
  | { readonly file: SessionFile; readonly head: SessionHead }
  | { readonly file: SessionFile; readonly head: undefined; readonly reason: string }

const nonBlank = (value: string | null | undefined): string | undefined =>
  typeof value === "string" && value.trim().length > 0 ? value : undefined

/**
 * Before `threads.name` (late July 2026) a rename overwrote `threads.title`; a title that
 * differs from `first_user_message` is such a name (Codex reads it the same way).
 */
const renamedTitle = (row: StateRow.ThreadRow): string | undefined => {
  const title = nonBlank(row.title)
  const first = nonBlank(row.first_user_message)
  return title !== undefined && first !== undefined && title.trim() !== first.trim() ? title : undefined
}

/** @since 0.1.0 @category constructors */
export const make: Effect.Effect<
  SessionCatalogShape,
  never,
  CodexHome | StateDb
> = Effect.gen(function*() {
  const home = yield* CodexHome
  const db = yield* StateDb
  // `looked`: progress, rollouts looked at
  const stream = (filter: ListFilter, looked: (files: number) => void = () => {}): Stream.Stream<CatalogEntry, CodexHomeError> =>
    Stream.unwrap(Effect.gen(function*() {
      const names = yield* home.sessionIndex
      const wanted = new Set((filter.threadIds ?? []).map((id) => id.trim().toLowerCase()))
      const folders = PathMatch.folders(filter.cwds ?? [])
      const selecting = filter.all || folders.length > 0
      const sinceMs = filter.since?.getTime()
      const seen = new Set<string>()

      // decided from the name and stat alone, before any read
      const preselect = (file: SessionFile): Effect.Effect<boolean> => {
        if (seen.has(file.threadId)) {
          return Effect.logWarning(`${file.relativePath}: thread ${file.threadId} has another rollout; keeping the first`)
            .pipe(Effect.as(false))
        }
        seen.add(file.threadId)
        if (wanted.has(file.threadId)) return Effect.succeed(true)
        if (!selecting) return Effect.succeed(false)
        if (file.archived && !filter.includeArchived) return Effect.succeed(false)
        return Effect.succeed(sinceMs === undefined || file.mtimeMs >= sinceMs)
      }

      const readHead = (file: SessionFile): Effect.Effect<Option.Option<Head>, CodexHomeError> =>
        home.readHead(file).pipe(
          Effect.map((head): Option.Option<Head> => Option.some({ file, head })),
          Effect.catchIf(
            (error) => error.reason === "missing_file",
            // gone since it was listed (Codex archived or deleted it): not a session any more
            (error) => Effect.logWarning(`skipping ${file.relativePath}: ${error.message}`).pipe(Effect.as(Option.none()))
          ),
          // one broken file must not stop an export of thousands, nor vanish from it
          Effect.catchAll((error) =>
            Effect.succeed(Option.some<Head>({ file, head: undefined, reason: error.detail ?? error.message }))
          )
        )

      const cwdMatches = (cwds: ReadonlyArray<string | null | undefined>): boolean =>
        cwds.some((cwd) => typeof cwd === "string" && PathMatch.matches(cwd, folders))

      const toInfos = (batch: Chunk.Chunk<Head>) =>
        Effect.gen(function*() {
          const items = Chunk.toReadonlyArray(batch)
          const rows = yield* db.threads(items.map((item) => item.head?.threadId ?? item.file.threadId))
          const byId = new Map(rows.map((row) => [row.id, row]))
          const infos: Array<CatalogEntry> = []
          for (const item of items) {
            const { file, head } = item
            if (head === undefined) {
              const row = byId.get(file.threadId)
              const selected = wanted.has(file.threadId) || filter.all || row === undefined || cwdMatches([row.cwd])
              if (selected) infos.push({ _tag: "UnreadableSession", threadId: file.threadId, file, reason: item.reason })
              continue
            }
            if (head.threadId !== file.threadId) {
              yield* Effect.logWarning(
                `${file.relativePath}: its session_meta says thread ${head.threadId}; using that id`
              )
            }
            const row = byId.get(head.threadId)
            const explicit = wanted.has(head.threadId) || wanted.has(file.threadId)
            if (!explicit && !filter.all && !cwdMatches([head.cwd, row?.cwd])) continue
            infos.push({
              _tag: "SessionInfo",
              threadId: head.threadId,
              file,
              head,
              row,
              name: names.get(head.threadId) ?? (row === undefined
                ? undefined
                : nonBlank(row.name) ?? renamedTitle(row)),
              archived: file.archived,
              lastActivity: new Date(file.mtimeMs),
              forkParentId: head.historyBase?.threadId ?? head.forkedFromId,
              requiresParent: head.historyBase !== undefined
            })
          }
          return Chunk.unsafeFromArray(infos)
        })

      if (!selecting && wanted.size === 0) return Stream.empty
      // a chunk (a folder's files) at a time: head reads are synchronous, an effect per chunk
      return home.sessionFiles.pipe(
        Stream.mapChunksEffect((files) =>
          Effect.gen(function*() {
            const heads: Array<Head> = []
            for (const file of files) {
              looked(1)
              if (!(yield* preselect(file))) continue
              const head = yield* readHead(file)
              if (Option.isSome(head)) heads.push(head.value)
            }
            return Chunk.unsafeFromArray(heads)
          })
        ),
        Stream.grouped(ROW_BATCH),
        Stream.mapEffect(toInfos),
        Stream.flattenChunks
      )
    }))

  const list = Effect.fn("SessionCatalog.list")(function*(filter: ListFilter) {
    const sessions: Array<SessionInfo> = []
    const unreadable: Array<UnreadableSession> = []
    // thousands of rollouts take seconds: the command's progress, if it shows any
    yield* Effect.scoped(Effect.flatMap(Progress.ambient("listing sessions", 0, "items"), (task) =>
      Stream.runForEach(stream(filter, task.advance), (entry) =>
        Effect.sync(() => entry._tag === "SessionInfo" ? sessions.push(entry) : unreadable.push(entry)))))
    return { sessions, unreadable } satisfies Selection
  })

  const withForkParents = Effect.fn("SessionCatalog.withForkParents")(function*(
    sessions: ReadonlyArray<SessionInfo>
  ) {
    const byId = new Map(sessions.map((info) => [info.threadId, info]))
    const out = [...sessions]
    const missing: Array<string> = []
    const unreadable = new Map<string, UnreadableSession>()
    const parentsOf = (infos: ReadonlyArray<SessionInfo>) =>
      new Set(infos.flatMap((info) =>
        info.forkParentId !== undefined && !byId.has(info.forkParentId) && !missing.includes(info.forkParentId) &&
          !unreadable.has(info.forkParentId)
          ? [info.forkParentId]
          : []
      ))
    let pending = parentsOf(sessions)
    while (pending.size > 0) {
      const found = yield* list({ threadIds: [...pending], includeArchived: true, all: false })
      for (const info of found.sessions) {
        if (byId.has(info.threadId)) continue
        byId.set(info.threadId, info)
        out.push(info)
      }
      for (const entry of found.unreadable) unreadable.set(entry.threadId, entry)
      for (const id of pending) if (!byId.has(id) && !unreadable.has(id)) missing.push(id)
      pending = parentsOf(found.sessions)
    }
    return { sessions: out, missingParents: missing, unreadableParents: [...unreadable.values()] } satisfies Lineage
  })

  return { list, stream, withForkParents } satisfies SessionCatalogShape
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  SessionCatalog,
  never,
  CodexHome | StateDb
> = Layer.effect(SessionCatalog, make)
