/**
 * `package_manifest.json`. The first eight fields are the contract shared with
 * codex-session-transfer and codex-session-sync (a package of theirs has only those); every
 * field after them is sessionport's, additive and optional.
 *
 * @since 0.1.0
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import { FORMAT_VERSION, isSupported, SUPPORTED_FORMAT_VERSIONS } from "./FormatVersion.js"
import { MANIFEST } from "./Layout.js"
import { PackageError } from "./PackageError.js"

/** @since 0.1.0 @category constants */
export const PACKAGE_KIND = "session-skill-package"

/** What `preferred_installer_skill` names in packages written here. @since 0.1.0 @category constants */
export const PREFERRED_INSTALLER = "sessionport"

/** State that is not carried (the same list codex-session-transfer declares). @since 0.1.0 @category constants */
export const DEFERRED_COMPONENTS: ReadonlyArray<string> = [
  "logs_2.sqlite",
  "state_5.sqlite.stage1_outputs",
  "memories_1.sqlite",
  "goals_1.sqlite",
  "thread_history_1.sqlite",
  "queue_1.sqlite",
  ".codex-global-state.json"
]

/** One file of the package with its size and SHA-256 (hex). @since 0.1.0 @category models */
export const PackageFile = Schema.Struct({
  path: Schema.String,
  size: Schema.Number,
  sha256: Schema.String
}).annotations({ identifier: "PackageFile" })

/** @since 0.1.0 @category models */
export type PackageFile = typeof PackageFile.Type

/** @since 0.1.0 @category models */
export const Producer = Schema.Struct({ name: Schema.String, version: Schema.String })
  .annotations({ identifier: "Producer" })

/** Where the package was made. @since 0.1.0 @category models */
export const SourceInfo = Schema.Struct({
  // process.platform of the exporting machine: "darwin" | "linux" | "win32" | …
  platform: Schema.String,
  /** present when the package holds Codex sessions (always, before other agents) */
  codex_home: Schema.optional(Schema.String),
  home: Schema.optional(Schema.String),
  hostname: Schema.optional(Schema.String),
  /** the home of every agent other than Codex whose sessions are inside, by agent */
  agent_homes: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
}).annotations({ identifier: "SourceInfo" })

/**
 * A session of an agent other than Codex: its files are under `agents/<agent>/sessions/<id>/`.
 *
 * @since 0.2.0
 * @category models
 */
export const AgentSession = Schema.Struct({
  agent: Schema.String,
  id: Schema.String
}).annotations({ identifier: "AgentSession" })

/** @since 0.2.0 @category models */
export type AgentSession = typeof AgentSession.Type

/** What export was asked for. @since 0.1.0 @category models */
export const Selection = Schema.Struct({
  all: Schema.Boolean,
  thread_ids: Schema.Array(Schema.String),
  cwds: Schema.Array(Schema.String),
  since: Schema.NullOr(Schema.String),
  include_archived: Schema.Boolean,
  include_skills: Schema.Boolean
}).annotations({ identifier: "Selection" })

/**
 * A skill file that looks like a credential, and the id of the rule that says so (see
 * {@link ./Credentials.ts}); never what it holds.
 *
 * @since 0.1.0
 * @category models
 */
export const FlaggedFile = Schema.Struct({
  path: Schema.String,
  reason: Schema.String
}).annotations({ identifier: "FlaggedFile" })

/** @since 0.1.0 @category models */
export type FlaggedFile = typeof FlaggedFile.Type

/**
 * Secrets of one kind that export found in one file of the package: how many, in which records
 * (1-based lines; the first {@link MAX_RECORDS}), how many it redacted and how many it kept (found
 * where redaction must not write, e.g. signed thinking). Never the secret.
 *
 * @since 0.6.0
 * @category models
 */
export const SecretFinding = Schema.Struct({
  /** absent for a file of the package as a whole (README.md) */
  agent: Schema.optional(Schema.String),
  /** absent for a file that is not one session's (an agent's sessions.jsonl, history.jsonl) */
  session: Schema.optional(Schema.String),
  /** the entry in the package */
  file: Schema.String,
  kind: Schema.String,
  count: Schema.Number,
  records: Schema.Array(Schema.Number),
  redacted: Schema.Number,
  kept: Schema.Number,
  /** where the kept ones lie, e.g. "signed thinking" */
  kept_in: Schema.optional(Schema.Array(Schema.String))
}).annotations({ identifier: "SecretFinding" })

/** @since 0.6.0 @category models */
export type SecretFinding = typeof SecretFinding.Type

/** The most record numbers a {@link SecretFinding} lists (`count` is exact). @since 0.6.0 @category constants */
export const MAX_RECORDS = 100

/**
 * What export's secret scan found: the rule set that ran, whether findings were redacted, and
 * each finding by file and kind. Additive: readers need not know it.
 *
 * @since 0.6.0
 * @category models
 */
export const SecretsInfo = Schema.Struct({
  rules: Schema.String,
  redacted: Schema.Boolean,
  findings: Schema.Array(SecretFinding)
}).annotations({ identifier: "SecretsInfo" })

/** @since 0.6.0 @category models */
export type SecretsInfo = typeof SecretsInfo.Type

/** @since 0.1.0 @category models */
export const PackageManifest = Schema.Struct({
  format_version: Schema.Number,
  package_kind: Schema.String,
  minimum_working_set_only: Schema.Boolean,
  cwd_filter: Schema.NullOr(Schema.String),
  thread_ids: Schema.Array(Schema.String),
  skills_included: Schema.Array(Schema.String),
  deferred_components: Schema.Array(Schema.String),
  preferred_installer_skill: Schema.String,
  package_id: Schema.optional(Schema.String),
  created_at: Schema.optional(Schema.String),
  producer: Schema.optional(Producer),
  source: Schema.optional(SourceInfo),
  selection: Schema.optional(Selection),
  files: Schema.optional(Schema.Array(PackageFile)),
  /** skill files export left out as credentials */
  excluded_files: Schema.optional(Schema.Array(FlaggedFile)),
  /** skill files that look like credentials, carried because export's `--allow-file` named them */
  allowed_files: Schema.optional(Schema.Array(FlaggedFile)),
  /**
   * every agent whose sessions are inside, when one is not Codex (absent: Codex only). A reader
   * that does not know one of them refuses the whole package.
   */
  agents: Schema.optional(Schema.Array(Schema.String)),
  /** the sessions of agents other than Codex (Codex's are `thread_ids`) */
  agent_sessions: Schema.optional(Schema.Array(AgentSession)),
  /** what export's secret scan found (absent: the package was not scanned) */
  secrets: Schema.optional(SecretsInfo)
}).annotations({ identifier: "PackageManifest" })

/** @since 0.1.0 @category models */
export type PackageManifest = typeof PackageManifest.Type

const decodeManifest = Schema.decodeUnknownEither(PackageManifest)

/**
 * Parses manifest text: JSON, then the format version (so a newer package gets a clear answer
 * even when its other fields changed), then the fields.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parse = (text: string, packageName: string): Effect.Effect<PackageManifest, PackageError> => {
  const fail = (reason: PackageError["reason"], detail: string) =>
    Effect.fail(new PackageError({ reason, package: packageName, entry: MANIFEST, detail }))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return fail("bad_manifest", `not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const version = (json as { format_version?: unknown } | null)?.format_version
  if (typeof version !== "number") return fail("bad_manifest", "format_version is missing or not a number")
  if (!isSupported(version)) {
    return fail(
      "unsupported_format_version",
      `format_version ${version} is not supported (this sessionport reads ${SUPPORTED_FORMAT_VERSIONS.join(", ")}); ` +
        (version > FORMAT_VERSION ? "upgrade sessionport" : "re-export the package")
    )
  }
  const decoded = decodeManifest(json)
  if (Either.isLeft(decoded)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
    return fail("bad_manifest", issue === undefined ? "invalid" : `${issue.path.join(".")}: ${issue.message}`)
  }
  return Effect.succeed(decoded.right)
}

/**
 * The manifest as written: two-space JSON with a final newline.
 *
 * @since 0.1.0
 * @category encoding
 */
export const stringify = (manifest: PackageManifest): string => JSON.stringify(manifest, null, 2) + "\n"
