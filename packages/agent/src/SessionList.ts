/**
 * The sessions of this machine's agent homes as a person asks for them (`session-transfer list`,
 * the picker, `cleanup`): every selected agent at once, newest first, each with the shortest id
 * prefix that names it alone.
 *
 * @since 0.3.0
 */
import { Effect } from "effect"
import type { AgentStore, ListSelection, SessionSummary, SkippedSession } from "./AgentStore.js"
import * as SessionLookup from "./SessionLookup.js"

/** @since 0.3.0 @category models */
export interface ListFilter {
  /** session ids, prefixes or names (resolved by {@link SessionLookup}) */
  readonly ids: ReadonlyArray<string>
  readonly cwds: ReadonlyArray<string>
  readonly since: Date | undefined
  /** only the newest N (after the other filters) */
  readonly last: number | undefined
  readonly includeArchived: boolean
}

/** A listed session and the id prefix that names it alone. @since 0.3.0 @category models */
export interface ListedSession extends SessionSummary {
  readonly shortId: string
}

/** @since 0.3.0 @category models */
export interface SessionListing {
  readonly sessions: ReadonlyArray<ListedSession>
  readonly unreadable: ReadonlyArray<SkippedSession>
  /** archived sessions the filter left out (`includeArchived: false`) */
  readonly archivedLeftOut: number
}

/**
 * The sessions of the stores whose home is here (or that were named), filtered, newest first.
 *
 * @since 0.3.0
 * @category listing
 */
export const list = Effect.fn("SessionList.list")(function*(stores: ReadonlyArray<AgentStore>, filter: ListFilter) {
  const ids = filter.ids.length === 0 ? [] : yield* SessionLookup.resolve(stores, filter.ids)
  const selection: ListSelection = { ids, cwds: filter.cwds, since: filter.since, all: ids.length === 0 && filter.cwds.length === 0, includeArchived: true }
  const listings = yield* Effect.forEach(stores.filter((store) => store.present), (store) => store.list(selection))
  const all = listings.flatMap((listing) => listing.sessions)
  const kept = filter.includeArchived ? all : all.filter((s) => !s.archived)
  const newest = [...kept].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id))
  const shown = filter.last === undefined ? newest : newest.slice(0, filter.last)
  // prefixes unique among every session of the homes, not only those shown
  const everyId = ids.length === 0 && filter.cwds.length === 0 && filter.since === undefined
    ? all.map((s) => s.id)
    : (yield* SessionLookup.listAll(stores)).map((s) => s.id)
  const short = SessionLookup.shortIds(everyId)
  return {
    sessions: shown.map((s): ListedSession => ({ ...s, shortId: short.get(s.id) ?? s.id })),
    unreadable: listings.flatMap((listing) => listing.unreadable),
    archivedLeftOut: all.length - kept.length
  } satisfies SessionListing
})
