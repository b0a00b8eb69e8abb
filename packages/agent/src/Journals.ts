/**
 * Where transactions are recorded when several agents' homes are written. Each agent home has
 * its own journal (`<home>/sessionport/journal`); a transaction is recorded in the journal of
 * the first home it writes, in registry order (Codex first, so a Codex transaction is where it
 * always was), and may write every home of the command. Listing, rollback and recovery look into
 * every home's journal.
 *
 * @since 0.2.0
 */
import { Journal, JournalError } from "@sessionport/journal"
import { Context, Effect, Layer } from "effect"

/** @since 0.2.0 @category models */
export interface JournalsShape {
  /** the journal of a transaction that writes these agents' homes */
  readonly forAgents: (agents: ReadonlyArray<string>) => Journal.JournalShape
  /** every home's journal, in registry order */
  readonly all: ReadonlyArray<Journal.JournalShape>
}

/** @since 0.2.0 @category tags */
export class Journals extends Context.Tag("@sessionport/agent/Journals")<Journals, JournalsShape>() {}

/**
 * The journals of these homes (agent → home, in registry order).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (homes: ReadonlyArray<{ readonly agent: string; readonly home: string }>): JournalsShape => {
  const roots = homes.map((h) => h.home)
  const byHome = new Map<string, Journal.JournalShape>()
  const journalOf = (home: string) => {
    let journal = byHome.get(home)
    if (journal === undefined) byHome.set(home, journal = Journal.make({ codexHome: home, roots }))
    return journal
  }
  const all = [...new Set(roots)].map(journalOf)
  return {
    all,
    forAgents: (agents) => journalOf((homes.find((h) => agents.includes(h.agent)) ?? homes[0]!).home)
  }
}

/** @since 0.2.0 @category layers */
export const layer = (homes: ReadonlyArray<{ readonly agent: string; readonly home: string }>): Layer.Layer<Journals> =>
  Layer.sync(Journals, () => make(homes))

/**
 * The journal holding a transaction (an id or a unique prefix; `latest`: the newest of all that
 * can still be rolled back).
 *
 * @since 0.2.0
 * @category queries
 */
export const holding = (journals: JournalsShape, id: string): Effect.Effect<Journal.JournalShape, JournalError.JournalError> =>
  Effect.gen(function*() {
    if (journals.all.length === 1) return journals.all[0]!
    if (id === "latest") {
      let newest: { readonly journal: Journal.JournalShape; readonly at: number } | undefined
      for (const journal of journals.all) {
        const list = yield* journal.list
        // the newest that can still be rolled back
        const at = Math.max(-Infinity, ...list.flatMap((tx) => "createdAt" in tx && tx.status !== "failed" && tx.status !== "rolled_back" ? [tx.createdAt] : []))
        if (newest === undefined || at > newest.at) newest = { journal, at }
      }
      return newest!.journal
    }
    const holders: Array<Journal.JournalShape> = []
    for (const journal of journals.all) {
      const found = yield* journal.get(id).pipe(Effect.as(true), Effect.catchAll(() => Effect.succeed(false)))
      if (found) holders.push(journal)
    }
    if (holders.length === 1) return holders[0]!
    // none (or an ambiguous prefix): the first journal says why, in its own words
    return holders[0] ?? journals.all[0]!
  })

/**
 * Every home's transactions, newest first.
 *
 * @since 0.2.0
 * @category queries
 */
export const list = (journals: JournalsShape) =>
  Effect.map(Effect.forEach(journals.all, (journal) => journal.list), (lists) =>
    lists.flat().sort((a, b) => ("createdAt" in b ? b.createdAt : 0) - ("createdAt" in a ? a.createdAt : 0)))

/**
 * Recovers every home's journal; the reports together.
 *
 * @since 0.2.0
 * @category recovery
 */
export const recover = (
  journals: JournalsShape,
  options?: { readonly force?: boolean | undefined }
): Effect.Effect<Journal.RecoverReport, JournalError.JournalError> =>
  Effect.map(Effect.forEach(journals.all, (journal) => journal.recover(options)), (reports) => {
    const recovered = reports.flatMap((r) => r.recovered)
    const damaged = reports.flatMap((r) => r.damaged ?? [])
    return damaged.length === 0 ? { recovered } : { recovered, damaged }
  })
