/**
 * `session-transfer install PACKAGE`: the sessions of a package (of any agents) into this
 * machine's agent homes, as one transaction.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { Agents, PackageInstall, RememberedMaps, ShownChanges } from "@sessionport/agent"
import * as Keys from "@sessionport/cli-kit/Keys"
import * as Options from "@sessionport/cli-kit/Options"
import * as PackageChoice from "@sessionport/cli-kit/PackageChoice"
import * as Output from "@sessionport/cli-kit/Output"
import * as PackageSource from "@sessionport/cli-kit/PackageSource"
import { Effect } from "effect"
import * as HomeCommand from "../HomeCommand.js"

const NOTES: Readonly<Record<string, (value: string) => string>> = {
  database: (value) => value === "rows" ? "rows: written to state_5.sqlite" : "rows: no database yet; Codex indexes the files when it starts",
  history: (value) => `history: ${value}`
}

/** A dry run's local ids are its own: the install gives each session its new id as it writes it. */
const ASSIGNED = "(new id, assigned at install)"

/**
 * The rewrites a dry run shows of one session: the paths (and other values) first, then its id
 * swaps as one line, and how many more it has.
 */
const sessionChanges = (s: PackageInstall.InstallResult["sessions"][number], changes: ReadonlyArray<ShownChanges.ShownChange>): Array<string> => {
  if (changes.length === 0) return []
  const values = changes.filter((c) => ShownChanges.idsOf(c) === undefined)
  const ids = changes.reduce((n, c) => n + (ShownChanges.idsOf(c) ?? 0), 0)
  const more = s.rewrites - ids - values.length
  return [
    ...values.map((c) => `      line ${c.line} ${c.field}: ${String(c.old)} -> ${String(c.new)}`),
    ...(ids > 0 ? [`      ids: ${ids} value(s) rewritten to the new id(s)`] : []),
    ...(more > 0 ? [`      and ${more} more rewrite(s) not listed`] : [])
  ]
}

const render = (r: PackageInstall.InstallResult): Array<string> => {
  const homes = Object.entries(r.homes)
  const several = homes.length > 1
  const out = [
    `${r.dryRun ? "would install" : "installed"} ${r.sessions.length} session(s) into ${homes.map(([, home]) => home).join(" and ")}` +
    (r.transactionId === undefined ? "" : ` (transaction ${r.transactionId})`),
    `paths: ${r.rules.map((rule) => rule.text).join("; ")}`,
    ...RememberedMaps.lines(r.maps, r.remembered, r.dryRun),
    ...Object.entries(r.notes).flatMap(([agent, notes]) =>
      Object.entries(notes).map(([key, value]) => `${several ? `${agent} ` : ""}${NOTES[key]?.(value) ?? `${key}: ${value}`}`)
    )
  ]
  const sourceOf = new Map(r.sessions.map((s) => [s.localId, s.sourceId]))
  const changesOf = new Map<string, Array<ShownChanges.ShownChange>>()
  for (const c of r.changes) {
    const list = changesOf.get(c.session)
    if (list === undefined) changesOf.set(c.session, [c])
    else list.push(c)
  }
  for (const s of r.sessions) {
    // a dry run names a fork's parent by its id in the package: its new one is not assigned yet
    const parent = s.forkOf === undefined ? undefined : r.dryRun ? sourceOf.get(s.forkOf) ?? s.forkOf : s.forkOf
    const flags = [s.archived ? "archived" : "", parent ? `fork of ${parent}` : "", s.name ? `"${s.name}"` : ""]
      .filter((f) => f !== "").join(", ")
    out.push(
      `  ${several ? `${s.agent.padEnd(8)} ` : ""}${s.sourceId} -> ${r.dryRun ? ASSIGNED : s.localId}  ${s.cwd}  (${s.rewrites} rewrite(s)${flags ? `, ${flags}` : ""})`
    )
    if (r.dryRun) out.push(...sessionChanges(s, changesOf.get(s.localId) ?? []))
  }
  if (r.dryRun && r.changes.length >= ShownChanges.TOTAL) {
    out.push(`(rewrites listed for the first sessions only: ${ShownChanges.TOTAL} entries at most)`)
  }
  if (!r.dryRun) out.push(`undo with: session-transfer rollback ${r.transactionId}`)
  return out
}

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "install",
  {
    package: Options.pathArg(
      "PACKAGE",
      "A session package: FILE.tgz (FILE.tgz.age: encrypted, see --identity), a folder, or - to read one from stdin; or a session file of `opencode export` (FILE.json), or an archive of coding-cli-session-sync."
    ),
    map: Options.maps,
    forgetMaps: Options.forgetMaps,
    codexHome: Options.codexHome,
    claudeHome: Options.claudeHome,
    opencodeData: Options.opencodeData,
    yes: Options.yes("Install every session of the package without opening the picker (off a terminal there is none)."),
    json: Options.json,
    dryRun: Options.dryRun,
    ...Keys.readerOptions
  },
  Effect.fn("install")(function*(o) {
    const { stores } = yield* Agents.Agents
    // an `opencode export` file comes in as a package made of it
    const source = yield* PackageSource.open(o.package)
    const pkg = source.path
    // on a terminal, a package of several sessions: the person picks (those not here preselected)
    const only = yield* HomeCommand.withRecovery(PackageChoice.choose(pkg, {
      message: "Sessions to install (those not on this machine are selected)",
      preselect: PackageChoice.forInstall,
      skip: o.yes || o.dryRun
    }))
    const installed = yield* HomeCommand.withRecovery(
      PackageInstall.install({ package: pkg, label: source.label, maps: o.map, forgetMaps: o.forgetMaps, dryRun: o.dryRun, only }, stores)
    )
    const result = { ...installed, package: source.label, ...(source.origin === undefined ? {} : { origin: source.origin }) }
    for (const warning of result.warnings) yield* Effect.logWarning(warning)
    yield* o.json ? Output.json(result) : Output.lines([...PackageSource.originLines(source.origin), ...render(result)])
  }, (effect, o) => Keys.provide(o)(Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json))))
).pipe(
  Command.withDescription(
    "Install a package's sessions (Codex, Claude Code, OpenCode) into this machine's agent homes: verify the package, give each session a new local id, localize its paths, write files, rows, names and history as one transaction (undo: rollback)."
  )
)
