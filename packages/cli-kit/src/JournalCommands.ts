/**
 * `list-transactions`, `rollback` and `recover`: the journals of this machine's agent homes, the
 * same in every CLI (a transaction of one can be listed and undone by the other).
 *
 * @since 0.1.0
 */
import { Args, Command, Options as Opt } from "@effect/cli"
import type { Path } from "@effect/platform"
import { Journals } from "@sessionport/agent"
import type { Journal } from "@sessionport/journal"
import { Effect, type Layer, Option } from "effect"
import * as AgentHomes from "./AgentHomes.js"
import { UsageError } from "./Failure.js"
import * as Options from "./Options.js"
import * as Output from "./Output.js"
import { warnDamaged, withRecovery } from "./Recovery.js"

/**
 * The journals of the homes named by `--codex-home` and `--claude-home` (else their environment
 * variables, else `~/.codex` and `~/.claude`).
 *
 * @since 0.2.0
 * @category layers
 */
export const journalsLayer = (homes: AgentHomes.Homes): Layer.Layer<Journals.Journals, never, Path.Path> =>
  AgentHomes.journalsLayer(homes)

const describeStep = (step: Journal.UndoStep): string =>
  `${step.kind} ${step.target}: ${step.action}${step.detail === undefined ? "" : ` (${step.detail})`}`

/**
 * The three journal commands of `program`.
 *
 * @since 0.1.0
 * @category commands
 */
export const make = (program: string) => {
  const listTransactions = Command.make(
    "list-transactions",
    { codexHome: Options.codexHome, claudeHome: Options.claudeHome, opencodeData: Options.opencodeData, json: Options.json },
    Effect.fn("list-transactions")(function*(o) {
      const journals = yield* Journals.Journals
      const list = yield* withRecovery(program)(Journals.list(journals))
      if (o.json) return yield* Output.json(list)
      if (list.length === 0) return yield* Output.lines(["no transactions"])
      // a damaged record's message (what to do) was printed on stderr by the recovery
      yield* Output.lines(list.map((tx) =>
        `${tx.id}  ${new Date(tx.createdAt).toISOString()}  ${(tx.status === "damaged" ? "?" : tx.kind).padEnd(8)}  ${
          tx.status.padEnd(11)
        }  ${tx.status === "damaged" ? tx.path : `${tx.operations.total} operation(s)`}`
      ))
    }, (effect, o) => Effect.provide(effect, journalsLayer(o)))
  ).pipe(Command.withDescription("List the transactions of this machine's agent homes, newest first."))

  const rollback = Command.make(
    "rollback",
    {
      id: Args.text({ name: "TRANSACTION_ID" }).pipe(
        Args.withDescription("The transaction to undo (or a unique prefix of its id)."),
        Args.mapEffect(Options.nonBlank("TRANSACTION_ID")),
        Args.optional
      ),
      latest: Opt.boolean("latest").pipe(Opt.withDescription("Undo the newest transaction.")),
      force: Opt.boolean("force").pipe(Opt.withDescription("Undo even files and rows that changed since (the agent continued a session).")),
      codexHome: Options.codexHome,
      claudeHome: Options.claudeHome,
      opencodeData: Options.opencodeData,
      json: Options.json,
      dryRun: Options.dryRun
    },
    Effect.fn("rollback")(function*(o) {
      const id = Option.getOrElse(o.id, () => "latest")
      const journal = yield* Journals.holding(yield* Journals.Journals, id)
      // rollback recovers abandoned transactions itself, and --force must reach its own target
      const report = yield* journal.rollback(id, { force: o.force, dryRun: o.dryRun })
      if (o.json) return yield* Output.json(report)
      yield* Output.lines([
        `${o.dryRun ? "would roll back" : "rolled back"} ${report.id} (${report.kind}): ${report.steps.length} step(s)`,
        ...report.steps.map((step) => `  ${describeStep(step)}`)
      ])
    }, (effect, o) =>
      // a usage error opens nothing
      Option.isSome(o.id) === o.latest
        ? new UsageError({ detail: "name one transaction: TRANSACTION_ID or --latest" })
        : Effect.provide(effect, journalsLayer(o)))
  ).pipe(
    Command.withDescription(
      "Undo a transaction exactly (newest change first). Refuses, changing nothing, when a file it wrote changed since, unless --force."
    )
  )

  const recover = Command.make(
    "recover",
    { codexHome: Options.codexHome, claudeHome: Options.claudeHome, opencodeData: Options.opencodeData, json: Options.json },
    Effect.fn("recover")(function*(o) {
      const report = yield* Journals.recover(yield* Journals.Journals)
      yield* warnDamaged(program, report)
      if (o.json) return yield* Output.json(report)
      yield* Output.lines(
        report.recovered.length === 0
          ? ["nothing to recover"]
          : report.recovered.map((tx) => `rolled back ${tx.id} (${tx.kind}), left unfinished by a process that stopped`)
      )
    }, (effect, o) => Effect.provide(effect, journalsLayer(o)))
  ).pipe(Command.withDescription("Roll back any transaction a stopped process left unfinished (every command does this first)."))

  return { listTransactions, rollback, recover } as const
}
