/**
 * The rewrites an install shows (its dry run prints them, `--json` carries them): the first
 * {@link PER_SESSION} of each session, at most {@link TOTAL} in all. The rest are only counted
 * (each installed session's `rewrites`), never held: a 10,000-session install would otherwise
 * keep 200,000 of them to the end and print megabytes.
 *
 * @since 0.3.0
 */
import type { Rewriter } from "@sessionport/localize"
import type { SessionChange } from "./AgentStore.js"

/** @since 0.3.0 @category constants */
export const PER_SESSION = 20

/** @since 0.3.0 @category constants */
export const TOTAL = 200

/**
 * Collects what an install shows, in the order the sessions are written.
 *
 * @since 0.3.0
 * @category models
 */
export class ShownChanges {
  readonly changes: Array<SessionChange> = []
  private readonly bySession = new Map<string, number>()

  /** Keeps what is still shown of `changes`, the rewrites (of one file) of `session`. */
  add(session: string, changes: ReadonlyArray<Rewriter.Change>): void {
    const shown = this.bySession.get(session) ?? 0
    const room = Math.min(PER_SESSION - shown, TOTAL - this.changes.length)
    if (room <= 0) return
    const more = changes.slice(0, room)
    this.bySession.set(session, shown + more.length)
    for (const change of more) this.changes.push({ ...change, session })
  }
}
