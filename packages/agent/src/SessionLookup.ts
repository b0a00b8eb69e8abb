/**
 * Sessions as people name them: a full id, a unique prefix of one (`01a9f3`), or a session's
 * name (`"fix login"`). Every command that takes a session (`--thread`) resolves what it was given
 * here, against every selected agent's home at once, so that a prefix that two agents share is
 * ambiguous however it is looked for.
 *
 * Order: an exact id wins; then an exact name (then a name in another letter case); then an id
 * prefix. More than one session at the level that decides is refused, naming the candidates.
 * A full id is taken as it is, without listing any home (the store says if it has it).
 *
 * @since 0.3.0
 */
import { Effect, Schema } from "effect"
import type { AgentFailure, AgentStore, SessionSummary } from "./AgentStore.js"

/** @since 0.3.0 @category errors */
export class SessionLookupError extends Schema.TaggedError<SessionLookupError>("@sessionport/agent/SessionLookupError")(
  "SessionLookupError",
  {
    reason: Schema.Literal("not_found", "ambiguous"),
    given: Schema.String,
    detail: Schema.String
  }
) {
  override get message(): string {
    return this.detail
  }
}

/**
 * Ids an agent writes in full (Codex and Claude Code: UUIDs; OpenCode: `ses_`, 12 hex digits of
 * time, 14 base62 characters): a shorter `ses_…` is a prefix to resolve.
 */
const FULL_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|ses_[0-9A-Za-z]{26})$/i

/** @since 0.3.0 @category predicates */
export const isFullId = (text: string): boolean => FULL_ID.test(text)

const CANDIDATES_SHOWN = 8

/** What a lookup reads of a session. @since 0.3.0 @category models */
export type Named = Pick<SessionSummary, "agent" | "id" | "name" | "title">

const describeCandidate = (s: Named): string => `${s.agent} ${s.id}${s.name ?? s.title ? ` "${(s.name ?? s.title)!.slice(0, 40)}"` : ""}`

/**
 * The session `given` names among `sessions`, or why none does.
 *
 * @since 0.3.0
 * @category resolving
 */
export const match = <S extends Named>(given: string, sessions: ReadonlyArray<S>): S | SessionLookupError => {
  const levels: ReadonlyArray<(s: S) => boolean> = [
    (s) => s.id === given,
    (s) => s.name === given,
    (s) => s.name !== undefined && s.name.toLowerCase() === given.toLowerCase(),
    (s) => s.id.toLowerCase().startsWith(given.toLowerCase())
  ]
  for (const level of levels) {
    const found = sessions.filter(level)
    if (found.length === 1) return found[0]!
    if (found.length > 1) {
      const shown = found.slice(0, CANDIDATES_SHOWN).map(describeCandidate).join("; ")
      const more = found.length > CANDIDATES_SHOWN ? `; and ${found.length - CANDIDATES_SHOWN} more` : ""
      return new SessionLookupError({
        reason: "ambiguous",
        given,
        detail: `"${given}" names ${found.length} sessions: ${shown}${more}; give more of the id`
      })
    }
  }
  return new SessionLookupError({
    reason: "not_found",
    given,
    detail: `no session matches "${given}" (an id, a unique prefix of one, or a session's name)`
  })
}

/**
 * The full ids of the sessions named, in order (each once). The homes are listed once, and only
 * when something other than a full id was given.
 *
 * @since 0.3.0
 * @category resolving
 */
export const resolve = Effect.fn("SessionLookup.resolve")(function*(
  stores: ReadonlyArray<AgentStore>,
  given: ReadonlyArray<string>
) {
  if (given.every(isFullId)) return [...new Set(given)]
  const sessions = yield* listAll(stores)
  const out: Array<string> = []
  for (const text of given) {
    if (isFullId(text)) {
      out.push(text)
      continue
    }
    const found = match(text.trim(), sessions)
    if (found instanceof SessionLookupError) return yield* found
    out.push(found.id)
  }
  return [...new Set(out)]
})

/**
 * Every session of the stores whose home is here, archived ones included.
 *
 * @since 0.3.0
 * @category resolving
 */
export const listAll = (stores: ReadonlyArray<AgentStore>): Effect.Effect<Array<SessionSummary>, AgentFailure> =>
  Effect.map(
    Effect.forEach(stores.filter((store) => store.present), (store) =>
      Effect.map(store.list({ ids: [], cwds: [], since: undefined, all: true, includeArchived: true }), (listing) => listing.sessions)),
    (lists) => lists.flat()
  )

/**
 * The shortest prefix of each id that no other id of `ids` shares, at least `min` characters
 * (what `list` shows, and what `--thread` then takes back).
 *
 * @since 0.3.0
 * @category rendering
 */
export const shortIds = (ids: ReadonlyArray<string>, min = 8): Map<string, string> => {
  const sorted = [...new Set(ids)].sort()
  const common = (a: string | undefined, b: string | undefined) => {
    if (a === undefined || b === undefined) return 0
    let i = 0
    while (i < a.length && i < b.length && a[i] === b[i]) i++
    return i
  }
  const out = new Map<string, string>()
  sorted.forEach((id, i) => {
    // an OpenCode id's fixed `ses_` says nothing
    const floor = id.startsWith("ses_") ? min + 4 : min
    const length = Math.max(floor, common(id, sorted[i - 1]) + 1, common(id, sorted[i + 1]) + 1)
    out.set(id, id.slice(0, length))
  })
  return out
}
