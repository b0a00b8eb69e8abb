/**
 * The agent stores a command works with, in registry order (Codex first): the one place the
 * CLIs learn which agents exist. A new agent is one store package plus its entry here.
 *
 * @since 0.2.0
 */
import { Context, Effect } from "effect"
import type { AgentStore } from "./AgentStore.js"

/** @since 0.2.0 @category models */
export interface AgentsShape {
  readonly stores: ReadonlyArray<AgentStore>
}

/** @since 0.2.0 @category tags */
export class Agents extends Context.Tag("@sessionport/agent/Agents")<Agents, AgentsShape>() {}

/**
 * A usage mistake about agents: an agent name this sessionport does not know.
 *
 * @since 0.2.0
 * @category errors
 */
export class UnknownAgent extends Error {
  readonly _tag = "UnknownAgent"
}

/**
 * The stores named (in registry order), or every store when `names` is empty.
 *
 * @since 0.2.0
 * @category selecting
 */
export const select = (names: ReadonlyArray<string>) =>
  Effect.map(Agents, ({ stores }) => names.length === 0 ? stores : stores.filter((store) => names.includes(store.agent)))
