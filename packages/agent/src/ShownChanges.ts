/**
 * The rewrites an install shows (its dry run prints them, `--json` carries them). A session's
 * values rewritten to new ids (its own id on every line, a parent's, a message's) are summed up
 * in one entry per session, so that they never bury the rest (paths, timestamps): of those, the
 * first {@link SHOWN_PER_SESSION} of each session are kept, {@link TOTAL} entries at most in all.
 * The rest are only counted (each installed session's `rewrites`), never held: a 10,000-session
 * install would otherwise keep hundreds of thousands of them to the end and print megabytes.
 *
 * An id is told by its shape: a value with no path separator, space or colon (a UUID, `ses_…`,
 * `msg_…`) rewritten to another such value; paths, text and timestamps all hold one of those.
 *
 * @since 0.3.0
 */
import type { Rewriter } from "@sessionport/localize"
import type { SessionChange } from "./AgentStore.js"

/**
 * The changes each rewrite keeps for the plan (its `maxChanges`; the rest only counted): enough
 * that a session's path rewrites are found past its first id swaps, few enough that a rewrite's
 * report stays small while the install holds it.
 *
 * @since 0.3.0
 * @category constants
 */
export const PER_SESSION = 50

/** Rewrites other than ids shown per session. @since 0.3.0 @category constants */
export const SHOWN_PER_SESSION = 20

/** Entries shown in all. @since 0.3.0 @category constants */
export const TOTAL = 200

/**
 * A shown change; with `ids`, the summary of a session's id swaps: that many values rewritten
 * to new ids, the first of them as its line, field, old and new.
 *
 * @since 0.3.0
 * @category models
 */
export type ShownChange = SessionChange & { readonly ids?: number | undefined }

const NOT_ID = /[\s/\\:]/

/** Whether a change rewrites an id (by the shape of its values). @since 0.3.0 @category predicates */
export const isIdSwap = (change: Rewriter.Change): boolean =>
  typeof change.old === "string" && typeof change.new === "string" && change.old !== "" && change.new !== "" &&
  !NOT_ID.test(change.old) && !NOT_ID.test(change.new)

/** How many id swaps a shown change sums up (`undefined`: it is a single rewrite). @since 0.3.0 @category getters */
export const idsOf = (change: SessionChange): number | undefined => (change as ShownChange).ids

/**
 * Collects what an install shows, in the order the sessions are written.
 *
 * @since 0.3.0
 * @category models
 */
export class ShownChanges {
  readonly changes: Array<ShownChange> = []
  private readonly shownBySession = new Map<string, number>()
  private readonly idsBySession = new Map<string, { ids: number }>()

  /** Keeps what is still shown of `changes`, the rewrites (of one file) of `session`. */
  add(session: string, changes: ReadonlyArray<Rewriter.Change>): void {
    let shown = this.shownBySession.get(session) ?? 0
    for (const change of changes) {
      if (isIdSwap(change)) {
        const summary = this.idsBySession.get(session)
        if (summary !== undefined) summary.ids++
        else if (this.changes.length < TOTAL) {
          const first = { ...change, session, ids: 1 }
          this.idsBySession.set(session, first)
          this.changes.push(first)
        }
      } else if (shown < SHOWN_PER_SESSION && this.changes.length < TOTAL) {
        this.changes.push({ ...change, session })
        shown++
      }
    }
    this.shownBySession.set(session, shown)
  }
}
