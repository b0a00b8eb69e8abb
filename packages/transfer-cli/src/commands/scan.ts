/**
 * `session-transfer scan [PATH]`: the secrets in this machine's sessions (selected as `list` and
 * `export` select them; every session by default), read exactly as export would read them; or
 * in a package (a folder or `.tgz`), or in one file (a transcript, a log). Reports each file
 * with findings (kinds, counts, record numbers; never a secret) and a summary. Writes nothing.
 *
 * @since 0.6.0
 */
import { FileSystem } from "@effect/platform"
import { Args, Command, Options as Opt } from "@effect/cli"
import { Agents, PackageExport, SecretGuard, SessionLookup } from "@sessionport/agent"
import { AgentHomes, Options, Output, PackageSource } from "@sessionport/cli-kit"
import { UsageError } from "@sessionport/cli-kit/Failure"
import * as Keys from "@sessionport/cli-kit/Keys"
import { Encryption, type Manifest, PackageError, PackageReader } from "@sessionport/package-format"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import * as HomeCommand from "../HomeCommand.js"
import * as SecretsReport from "@sessionport/cli-kit/SecretsReport"

const options = {
  path: Args.text({ name: "PATH" }).pipe(
    Args.withDescription(
      "A session package (FILE.tgz, FILE.tgz.age with --identity or --passphrase, or a folder) or one file (a .jsonl transcript, a log, a .env) to scan instead of this machine's sessions."
    ),
    Args.optional
  ),
  agent: Options.agents(
    "Only this agent's sessions (repeatable; default: every agent whose home exists here). With a PATH that is one file: whose transcript it is (default: told from its first line)."
  ),
  thread: Options.threads("Only this session: an id, a unique prefix of one, or a session's name (repeatable)."),
  cwd: Options.paths("cwd", "Only sessions started in this folder or below it (repeatable)."),
  since: Options.since("Only sessions active since then: an age (7d, 12h, 2w) or a date (2026-11-01)."),
  all: Opt.boolean("all").pipe(Opt.withDescription("Every session, archived ones too (the default without --thread or --cwd).")),
  failOnSecrets: Opt.boolean("fail-on-secrets").pipe(
    Opt.withDescription("Exit 1 when anything is found (the report is printed first), for scripts and hooks.")
  ),
  codexHome: Options.codexHome,
  claudeHome: Options.claudeHome,
  opencodeData: Options.opencodeData,
  json: Options.json,
  ...Keys.readerOptions
}

/** What a scan read and found; `--json` prints it. */
interface Scanned {
  /** the PATH scanned; absent: this machine's sessions */
  readonly path?: string | undefined
  /** a PATH that is one file: whose records it was read as */
  readonly scannedAs?: ScanAgent | undefined
  readonly sessions: number
  readonly files: number
  readonly bytes: number
  /** selected sessions left out as unreadable */
  readonly skipped: ReadonlyArray<{ readonly agent: string; readonly id: string; readonly path: string; readonly reason: string }>
  readonly secrets: Manifest.SecretsInfo
}

type ScanAgent = SecretGuard.Target["scanAs"]

// what a package file starts with: gzip, or age (binary or armored)
const PACKAGE_MAGIC = [Buffer.from([0x1f, 0x8b]), Buffer.from(Encryption.MAGIC), Buffer.from(Encryption.ARMOR)]
const JSONL = /\.(jsonl|ndjson)$/i
// how much of a file is read to tell whose transcript it is
const HEAD_BYTES = 64 * 1024

const startsWith = (path: string, magic: Buffer): boolean => {
  const fd = fs.openSync(path, "r")
  try {
    const head = Buffer.alloc(magic.length)
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(magic)
  } finally {
    fs.closeSync(fd)
  }
}

/** The agent whose records the first JSON line of the file looks like. */
const agentOfFile = (path: string): ScanAgent | undefined => {
  const fd = fs.openSync(path, "r")
  try {
    const head = Buffer.alloc(HEAD_BYTES)
    const text = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0)).toString("utf8")
    const line = text.split("\n").find((l) => l.trim() !== "")
    return line === undefined ? undefined : SecretGuard.agentOfLine(line)
  } finally {
    fs.closeSync(fd)
  }
}

/** A package's files, read from its folder (or a `.tgz` unpacked into a temp one while it is verified). */
const scanPackage = Effect.fn("scan.package")(function*(arg: string) {
  const source = yield* PackageSource.open(arg)
  const fsys = yield* FileSystem.FileSystem
  const temp = yield* fsys.makeTempDirectoryScoped({ prefix: "sessionport-scan-" }).pipe(
    Effect.mapError((cause) => new PackageError.PackageError({ reason: "io", package: arg, detail: `cannot make a temp folder: ${cause.message}` }))
  )
  const verified = yield* PackageReader.verify(source.path, {
    agents: AgentHomes.AGENTS.filter((agent) => agent !== "codex"),
    stageInto: nodePath.join(temp, "package")
  })
  const root = verified.staged ?? source.path
  const entries = verified.files.map((file) => ({ path: file.path, size: file.size, source: nodePath.join(root, ...file.path.split("/")) }))
  const scanned = yield* SecretGuard.scanEntries(entries, { out: source.label })
  const m = verified.manifest
  return {
    path: source.label,
    sessions: m.thread_ids.length + (m.agent_sessions?.length ?? 0),
    skipped: [],
    ...scanned
  } satisfies Scanned
})

/** One file that is not a package, read as the given agent's (else the agent its first line says, else Codex's). */
const scanOneFile = Effect.fn("scan.file")(function*(path: string, agent: string | undefined, size: number) {
  const scanAs = (AgentHomes.AGENTS as ReadonlyArray<string>).includes(agent ?? "") ? agent as ScanAgent : agentOfFile(path) ?? "codex"
  const secrets = yield* SecretGuard.scanFile(path, { format: JSONL.test(path) ? "jsonl" : "text", scanAs })
  return { path, scannedAs: scanAs, sessions: 0, files: 1, bytes: size, skipped: [], secrets } satisfies Scanned
})

const scanPath = (arg: string, agent: string | undefined) =>
  Effect.suspend(() => {
    const stat = fs.statSync(arg, { throwIfNoEntry: false })
    if (stat === undefined) {
      return Effect.fail(new PackageError.PackageError({ reason: "not_found", package: arg, detail: "no such file or folder" }))
    }
    return stat.isDirectory() || (stat.isFile() && PACKAGE_MAGIC.some((magic) => startsWith(arg, magic)))
      ? scanPackage(arg)
      : scanOneFile(arg, agent, stat.size)
  })

/** This machine's sessions, as export would read them. */
const scanLocal = Effect.fn("scan.local")(function*(o: {
  readonly agent: ReadonlyArray<string>
  readonly thread: ReadonlyArray<string>
  readonly cwd: ReadonlyArray<string>
  readonly since: Option.Option<Date>
  readonly all: boolean
}) {
  const stores = yield* Agents.select(o.agent)
  const chosen = o.agent.length > 0 ? stores : stores.filter((store) => store.present)
  const from = chosen.length > 0 ? chosen : stores
  const ids = o.thread.length > 0 ? yield* SessionLookup.resolve(from, o.thread) : []
  const result = yield* HomeCommand.withRecovery(PackageExport.scan(from, {
    out: "(scan)",
    ids,
    cwds: o.cwd,
    since: Option.getOrUndefined(o.since),
    all: o.all || (ids.length === 0 && o.cwd.length === 0),
    includeArchived: true,
    skipUnreadable: true,
    allowFiles: [],
    includeFileHistory: true
  }))
  return {
    sessions: result.sessions.length,
    files: result.files,
    bytes: result.bytes,
    skipped: result.skipped.map((s) => ({ agent: s.agent, id: s.id, path: s.path, reason: s.reason })),
    secrets: result.secrets
  } satisfies Scanned
})

const render = (scanned: Scanned): Array<string> => [
  scanned.path === undefined
    ? `scanned ${scanned.sessions} session(s): ${scanned.files} file(s), ${Output.size(scanned.bytes)}`
    : scanned.scannedAs === undefined
    ? `scanned package ${scanned.path}: ${scanned.sessions} session(s), ${scanned.files} file(s), ${Output.size(scanned.bytes)}`
    : `scanned ${scanned.path} (${Output.size(scanned.bytes)}, read as ${scanned.scannedAs} records)`,
  ...SecretsReport.lines(scanned.secrets, scanned.scannedAs === undefined ? scanned.sessions : undefined, undefined)
]

/** @since 0.6.0 @category commands */
export const command = Command.make(
  "scan",
  options,
  Effect.fn("scan")(function*(o) {
    const scanned = Option.isSome(o.path)
      ? yield* scanPath(o.path.value, o.agent[0])
      : yield* scanLocal(o)
    for (const s of scanned.skipped) yield* Effect.logWarning(`left out unreadable session ${s.id}: ${s.reason} (${s.path})`)
    yield* o.json ? Output.json(scanned) : Output.lines(render(scanned))
    if (o.failOnSecrets) {
      const refused = SecretGuard.refusal(scanned.secrets, "--fail-on-secrets")
      if (refused !== undefined) return yield* refused
    }
  }, (effect, o) => {
    if (Option.isSome(o.path)) {
      const local = [o.thread.length > 0 ? "--thread" : "", o.cwd.length > 0 ? "--cwd" : "", Option.isSome(o.since) ? "--since" : "", o.all ? "--all" : ""]
        .filter((flag) => flag !== "")
      if (local.length > 0) {
        return new UsageError({ detail: `${local.join(", ")} select this machine's sessions: not with a PATH, which is scanned whole` })
      }
      if (o.agent.length > 1) return new UsageError({ detail: "with a PATH, --agent says whose transcript a file is: give it once" })
    }
    return Keys.provide(o)(Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json)))
  })
).pipe(
  Command.withDescription(
    "Find secrets (API keys, tokens, private keys, passwords in URLs, .env values) in this machine's sessions, as export would carry them; or in a package or one file. Reports kinds, counts and record numbers, never a secret. Writes nothing."
  )
)
