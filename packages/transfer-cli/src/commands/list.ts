/**
 * `session-transfer list [PACKAGE]`: the sessions of this machine's agent homes, newest first
 * (agent, the id prefix that names each alone, when it was last active, its size, its folder in
 * full, its title or first prompt); or, given a package, each of its sessions with its status on
 * this machine (new, already here, behind, ahead, diverged: a sync's dry-run classification).
 *
 * @since 0.3.0
 */
import { Args, Command, HelpDoc, Options as Opt, ValidationError } from "@effect/cli"
import { Agents, SessionList } from "@sessionport/agent"
import { Dates, Keys, Options, Output, PackageChoice, PackageSource } from "@sessionport/cli-kit"
import { PackageStatus } from "@sessionport/lineage"
import { Effect, Option } from "effect"
import * as HomeCommand from "../HomeCommand.js"

const options = {
  package: Args.text({ name: "PACKAGE" }).pipe(
    Args.withDescription(
      "A session package (FILE.tgz, FILE.tgz.age with --identity or --passphrase, a folder, or - for stdin; or an `opencode export` file, or an archive of coding-cli-session-sync): list its sessions with their status here instead."
    ),
    Args.optional
  ),
  agent: Options.agents("Only this agent's sessions (repeatable; default: every agent whose home exists here)."),
  thread: Options.threads("Only this session: an id, a unique prefix of one, or a session's name (repeatable)."),
  cwd: Options.paths("cwd", "Only sessions started in this folder or below it (repeatable)."),
  since: Options.since("Only sessions active since then: an age (7d, 12h, 2w) or a date (2026-11-01)."),
  last: Opt.integer("last").pipe(
    Opt.withDescription("Only the N most recently active sessions (N ≥ 1)."),
    Opt.withPseudoName("N"),
    Opt.mapEffect((n) => n >= 1 ? Effect.succeed(n) : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--last ${n}: give a number of sessions, 1 or more`)))),
    Opt.optional
  ),
  noArchived: Opt.boolean("no-archived").pipe(Opt.withDescription("Leave archived sessions out.")),
  codexHome: Options.codexHome,
  claudeHome: Options.claudeHome,
  opencodeData: Options.opencodeData,
  json: Options.json,
  ...Keys.readerOptions
}

const TITLE_WIDTH = 60

const renderLocal = (listing: SessionList.SessionListing, now: Date): Array<string> => {
  const rows = listing.sessions
  if (rows.length === 0) return ["no sessions match"]
  const idWidth = Math.max(2, ...rows.map((s) => s.shortId.length))
  const updated = rows.map((s) => Dates.both(new Date(s.updatedAt), now))
  const updatedWidth = Math.max(7, ...updated.map((u) => u.length))
  const cwdWidth = Math.max(3, ...rows.map((s) => Output.displayWidth(Output.escape(s.cwd))))
  const header = `${"AGENT".padEnd(8)}  ${"ID".padEnd(idWidth)}  ${"UPDATED".padEnd(updatedWidth)}  ${"SIZE".padStart(9)}  ${Output.cell("CWD", cwdWidth)}  TITLE`
  return [
    header,
    ...rows.map((s, i) =>
      `${s.agent.padEnd(8)}  ${s.shortId.padEnd(idWidth)}  ${updated[i]!.padEnd(updatedWidth)}  ${Output.size(s.size).padStart(9)}  ` +
      `${Output.cell(s.cwd, cwdWidth)}  ${Output.cell(s.title ?? "", TITLE_WIDTH).trimEnd()}${s.archived ? "  (archived)" : ""}`
    ),
    `${rows.length} session(s)${listing.archivedLeftOut > 0 ? `; ${listing.archivedLeftOut} archived left out` : ""}` +
    (listing.unreadable.length > 0 ? `; ${listing.unreadable.length} unreadable (not shown)` : "")
  ]
}

const renderPackage = (source: PackageSource.Source, rows: ReadonlyArray<PackageChoice.PackageSession>): Array<string> => {
  const cwdWidth = Math.max(3, ...rows.map((r) => Output.displayWidth(Output.escape(r.cwd ?? ""))))
  return [
    ...PackageSource.originLines(source.origin),
    `package ${source.label}: ${rows.length} session(s)`,
    `${"STATUS".padEnd(12)}  ${"AGENT".padEnd(8)}  ${"ID".padEnd(36)}  ${"SIZE".padStart(9)}  ${Output.cell("CWD", cwdWidth)}  TITLE`,
    ...rows.map((r) =>
      `${PackageStatus.label(r.status).padEnd(12)}  ${r.agent.padEnd(8)}  ${r.id.padEnd(36)}  ${Output.size(r.size).padStart(9)}  ` +
      `${Output.cell(r.cwd ?? "", cwdWidth)}  ${Output.cell(r.title ?? "", TITLE_WIDTH).trimEnd()}`
    )
  ]
}

/** @since 0.3.0 @category commands */
export const command = Command.make(
  "list",
  options,
  Effect.fn("list")(function*(o) {
    if (Option.isSome(o.package)) {
      // another tool's file comes in as the package made of it
      const source = yield* PackageSource.open(o.package.value)
      const rows = yield* HomeCommand.withRecovery(PackageChoice.sessions(source.path))
      return yield* o.json
        ? Output.json({ package: source.label, sessions: rows, ...(source.origin === undefined ? {} : { origin: source.origin }) })
        : Output.lines(renderPackage(source, rows))
    }
    const stores = yield* Agents.select(o.agent)
    const listing = yield* HomeCommand.withRecovery(SessionList.list(stores, {
      ids: o.thread,
      cwds: o.cwd,
      since: Option.getOrUndefined(o.since),
      last: Option.getOrUndefined(o.last),
      includeArchived: !o.noArchived
    }))
    yield* o.json ? Output.json(listing) : Output.lines(renderLocal(listing, new Date()))
  }, (effect, o) => Keys.provide(o)(Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json))))
).pipe(
  Command.withDescription(
    "List the sessions of this machine's agent homes (Codex, Claude Code, OpenCode), newest first; or, given a package, each of its sessions with its status here (new, already here, behind, ahead, diverged). Writes nothing."
  )
)
