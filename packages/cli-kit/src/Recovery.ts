/**
 * What every command that works on an agent home does first: roll back any transaction a killed
 * process left half done (the journal's recovery), saying so on stderr, and warn of damaged
 * transaction records.
 *
 * @since 0.1.0
 */
import { Journals } from "@sessionport/agent"
import type { Journal } from "@sessionport/journal"
import { Effect } from "effect"
import * as Output from "./Output.js"

/**
 * Rolls back what a killed process left unfinished, then runs `body`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRecovery = (program: string) => <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const report = yield* Journals.recover(yield* Journals.Journals)
    for (const tx of report.recovered) {
      yield* Output.errorLines([`${program}: rolled back ${tx.id} (${tx.kind}), left unfinished by a process that stopped`])
    }
    yield* warnDamaged(program, report)
    return yield* body
  })

/**
 * Says on stderr which transactions recovery skipped because their record is damaged, and what
 * to do: the command goes on, as nothing it does needs those records.
 *
 * @since 0.1.0
 * @category combinators
 */
export const warnDamaged = (program: string, report: Journal.RecoverReport): Effect.Effect<void> =>
  Output.errorLines((report.damaged ?? []).map((tx) => `${program}: warning: ${tx.message}`))
