/**
 * What every `session-sync` command uses: the syncer over every agent's store, the sidecar
 * maintenance of one agent's home, the journals of every agent home (recovery looks into all of
 * them), and the recovery of transactions a killed process left half done.
 *
 * @since 0.1.0
 */
import { AgentHomes, Recovery, TerminalProgress } from "@sessionport/cli-kit"
import { ExchangeStatus, Maintenance, MachineConfig, Pull, Push, Syncer } from "@sessionport/lineage"
import { Layer } from "effect"

/**
 * The home's services for a command and progress unless `--json`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (homes: AgentHomes.Homes, json: boolean) =>
  Syncer.layer.pipe(
    Layer.provideMerge(AgentHomes.agentsLayer(homes)),
    Layer.provideMerge(AgentHomes.journalsLayer(homes)),
    Layer.provideMerge(TerminalProgress.layer({ quiet: json }))
  )

/**
 * The exchange's services (push, pull, status) over the syncer, and this machine's exchange config.
 *
 * @since 0.4.0
 * @category layers
 */
export const exchangeLayer = (homes: AgentHomes.Homes, json: boolean) =>
  Layer.mergeAll(Push.layer, Pull.layer, ExchangeStatus.layer).pipe(
    Layer.provideMerge(layer(homes, json)),
    Layer.provideMerge(MachineConfig.layer)
  )

/**
 * The sidecar maintenance of one agent's home, and progress unless `--json`.
 *
 * @since 0.2.0
 * @category layers
 */
export const maintenanceLayer = (agent: string, homes: AgentHomes.Homes, json: boolean) =>
  Maintenance.layer(agent).pipe(
    Layer.provideMerge(AgentHomes.agentsLayer(homes)),
    Layer.provideMerge(AgentHomes.journalsLayer(homes)),
    Layer.provideMerge(TerminalProgress.layer({ quiet: json }))
  )

/**
 * Rolls back what a killed process left unfinished, then runs `body`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRecovery = Recovery.withRecovery("session-sync")
