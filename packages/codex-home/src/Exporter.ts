/**
 * Export: the selected sessions of this Codex home, written as one session package (folder or
 * `.tgz`) that the baseline tools install too. Rollouts go in byte for byte; a `.jsonl.zst` is
 * carried decompressed, as the `.jsonl` its row names (the archive compresses it anyway). With
 * them go their `threads` rows (every baseline column: a row Codex never wrote, or wrote before a
 * column existed, gets what Codex would store), names, dynamic tools, the source's paths for
 * localization, and, when asked, the user's skills (a file that looks like a credential, by name
 * or content, only when `allowFiles` names it; the manifest lists what was left out). Every file
 * is hashed as it is written; the manifest, written last, lists each one with its size and
 * SHA-256.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import { type AgentStore, PackageExport } from "@sessionport/agent"
import { Credentials, Layout, type Manifest, PackageError, type PackageWriter } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer, Schema, Stream } from "effect"
import * as CodexHome from "./CodexHome.js"
import type { CodexHomeError } from "./CodexHomeError.js"
import * as BaselineRow from "./internal/baselineRow.js"
import * as SessionCatalog from "./SessionCatalog.js"
import * as StateDb from "./StateDb.js"

/** @since 0.1.0 @category models */
export interface ExportRequest {
  /** a `.tgz` / `.tar.gz` file, or a folder */
  readonly out: string
  readonly threadIds: ReadonlyArray<string>
  readonly cwds: ReadonlyArray<string>
  readonly since: Date | undefined
  readonly all: boolean
  readonly includeArchived: boolean
  readonly includeSkills: boolean
  /**
   * skill files to carry although they look like credentials (`--allow-file`): relative to the
   * Codex home, as export lists them (`skills/<skill>/<file>`), or absolute
   */
  readonly allowFiles?: ReadonlyArray<string>
  /** leave out selected sessions that cannot be read (listed in `skipped`) instead of refusing */
  readonly skipUnreadable: boolean
  /** select and report, write nothing */
  readonly dryRun: boolean
}

/**
 * A selected session left out because its rollout cannot be read.
 *
 * @since 0.1.0
 * @category models
 */
export const SkippedSession = Schema.Struct({
  threadId: Schema.String,
  /** the rollout file */
  path: Schema.String,
  reason: Schema.String
})

/** @since 0.1.0 @category models */
export type SkippedSession = typeof SkippedSession.Type

/** A Codex session as it goes into a package: the neutral one, named by its thread id. @since 0.1.0 @category models */
export type ExportedSession = Omit<AgentStore.ExportedSession, "agent" | "id"> & { readonly threadId: string }

/** What a Codex-only export wrote (see `PackageExport.ExportResult`). @since 0.1.0 @category models */
export type ExportResult = Omit<PackageExport.ExportResult, "sessions" | "skipped" | "agents"> & {
  readonly sessions: ReadonlyArray<ExportedSession>
  /** unreadable sessions left out (`skipUnreadable`) */
  readonly skipped: ReadonlyArray<SkippedSession>
}

/**
 * Nothing matched, a requested thread is not in this home, selected sessions cannot be read
 * (listed in `unreadable`), or an `allowFiles` path is not a skill file (`unknown_file`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ExportError extends Schema.TaggedError<ExportError>("@sessionport/codex-home/ExportError")("ExportError", {
  reason: Schema.Literal("nothing_selected", "unknown_thread", "unreadable_sessions", "unknown_file"),
  detail: Schema.String,
  unreadable: Schema.optional(Schema.Array(SkippedSession))
}) {
  override get message(): string {
    return this.detail
  }
}

/** @since 0.1.0 @category models */
export interface ExporterShape {
  readonly export: (
    request: ExportRequest
  ) => Effect.Effect<ExportResult, ExportError | CodexHomeError | PackageError.PackageError>
  /** this home's share of a package of several agents (see `@sessionport/agent`) */
  readonly part: (
    request: PartRequest
  ) => Effect.Effect<
    AgentStore.ExportPart & { readonly unmatched: ReadonlyArray<string> },
    ExportError | CodexHomeError | PackageError.PackageError
  >
}

/** What {@link ExporterShape.part} needs: the request without `dryRun`. @since 0.2.0 @category models */
export type PartRequest = Omit<ExportRequest, "dryRun">

/** @since 0.1.0 @category tags */
export class Exporter extends Context.Tag("@sessionport/codex-home/Exporter")<Exporter, ExporterShape>() {}

const jsonl = (rows: ReadonlyArray<unknown>) => rows.map((row) => JSON.stringify(row) + "\n").join("")

// SQLite integers may come back as bigint; JSON has no bigint. A row without one is kept as it is.
const plainRow = (row: Record<string, unknown>) => {
  for (const key in row) {
    if (typeof row[key] === "bigint") {
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]))
    }
  }
  return row
}

// the refusal names this many unreadable sessions, then counts the rest
const NAMED_UNREADABLE = 3

/** One line naming the unreadable sessions (the first few, then a count) and the way past them. */
const unreadableRefusal = (sessions: ReadonlyArray<SessionCatalog.UnreadableSession>): string => {
  const why = (s: SessionCatalog.UnreadableSession) => `${s.reason} (${s.file.relativePath})`
  const describe = (s: SessionCatalog.UnreadableSession) => `${s.threadId}: ${why(s)}`
  if (sessions.length === 1) {
    const [session] = sessions as readonly [SessionCatalog.UnreadableSession]
    return `session ${session.threadId} is unreadable: ${why(session)}; pass --skip-unreadable to export without it`
  }
  const named = sessions.slice(0, NAMED_UNREADABLE).map(describe).join("; ")
  const more = sessions.length > NAMED_UNREADABLE ? `; and ${sessions.length - NAMED_UNREADABLE} more` : ""
  return `${sessions.length} sessions are unreadable: ${named}${more}; pass --skip-unreadable to export without them`
}

/** @since 0.1.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* CodexHome.CodexHome
  const catalog = yield* SessionCatalog.SessionCatalog
  const db = yield* StateDb.StateDb
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const progress = yield* Progress.Progress

  /** every file of `skills/<name>/` for non-dot skill folders; symlinks are not followed */
  const skillFiles = Effect.fn("Exporter.skillFiles")(function*() {
    const root = path.join(home.root, Layout.SKILLS_DIR)
    const names = yield* fs.readDirectory(root).pipe(Effect.orElseSucceed((): Array<string> => []))
    const skills = names.filter((name) => !name.startsWith(".")).sort()
    const files: Array<string> = []
    const walk = (relative: string): Effect.Effect<void, never> =>
      Effect.gen(function*() {
        // checked before stat, which follows links: a linked folder may point anywhere, even back up
        const link = yield* fs.readLink(path.join(root, relative)).pipe(Effect.option)
        if (link._tag === "Some") return
        const info = yield* fs.stat(path.join(root, relative)).pipe(Effect.option)
        if (info._tag === "None") return
        if (info.value.type === "Directory") {
          const names = yield* fs.readDirectory(path.join(root, relative)).pipe(Effect.orElseSucceed(() => []))
          for (const name of names.sort()) yield* walk(`${relative}/${name}`)
        } else if (info.value.type === "File") {
          files.push(relative)
        }
      })
    for (const skill of skills) yield* walk(skill)
    // a skill that is itself a link (or has no file) brings nothing, so it is not listed as included
    return { skills: skills.filter((skill) => files.some((file) => file.startsWith(`${skill}/`))), files }
  })

  /**
   * Sorts skill files (relative to `skills/`) into carried and left out as credentials, by name,
   * then by their first bytes; `allow` (see {@link ExportRequest.allowFiles}) carries named ones.
   * `out`: the package, named by a read failure.
   */
  const screenSkills = Effect.fn("Exporter.screenSkills")(function*(
    files: ReadonlyArray<string>,
    allow: ReadonlyArray<string>,
    out: string
  ) {
    const entries = new Set(files.map((file) => `${Layout.SKILLS_DIR}/${file}`))
    const allowed = new Set<string>()
    for (const file of allow) {
      const relative = path.isAbsolute(file) ? path.relative(home.root, file) : path.normalize(file)
      const entry = relative.split(path.sep).join("/")
      if (!entries.has(entry)) {
        return yield* new ExportError({
          reason: "unknown_file",
          detail: `--allow-file ${file}: not a file of the skills in ${path.join(home.root, Layout.SKILLS_DIR)}`
        })
      }
      allowed.add(entry)
    }
    const carried: Array<{ readonly path: string; readonly source: string; readonly size: number }> = []
    const excluded: Array<Manifest.FlaggedFile> = []
    const allowedFiles: Array<Manifest.FlaggedFile> = []
    for (const file of files) {
      const entry = `${Layout.SKILLS_DIR}/${file}`
      const source = path.join(home.root, Layout.SKILLS_DIR, file)
      const cannotRead = (error: { readonly message: string }) =>
        new PackageError.PackageError({ reason: "io", package: out, detail: `cannot read ${source}: ${error.message}` })
      const reason = Credentials.nameRule(entry) ?? (yield* Credentials.contentRule(
        entry,
        yield* fs.stream(source, { bytesToRead: Credentials.CHECKED_BYTES }).pipe(
          Stream.runCollect,
          Effect.map((chunks) => Buffer.concat([...chunks])),
          Effect.mapError(cannotRead)
        )
      ))
      if (reason !== undefined && !allowed.has(entry)) {
        excluded.push({ path: entry, reason })
        continue
      }
      if (reason !== undefined) allowedFiles.push({ path: entry, reason })
      const info = yield* fs.stat(source).pipe(Effect.mapError(cannotRead))
      carried.push({ path: entry, source, size: Number(info.size) })
    }
    return { carried, excluded, allowed: allowedFiles }
  })

  /**
   * The selected sessions, screened skills and metadata as this home's share of a package. Ids
   * it does not have are answered in `unmatched` (another agent may have them), and an empty
   * selection is not an error here: the caller judges the whole package.
   */
  const part = Effect.fn("Exporter.part")(function*(request: PartRequest) {
    const selection = yield* catalog.list({
      threadIds: request.threadIds,
      cwds: request.cwds,
      since: request.since,
      includeArchived: request.includeArchived,
      all: request.all
    })
    const selected = selection.sessions
    const found = new Set(selected.map((s) => s.threadId))
    // ids are matched as the catalog matches them: trimmed, in any case, by session_meta or file name
    const matched = new Set([
      ...selected.flatMap((s) => [s.threadId.toLowerCase(), s.file.threadId]),
      ...selection.unreadable.map((s) => s.threadId)
    ])
    const unmatched = request.threadIds.filter((id) => !matched.has(id.trim().toLowerCase()))
    const lineage = yield* catalog.withForkParents(selected)
    // a fork's unreadable parent is refused or skipped like a selected session
    const unreadable = [...selection.unreadable, ...lineage.unreadableParents]
    const skipped = unreadable.map((s): SkippedSession => ({ threadId: s.threadId, path: s.file.path, reason: s.reason }))
    if (unreadable.length > 0 && !request.skipUnreadable) {
      return yield* new ExportError({ reason: "unreadable_sessions", detail: unreadableRefusal(unreadable), unreadable: skipped })
    }
    const sessions = lineage.sessions
    const forkOf = new Map<string, string>()
    for (const s of sessions) if (s.forkParentId !== undefined && !found.has(s.forkParentId)) forkOf.set(s.forkParentId, s.threadId)
    const warnings = [
      ...lineage.missingParents.map((id) =>
        `a fork in this package needs session ${id}, which is not in ${home.root}; the fork will show only its own turns`
      ),
      ...lineage.unreadableParents.map((s) =>
        `a fork in this package needs session ${s.threadId}, which is unreadable; the fork will show only its own turns`
      )
    ]
    const exported = sessions.map((s): AgentStore.ExportedSession & ExportedSession => ({
      agent: "codex",
      id: s.threadId,
      threadId: s.threadId,
      cwd: s.head.cwd,
      title: s.head.firstUserMessage,
      name: s.name,
      archived: s.archived,
      entry: Layout.sessionEntry(BaselineRow.plainPath(path.basename(s.file.path))),
      size: s.file.size,
      parentOf: found.has(s.threadId) ? undefined : forkOf.get(s.threadId)
    }))
    const { files: skillPaths, skills } = request.includeSkills ? yield* skillFiles() : { files: [], skills: [] }
    const screened = yield* screenSkills(skillPaths, request.allowFiles ?? [], request.out)

    const write = (sink: PackageWriter.PackageSink, advance: (bytes: number) => void) =>
      Effect.scoped(Effect.gen(function*() {
        const ids = sessions.map((s) => s.threadId)
        const cannot = (what: string, error: unknown) =>
          new PackageError.PackageError({
            reason: "io",
            package: request.out,
            detail: `cannot ${what}: ${error instanceof Error ? error.message : String(error)}`
          })
        // scanned in the pass that decompresses a .zst, else on their own when rows are written
        const scans = new Map<string, BaselineRow.RowScan>()
        const written: Array<Manifest.PackageFile> = []
        // exactly the bytes present when listed: a session Codex is appending to still exports a
        // consistent prefix; plain rollouts in runs of one call, with no effect per file
        let run: Array<PackageWriter.FileOnDisk> = []
        const flush = Effect.suspend(() => {
          const files = run
          run = []
          return files.length === 0 ? Effect.void : Effect.map(sink.addFiles(files, advance), (f) => void written.push(...f))
        })
        let temp: string | undefined
        for (const [i, s] of sessions.entries()) {
          const entry = exported[i]!.entry
          if (!s.file.compressed) {
            run.push({ path: entry, size: s.file.size, source: s.file.path })
            continue
          }
          yield* flush
          // a tar header needs the size first: decompressed into a file of its own, removed once carried
          temp ??= yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-export-" }).pipe(
            Effect.mapError((error) => cannot("make a temporary folder", error))
          )
          const plain = path.join(temp, path.basename(entry))
          const scanner = BaselineRow.isIncomplete(s.row) ? new BaselineRow.RowScanner(s.threadId) : undefined
          const size = yield* Effect.try({
            try: () =>
              BaselineRow.inflateFile(s.file.path, s.file.size, plain, scanner === undefined ? undefined : (c) => scanner.push(c), advance),
            catch: (error) => cannot(`decompress ${s.file.path}`, error)
          })
          if (scanner !== undefined) scans.set(s.threadId, scanner.end())
          written.push(...(yield* sink.addFiles([{ path: entry, size, source: plain }])))
          yield* fs.remove(plain).pipe(Effect.ignore)
        }
        yield* flush
        const rows: Array<Readonly<Record<string, unknown>>> = []
        for (const s of sessions) {
          const scan = () => scans.get(s.threadId) ?? BaselineRow.scanPlainFile(s.file.path, s.file.size, s.threadId)
          rows.push(yield* Effect.try({
            try: () => BaselineRow.packageRow(s, s.row === undefined ? undefined : plainRow(s.row), scan),
            catch: (error) => cannot(`read ${s.file.path}`, error)
          }))
        }
        const tools = (yield* db.dynamicTools(ids)).map(plainRow)
        // the source's own index line when it has one; a name known only from `threads.name`
        // gets a line dated by the session's last activity
        const indexLines = yield* home.sessionIndexLines
        const names = sessions.flatMap((s) =>
          s.name === undefined
            ? []
            : [indexLines.get(s.threadId) ?? { id: s.threadId, thread_name: s.name, updated_at: s.lastActivity.toISOString() }]
        )
        written.push(...(yield* sink.addFiles(screened.carried)))
        const texts: ReadonlyArray<readonly [string, string]> = [
          [Layout.THREADS, jsonl(rows)],
          [Layout.SESSION_INDEX, jsonl(names)],
          [Layout.DYNAMIC_TOOLS, jsonl(tools)]
        ]
        for (const [entry, text] of texts) written.push(yield* sink.addBytes(entry, text))
        return written
      }))

    return {
      agent: "codex",
      home: home.root,
      sessions: exported,
      skipped: skipped.map((s) => ({ agent: "codex", id: s.threadId, ...s })),
      warnings,
      unmatched,
      skills,
      bytes: sessions.reduce((n, s) => n + s.file.size, 0),
      manifest: {
        threadIds: sessions.map((s) => s.threadId),
        skills,
        excludedFiles: screened.excluded,
        allowedFiles: screened.allowed,
        screenedFiles: request.includeSkills,
        localization: { source_codex_home: home.root }
      },
      write
    } satisfies AgentStore.ExportPart & { readonly unmatched: ReadonlyArray<string>; readonly skills: ReadonlyArray<string> }
  })

  const exportSessions = Effect.fn("Exporter.export")(function*(request: ExportRequest) {
    const share = yield* part(request)
    if (share.unmatched.length > 0) {
      return yield* new ExportError({ reason: "unknown_thread", detail: `no session ${share.unmatched.join(", ")} in ${home.root}` })
    }
    if (share.sessions.length === 0) {
      return yield* new ExportError({
        reason: "nothing_selected",
        detail: share.skipped.length === 0
          ? `no session in ${home.root} matches the selection`
          : `no readable session in ${home.root} matches the selection (${share.skipped.length} unreadable left out)`
      })
    }
    const result = yield* PackageExport.write({
      out: request.out,
      ids: request.threadIds,
      cwds: request.cwds,
      since: request.since,
      all: request.all,
      includeArchived: request.includeArchived,
      includeSkills: request.includeSkills,
      dryRun: request.dryRun
    }, [share]).pipe(Effect.provideService(Progress.Progress, progress))
    const { agents: _, ...rest } = result
    return {
      ...rest,
      sessions: share.sessions.map(({ agent: _, id: __, ...s }) => s),
      skipped: share.skipped.map((s) => ({ threadId: s.id, path: s.path, reason: s.reason }))
    } satisfies ExportResult
  })

  return Exporter.of({ export: exportSessions, part })
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<
  Exporter,
  never,
  CodexHome.CodexHome | SessionCatalog.SessionCatalog | StateDb.StateDb | FileSystem.FileSystem | Path.Path | Progress.Progress
> = Layer.effect(Exporter, make)

/**
 * The exporter with everything it reads: the home (resolved from `config`), its database
 * (read-only) and its session catalog.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHome = (
  config: CodexHome.CodexHomeConfig = {}
): Layer.Layer<Exporter, CodexHomeError, FileSystem.FileSystem | Path.Path | Progress.Progress> =>
  layer.pipe(
    Layer.provide(SessionCatalog.layer),
    Layer.provide(StateDb.layer({ mode: "read-only" })),
    Layer.provide(CodexHome.layer(config))
  )
