/**
 * The sidecar's upkeep: `adopt`, `sidecar-health`, `rebuild-sidecar`, `prune-invalid-mappings`,
 * `replay-transactions-sidecar`.
 *
 * @since 0.1.0
 */
import { Command, Options as Opt } from "@effect/cli"
import { AgentHomes, Options, Output } from "@sessionport/cli-kit"
import { Maintenance } from "@sessionport/lineage"
import { Effect } from "effect"
import * as HomeCommand from "../HomeCommand.js"
import * as Render from "../Render.js"

const agent = Opt.choice("agent", AgentHomes.AGENTS).pipe(
  Opt.withDescription("The agent whose home's sidecar to work on (default: codex)."),
  Opt.withDefault("codex")
)

const changing = (
  name: string,
  verb: readonly [string, string],
  description: string,
  run: (m: Maintenance.MaintenanceShape, dryRun: boolean) => Effect.Effect<Maintenance.MaintenanceResult, Maintenance.MaintenanceFailure>
) =>
  Command.make(
    name,
    { agent, codexHome: Options.codexHome, claudeHome: Options.claudeHome, opencodeData: Options.opencodeData, json: Options.json, dryRun: Options.dryRun },
    Effect.fn(name)(function*(o) {
      const maintenance = yield* Maintenance.Maintenance
      const result = yield* HomeCommand.withRecovery(run(maintenance, o.dryRun))
      yield* o.json ? Output.json(result) : Output.lines(Render.maintenance(verb, result))
    }, (effect, o) => Effect.provide(effect, HomeCommand.maintenanceLayer(o.agent, o, o.json)))
  ).pipe(Command.withDescription(description))

/** @since 0.1.0 @category commands */
export const adopt = changing(
  "adopt",
  ["adopt", "adopted"],
  "Bring the sessions of this home that sync does not track yet (installed before, by session-transfer or other tools, or Codex's own) under lineage tracking.",
  (m, dryRun) => m.adopt({ dryRun })
)

/** @since 0.1.0 @category commands */
export const rebuildSidecar = changing(
  "rebuild-sidecar",
  ["rebuild", "rebuilt"],
  "Make a new sidecar from the rollouts and the journal (the sidecar is derived state).",
  (m, dryRun) => m.rebuild({ dryRun })
)

/** @since 0.1.0 @category commands */
export const pruneInvalidMappings = changing(
  "prune-invalid-mappings",
  ["prune", "pruned"],
  "Drop tracked sessions whose rollout is gone and ids mapped to lineages with no local session.",
  (m, dryRun) => m.prune({ dryRun })
)

/** @since 0.1.0 @category commands */
export const replayTransactionsSidecar = changing(
  "replay-transactions-sidecar",
  ["replay", "replayed"],
  "Re-derive lineages and id mappings from the journal's completed install and sync transactions.",
  (m, dryRun) => m.replay({ dryRun })
)

/** @since 0.1.0 @category commands */
export const sidecarHealth = Command.make(
  "sidecar-health",
  { agent, codexHome: Options.codexHome, claudeHome: Options.claudeHome, opencodeData: Options.opencodeData, json: Options.json },
  Effect.fn("sidecar-health")(function*(o) {
    const maintenance = yield* Maintenance.Maintenance
    const report = yield* HomeCommand.withRecovery(maintenance.health)
    yield* o.json ? Output.json(report) : Output.lines(Render.health(report))
  }, (effect, o) => Effect.provide(effect, HomeCommand.maintenanceLayer(o.agent, o, o.json)))
).pipe(Command.withDescription("Check the sidecar against the home: dangling mappings, missing files, stale chain heads."))
