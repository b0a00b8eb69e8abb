/**
 * `session-transfer install PACKAGE`: the sessions of a package into this machine's Codex home.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { Installer } from "@sessionport/codex-home"
import { Effect } from "effect"
import * as HomeCommand from "../HomeCommand.js"
import * as Options from "@sessionport/cli-kit/Options"
import * as Output from "@sessionport/cli-kit/Output"

const render = (r: Installer.InstallResult): Array<string> => {
  const out = [
    `${r.dryRun ? "would install" : "installed"} ${r.sessions.length} session(s) into ${r.codexHome}` +
    (r.transactionId === undefined ? "" : ` (transaction ${r.transactionId})`),
    `paths: ${r.rules.map((rule) => rule.text).join("; ")}`,
    r.database === "rows" ? "rows: written to state_5.sqlite" : "rows: no database yet; Codex indexes the files when it starts"
  ]
  for (const s of r.sessions) {
    const flags = [s.archived ? "archived" : "", s.forkOf ? `fork of ${s.forkOf}` : "", s.name ? `"${s.name}"` : ""]
      .filter((f) => f !== "").join(", ")
    out.push(`  ${s.sourceId} -> ${s.localId}  ${s.cwd}  (${s.rewrites} rewrite(s)${flags ? `, ${flags}` : ""})`)
  }
  if (r.dryRun && r.changes.length > 0) {
    out.push("changes (first of each session):")
    for (const c of r.changes) out.push(`  ${c.session} line ${c.line} ${c.field}: ${String(c.old)} -> ${String(c.new)}`)
  }
  if (!r.dryRun) out.push(`undo with: session-transfer rollback ${r.transactionId}`)
  return out
}

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "install",
  {
    package: Options.pathArg("PACKAGE", "A session package: FILE.tgz or a folder."),
    map: Options.maps,
    codexHome: Options.codexHome,
    json: Options.json,
    dryRun: Options.dryRun
  },
  Effect.fn("install")(function*(o) {
    const installer = yield* Installer.Installer
    const result = yield* HomeCommand.withRecovery(installer.install({ package: o.package, maps: o.map, dryRun: o.dryRun }))
    for (const warning of result.warnings) yield* Effect.logWarning(warning)
    yield* o.json ? Output.json(result) : Output.lines(render(result))
  }, (effect, o) => Effect.provide(effect, HomeCommand.layer(o.codexHome, o.json)))
).pipe(
  Command.withDescription(
    "Install a package's sessions into this Codex home: verify the package, give each session a new local id, localize its paths, write files, rows and names as one transaction (undo: rollback)."
  )
)
