/**
 * The exchange through a synced folder: `session-sync push`, `pull`, `status`, `compact`.
 * Thin: the behaviour is `@sessionport/lineage`'s `Push`, `Pull`, `ExchangeStatus` and
 * `Compaction`.
 *
 * @since 0.4.0
 */
import { Command, Options as Opt } from "@effect/cli"
import { Failure, Options, Output, SecretsReport } from "@sessionport/cli-kit"
import { Compaction, ExchangeError, ExchangeStatus, MachineConfig, Pull, Push } from "@sessionport/lineage"
import { Encryption } from "@sessionport/package-format"
import { Effect } from "effect"
import * as ExchangeKeys from "../ExchangeKeys.js"
import * as HomeCommand from "../HomeCommand.js"
import * as Render from "../Render.js"

const folderOption = (name: string, description: string) => Options.path(name, description, "DIR").pipe(Opt.optional)

const homes = { codexHome: Options.codexHome, claudeHome: Options.claudeHome, opencodeData: Options.opencodeData }

/** no folder set: a usage mistake (exit 2), the message suggesting where */
const usage = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchIf(
    effect,
    (error) => error instanceof ExchangeError.ExchangeError && error.reason === "no_folder",
    (error) => Effect.fail(new Failure.UsageError({ detail: (error as ExchangeError.ExchangeError).message }))
  )

/** @since 0.4.0 @category commands */
export const push = Command.make(
  "push",
  {
    to: folderOption("to", "The exchange folder (one your sync engine keeps in step); remembered for later calls."),
    agent: Options.agents("Publish only this agent's sessions (repeatable; default: every agent whose home is here)."),
    all: Opt.boolean("all").pipe(
      Opt.withDescription("Publish every session, those pulled from other machines and those pushed before included (before retiring a machine).")
    ),
    newMachineId: Opt.boolean("new-machine-id").pipe(
      Opt.withDescription("Give this machine a new id first (after its sessionport config was copied from another machine).")
    ),
    ...ExchangeKeys.pushOptions,
    ...homes,
    json: Options.json,
    dryRun: Options.dryRun
  },
  Effect.fn("push")(function*(o) {
    const pusher = yield* Push.Push
    const config = yield* MachineConfig.MachineConfig
    // what is given and what was remembered, and the passphrase asked, before anything is written
    const choices = yield* ExchangeKeys.pushChoices(o, yield* config.current(), config.path)
    if (o.newMachineId && !o.dryRun) yield* config.setNewId()
    const result = yield* usage(HomeCommand.withRecovery(pusher.push({ folder: o.to, agents: o.agent, all: o.all, dryRun: o.dryRun, ...choices })))
    if (result.folderChanged) yield* Effect.logWarning(`exchange folder is now ${result.folder}`)
    for (const skipped of result.skipped) yield* Effect.logWarning(`not pushed: ${skipped.agent} ${skipped.id}: ${skipped.reason}`)
    if (result.secrets !== undefined && !o.json) {
      yield* Output.errorLines(SecretsReport.lines(result.secrets, result.sessions.length, "--redact replaces them, --fail-on-secrets publishes nothing"))
    }
    yield* o.json ? Output.json(result) : Output.lines(Render.push(result))
  }, (effect, o) => ExchangeKeys.checkPush(o) ?? Effect.provide(Effect.scoped(effect), HomeCommand.exchangeLayer(o, o.json)))
).pipe(
  Command.withDescription(
    "Publish the sessions (Codex, Claude Code, OpenCode) changed since this machine's last push into its own outbox of the exchange folder, as one immutable package; sessions pulled from other machines are not published back. Scanned for secrets as export does (--redact, --fail-on-secrets), and encrypted with --encrypt-to or --passphrase (remembered). Writes no agent home."
  )
)

/** @since 0.4.0 @category commands */
export const pull = Command.make(
  "pull",
  {
    from: folderOption("from", "The exchange folder; remembered for later calls."),
    agent: Options.agents("Pull only into this agent's home (repeatable; default: every agent whose home is here)."),
    map: Options.maps,
    forgetMaps: Options.forgetMaps,
    recheck: Opt.boolean("recheck").pipe(
      Opt.withDescription("Look at every package again, even those this machine has pulled (lineage skips what is already here).")
    ),
    ...ExchangeKeys.pullOptions,
    ...homes,
    json: Options.json,
    dryRun: Options.dryRun
  },
  Effect.fn("pull")(function*(o) {
    const puller = yield* Pull.Pull
    const config = yield* MachineConfig.MachineConfig
    const { keys, remember } = yield* ExchangeKeys.exchangeKeys(o, yield* config.current())
    const result = yield* usage(HomeCommand.withRecovery(puller.pull({
      folder: o.from,
      agents: o.agent,
      maps: o.map,
      forgetMaps: o.forgetMaps,
      dryRun: o.dryRun,
      recheck: o.recheck,
      remember
    }))).pipe(Effect.provideService(Encryption.Keys, keys))
    if (result.folderChanged) yield* Effect.logWarning(`exchange folder is now ${result.folder}`)
    for (const note of result.notes) yield* Effect.logWarning(note)
    yield* o.json ? Output.json(result) : Output.lines(Render.pull(result))
  }, (effect, o) => Effect.provide(Effect.scoped(effect), HomeCommand.exchangeLayer(o, o.json)))
).pipe(
  Command.withDescription(
    "Apply what the other machines published in the exchange folder to this machine's agent homes, by lineage, as one transaction (undo: rollback): new sessions imported, sessions that fell behind fast-forwarded, diverged ones kept with a branch. Encrypted packages are opened with --identity (remembered) or a passphrase. Packages still arriving, damaged, encrypted to no key given, or conflict copies are skipped and retried next time."
  )
)

/** @since 0.4.0 @category commands */
export const status = Command.make(
  "status",
  {
    folder: folderOption("folder", "The exchange folder to look at (default: the remembered one; not remembered)."),
    agent: Options.agents("Count only this agent's sessions (repeatable; default: every agent whose home is here)."),
    ...homes,
    json: Options.json
  },
  Effect.fn("status")(function*(o) {
    const reader = yield* ExchangeStatus.ExchangeStatus
    const config = yield* MachineConfig.MachineConfig
    // the keys a pull would use without asking: whether they open each pending encrypted package
    const { keys } = yield* ExchangeKeys.exchangeKeys(ExchangeKeys.statusKeyOptions, yield* config.current())
    const result = yield* usage(HomeCommand.withRecovery(reader.read({ folder: o.folder, agents: o.agent }))).pipe(
      Effect.provideService(Encryption.Keys, keys)
    )
    yield* o.json ? Output.json(result) : Output.lines(Render.status(result))
  }, (effect, o) => Effect.provide(Effect.scoped(effect), HomeCommand.exchangeLayer(o, o.json)))
).pipe(
  Command.withDescription(
    "Show the exchange: this machine (id, folder, last push and pull, sessions changed since the last push, its outbox) and each other machine (last push and pull, what is pending here, what was skipped and why, conflict copies). Writes nothing."
  )
)

/** @since 0.4.0 @category commands */
export const compact = Command.make(
  "compact",
  {
    folder: folderOption("folder", "The exchange folder (default: the remembered one)."),
    json: Options.json,
    dryRun: Options.dryRun
  },
  Effect.fn("compact")(function*(o) {
    const result = yield* usage(Compaction.compact({ folder: o.folder, dryRun: o.dryRun }))
    yield* o.json ? Output.json(result) : Output.lines(Render.compact(result))
  }, (effect) => Effect.provide(effect, MachineConfig.layer))
).pipe(
  Command.withDescription(
    "Remove this machine's packages from its outbox that a later package supersedes and that every other machine has pulled (push and pull do this too)."
  )
)
