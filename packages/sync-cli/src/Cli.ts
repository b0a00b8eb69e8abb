/**
 * The `session-sync` command tree.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { JournalCommands } from "@sessionport/cli-kit"
import { Producer } from "@sessionport/package-format"
import * as Exchange from "./commands/exchange.js"
import * as Sidecar from "./commands/sidecar.js"
import * as Sync from "./commands/sync.js"

const Transactions = JournalCommands.make("session-sync")

/** @since 0.1.0 @category commands */
export const root = Command.make("session-sync").pipe(
  Command.withDescription(
    "Repeat imports of session packages (Codex, Claude Code, OpenCode) by lineage: skip what this machine has, fast-forward what fell behind, keep diverged sessions and import a branch. Every change can be rolled back."
  ),
  Command.withSubcommands([
    Sync.inspectPackage,
    Sync.sync,
    Exchange.push,
    Exchange.pull,
    Exchange.status,
    Exchange.compact,
    Sidecar.adopt,
    Transactions.listTransactions,
    Transactions.rollback,
    Transactions.recover,
    Sidecar.sidecarHealth,
    Sidecar.rebuildSidecar,
    Sidecar.pruneInvalidMappings,
    Sidecar.replayTransactionsSidecar
  ])
)

/** @since 0.1.0 @category running */
export const run = Command.run(root, { name: "session-sync", version: Producer.VERSION })
