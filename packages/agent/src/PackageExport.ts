/**
 * One package from the export parts of any set of agents. The parts were selected and screened
 * by their stores; this opens the package, lets each part stream its files in (in the order the
 * parts are given), then writes the shared files (path localization, required folders, README,
 * INSTALL_REMOTE) and the manifest last, which lists every file with its size and SHA-256.
 *
 * A package of Codex sessions only is exactly the baseline layout and manifest; another agent's
 * sessions add `agents` and `agent_sessions` to the manifest, and `source.agent_homes`.
 *
 * Asked to (`secrets`), every file but the manifest goes through a `SecretGuard`, which scans it
 * (and redacts it, with `redact`); the manifest carries what it found (`secrets`), and
 * `failOnSecrets` refuses a package with any finding before it is committed. A dry run then reads
 * what it would write, to scan it.
 *
 * @since 0.2.0
 */
import {
  FormatVersion,
  Layout,
  Manifest,
  PackageDocs,
  type PackageError,
  PackageWriter,
  PathLocalization,
  Producer
} from "@sessionport/package-format"
import type * as Encryption from "@sessionport/package-format/Encryption"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Schema } from "effect"
import * as os from "node:os"
import { uuidv7 } from "uuidv7"
import type { AgentFailure, AgentStore, ExportedSession, ExportPart, Selection, SkippedSession } from "./AgentStore.js"
import { nullSink } from "./internal/nullSink.js"
import * as SecretGuard from "./SecretGuard.js"

/** What export was asked for, as the manifest records it. @since 0.2.0 @category models */
export interface ExportRequest {
  /** a `.tgz` / `.tar.gz` file, or a folder */
  readonly out: string
  readonly ids: ReadonlyArray<string>
  readonly cwds: ReadonlyArray<string>
  readonly since: Date | undefined
  readonly all: boolean
  readonly includeArchived: boolean
  readonly includeSkills: boolean
  readonly dryRun: boolean
  /** scan what goes in for secrets, and what to do about them (absent: no scan) */
  readonly secrets?: SecretGuard.Policy | undefined
  /** the recipients or passphrase of a `.tgz.age` out (see `Encryption`) */
  readonly seal?: Encryption.Seal | undefined
}

/** @since 0.2.0 @category models */
export interface ExportResult {
  readonly out: string
  readonly format: PackageWriter.Format
  readonly dryRun: boolean
  readonly packageId: string
  readonly agents: ReadonlyArray<string>
  readonly sessions: ReadonlyArray<ExportedSession>
  readonly skills: ReadonlyArray<string>
  readonly excludedFiles: ReadonlyArray<Manifest.FlaggedFile>
  readonly allowedFiles: ReadonlyArray<Manifest.FlaggedFile>
  readonly skipped: ReadonlyArray<SkippedSession>
  /** archived sessions `--all` or `--cwd` matched and left out without `includeArchived` (counted by {@link fromStores}) */
  readonly archivedLeftOut: number
  readonly warnings: ReadonlyArray<string>
  readonly files: number
  readonly bytes: number
  /** what the secret scan found (a dry run: would find), when the request asked for one */
  readonly secrets?: Manifest.SecretsInfo | undefined
}

const CODEX = "codex"

/**
 * What a package made here from another tool's file says instead of this machine: its own
 * `package_id` (the same input, the same package), where its sessions were made (the manifest's
 * `source`, in place of this machine and the temp homes they were read from), and the source
 * paths localization maps (`metadata/path_localization.json`: exactly these, absent ones left out).
 *
 * @since 0.5.0
 * @category models
 */
export interface WriteOverrides {
  readonly packageId?: string | undefined
  readonly source?: typeof Manifest.SourceInfo.Type | undefined
  readonly localization?: {
    readonly source_platform?: string | undefined
    readonly source_home?: string | undefined
    readonly source_codex_home?: string | undefined
  } | undefined
}

/** The object without its `undefined` values (JSON leaves them out; the manifest's schema has no `undefined`). */
const defined = <A extends object>(value: A): A => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

/**
 * Nothing matched the selection in any home, or a requested session is in none of them.
 *
 * @since 0.2.0
 * @category errors
 */
export class ExportError extends Schema.TaggedError<ExportError>("@sessionport/agent/ExportError")("ExportError", {
  reason: Schema.Literal("nothing_selected", "unknown_thread"),
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * Exports from these stores: each selects its share, a requested id none of them has fails the
 * export, and so does a selection that matched nothing anywhere.
 *
 * @since 0.2.0
 * @category writing
 */
export const fromStores = Effect.fn("PackageExport.fromStores")(function*(
  stores: ReadonlyArray<AgentStore>,
  request: ExportRequest & Omit<Selection, "ids" | "cwds" | "since" | "all" | "includeArchived" | "out">
): Effect.fn.Return<ExportResult, AgentFailure, Progress.Progress> {
  const { archived, parts } = yield* select(stores, request)
  const written = yield* writePackage(request, parts)
  return { ...written, archivedLeftOut: archived }
})

/**
 * What a secret scan of local sessions found: the sessions, those left out as unreadable, the
 * files and bytes read, and the findings.
 *
 * @since 0.6.0
 * @category models
 */
export interface ScanResult {
  readonly sessions: ReadonlyArray<ExportedSession>
  readonly skipped: ReadonlyArray<SkippedSession>
  readonly files: number
  readonly bytes: number
  readonly secrets: Manifest.SecretsInfo
}

/**
 * Scans for secrets what an export of the selection would carry (the same files, read the same
 * way), writing nothing.
 *
 * @since 0.6.0
 * @category scanning
 */
export const scan = Effect.fn("PackageExport.scan")(function*(
  stores: ReadonlyArray<AgentStore>,
  request: Omit<ExportRequest, "dryRun" | "secrets" | "includeSkills"> & Omit<Selection, "ids" | "cwds" | "since" | "all" | "includeArchived" | "out" | "includeSkills">
): Effect.fn.Return<ScanResult, AgentFailure, Progress.Progress> {
  const { parts } = yield* select(stores, { ...request, includeSkills: false })
  const guard = SecretGuard.make(nullSink(request.out), { out: request.out, redact: false, codexSessions: codexSessions(parts) })
  yield* writeParts(parts, guard.sink, "scanning")
  const secrets = yield* guard.report
  return {
    sessions: parts.flatMap((part) => part.sessions),
    skipped: parts.flatMap((part) => part.skipped),
    ...guard.scanned(),
    secrets
  }
})

/** The sessions with their titles and names redacted. */
const withoutSecrets = (sessions: ReadonlyArray<ExportedSession>) =>
  Effect.map(
    SecretGuard.redactTexts(sessions.flatMap((s) => [s.title ?? "", s.name ?? ""])),
    (texts) =>
      sessions.map((s, i): ExportedSession => ({
        ...s,
        title: s.title === undefined ? undefined : texts[2 * i]!,
        name: s.name === undefined ? undefined : texts[2 * i + 1]!
      }))
  )

/** The session id of every Codex rollout entry of the parts (its entry is named by its file, not its id). */
const codexSessions = (parts: ReadonlyArray<ExportPart<unknown>>): ReadonlyMap<string, string> =>
  new Map(parts.flatMap((part) => part.sessions).filter((s) => s.agent === CODEX).map((s) => [s.entry, s.id]))

/** Every part's files into `sink`, in order, with progress (`label`); what they wrote. */
const writeParts = <E>(parts: ReadonlyArray<ExportPart<E>>, sink: PackageWriter.PackageSink, label = "export") =>
  Effect.gen(function*() {
    const written: Array<Manifest.PackageFile> = []
    const total = parts.reduce((n, part) => n + part.bytes, 0)
    yield* Progress.track(label, total, "bytes", (task) =>
      Effect.forEach(parts, (part) => Effect.map(part.write(sink, task.advance), (files) => written.push(...files)), {
        discard: true
      }))
    return written
  })

/**
 * The parts of the stores that have something to write, and how many archived sessions were
 * left out; a requested id none of them has fails, and so does a selection that matched nothing.
 */
const select = Effect.fn("PackageExport.select")(function*(
  stores: ReadonlyArray<AgentStore>,
  request: Omit<ExportRequest, "dryRun"> & Omit<Selection, "ids" | "cwds" | "since" | "all" | "includeArchived" | "out">
) {
  const selection: Selection = {
    ids: request.ids,
    cwds: request.cwds,
    since: request.since,
    all: request.all,
    includeArchived: request.includeArchived,
    skipUnreadable: request.skipUnreadable,
    out: request.out,
    includeSkills: request.includeSkills,
    allowFiles: request.allowFiles,
    includeFileHistory: request.includeFileHistory
  }
  const parts = yield* Effect.forEach(stores, (store) => store.exportPart(selection))
  const archived = yield* Effect.forEach(stores, (store, i) => archivedLeftOut(store, selection, parts[i]!))
  const homes = stores.map((store) => store.home).join(" or ")
  const unmatched = request.ids.filter((id) => parts.every((part) => part.unmatched.includes(id)))
  if (unmatched.length > 0) return yield* new ExportError({ reason: "unknown_thread", detail: `no session ${unmatched.join(", ")} in ${homes}` })
  if (parts.every((part) => part.sessions.length === 0)) {
    const skipped = parts.reduce((n, part) => n + part.skipped.length, 0)
    return yield* new ExportError({
      reason: "nothing_selected",
      detail: skipped === 0
        ? `no session in ${homes} matches the selection`
        : `no readable session in ${homes} matches the selection (${skipped} unreadable left out)`
    })
  }
  return {
    parts: parts.filter((part) => part.sessions.length > 0 || (part.manifest.skills ?? []).length > 0),
    archived: archived.reduce((n, count) => n + count, 0)
  }
})

/**
 * How many archived sessions of a store the selection matched but left out, for a selection by
 * `--all` or `--cwd` without `includeArchived` (a session asked for by id is carried archived or
 * not): listed again with them, those not in the part. A store that cannot list counts none.
 */
const archivedLeftOut = (store: AgentStore, selection: Selection, part: ExportPart) => {
  if (selection.includeArchived || (!selection.all && selection.cwds.length === 0)) return Effect.succeed(0)
  const carried = new Set(part.sessions.map((s) => s.id))
  return store.list({ ids: [], cwds: selection.cwds, since: selection.since, all: selection.all, includeArchived: true }).pipe(
    Effect.map((listing) => listing.sessions.filter((s) => s.archived && !carried.has(s.id)).length),
    Effect.orElseSucceed(() => 0)
  )
}

/**
 * Writes the parts into `request.out` (nothing for a dry run) and reports what went in; scans
 * (and redacts) as `request.secrets` says, but never refuses (see {@link fromStores}).
 *
 * @since 0.2.0
 * @category writing
 */
export const write = <E>(
  request: ExportRequest & { readonly secrets?: (SecretGuard.Policy & { readonly failOnSecrets: false }) | undefined },
  parts: ReadonlyArray<ExportPart<E>>,
  overrides: WriteOverrides = {}
): Effect.Effect<ExportResult, E | PackageError.PackageError, Progress.Progress> =>
  // without failOnSecrets, nothing is refused
  writePackage(request, parts, overrides) as Effect.Effect<ExportResult, E | PackageError.PackageError, Progress.Progress>

const writePackage = Effect.fn("PackageExport.write")(function*<E>(
  request: ExportRequest,
  parts: ReadonlyArray<ExportPart<E>>,
  overrides: WriteOverrides = {}
): Effect.fn.Return<ExportResult, E | PackageError.PackageError | SecretGuard.SecretsFound, Progress.Progress> {
  const createdAt = new Date()
  const packageId = overrides.packageId ?? uuidv7()
  const format = PackageWriter.formatFor(request.out)
  // scanned, what is shown of a session (the report, the README) never holds a secret
  const sessions = request.secrets === undefined
    ? parts.flatMap((part) => part.sessions)
    : yield* withoutSecrets(parts.flatMap((part) => part.sessions))
  const agents = parts.filter((part) => part.sessions.length > 0).map((part) => part.agent)
  const others = parts.filter((part) => part.agent !== CODEX && part.sessions.length > 0)
  const manifests = parts.map((part) => part.manifest)
  const skills = manifests.flatMap((m) => m.skills ?? [])
  const excludedFiles = manifests.flatMap((m) => m.excludedFiles ?? [])
  const allowedFiles = manifests.flatMap((m) => m.allowedFiles ?? [])
  const result = (files: number, bytes: number): ExportResult => ({
    out: request.out,
    format,
    dryRun: request.dryRun,
    packageId,
    agents,
    sessions,
    skills,
    excludedFiles,
    allowedFiles,
    skipped: parts.flatMap((part) => part.skipped),
    archivedLeftOut: 0,
    warnings: parts.flatMap((part) => part.warnings),
    files,
    bytes
  })
  // a dry run reads what it would write only to scan it
  if (request.dryRun && request.secrets === undefined) return result(0, 0)

  const cwds = [...new Set(sessions.map((s) => s.cwd))].sort()
  const docs: PackageDocs.PackageDocsInput = {
    packageId,
    createdAt: createdAt.toISOString(),
    sourcePlatform: overrides.source?.platform ?? process.platform,
    sourceHome: overrides.source === undefined ? os.homedir() : overrides.source.home ?? "(unknown)",
    sessions: sessions.map((s) => ({ threadId: s.id, cwd: s.cwd, title: s.title, agent: s.agent })),
    cwds
  }
  const localization: PathLocalization.PathLocalization = {
    rule: PathLocalization.DOCUMENTS_RULE,
    examples: cwds,
    ...(overrides.localization === undefined
      ? {
        source_platform: process.platform,
        source_home: os.homedir(),
        ...Object.assign({}, ...manifests.map((m) => m.localization ?? {}))
      }
      : defined(overrides.localization))
  }
  const codexHome = parts.find((part) => part.agent === CODEX)?.home
  const source: typeof Manifest.SourceInfo.Type = overrides.source ?? {
    platform: process.platform,
    ...(codexHome === undefined ? {} : { codex_home: codexHome }),
    home: os.homedir(),
    hostname: os.hostname(),
    ...(others.length === 0 ? {} : { agent_homes: Object.fromEntries(others.map((part) => [part.agent, part.home])) })
  }

  return yield* Effect.scoped(Effect.gen(function*() {
    const writer = request.dryRun ? nullSink(request.out) : yield* PackageWriter.open(request.out, {
      format,
      mtime: createdAt,
      allowedFiles: allowedFiles.map((file) => file.path),
      seal: request.seal
    })
    // the guard sees every file but the manifest, which says what it found
    const guard = request.secrets === undefined
      ? undefined
      : SecretGuard.make(writer, { out: request.out, redact: request.secrets.redact, codexSessions: codexSessions(parts) })
    const sink = guard?.sink ?? writer
    const written = yield* writeParts(parts, sink)
    // every package lists Codex's threads, none perhaps
    if (!written.some((file) => file.path === Layout.THREADS)) written.push(yield* sink.addBytes(Layout.THREADS, ""))
    const texts: ReadonlyArray<readonly [string, string]> = [
      [Layout.PATH_LOCALIZATION, JSON.stringify(localization, null, 2) + "\n"],
      [Layout.REQUIRED_DIRECTORIES, JSON.stringify(cwds, null, 2) + "\n"],
      [Layout.README, PackageDocs.readme(docs)],
      [Layout.INSTALL_REMOTE, PackageDocs.installRemote(docs)]
    ]
    for (const [entry, text] of texts) written.push(yield* sink.addBytes(entry, text))
    const secrets = guard === undefined ? undefined : yield* guard.report
    // refused before anything is committed: the writer's scope removes what it wrote
    const refused = secrets !== undefined && request.secrets?.failOnSecrets === true
      ? SecretGuard.refusal(
        secrets,
        `nothing written (--fail-on-secrets); \`session-transfer scan\` shows where${secrets.redacted ? "" : ", --redact replaces them"}`
      )
      : undefined
    if (refused !== undefined) return yield* refused
    if (request.dryRun) return { ...result(0, 0), secrets }
    const screened = manifests.some((m) => m.screenedFiles === true)
    const manifest: Manifest.PackageManifest = {
      format_version: FormatVersion.FORMAT_VERSION,
      package_kind: Manifest.PACKAGE_KIND,
      minimum_working_set_only: true,
      cwd_filter: request.cwds.length === 1 ? request.cwds[0]! : null,
      thread_ids: [...manifests.flatMap((m) => m.threadIds ?? [])].sort(),
      skills_included: skills,
      deferred_components: Manifest.DEFERRED_COMPONENTS,
      preferred_installer_skill: Manifest.PREFERRED_INSTALLER,
      package_id: packageId,
      created_at: createdAt.toISOString(),
      producer: { name: Producer.NAME, version: Producer.VERSION },
      source: defined(source),
      selection: {
        all: request.all,
        thread_ids: request.ids,
        cwds: request.cwds,
        since: request.since?.toISOString() ?? null,
        include_archived: request.includeArchived,
        include_skills: request.includeSkills
      },
      files: written,
      ...(screened ? { excluded_files: excludedFiles, allowed_files: allowedFiles } : {}),
      ...(others.length === 0 ? {} : {
        agents,
        agent_sessions: others.flatMap((part) => part.sessions.map((s) => ({ agent: s.agent, id: s.id })))
      }),
      // only when there is something to say: a clean Codex-only package keeps the baseline manifest
      ...(secrets === undefined || (secrets.findings.length === 0 && !secrets.redacted) ? {} : { secrets })
    }
    yield* writer.addBytes(Layout.MANIFEST, Manifest.stringify(manifest))
    yield* writer.commit
    return { ...result(written.length + 1, written.reduce((n, f) => n + f.size, 0)), ...(secrets === undefined ? {} : { secrets }) }
  }))
})
