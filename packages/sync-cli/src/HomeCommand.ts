/**
 * What every `session-sync` command uses: the syncer over every agent's store, the sidecar
 * maintenance of the Codex home, the journals of every agent home (recovery looks into all of
 * them), and the recovery of transactions a killed process left half done.
 *
 * @since 0.1.0
 */
import { AgentHomes, Recovery, TerminalProgress } from "@sessionport/cli-kit"
import { CodexHome } from "@sessionport/codex-home"
import { Maintenance, Sidecar, Syncer } from "@sessionport/lineage"
import { Effect, Layer, Option } from "effect"

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
 * The sidecar maintenance of the Codex home, and progress unless `--json`.
 *
 * @since 0.2.0
 * @category layers
 */
export const maintenanceLayer = (codexHome: Option.Option<string>, json: boolean) => {
  const homes: AgentHomes.Homes = { codexHome, claudeHome: Option.none() }
  const codex = AgentHomes.codexLayer(homes)
  const sidecar = Layer.unwrapEffect(Effect.map(CodexHome.CodexHome, (h) => Sidecar.layer(h.root)))
  return Maintenance.layer.pipe(
    Layer.provideMerge(sidecar),
    Layer.provideMerge(codex),
    Layer.provideMerge(AgentHomes.journalsLayer(homes)),
    Layer.provideMerge(TerminalProgress.layer({ quiet: json }))
  )
}

/**
 * Rolls back what a killed process left unfinished, then runs `body`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRecovery = Recovery.withRecovery("session-sync")
