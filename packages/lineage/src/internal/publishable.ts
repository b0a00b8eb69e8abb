/**
 * What a push would publish now: the sessions of every selected present home that changed since
 * this machine's outbox last published them or a pull last left them (`changedSince`). Push
 * publishes them; status counts them. Reads only.
 *
 * @internal
 */
import type { AgentStore } from "@sessionport/agent"
import { Outbox } from "@sessionport/package-format"
import { Effect } from "effect"
import * as ExchangeState from "../ExchangeState.js"
import type { LineageError } from "../LineageError.js"
import { changedSince, type MarkedAt } from "./exchangeChanges.js"

/** @internal */
export interface Publishable {
  /** the present stores of the selected agents (empty selection: every present store) */
  readonly selected: ReadonlyArray<AgentStore.AgentStore>
  /** every session they list */
  readonly listed: ReadonlyArray<AgentStore.SessionSummary>
  /** agent → its changed sessions, in listing order (agents with none are absent) */
  readonly changed: ReadonlyMap<string, ReadonlyArray<AgentStore.SessionSummary>>
  readonly unchanged: number
  /** listed sessions that cannot be read */
  readonly unreadable: ReadonlyArray<AgentStore.SkippedSession>
}

/**
 * `index`: this machine's outbox index (none: nothing pushed yet). `all`: every session counts as
 * changed, pulled and already pushed ones too.
 *
 * @internal
 */
export const publishable = (
  stores: ReadonlyArray<AgentStore.AgentStore>,
  options: {
    readonly agents: ReadonlyArray<string>
    readonly index: Outbox.OutboxIndex | undefined
    readonly all: boolean
  }
): Effect.Effect<Publishable, AgentStore.AgentFailure | LineageError> =>
  Effect.gen(function*() {
    const selected = stores.filter((store) => store.present && (options.agents.length === 0 || options.agents.includes(store.agent)))
    const listings = yield* Effect.forEach(selected, (store) =>
      store.list({ ids: [], cwds: [], since: undefined, all: true, includeArchived: true }))
    const listed = listings.flatMap((listing) => listing.sessions)
    // `all`: compared with nothing, every session is changed
    const marks = new Map<string, ReadonlyMap<string, MarkedAt>>()
    if (!options.all) {
      for (const store of selected) marks.set(store.agent, (yield* ExchangeState.make(store.home).snapshot).marks)
    }
    const pushed = options.index === undefined || options.all ? new Map() : Outbox.lastPushed(options.index)
    const { changed, unchanged } = changedSince(listed, pushed, marks)
    return { selected, listed, changed, unchanged, unreadable: listings.flatMap((listing) => listing.unreadable) }
  })
