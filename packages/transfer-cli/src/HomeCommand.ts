/**
 * What every `session-transfer` command that works on agent homes uses: every agent's store and
 * the journals of their homes, progress unless `--json`, and the recovery of transactions a
 * killed process left half done.
 *
 * @since 0.1.0
 */
import { AgentHomes, Recovery, TerminalProgress } from "@sessionport/cli-kit"
import { Layer } from "effect"

/**
 * The agents (stores) and journals of the homes the options name, and progress unless `--json`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (homes: AgentHomes.Homes, json: boolean) =>
  AgentHomes.agentsLayer(homes).pipe(
    Layer.provideMerge(AgentHomes.journalsLayer(homes)),
    Layer.provideMerge(TerminalProgress.layer({ quiet: json }))
  )

/**
 * Rolls back what a killed process left unfinished, then runs `body`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRecovery = Recovery.withRecovery("session-transfer")
