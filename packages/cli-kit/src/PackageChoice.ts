/**
 * A package's sessions with their status on this machine (`list PACKAGE`), and the choice of
 * which to install or sync on a terminal: a picker showing each with its status, preselecting
 * those the command would bring here (an install: the `new` ones; a sync: all but those already
 * here or ahead). The statuses are a sync's dry-run classification (`PackageStatus`), so every
 * command agrees on them.
 *
 * @since 0.3.0
 */
import { AgentStore, SessionLookup } from "@sessionport/agent"
import { PackageStatus, Syncer } from "@sessionport/lineage"
import { PackageInspection } from "@sessionport/package-format"
import { Effect } from "effect"
import { AGENTS } from "./AgentHomes.js"
import * as Confirm from "./Confirm.js"
import { UsageError } from "./Failure.js"
import * as Picker from "./Picker.js"

/** A session of a package and its status here. @since 0.3.0 @category models */
export interface PackageSession {
  readonly agent: string
  readonly id: string
  readonly status: PackageStatus.Status
  /** the local session it is (or would fast-forward, or branch from) */
  readonly localId: string | undefined
  readonly cwd: string | undefined
  readonly title: string | undefined
  readonly size: number
}

/**
 * Each session of the package with its status here.
 *
 * @since 0.3.0
 * @category reading
 */
export const sessions = Effect.fn("PackageChoice.sessions")(function*(pkg: string) {
  const inspection = yield* PackageInspection.inspect(pkg, { agents: AGENTS.filter((agent) => agent !== "codex") })
  const syncer = yield* Syncer.Syncer
  const plan = yield* syncer.sync({ package: pkg, maps: [], dryRun: true })
  const decided = new Map(plan.sessions.map((d) => [AgentStore.sessionKey(d.agent, d.sourceId), d]))
  return inspection.sessions.flatMap((s): Array<PackageSession> => {
    const decision = s.threadId === undefined ? undefined : decided.get(AgentStore.sessionKey(s.agent, s.threadId))
    return s.threadId === undefined || decision === undefined ? [] : [{
      agent: s.agent,
      id: s.threadId,
      status: PackageStatus.of(decision),
      localId: decision.localId,
      cwd: s.cwd,
      title: s.name ?? s.firstPrompt,
      size: s.size
    }]
  })
})

/** What an install brings: sessions not here. @since 0.3.0 @category choosing */
export const forInstall = (status: PackageStatus.Status): boolean => status === "new"

/** What a sync changes: all but what is here already (or further here). @since 0.3.0 @category choosing */
export const forSync = (status: PackageStatus.Status): boolean => status !== "already_here" && status !== "ahead"

/**
 * On a terminal, for a package of several sessions (and unless `skip`), the sessions a person
 * chooses, preselected by `preselect`; `undefined`: no picker (all of them). Choosing none is a
 * usage error; Ctrl-C interrupts.
 *
 * @since 0.3.0
 * @category choosing
 */
export const choose = Effect.fn("PackageChoice.choose")(function*(
  pkg: string,
  options: { readonly message: string; readonly preselect: (status: PackageStatus.Status) => boolean; readonly skip: boolean }
) {
  if (options.skip || !Confirm.canAsk()) return undefined
  const found = yield* sessions(pkg)
  if (found.length <= 1) return undefined
  const short = SessionLookup.shortIds(found.map((s) => s.id))
  const chosen = yield* Picker.pickSessions(
    found.map((s) => ({ ...s, shortId: short.get(s.id), cwd: s.cwd ?? "", status: PackageStatus.label(s.status) })),
    { message: options.message, preselected: found.filter((s) => options.preselect(s.status)).map((s) => s.id) }
  )
  if (chosen.length === 0) return yield* new UsageError({ detail: "no session chosen; nothing was changed" })
  const ids = new Set(chosen)
  return new Set(found.filter((s) => ids.has(s.id)).map((s) => AgentStore.sessionKey(s.agent, s.id)))
})
