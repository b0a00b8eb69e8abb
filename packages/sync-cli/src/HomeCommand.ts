/**
 * What every `session-sync` command that works on a Codex home uses: the syncer, the sidecar
 * maintenance and what they stand on, and the recovery of transactions a killed process left
 * half done.
 *
 * @since 0.1.0
 */
import { JournalCommands, Recovery, TerminalProgress } from "@sessionport/cli-kit"
import { CodexHome, Installer, StateDb } from "@sessionport/codex-home"
import { Maintenance, Sidecar, Syncer } from "@sessionport/lineage"
import { Effect, Layer, Option } from "effect"

/**
 * The home's services for a command and progress unless `--json`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (codexHome: Option.Option<string>, json: boolean) => {
  const home = JournalCommands.homeLayer(codexHome)
  const sidecar = Layer.unwrapEffect(Effect.map(CodexHome.CodexHome, (h) => Sidecar.layer(h.root)))
  const stores = Layer.mergeAll(StateDb.layer({ mode: "read-only" }), Installer.journalLayer, sidecar).pipe(Layer.provideMerge(home))
  return Layer.mergeAll(Syncer.layer.pipe(Layer.provideMerge(Installer.layer)), Maintenance.layer).pipe(
    Layer.provideMerge(stores),
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
