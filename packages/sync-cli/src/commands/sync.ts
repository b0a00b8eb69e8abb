/**
 * `session-sync inspect-package PACKAGE` and `session-sync sync PACKAGE`.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { Confirm, Keys, Options, Output, PackageChoice, PackageSource } from "@sessionport/cli-kit"
import { Syncer } from "@sessionport/lineage"
import { Effect } from "effect"
import * as HomeCommand from "../HomeCommand.js"
import * as Render from "../Render.js"

const packageArg = Options.pathArg(
  "PACKAGE",
  "A session package: FILE.tgz (FILE.tgz.age: encrypted, see --identity), a folder, or - to read one from stdin; or a session file of `opencode export` (FILE.json), or an archive of coding-cli-session-sync."
)

/** The result of a sync of `source`, as the person named it, with where a package made of another tool's file came from. */
const shownAs = <A extends object>(result: A, source: PackageSource.Source) => ({
  ...result,
  package: source.label,
  ...(source.origin === undefined ? {} : { origin: source.origin })
})

/** @since 0.1.0 @category commands */
export const inspectPackage = Command.make(
  "inspect-package",
  {
    package: packageArg,
    map: Options.maps,
    forgetMaps: Options.forgetMaps,
    codexHome: Options.codexHome,
    claudeHome: Options.claudeHome,
    opencodeData: Options.opencodeData,
    json: Options.json,
    ...Keys.readerOptions
  },
  Effect.fn("inspect-package")(function*(o) {
    const syncer = yield* Syncer.Syncer
    const source = yield* PackageSource.open(o.package)
    const result = shownAs(
      yield* HomeCommand.withRecovery(syncer.sync({ package: source.path, label: source.label, maps: o.map, forgetMaps: o.forgetMaps, dryRun: true })),
      source
    )
    for (const warning of result.warnings) yield* Effect.logWarning(warning)
    yield* o.json ? Output.json(result) : Output.lines([...PackageSource.originLines(source.origin), ...Render.plan(result, false)])
  }, (effect, o) => Keys.provide(o)(Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json))))
).pipe(Command.withDescription("Classify each session of a package (Codex, Claude Code, OpenCode) against this machine's agent homes and show the planned action. Writes nothing."))

/** @since 0.1.0 @category commands */
export const sync = Command.make(
  "sync",
  {
    package: packageArg,
    map: Options.maps,
    forgetMaps: Options.forgetMaps,
    yes: Options.yes("Apply the plan without asking (required off a terminal)."),
    codexHome: Options.codexHome,
    claudeHome: Options.claudeHome,
    opencodeData: Options.opencodeData,
    json: Options.json,
    dryRun: Options.dryRun,
    ...Keys.readerOptions
  },
  Effect.fn("sync")(function*(o) {
    const syncer = yield* Syncer.Syncer
    // a dry run changes nothing: nothing to agree to
    const ask = !o.dryRun && (yield* Confirm.consent("sync", o.yes)) === "ask"
    // another tool's file comes in as the package made of it
    const source = yield* PackageSource.open(o.package)
    const pkg = source.path
    // a package of several sessions: the person picks (what would change here preselected), and
    // that is the go-ahead; one session: the plan and a y/N
    const only = ask
      ? yield* HomeCommand.withRecovery(PackageChoice.choose(pkg, { message: "Sessions to sync (those that would change here are selected)", preselect: PackageChoice.forSync, skip: false }))
      : undefined
    const confirm = ask && only === undefined
      ? (plan: Syncer.SyncResult) =>
        Effect.zipRight(Output.errorLines(Render.plan(plan, false)), Confirm.ask("apply this plan?"))
      : undefined
    const result = shownAs(
      yield* HomeCommand.withRecovery(
        syncer.sync({ package: pkg, label: source.label, maps: o.map, forgetMaps: o.forgetMaps, dryRun: o.dryRun, confirm, only })
      ),
      source
    )
    for (const warning of result.warnings) yield* Effect.logWarning(warning)
    yield* o.json
      ? Output.json(result)
      : Output.lines([...PackageSource.originLines(source.origin), ...Render.plan(result, result.transactionId !== undefined)])
  }, (effect, o) => Keys.provide(o)(Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json))))
).pipe(
  Command.withDescription(
    "Sync a package into this machine's agent homes (Codex, Claude Code, OpenCode) by lineage: import new sessions, fast-forward local copies that fell behind, keep diverged ones and import a branch; one transaction (undo: rollback). Asks on a terminal; off a terminal refuses unless --yes."
  )
)
