/**
 * What every command that works on a Codex home does first: roll back any transaction a killed
 * process left half done (the journal's recovery), saying so on stderr.
 *
 * @since 0.1.0
 */
import { Journal } from "@sessionport/journal"
import { Console, Effect } from "effect"

/**
 * Rolls back what a killed process left unfinished, then runs `body`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRecovery = (program: string) => <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const journal = yield* Journal.Journal
    const report = yield* journal.recover()
    for (const tx of report.recovered) {
      yield* Console.error(`${program}: rolled back ${tx.id} (${tx.kind}), left unfinished by a process that stopped`)
    }
    return yield* body
  })
