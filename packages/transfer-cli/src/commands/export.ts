/**
 * `session-transfer export`: selected sessions of this machine's agent homes (Codex, Claude
 * Code, OpenCode) into one package; or, with `--format opencode-json`, OpenCode sessions as
 * `opencode export` files.
 *
 * @since 0.1.0
 */
import { Command, Options as Opt } from "@effect/cli"
import { Agents, type AgentStore, PackageExport, SessionLookup } from "@sessionport/agent"
import { Confirm } from "@sessionport/cli-kit"
import { Effect, Option } from "effect"
import { UsageError } from "@sessionport/cli-kit/Failure"
import * as Options from "@sessionport/cli-kit/Options"
import * as Output from "@sessionport/cli-kit/Output"
import * as Keys from "@sessionport/cli-kit/Keys"
import * as PackagePath from "@sessionport/cli-kit/PackagePath"
import * as fs from "node:fs"
import * as HomeCommand from "../HomeCommand.js"
import * as SecretsReport from "@sessionport/cli-kit/SecretsReport"

const FORMATS = ["package", "opencode-json"] as const

const options = {
  agent: Options.agents("Export this agent's sessions (repeatable; default: every agent whose home exists here)."),
  thread: Options.threads("A session to export: its id, a unique prefix of one, or its name (repeatable)."),
  cwd: Options.paths("cwd", "Export sessions started in this folder or below it (repeatable)."),
  since: Options.since("Only sessions active since then: an age (7d, 12h, 2w) or a date (2026-11-01)."),
  all: Opt.boolean("all").pipe(Opt.withDescription("Export every session.")),
  includeArchived: Opt.boolean("include-archived").pipe(Opt.withDescription("Include archived sessions.")),
  includeSkills: Opt.boolean("include-skills").pipe(
    Opt.withDescription(
      "Include ~/.codex/skills; files that look like credentials (by name or content) are left out and listed."
    )
  ),
  allowFile: Options.paths(
    "allow-file",
    "With --include-skills: carry this skill file although it looks like a credential (skills/SKILL/FILE as export lists it, or an absolute path; repeatable)."
  ),
  includeFileHistory: Opt.boolean("include-file-history").pipe(
    Opt.withDescription("Claude Code: carry the sessions' file-history backups (what rewind restores).")
  ),
  redact: Opt.boolean("redact").pipe(
    Opt.withDescription(
      "Replace every secret the scan finds with [REDACTED:<kind>:<first 8 hex digits of its SHA-256>]; the rest of each line stays byte for byte. Signed or encrypted content is never changed: a secret there is kept, and reported."
    )
  ),
  failOnSecrets: Opt.boolean("fail-on-secrets").pipe(
    Opt.withDescription(
      "Refuse to export (exit 1, nothing written) when the scan finds a secret; with --redact, when one cannot be redacted."
    )
  ),
  skipUnreadable: Opt.boolean("skip-unreadable").pipe(
    Opt.withDescription("Leave out selected sessions whose rollout cannot be read, naming each, instead of refusing.")
  ),
  format: Opt.choice("format", FORMATS).pipe(
    Opt.withDefault("package" as const),
    Opt.withDescription(
      "package (default): a session package. opencode-json (with --agent opencode): each session as `opencode export` prints it, for `opencode import` on a machine without sessionport; --out FILE.json (one session), an existing folder (a FILE per session, subagent sessions too) or - (stdout)."
    )
  ),
  out: Options.path(
    "out",
    "The package to write: FILE.tgz (or .tar.gz), FILE.tgz.age when encrypted; an existing folder (a .tgz named for what it holds goes in it); - for stdout; else a folder package that does not exist yet.",
    "PATH|-"
  ),
  codexHome: Options.codexHome,
  claudeHome: Options.claudeHome,
  opencodeData: Options.opencodeData,
  json: Options.json,
  dryRun: Options.dryRun,
  ...Keys.exportOptions
}

/** whether the command line selects sessions (else a terminal opens the picker) */
const selects = (o: { readonly all: boolean; readonly thread: ReadonlyArray<string>; readonly cwd: ReadonlyArray<string> }) =>
  o.all || o.thread.length > 0 || o.cwd.length > 0

const JSON_FILE = /\.json$/i

/**
 * The usage errors of `--format opencode-json`: OpenCode sessions only, nothing a package adds,
 * and an output it can write (FILE.json, an existing folder, or -).
 */
const checkNative = (o: {
  readonly agent: ReadonlyArray<string>
  readonly includeSkills: boolean
  readonly allowFile: ReadonlyArray<string>
  readonly includeFileHistory: boolean
  readonly redact: boolean
  readonly failOnSecrets: boolean
  readonly out: string
}): UsageError | undefined => {
  if (o.agent.length !== 1 || o.agent[0] !== "opencode") {
    return new UsageError({ detail: "--format opencode-json writes OpenCode sessions: give --agent opencode (and no other agent)" })
  }
  const extras = [
    o.includeSkills ? "--include-skills" : "",
    o.allowFile.length > 0 ? "--allow-file" : "",
    o.includeFileHistory ? "--include-file-history" : "",
    o.redact ? "--redact" : "",
    o.failOnSecrets ? "--fail-on-secrets" : ""
  ].filter((flag) => flag !== "")
  if (extras.length > 0) return new UsageError({ detail: `${extras.join(", ")}: only a package carries those, not --format opencode-json` })
  if (PackagePath.isStdio(o.out) || JSON_FILE.test(o.out) || fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory() === true) return undefined
  return new UsageError({ detail: `--out ${o.out}: --format opencode-json writes FILE.json, into an existing folder, or to - (stdout)` })
}

const renderNative = (result: AgentStore.NativeExportResult): Array<string> => [
  `${result.dryRun ? "would write" : "wrote"} ${result.files.length} session(s) as ${result.format}`,
  ...result.files.map((f) => `  ${f.id}  ${f.path === PackagePath.STDIO ? "(stdout)" : f.path}  (${f.messages} message(s), ${f.parts} part(s))`)
]

/** `--format opencode-json`: the selected sessions in the shape the agent's own export prints. */
const nativeExport = Effect.fn("export.native")(function*(o: {
  readonly thread: ReadonlyArray<string>
  readonly cwd: ReadonlyArray<string>
  readonly since: Option.Option<Date>
  readonly all: boolean
  readonly includeArchived: boolean
  readonly skipUnreadable: boolean
  readonly out: string
  readonly json: boolean
  readonly dryRun: boolean
}) {
  const stores = yield* Agents.select(["opencode"])
  const store = stores[0]!
  const native = store.nativeExport
  if (native === undefined) {
    // a data folder that is not there has no export: listing it fails with why
    yield* store.list({ ids: [], cwds: [], since: undefined, all: true, includeArchived: false })
    return yield* new UsageError({ detail: `${store.displayName} sessions cannot be written as opencode-json` })
  }
  const toStdout = PackagePath.isStdio(o.out)
  const result = yield* HomeCommand.withRecovery(native.write({
    ids: selects(o) ? yield* SessionLookup.resolve(stores, o.thread) : yield* HomeCommand.pick(stores, "Sessions to export", o),
    cwds: o.cwd,
    since: Option.getOrUndefined(o.since),
    all: o.all,
    includeArchived: o.includeArchived,
    skipUnreadable: o.skipUnreadable,
    out: o.out,
    includeSkills: false,
    allowFiles: [],
    includeFileHistory: false
  }, toStdout ? PackagePath.STDIO : o.out, o.dryRun))
  for (const warning of result.warnings) yield* Effect.logWarning(warning)
  // with --out -, stdout carries the session: the report goes to stderr
  yield* o.json
    ? (toStdout ? Output.jsonError(result) : Output.json(result))
    : (toStdout ? Output.errorLines(renderNative(result)) : Output.lines(renderNative(result)))
})

const render = (result: PackageExport.ExportResult): Array<string> => {
  const several = result.agents.length > 1
  const out = [
    `${result.dryRun ? "would export" : "exported"} ${result.sessions.length} session(s) to ${result.out}` +
    (result.dryRun ? "" : ` (${result.format}, ${result.files} files, ${Output.size(result.bytes)})`)
  ]
  for (const s of result.sessions) {
    const flags = [s.archived ? "archived" : "", s.parentOf ? `parent of fork ${s.parentOf}` : "", s.subagentOf ? `subagent of ${s.subagentOf}` : "", s.name ? `"${s.name}"` : ""]
      .filter((f) => f !== "").join(", ")
    out.push(`  ${several ? `${s.agent.padEnd(8)} ` : ""}${s.id}  ${Output.cell(s.cwd, 40)}  ${Output.cell(s.title ?? "", 40)}${flags ? `  (${flags})` : ""}`)
  }
  if (result.skills.length > 0) out.push(`skills: ${result.skills.join(", ")}`)
  if (result.excludedFiles.length > 0) {
    out.push(
      `${result.dryRun ? "would leave out" : "left out"} ${result.excludedFiles.length} skill file(s) that look like credentials` +
        `${result.dryRun ? "" : " (the manifest's excluded_files lists them)"}; --allow-file PATH carries one:`
    )
    for (const file of result.excludedFiles) out.push(`  ${file.path}  (${file.reason})`)
  }
  for (const file of result.allowedFiles) out.push(`carried, allowed although it looks like a credential: ${file.path}  (${file.reason})`)
  if (result.archivedLeftOut > 0) {
    out.push(`${result.dryRun ? "would leave out" : "left out"} ${result.archivedLeftOut} archived session(s); --include-archived carries them`)
  }
  if (result.secrets !== undefined) {
    out.push(...SecretsReport.lines(result.secrets, result.sessions.length, "--redact replaces them, --fail-on-secrets refuses to export"))
  }
  return out
}

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "export",
  options,
  Effect.fn("export")(function*(o) {
    if (o.format === "opencode-json") return yield* nativeExport(o)
    const stores = yield* Agents.select(o.agent)
    const chosen = o.agent.length > 0 ? stores : stores.filter((store) => store.present)
    const sealed = yield* Keys.seal(o)
    const target = yield* PackagePath.output(o.out, sealed !== undefined)
    const from = chosen.length > 0 ? chosen : stores
    const exported = yield* HomeCommand.withRecovery(PackageExport.fromStores(from, {
      out: target.path,
      // prefixes and names become ids first (an ambiguous one is refused with its candidates); no
      // selection (on a terminal): the picker's
      ids: selects(o) ? yield* SessionLookup.resolve(from, o.thread) : yield* HomeCommand.pick(from, "Sessions to export", o),
      cwds: o.cwd,
      since: Option.getOrUndefined(o.since),
      all: o.all,
      includeArchived: o.includeArchived,
      includeSkills: o.includeSkills,
      allowFiles: o.allowFile,
      includeFileHistory: o.includeFileHistory,
      skipUnreadable: o.skipUnreadable,
      dryRun: o.dryRun,
      seal: sealed,
      secrets: { redact: o.redact, failOnSecrets: o.failOnSecrets }
    }))
    const out = exported.dryRun ? PackagePath.display(o.out) : yield* target.deliver({ agents: exported.agents, ids: exported.sessions.map((s) => s.id) })
    const result = { ...exported, out }
    for (const s of result.skipped) yield* Effect.logWarning(`left out unreadable session ${s.id}: ${s.reason} (${s.path})`)
    for (const warning of result.warnings) yield* Effect.logWarning(warning)
    // with --out -, stdout carries the archive: the report goes to stderr
    const toStdout = !PackagePath.isStdio(o.out)
    yield* o.json
      ? (toStdout ? Output.json(result) : Output.jsonError(result))
      : (toStdout ? Output.lines(render(result)) : Output.errorLines(render(result)))
  }, (effect, o) =>
    // a usage error opens nothing
    !selects(o) && !Confirm.canAsk()
      ? new UsageError({ detail: "say what to export: --thread ID, --cwd PATH or --all (on a terminal, without them, a picker opens)" })
      : (o.format === "opencode-json" ? checkNative(o) : PackagePath.checkOut(o.out)) ?? Keys.checkExport(o) ?? (o.allowFile.length > 0 && !o.includeSkills
        ? new UsageError({ detail: "--allow-file names a skill file: it needs --include-skills" })
        : Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json))))
).pipe(
  Command.withDescription(
    "Write the selected sessions of this machine's agent homes (Codex, Claude Code, OpenCode) into one session package (FILE.tgz or a folder). Everything is scanned for secrets on the way: what is found is reported (never the secret) and listed in the manifest; --redact replaces it."
  )
)
