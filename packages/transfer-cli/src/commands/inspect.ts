/**
 * `session-transfer inspect PACKAGE`: what a package holds, and whether it is intact.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { SecretGuard } from "@sessionport/agent"
import { type Manifest, PackageInspection, PeerArchive } from "@sessionport/package-format"
import { Effect } from "effect"
import { AgentHomes } from "@sessionport/cli-kit"
import * as Keys from "@sessionport/cli-kit/Keys"
import * as Options from "@sessionport/cli-kit/Options"
import * as Output from "@sessionport/cli-kit/Output"
import * as PackageSource from "@sessionport/cli-kit/PackageSource"

type Inspected = PackageInspection.Inspection & { readonly origin?: PackageSource.Source["origin"] }

type Origin = NonNullable<PackageSource.Source["origin"]>

const isPeer = (origin: Origin): origin is PeerArchive.Origin => origin.format === PeerArchive.FORMAT

/** Why a package made of another tool's file is unverified. */
const originIntegrity = (origin: Origin): string =>
  isPeer(origin)
    ? "unverified: a coding-cli-session-sync archive (its checksum_sha256 covers another file than the archive, so it cannot be checked); every entry passed sessionport's checks"
    : "unverified: an opencode export file has no checksums; every session passed sessionport's checks"

/** What a coding-cli-session-sync archive is, past its sessions: where it was made, and what was left out (by reason). */
const peerLines = (origin: Origin | undefined): Array<string> => {
  if (origin === undefined || !isPeer(origin)) return []
  const reasons = new Map<string, number>()
  for (const file of origin.dropped) reasons.set(file.reason, (reasons.get(file.reason) ?? 0) + 1)
  return [
    `from        ${origin.source_hostname ?? "(host unknown)"}${origin.export_timestamp === null ? "" : `, exported ${origin.export_timestamp} (its local time)`}`,
    `left out    ${origin.dropped.length === 0 ? "nothing" : `${origin.dropped.length} file(s): ${[...reasons].map(([reason, n]) => `${reason} ${n}`).join(", ")}`}`
  ]
}

/** What export's secret scan found, as the manifest says: how many travel as they are, how many were redacted. */
const secretsLine = (secrets: Manifest.SecretsInfo): string => {
  const t = SecretGuard.totals(secrets)
  if (t.found === 0) return `none found when exported (rules: ${secrets.rules})`
  const kinds = SecretGuard.kindList(t.kinds)
  const travelling = secrets.redacted ? t.kept : t.found
  return (secrets.redacted ? `redacted ${t.redacted} (${kinds})` : `carries ${t.found} unredacted (${kinds})`) +
    (secrets.redacted && travelling > 0
      ? `; ${travelling} kept unredacted (${[...new Set(secrets.findings.flatMap((f) => f.kept_in ?? []))].join(", ") || "where redaction must not write"})`
      : "") +
    ` in ${t.sessions.length} session(s), found when exported (rules: ${secrets.rules})`
}

const render = (inspection: Inspected): Array<string> => {
  const m = inspection.manifest
  const out = [
    `package     ${inspection.path} (${inspection.origin === undefined ? inspection.format : inspection.origin.format})`,
    `integrity   ${
      inspection.origin !== undefined
        ? originIntegrity(inspection.origin)
        : inspection.integrity === "verified"
        ? `ok: ${inspection.files} files, ${Output.size(inspection.bytes)}, every SHA-256 matches the manifest`
        : `ok, unverified: the manifest lists no checksums (${inspection.producer})`
    }`,
    `format      ${m.format_version} (${m.package_kind})`,
    `producer    ${inspection.producer}`,
    ...peerLines(inspection.origin),
    ...(m.package_id === undefined ? [] : [`id          ${m.package_id}`]),
    ...(m.created_at === undefined ? [] : [`created     ${m.created_at}`]),
    ...(m.source === undefined ? [] : [
      `source      ${m.source.platform}${m.source.codex_home === undefined ? "" : `, Codex home ${m.source.codex_home}`}${
        Object.entries(m.source.agent_homes ?? {}).map(([agent, home]) => `, ${agent} home ${home}`).join("")
      }`
    ]),
    ...(m.agents === undefined ? [] : [`agents      ${m.agents.join(", ")}`]),
    ...(m.cwd_filter === null ? [] : [`cwd filter  ${m.cwd_filter}`]),
    `skills      ${m.skills_included.length === 0 ? "none" : m.skills_included.join(", ")}`,
    `secrets     ${
      m.secrets === undefined
        ? "none recorded (its export found none, or another tool or an older sessionport made it; `session-transfer scan` checks)"
        : secretsLine(m.secrets)
    }`,
    // files that look like credentials, carried because the sender said so (export --allow-file)
    ...(m.allowed_files ?? []).map((file) => `allowed     ${file.path} (${file.reason}), although it looks like a credential`),
    `sessions    ${inspection.sessions.length}`
  ]
  for (const s of inspection.sessions) {
    const flags = [
      s.archived ? "archived" : "",
      s.forkedFrom ? `fork of ${s.forkedFrom}` : "",
      s.name ? `"${s.name}"` : "",
      s.invalidLines > 0 ? `${s.invalidLines} line(s) not JSON` : ""
    ].filter((f) => f !== "").join(", ")
    out.push(
      `  ${m.agents === undefined ? "" : `${s.agent.padEnd(8)} `}${s.threadId ?? "(no session_meta)"}  ${String(s.turns).padStart(3)} turn(s)  ${Output.size(s.size).padStart(9)}  ` +
        `${Output.cell(s.cwd ?? "", 36)}  ${Output.cell(s.firstPrompt ?? "", 40)}${flags ? `  (${flags})` : ""}`
    )
  }
  return out
}

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "inspect",
  {
    path: Options.pathArg(
      "PACKAGE",
      "A session package: FILE.tgz (FILE.tgz.age: encrypted, see --identity), a folder, or - to read one from stdin; or a session file of `opencode export` (FILE.json), or an archive of coding-cli-session-sync."
    ),
    json: Options.json,
    ...Keys.readerOptions
  },
  Effect.fn("inspect")(function*({ json, path }) {
    // an `opencode export` file is inspected as the package made of it
    const source = yield* PackageSource.open(path)
    const inspected = yield* PackageInspection.inspect(source.path, {
      agents: AgentHomes.AGENTS.filter((agent) => agent !== "codex"),
      origin: source.origin
    })
    const inspection: Inspected = { ...inspected, path: source.label }
    yield* json ? Output.json(inspection) : Output.lines(render(inspection))
  }, (effect, o) => Keys.provide(o)(Effect.scoped(effect)))
).pipe(Command.withDescription("Show a package's manifest and sessions and check its integrity (every entry, size and SHA-256). Writes nothing."))
