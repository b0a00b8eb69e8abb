/**
 * The store of an agent whose home is not on this machine, or cannot be opened. It exports
 * nothing, and fails with the home's own error (one line) as soon as it is asked for something it
 * would need the home for: exporting from it, or installing a package that holds its sessions.
 * A package without such sessions installs as if the agent did not exist.
 *
 * @since 0.2.0
 */
import { Effect, Stream } from "effect"
import type { AgentFailure, AgentStore } from "./AgentStore.js"

/** @since 0.2.0 @category constructors */
export const make = (
  store: Pick<AgentStore, "agent" | "displayName" | "home" | "dialect" | "ownsEntry">,
  failure: AgentFailure,
  /** the home is there but cannot be opened: an export of every present agent fails with why */
  present = false
): AgentStore => ({
  ...store,
  present,
  scan: () => ({ push: () => false, end: () => undefined }),
  list: () => Effect.fail(failure),
  read: () => Stream.fail(failure),
  exportPart: () => Effect.fail(failure),
  planInstall: (context) => [...context.verified.sessions.keys()].some(store.ownsEntry) ? Effect.fail(failure) : Effect.succeed(undefined),
  assertIdle: Effect.void
})
