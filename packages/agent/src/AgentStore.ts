/**
 * The one interface an agent's store implements (Codex: `@sessionport/codex-home`, Claude Code:
 * `@sessionport/claude-home`, OpenCode: `@sessionport/opencode-home`). Export, install and the
 * CLIs work through it and never ask which agent they hold; what differs between agents lives
 * behind it:
 *
 * - where the home is, and how to tell the agent is running (`assertIdle`);
 * - which sessions it has and how they are selected (`exportPart`);
 * - how a session's transcript reads while a package is verified (`scan`);
 * - how sessions are placed, renamed and made visible to the agent (`planInstall`), with the
 *   agent's rewrite surface (its `dialect`) applied on the way: as files (Codex, Claude Code) or
 *   as rows of the agent's database (OpenCode; a sync then writes fast-forwards through `forward`).
 *
 * Data flow of an export: each store's `exportPart` selects its sessions and screens what it
 * will write; `PackageExport.write` opens one package, lets every part stream its files in, and
 * writes the shared files and the manifest last. Of an install: `PackageInstall` verifies the
 * package once (each transcript through its agent's `scan`), stages it, builds the path rules,
 * asks each store to `planInstall` its sessions, and writes every plan in one journal
 * transaction (or previews them).
 *
 * @since 0.2.0
 */
import type { Journal } from "@sessionport/journal"
import type { Dialect, Neutralizer, PathRules, Rewriter } from "@sessionport/localize"
import type { Manifest, PackageError, PackageReader, PackageWriter } from "@sessionport/package-format"
import type { FileSystem } from "@effect/platform"
import type { Cause, Effect, Either, Scope, Stream } from "effect"

/**
 * Any failure of a store: a tagged error whose message is one line for the user.
 *
 * @since 0.2.0
 * @category models
 */
export type AgentFailure = Cause.YieldableError & { readonly _tag: string }

/** What to export, the same for every agent. @since 0.2.0 @category models */
export interface Selection {
  /** session ids (each agent takes the ones it has) */
  readonly ids: ReadonlyArray<string>
  /** sessions started in one of these folders or below */
  readonly cwds: ReadonlyArray<string>
  readonly since: Date | undefined
  readonly all: boolean
  readonly includeArchived: boolean
  /** leave out selected sessions that cannot be read (listed in `skipped`) instead of refusing */
  readonly skipUnreadable: boolean
  /** the package being written (a store never reads its own output) */
  readonly out: string
  /** Codex: carry the user's skills (`~/.codex/skills`) */
  readonly includeSkills: boolean
  /** Codex: skill files carried although they look like credentials */
  readonly allowFiles: ReadonlyArray<string>
  /** Claude Code: carry the sessions' file-history backups (what rewind restores) */
  readonly includeFileHistory: boolean
}

/** Which sessions to list: the selection part of {@link Selection}. @since 0.2.0 @category models */
export type ListSelection = Pick<Selection, "ids" | "cwds" | "since" | "all" | "includeArchived">

/**
 * A package session's key among every agent's (ids of two agents may be alike): what a picker
 * returns and `only` takes.
 *
 * @since 0.3.0
 * @category models
 */
export const sessionKey = (agent: string, id: string): string => `${agent} ${id}`

/** A session of a home, as every agent lists it. @since 0.2.0 @category models */
export interface SessionSummary {
  readonly agent: string
  readonly id: string
  /** its name (custom title), else its first prompt */
  readonly title: string | undefined
  /** its name, when it has one (`--thread NAME` finds it) */
  readonly name: string | undefined
  readonly cwd: string
  /** RFC 3339, when known */
  readonly createdAt: string | undefined
  /** RFC 3339: the transcript's last change */
  readonly updatedAt: string
  /** bytes of its transcript */
  readonly size: number
  readonly archived: boolean
  /** its transcript */
  readonly path: string
}

/** What a home lists. @since 0.2.0 @category models */
export interface Listing {
  readonly sessions: ReadonlyArray<SessionSummary>
  /** selected sessions that cannot be read */
  readonly unreadable: ReadonlyArray<SkippedSession>
}

/**
 * A transcript line as the agent's schema reader gives it (`RolloutRecord`, `ClaudeRecord`):
 * its raw text, byte for byte, and what the schema made of it.
 *
 * @since 0.2.0
 * @category models
 */
export interface TranscriptRecord {
  readonly lineNumber: number
  readonly raw: string
  readonly terminated: boolean
  readonly entry: { readonly _tag: string }
}

/** A line that is not JSON (`InvalidLine` of the schema). @since 0.2.0 @category models */
export interface InvalidTranscriptLine {
  readonly lineNumber: number
  readonly raw: string
  readonly reason: string
}

/** A session as it goes into a package. @since 0.2.0 @category models */
export interface ExportedSession {
  readonly agent: string
  readonly id: string
  readonly cwd: string
  readonly title: string | undefined
  readonly name: string | undefined
  readonly archived: boolean
  /** its transcript's entry in the package */
  readonly entry: string
  /** bytes of every file of the session */
  readonly size: number
  /** set when the session was not selected but a selected one needs it (a fork's parent) */
  readonly parentOf: string | undefined
  /** set when the session was not selected but travels with a selected one it belongs to (a subagent's session) */
  readonly subagentOf?: string | undefined
}

/** A selected session left out because it cannot be read. @since 0.2.0 @category models */
export interface SkippedSession {
  readonly agent: string
  readonly id: string
  readonly path: string
  readonly reason: string
}

/**
 * What an agent puts into the manifest and the shared files, besides its files.
 *
 * @since 0.2.0
 * @category models
 */
export interface ManifestPart {
  /** Codex's `thread_ids` (the baseline field) */
  readonly threadIds?: ReadonlyArray<string> | undefined
  readonly skills?: ReadonlyArray<string> | undefined
  readonly excludedFiles?: ReadonlyArray<Manifest.FlaggedFile> | undefined
  readonly allowedFiles?: ReadonlyArray<Manifest.FlaggedFile> | undefined
  /** `excluded_files` and `allowed_files` are written (even empty) */
  readonly screenedFiles?: boolean | undefined
  /** fields the agent adds to `metadata/path_localization.json` (e.g. `source_codex_home`) */
  readonly localization?: Readonly<Record<string, string>> | undefined
}

/**
 * An agent's share of a package, selected and screened, ready to be written.
 *
 * @since 0.2.0
 * @category models
 */
export interface ExportPart<E = AgentFailure> {
  readonly agent: string
  readonly home: string
  readonly sessions: ReadonlyArray<ExportedSession>
  readonly skipped: ReadonlyArray<SkippedSession>
  readonly warnings: ReadonlyArray<string>
  /** requested ids this agent does not have (another may) */
  readonly unmatched: ReadonlyArray<string>
  /** bytes `write` streams, for progress */
  readonly bytes: number
  readonly manifest: ManifestPart
  /** streams the sessions and the agent's metadata into the package; `advance` counts bytes */
  readonly write: (
    sink: PackageWriter.PackageSink,
    advance: (bytes: number) => void
  ) => Effect.Effect<ReadonlyArray<Manifest.PackageFile>, E | PackageError.PackageError>
}

/**
 * A verified, staged package, as every store's install sees it.
 *
 * @since 0.2.0
 * @category models
 */
export interface InstallContext {
  readonly package: string
  readonly verified: PackageReader.VerifiedPackage<unknown>
  /** the package unpacked (a folder package: itself) */
  readonly stagedDir: string
  readonly rules: PathRules.PathRules
}

/** A session as install wrote it (or would). @since 0.2.0 @category models */
export interface InstalledSession {
  readonly agent: string
  readonly sourceId: string
  readonly localId: string
  readonly sourceCwd: string
  readonly cwd: string
  /** false: the working directory does not exist on this machine (map it with --map) */
  readonly cwdExists: boolean
  /** the session's transcript on this machine */
  readonly path: string
  readonly archived: boolean
  readonly name: string | undefined
  readonly title: string | undefined
  /** the local id of the session this one was forked from, when it came in the same package */
  readonly forkOf: string | undefined
  /** values rewritten in the transcript (ids, paths, timestamps) */
  readonly rewrites: number
}

/** One rewritten value of a session, for the plan. @since 0.2.0 @category models */
export type SessionChange = Rewriter.Change & { readonly session: string }

/** What an install of one agent's sessions wrote (or would). @since 0.2.0 @category models */
export interface InstallReport {
  readonly sessions: ReadonlyArray<InstalledSession>
  readonly changes: ReadonlyArray<SessionChange>
  /** local id → the transcript written and its size (empty for a preview) */
  readonly written: ReadonlyMap<string, { readonly path: string; readonly size: number }>
}

/**
 * One agent's sessions of a package, planned: new ids, places, localized paths.
 *
 * @since 0.2.0
 * @category models
 */
export interface InstallPlan {
  readonly agent: string
  readonly home: string
  readonly sessions: ReadonlyArray<InstalledSession>
  readonly warnings: ReadonlyArray<string>
  /** what the agent says about where it wrote (Codex: `rows` or `files-only`) */
  readonly notes: Readonly<Record<string, string>>
  /** every rewrite run to nowhere: the report of a dry run */
  readonly preview: Effect.Effect<InstallReport, AgentFailure>
  /** the sessions and their side entries, written in the caller's transaction */
  readonly write: (tx: Journal.Transaction) => Effect.Effect<InstallReport, AgentFailure>
}

/**
 * How a package's transcript of this agent is read while it is verified: a synchronous scan of
 * its bytes, whose result `planInstall` finds in `verified.sessions`.
 *
 * @since 0.2.0
 * @category models
 */
export type TranscriptScan = (entry: string) => PackageReader.Scan<unknown>

/** @since 0.2.0 @category models */
export interface AgentStore {
  /** `codex`, `claude`, … (the name in packages and on the command line) */
  readonly agent: string
  /** what users call it, e.g. `Claude Code` */
  readonly displayName: string
  /** the home folder (`~/.codex`, `~/.claude`, …) */
  readonly home: string
  /** whether the home exists on this machine (an export without `--agent` takes the present ones) */
  readonly present: boolean
  /** the transcript format and its rewrite surface */
  readonly dialect: Dialect.Dialect
  /** the sessions of the home (selected as export selects them) */
  readonly list: (selection: ListSelection) => Effect.Effect<Listing, AgentFailure>
  /** a session's transcript as a stream of records, each with its raw text (`Left`: not JSON) */
  readonly read: (
    id: string
  ) => Stream.Stream<Either.Either<TranscriptRecord, InvalidTranscriptLine>, AgentFailure, FileSystem.FileSystem>
  /** whether this agent's session transcript is this package entry */
  readonly ownsEntry: (entry: string) => boolean
  readonly scan: TranscriptScan
  /** selects and screens this agent's sessions for a package */
  readonly exportPart: (selection: Selection) => Effect.Effect<ExportPart, AgentFailure>
  /** plans the install of this agent's sessions of a verified package (none: `undefined`) */
  readonly planInstall: (context: InstallContext) => Effect.Effect<InstallPlan | undefined, AgentFailure, Scope.Scope>
  /** fails when the agent is writing its home right now (a running CLI, an open database) */
  readonly assertIdle: Effect.Effect<void, AgentFailure>
  /** repeat imports; absent: the agent is installed only */
  readonly sync?: SyncSupport | undefined
  /** removal of local sessions (`session-transfer cleanup`); absent: the agent's sessions cannot be removed */
  readonly removal?: RemovalSupport | undefined
  /** sessions written in the agent's own export format (`export --format`); absent: packages only */
  readonly nativeExport?: NativeExport | undefined
}

/** A file a native export wrote (or would): one session. @since 0.5.0 @category models */
export interface NativeFile {
  /** where it went (`-`: stdout) */
  readonly path: string
  readonly id: string
  readonly messages: number
  readonly parts: number
}

/** @since 0.5.0 @category models */
export interface NativeExportResult {
  readonly format: string
  readonly dryRun: boolean
  readonly files: ReadonlyArray<NativeFile>
  readonly warnings: ReadonlyArray<string>
}

/**
 * Sessions written in the shape the agent's own export prints, so that its own import reads them
 * on a machine without sessionport (OpenCode: `opencode export` / `opencode import`).
 *
 * @since 0.5.0
 * @category models
 */
export interface NativeExport {
  /** the `--format` it answers to */
  readonly format: "opencode-json"
  /**
   * Writes the selected sessions to `out`: a file (exactly one session), an existing folder (a
   * file per session, named by its id, subagent sessions too), or `-` (stdout, one session).
   * Nothing is written for a dry run, nor when any file would replace one.
   */
  readonly write: (selection: Selection, out: string, dryRun: boolean) => Effect.Effect<NativeExportResult, AgentFailure>
}

/** A local session as a removal takes it away. @since 0.3.0 @category models */
export interface RemovedSession {
  readonly agent: string
  readonly id: string
  readonly title: string | undefined
  readonly cwd: string
  /** its transcript (a row store: its locator) */
  readonly path: string
  /** every file removed with it (transcript, subagent transcripts, backups, …), absolute */
  readonly files: ReadonlyArray<string>
  /** rows deleted with it, by table (`threads`, `session`, `message`, …) */
  readonly rows: Readonly<Record<string, number>>
  /** lines taken out of index and history files, by file (absolute) */
  readonly lines: Readonly<Record<string, number>>
  /** bytes of the files removed */
  readonly bytes: number
}

/**
 * The removal of some local sessions, planned: what goes, and the write that takes it away in
 * the caller's transaction (files moved into the journal's backups, rows deleted with their old
 * values recorded, index and history files replaced without the sessions' lines), so that a
 * rollback brings every byte back.
 *
 * @since 0.3.0
 * @category models
 */
export interface RemovalPlan {
  readonly agent: string
  readonly home: string
  readonly sessions: ReadonlyArray<RemovedSession>
  readonly warnings: ReadonlyArray<string>
  readonly write: (tx: Journal.Transaction) => Effect.Effect<void, AgentFailure>
}

/** @since 0.3.0 @category models */
export interface RemovalSupport {
  /** plans the removal of these local sessions (full ids, as `list` gives them; every one exists) */
  readonly plan: (ids: ReadonlyArray<string>) => Effect.Effect<RemovalPlan, AgentFailure>
}

/**
 * What lineage needs to fingerprint an agent's transcripts: prints that survive localization, and
 * the first prompt (the root of adoption by fingerprint).
 *
 * @since 0.2.0
 * @category models
 */
export interface LineageDialect {
  readonly neutralizer: Neutralizer.Neutralizer
  /** substrings every line holding a first prompt holds (a pre-check) */
  readonly promptNeedles: ReadonlyArray<string>
  readonly isPrompt: (text: string) => boolean
  /**
   * lines beginning with one of these are each machine's own bookkeeping (titles), not records of
   * the conversation: a branch's title does not make it diverge
   */
  readonly ignoredLinePrefixes: ReadonlyArray<string>
}

/** A session of a package, as sync compares it. @since 0.2.0 @category models */
export interface SyncSource {
  readonly id: string
  /** its transcript's entry in the package */
  readonly entry: string
  readonly sha256: string
  readonly size: number
  /** lines of it the agent would skip (not JSON, NUL bytes), for a warning; absent: none */
  readonly skippedWarning?: ((done: string, skipped?: unknown) => string | undefined) | undefined
}

/** A local session: its transcript and its size now. @since 0.2.0 @category models */
export interface LocalSession {
  readonly id: string
  readonly path: string
  readonly size: number
  /**
   * what the sidecar records of it, when that is not its transcript file: a row store's session
   * (its transcript is rendered for one sync) is recorded by a locator that lasts and a size that
   * grows as the session does (its record count); see `SyncSupport.recordedSizes`
   */
  readonly recorded?: { readonly path: string; readonly size: number } | undefined
}

/** A session to import, and how: as is, or as a branch of a local one. @since 0.2.0 @category models */
export interface ImportChoice {
  readonly sourceId: string
  readonly branchOf?: { readonly localId: string; readonly name: string | undefined } | undefined
}

/**
 * A session of the package this home already has (unchanged or fast-forwarded by the same
 * sync): an imported fork of it points at the local copy.
 *
 * @since 0.2.0
 * @category models
 */
export interface KnownSession {
  readonly localId: string
  readonly path: string
  /** a file holding what the same transaction appends to it first (a fast-forward) */
  readonly appended?: string | undefined
}

/** A fast-forward, once its lines are appended. @since 0.2.0 @category models */
export interface Forwarded {
  readonly sourceId: string
  readonly localId: string
}

/**
 * What a store gives repeat imports (`session-sync`).
 *
 * @since 0.2.0
 * @category models
 */
export interface SyncSupport {
  readonly lineage: LineageDialect
  /** where the sidecar (lineage of this home's sessions) lives: `<home>/sessionport/sidecar.sqlite` */
  readonly sidecarHome: string
  /** this agent's sessions of a verified package */
  readonly sources: (context: InstallContext) => Effect.Effect<ReadonlyArray<SyncSource>, AgentFailure>
  /**
   * the local sessions by id, read once per sync (a store whose sessions are rows renders each
   * as a transcript file for the scope)
   */
  readonly localSessions: Effect.Effect<ReadonlyMap<string, LocalSession>, AgentFailure, Scope.Scope>
  /** what a local session is called, if it has a name (a branch's title builds on it) */
  readonly nameOf: (localId: string) => Effect.Effect<string | undefined, AgentFailure>
  /** the first import of the chosen sessions, in the caller's transaction */
  readonly planImport: (
    context: InstallContext,
    choices: ReadonlyArray<ImportChoice>,
    known: ReadonlyMap<string, KnownSession>
  ) => Effect.Effect<InstallPlan, AgentFailure>
  /**
   * What else a fast-forward changes besides the appended lines (Codex: the `threads` row and the
   * paginated-history projection), in the caller's transaction
   */
  readonly afterForward: (tx: Journal.Transaction, context: InstallContext, forwarded: ReadonlyArray<Forwarded>) => Effect.Effect<void, AgentFailure>
  /**
   * How a fast-forward's records are written, for an agent whose sessions are rows and not files
   * (OpenCode); absent: they are appended to the local transcript file.
   */
  readonly forward?: RecordForward | undefined
  /**
   * The size now of what the sidecar recorded for a local session (`LocalSession.recorded`), read
   * once per sync (`undefined`: the session is gone); absent: the recorded path is a file, and
   * its size is the file's.
   */
  readonly recordedSizes?: Effect.Effect<(recordedPath: string) => number | undefined, AgentFailure> | undefined
}

/** A fast-forward of one session, its records localized. @since 0.2.0 @category models */
export interface ForwardRecords {
  readonly sourceId: string
  readonly localId: string
  /** the local session as it was compared (its transcript, rendered for the sync) */
  readonly local: LocalSession
  /** the records the local session had in common with the incoming one */
  readonly common: number
  /** the incoming session's transcript in the package */
  readonly entry: string
  /** a JSONL file: the records to add, localized (session ids already local) */
  readonly records: string
}

/**
 * Writes fast-forwarded records as the agent keeps them (rows), in the caller's transaction.
 *
 * @since 0.2.0
 * @category models
 */
export interface RecordForward {
  /** answers each local session's size afterwards (as `LocalSession.recorded` measures it), in the order given */
  readonly append: (
    tx: Journal.Transaction,
    context: InstallContext,
    items: ReadonlyArray<ForwardRecords>
  ) => Effect.Effect<ReadonlyArray<number>, AgentFailure>
}
