/**
 * What push publishes: the sessions changed since this machine last pushed them or a pull last
 * left them. Pure.
 *
 * Both fields count: Codex and Claude Code only append (size alone would do), but OpenCode's
 * `stats.bytes` can stay equal after an in-place part update, which `updatedAt` catches. A false
 * "changed" only publishes a session again (a pull classifies it unchanged).
 *
 * @internal
 */
import { Outbox } from "@sessionport/package-format"

/** @internal what a listing gives of a session (`SessionSummary`) */
export interface Listed {
  readonly agent: string
  readonly id: string
  readonly size: number
  /** RFC 3339 */
  readonly updatedAt: string
}

/** @internal a session as last pushed (`Outbox.lastPushed`) */
export interface PushedAt {
  readonly size: number
  readonly updated_at: string
}

/** @internal a session as a pull left it (`ExchangeState.Snapshot.marks`) */
export interface MarkedAt {
  readonly size: number
  readonly updatedAt: string
}

/** @internal */
export interface Changed<S extends Listed> {
  /** agent → its changed sessions, in listing order (agents with none are absent) */
  readonly changed: ReadonlyMap<string, ReadonlyArray<S>>
  readonly unchanged: number
}

// the same instant written two ways is the same time
const sameTime = (a: string, b: string): boolean => a === b || (!Number.isNaN(Date.parse(a)) && Date.parse(a) === Date.parse(b))

const same = (session: Listed, size: number, updatedAt: string): boolean =>
  session.size === size && sameTime(session.updatedAt, updatedAt)

/**
 * A session is changed when its `(size, updatedAt)` equals neither its last-pushed entry
 * (`lastPushed`, by `Outbox.sessionKey`) nor its mark (`marks`: agent → local id → mark).
 *
 * @internal
 */
export const changedSince = <S extends Listed>(
  listed: Iterable<S>,
  lastPushed: ReadonlyMap<string, PushedAt>,
  marks: ReadonlyMap<string, ReadonlyMap<string, MarkedAt>>
): Changed<S> => {
  const changed = new Map<string, Array<S>>()
  let unchanged = 0
  for (const session of listed) {
    const pushed = lastPushed.get(Outbox.sessionKey(session.agent, session.id))
    const mark = marks.get(session.agent)?.get(session.id)
    if ((pushed !== undefined && same(session, pushed.size, pushed.updated_at)) || (mark !== undefined && same(session, mark.size, mark.updatedAt))) {
      unchanged++
      continue
    }
    const list = changed.get(session.agent)
    if (list === undefined) changed.set(session.agent, [session])
    else list.push(session)
  }
  return { changed, unchanged }
}
