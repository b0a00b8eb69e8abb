/**
 * One example per command, shown at the end of its `--help` (`HelpText.tidy` adds it): the
 * commands' own files need nothing. Each is a real invocation; a test parses every one with the
 * command tree of its CLI.
 *
 * @since 0.3.0
 */

/**
 * The example of each command, by program and command.
 *
 * @since 0.3.0
 * @category constants
 */
export const EXAMPLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "session-transfer": {
    actions: "session-transfer actions app.tgz --format table",
    cleanup: "session-transfer cleanup --thread 019a3f2c --dry-run",
    export: "session-transfer export --cwd ~/code/app --out app.tgz",
    inspect: "session-transfer inspect app.tgz",
    install: "session-transfer install app.tgz --map /Users/alice/code=~/code",
    list: "session-transfer list --since 7d",
    "list-transactions": "session-transfer list-transactions --json",
    recover: "session-transfer recover",
    rollback: "session-transfer rollback --latest --dry-run",
    scan: "session-transfer scan --agent claude --fail-on-secrets",
    validate: "session-transfer validate ~/.codex"
  },
  "session-sync": {
    adopt: "session-sync adopt --agent claude --dry-run",
    compact: "session-sync compact --dry-run",
    "inspect-package": "session-sync inspect-package app.tgz",
    "list-transactions": "session-sync list-transactions",
    "prune-invalid-mappings": "session-sync prune-invalid-mappings --dry-run",
    pull: "session-sync pull --from ~/Dropbox/sessionport --dry-run",
    push: "session-sync push --to ~/Dropbox/sessionport",
    "rebuild-sidecar": "session-sync rebuild-sidecar --agent opencode",
    recover: "session-sync recover",
    "replay-transactions-sidecar": "session-sync replay-transactions-sidecar --dry-run",
    rollback: "session-sync rollback --latest",
    "sidecar-health": "session-sync sidecar-health --json",
    status: "session-sync status",
    sync: "session-sync sync app.tgz --map /Users/alice/code=~/code --dry-run"
  }
}

/**
 * The example of `program`'s `command`, if it has one.
 *
 * @since 0.3.0
 * @category lookups
 */
export const example = (program: string, command: string): string | undefined =>
  Object.hasOwn(EXAMPLES, program) && Object.hasOwn(EXAMPLES[program]!, command) ? EXAMPLES[program]![command] : undefined

/**
 * The help's EXAMPLE section of `command` (its header bold when the help is coloured), or an
 * empty string when it has none.
 *
 * @since 0.3.0
 * @category rendering
 */
export const section = (program: string, command: string, coloured: boolean): string => {
  const line = example(program, command)
  if (line === undefined) return ""
  const header = coloured ? "\u001b[0;1mEXAMPLE\u001b[0m" : "EXAMPLE"
  return `${header}\n\n  $ ${line}\n`
}
