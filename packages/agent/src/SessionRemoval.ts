/**
 * Removal of local sessions (`session-transfer cleanup`), for any set of agents, as one journaled
 * transaction: each store plans what its sessions consist of (files, rows, index and history
 * lines: `AgentStore.removal`), the plans are shown, and then written together. A rollback of the
 * transaction brings every session back exactly; a failure anywhere changes nothing.
 *
 * @since 0.3.0
 */
import { Effect, Schema } from "effect"
import type { AgentFailure, AgentStore, RemovalPlan, RemovedSession, SessionSummary } from "./AgentStore.js"
import * as Journals from "./Journals.js"

/** @since 0.3.0 @category errors */
export class RemovalError extends Schema.TaggedError<RemovalError>("@sessionport/agent/RemovalError")("RemovalError", {
  reason: Schema.Literal("nothing_selected", "unsupported"),
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** @since 0.3.0 @category models */
export interface RemovalResult {
  readonly dryRun: boolean
  /** the journal transaction (`rollback` with it brings the sessions back); `undefined` for a dry run */
  readonly transactionId: string | undefined
  readonly sessions: ReadonlyArray<RemovedSession>
  readonly warnings: ReadonlyArray<string>
}

/**
 * Every store's plan for the chosen sessions (in registry order).
 *
 * @since 0.3.0
 * @category planning
 */
export const plan = Effect.fn("SessionRemoval.plan")(function*(
  stores: ReadonlyArray<AgentStore>,
  chosen: ReadonlyArray<SessionSummary>
) {
  if (chosen.length === 0) return yield* new RemovalError({ reason: "nothing_selected", detail: "no session matches the selection" })
  const plans: Array<{ readonly store: AgentStore; readonly plan: RemovalPlan }> = []
  for (const store of stores) {
    const ids = chosen.filter((s) => s.agent === store.agent).map((s) => s.id)
    if (ids.length === 0) continue
    if (store.removal === undefined) {
      return yield* new RemovalError({ reason: "unsupported", detail: `${store.displayName} sessions cannot be removed by this version` })
    }
    plans.push({ store, plan: yield* store.removal.plan(ids) })
  }
  return plans
})

/**
 * The plans written in one transaction of the journal of the first agent's home (or only
 * described, for a dry run). Every agent must be idle.
 *
 * @since 0.3.0
 * @category removing
 */
export const apply = Effect.fn("SessionRemoval.apply")(function*(
  plans: ReadonlyArray<{ readonly store: AgentStore; readonly plan: RemovalPlan }>,
  dryRun: boolean
): Effect.fn.Return<RemovalResult, AgentFailure, Journals.Journals> {
  const sessions = plans.flatMap(({ plan }) => plan.sessions)
  const warnings = plans.flatMap(({ plan }) => plan.warnings)
  if (dryRun) return { dryRun, transactionId: undefined, sessions, warnings }
  for (const { store } of plans) yield* store.assertIdle
  const journals = yield* Journals.Journals
  const transactionId = yield* journals.forAgents(plans.map(({ plan }) => plan.agent)).transaction(
    { kind: "cleanup", summary: { sessions: sessions.map((s) => ({ agent: s.agent, id: s.id, path: s.path })) } },
    (tx) => Effect.as(Effect.forEach(plans, ({ plan }) => plan.write(tx), { discard: true }), tx.id)
  )
  return { dryRun, transactionId, sessions, warnings }
})
