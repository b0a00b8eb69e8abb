/**
 * What every command that works on a Codex home does first: resolve the home, and roll back any
 * transaction a killed process left half done (the journal's recovery), saying so on stderr.
 *
 * @since 0.1.0
 */
import { CodexHome, Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { Journal } from "@sessionport/journal"
import { Console, Effect, Layer, Option } from "effect"
import * as TerminalProgress from "./TerminalProgress.js"

/**
 * The home's services for a command (exporter, installer, journal, home, read-only database)
 * and progress unless `--json`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (codexHome: Option.Option<string>, json: boolean) => {
  const home = CodexHome.layer(Option.match(codexHome, { onNone: () => ({}), onSome: (root) => ({ root }) }))
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
export const withRecovery = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const journal = yield* Journal.Journal
    const report = yield* journal.recover()
    for (const tx of report.recovered) {
      yield* Console.error(`session-transfer: rolled back ${tx.id} (${tx.kind}), left unfinished by a process that stopped`)
    }
    return yield* body
  })
