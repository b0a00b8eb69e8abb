/**
 * `session-transfer install PACKAGE`: the sessions of a package (of any agents) into this
 * machine's agent homes, as one transaction.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { Agents, PackageInstall, ShownChanges } from "@sessionport/agent"
import * as Options from "@sessionport/cli-kit/Options"
import * as Output from "@sessionport/cli-kit/Output"
import * as PackagePath from "@sessionport/cli-kit/PackagePath"
import { Effect } from "effect"
import * as HomeCommand from "../HomeCommand.js"

const NOTES: Readonly<Record<string, (value: string) => string>> = {
  database: (value) => value === "rows" ? "rows: written to state_5.sqlite" : "rows: no database yet; Codex indexes the files when it starts",
  history: (value) => `history: ${value}`
}

const render = (r: PackageInstall.InstallResult): Array<string> => {
  const homes = Object.entries(r.homes)
  const several = homes.length > 1
  const out = [
    `${r.dryRun ? "would install" : "installed"} ${r.sessions.length} session(s) into ${homes.map(([, home]) => home).join(" and ")}` +
    (r.transactionId === undefined ? "" : ` (transaction ${r.transactionId})`),
    `paths: ${r.rules.map((rule) => rule.text).join("; ")}`,
    ...Object.entries(r.notes).flatMap(([agent, notes]) =>
      Object.entries(notes).map(([key, value]) => `${several ? `${agent} ` : ""}${NOTES[key]?.(value) ?? `${key}: ${value}`}`)
    )
  ]
  for (const s of r.sessions) {
    const flags = [s.archived ? "archived" : "", s.forkOf ? `fork of ${s.forkOf}` : "", s.name ? `"${s.name}"` : ""]
      .filter((f) => f !== "").join(", ")
    out.push(`  ${several ? `${s.agent.padEnd(8)} ` : ""}${s.sourceId} -> ${s.localId}  ${s.cwd}  (${s.rewrites} rewrite(s)${flags ? `, ${flags}` : ""})`)
  }
  if (r.dryRun && r.changes.length > 0) {
    out.push(`changes (the first ${ShownChanges.PER_SESSION} of each session, ${ShownChanges.TOTAL} at most):`)
    for (const c of r.changes) out.push(`  ${c.session} line ${c.line} ${c.field}: ${String(c.old)} -> ${String(c.new)}`)
  }
  if (!r.dryRun) out.push(`undo with: session-transfer rollback ${r.transactionId}`)
  return out
}

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "install",
  {
    package: Options.pathArg("PACKAGE", "A session package: FILE.tgz, a folder, or - to read a .tgz from stdin."),
    map: Options.maps,
    codexHome: Options.codexHome,
    claudeHome: Options.claudeHome,
    opencodeData: Options.opencodeData,
    json: Options.json,
    dryRun: Options.dryRun
  },
  Effect.fn("install")(function*(o) {
    const { stores } = yield* Agents.Agents
    const pkg = yield* PackagePath.input(o.package)
    const installed = yield* HomeCommand.withRecovery(PackageInstall.install({ package: pkg, maps: o.map, dryRun: o.dryRun }, stores))
    const result = { ...installed, package: PackagePath.display(o.package) }
    for (const warning of result.warnings) yield* Effect.logWarning(warning)
    yield* o.json ? Output.json(result) : Output.lines(render(result))
  }, (effect, o) => Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json)))
).pipe(
  Command.withDescription(
    "Install a package's sessions (Codex, Claude Code, OpenCode) into this machine's agent homes: verify the package, give each session a new local id, localize its paths, write files, rows, names and history as one transaction (undo: rollback)."
  )
)
