/**
 * What every `session-transfer` command that works on a Codex home uses: its services, and the
 * recovery of transactions a killed process left half done.
 *
 * @since 0.1.0
 */
import { JournalCommands, Recovery, TerminalProgress } from "@sessionport/cli-kit"
import { Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { Layer, Option } from "effect"

/**
 * The home's services for a command (exporter, installer, journal, home, read-only database)
 * and progress unless `--json`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (codexHome: Option.Option<string>, json: boolean) => {
  const home = JournalCommands.homeLayer(codexHome)
  const stores = Layer.mergeAll(StateDb.layer({ mode: "read-only" }), Installer.journalLayer).pipe(Layer.provideMerge(home))
  return Layer.mergeAll(Installer.layer, Exporter.layer.pipe(Layer.provide(SessionCatalog.layer))).pipe(
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
export const withRecovery = Recovery.withRecovery("session-transfer")
