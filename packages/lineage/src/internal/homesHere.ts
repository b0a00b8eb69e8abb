/**
 * The homes an exchange pull takes packages into, and what each has taken: pull applies what is
 * pending for them, status counts it. Reads only.
 *
 * @internal
 */
import type { AgentStore } from "@sessionport/agent"
import { Effect } from "effect"
import * as ExchangeState from "../ExchangeState.js"
import type { LineageError } from "../LineageError.js"

/** @internal */
export interface HomesHere {
  /** the present stores of the selected agents (empty selection: all) that can sync */
  readonly stores: ReadonlyArray<AgentStore.AgentStore>
  /** `agent`'s home here has a receipt for that machine's package */
  readonly taken: (agent: string, machineId: string, stem: string) => boolean
}

/** @internal */
export const homesHere = (
  stores: ReadonlyArray<AgentStore.AgentStore>,
  agents: ReadonlyArray<string>
): Effect.Effect<HomesHere, LineageError> =>
  Effect.gen(function*() {
    const selected = stores.filter((store) => store.present && store.sync !== undefined && (agents.length === 0 || agents.includes(store.agent)))
    const snapshots = new Map<string, ExchangeState.Snapshot>()
    for (const store of selected) snapshots.set(store.agent, yield* ExchangeState.make(store.home).snapshot)
    return {
      stores: selected,
      taken: (agent, machineId, stem) => snapshots.get(agent)?.applied.has(ExchangeState.appliedKey(machineId, stem)) === true
    }
  })
