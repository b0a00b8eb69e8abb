/**
 * The `session-transfer` command tree.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import * as Actions from "./commands/actions.js"
import * as Cleanup from "./commands/cleanup.js"
import * as Export from "./commands/export.js"
import * as Inspect from "./commands/inspect.js"
import * as Install from "./commands/install.js"
import * as List from "./commands/list.js"
import * as Scan from "./commands/scan.js"
import * as Validate from "./commands/validate.js"
import { JournalCommands } from "@sessionport/cli-kit"
import { Producer } from "@sessionport/package-format"

const Transactions = JournalCommands.make("session-transfer")

/** @since 0.1.0 @category commands */
export const root = Command.make("session-transfer").pipe(
  Command.withDescription("Carry Codex, Claude Code and OpenCode sessions between machines: list, export, inspect, install, clean up, roll back; scan for secrets; validate and list actions of Codex rollouts."),
  Command.withSubcommands([
    Actions.command,
    Cleanup.command,
    Export.command,
    Inspect.command,
    Install.command,
    List.command,
    Transactions.listTransactions,
    Transactions.rollback,
    Transactions.recover,
    Scan.command,
    Validate.command
  ])
)

/** @since 0.1.0 @category running */
export const run = Command.run(root, { name: "session-transfer", version: Producer.VERSION })
