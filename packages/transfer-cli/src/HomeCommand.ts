/**
 * What every `session-transfer` command that works on agent homes uses: every agent's store and
 * the journals of their homes, progress unless `--json`, and the recovery of transactions a
 * killed process left half done.
 *
 * @since 0.1.0
 */
import type { AgentStore } from "@sessionport/agent"
import { SessionList } from "@sessionport/agent"
import { AgentHomes, Picker, Recovery, TerminalProgress } from "@sessionport/cli-kit"
import { UsageError } from "@sessionport/cli-kit/Failure"
import { Syncer } from "@sessionport/lineage"
import { Effect, Layer, Option } from "effect"

/**
 * The agents (stores) and journals of the homes the options name, and progress unless `--json`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (homes: AgentHomes.Homes, json: boolean) =>
  // the syncer classifies a package's sessions against the homes (`list PACKAGE`, install's picker)
  Syncer.layer.pipe(
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
export const withRecovery = Recovery.withRecovery("session-transfer")

/**
 * The sessions a person picks on a terminal (a command given no selection): every session of
 * the stores' homes (archived ones with `includeArchived`), active since `since` when given.
 * Choosing none is a usage error; Ctrl-C interrupts.
 *
 * @since 0.3.0
 * @category prompting
 */
export const pick = Effect.fn("HomeCommand.pick")(function*(
  stores: ReadonlyArray<AgentStore.AgentStore>,
  message: string,
  o: { readonly since: Option.Option<Date>; readonly includeArchived: boolean }
) {
  const listing = yield* withRecovery(SessionList.list(stores, {
    ids: [],
    cwds: [],
    since: Option.getOrUndefined(o.since),
    last: undefined,
    includeArchived: o.includeArchived
  }))
  if (listing.sessions.length === 0) return yield* new UsageError({ detail: "no session here to choose from" })
  const chosen = yield* Picker.pickSessions(listing.sessions, { message })
  if (chosen.length === 0) return yield* new UsageError({ detail: "no session chosen (tab selects one, enter confirms)" })
  return chosen
})
