/**
 * `session-transfer cleanup`: removes local sessions of any agent, selected as `export` selects
 * them (or picked on a terminal), as one journaled transaction that `rollback` undoes exactly.
 *
 * Flow: the selection is resolved (ids, prefixes, names, folders, `--all`; else the picker), each
 * agent's store plans what its sessions consist of (`SessionRemoval.plan`), the plan is shown;
 * then `--dry-run` stops, `--yes` goes ahead, a terminal asks for the typed confirmation, and
 * anything else is refused; the removal is written (`SessionRemoval.apply`).
 *
 * @since 0.3.0
 */
import { Command, Options as Opt } from "@effect/cli"
import { Agents, type AgentStore, SessionList, SessionRemoval } from "@sessionport/agent"
import { Confirm, Options, Output } from "@sessionport/cli-kit"
import { UsageError } from "@sessionport/cli-kit/Failure"
import { Effect, Option } from "effect"
import * as HomeCommand from "../HomeCommand.js"

const options = {
  agent: Options.agents("Only this agent's sessions (repeatable; default: every agent whose home exists here)."),
  thread: Options.threads("A session to remove: its id, a unique prefix of one, or its name (repeatable)."),
  cwd: Options.paths("cwd", "Remove the sessions started in this folder or below it (repeatable)."),
  since: Options.since("Only sessions active since then: an age (7d, 12h, 2w) or a date (2026-11-01)."),
  all: Opt.boolean("all").pipe(Opt.withDescription("Remove every session (archived ones only with --include-archived).")),
  includeArchived: Opt.boolean("include-archived").pipe(Opt.withDescription("Include archived sessions in --all, --cwd and the picker.")),
  yes: Options.yes("Remove without asking (needed off a terminal)."),
  codexHome: Options.codexHome,
  claudeHome: Options.claudeHome,
  opencodeData: Options.opencodeData,
  json: Options.json,
  dryRun: Options.dryRun
}

const counts = (record: Readonly<Record<string, number>>): number => Object.values(record).reduce((a, b) => a + b, 0)

const renderPlan = (result: SessionRemoval.RemovalResult, applied: boolean): Array<string> => {
  const verb = applied ? "removed" : "would remove"
  const out = [`${verb} ${result.sessions.length} session(s):`]
  for (const s of result.sessions) {
    const rows = counts(s.rows)
    const lines = counts(s.lines)
    const parts = [
      `${s.files.length} file(s), ${Output.size(s.bytes)}`,
      ...(rows === 0 ? [] : [`${rows} row(s)`]),
      ...(lines === 0 ? [] : [`${lines} index/history line(s)`])
    ]
    out.push(`  ${s.agent.padEnd(8)} ${s.id}  ${Output.cell(s.title ?? "", 40)}  ${s.cwd}  (${parts.join(", ")})`)
  }
  if (applied && result.transactionId !== undefined) {
    out.push(`transaction ${result.transactionId}: session-transfer rollback ${result.transactionId} brings them back`)
  }
  return out
}

/** the sessions the command line names; none named: the picker's (on a terminal) */
const chosenSessions = Effect.fn("cleanup.chosen")(function*(
  stores: ReadonlyArray<AgentStore.AgentStore>,
  o: {
    readonly thread: ReadonlyArray<string>
    readonly cwd: ReadonlyArray<string>
    readonly all: boolean
    readonly since: Option.Option<Date>
    readonly includeArchived: boolean
  }
) {
  const named = o.all || o.thread.length > 0 || o.cwd.length > 0
  const ids = named ? o.thread : yield* HomeCommand.pick(stores, "Sessions to remove", o)
  const listing = yield* HomeCommand.withRecovery(SessionList.list(stores, {
    ids,
    cwds: named ? o.cwd : [],
    since: named ? Option.getOrUndefined(o.since) : undefined,
    last: undefined,
    // a session named by id goes, archived or not
    includeArchived: o.includeArchived || ids.length > 0
  }))
  return listing.sessions
})

/** @since 0.3.0 @category commands */
export const command = Command.make(
  "cleanup",
  options,
  Effect.fn("cleanup")(function*(o) {
    const selected = yield* Agents.select(o.agent)
    const stores = o.agent.length > 0 ? selected : selected.filter((store) => store.present)
    const sessions = yield* chosenSessions(stores, o)
    const plans = yield* SessionRemoval.plan(stores, sessions)
    const preview = yield* SessionRemoval.apply(plans, true)
    for (const warning of preview.warnings) yield* Effect.logWarning(warning)
    if (o.dryRun) return yield* o.json ? Output.json(preview) : Output.lines(renderPlan(preview, false))
    if ((yield* Confirm.consent("cleanup", o.yes)) === "ask") {
      yield* Output.errorLines(renderPlan(preview, false))
      const expected = `remove ${sessions.length}`
      const agreed = yield* Confirm.askTyped(
        `This removes ${sessions.length} session(s) from this machine (session-transfer rollback brings them back).`,
        expected
      )
      if (!agreed) return yield* new UsageError({ detail: "not confirmed; nothing was removed" })
    }
    const result = yield* HomeCommand.withRecovery(SessionRemoval.apply(plans, false))
    yield* o.json ? Output.json(result) : Output.lines(renderPlan(result, true))
  }, (effect, o) =>
    // a usage error opens nothing
    !(o.all || o.thread.length > 0 || o.cwd.length > 0) && !Confirm.canAsk()
      ? new UsageError({ detail: "say what to remove: --thread ID, --cwd PATH or --all (on a terminal, without them, a picker opens)" })
      : Effect.provide(Effect.scoped(effect), HomeCommand.layer(o, o.json)))
).pipe(
  Command.withDescription(
    "Remove local sessions (Codex, Claude Code, OpenCode): their files, rows, index and history lines, as one journaled transaction that rollback undoes. Shows the plan first; asks for a typed confirmation on a terminal, needs --yes off one."
  )
)
