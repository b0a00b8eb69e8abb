/**
 * Options every command shares.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"

/** @since 0.1.0 @category options */
export const json = Options.boolean("json").pipe(
  Options.withDescription("Print a machine-readable result on stdout (logs, progress and errors go to stderr).")
)

/** @since 0.1.0 @category options */
export const codexHome = Options.text("codex-home").pipe(
  Options.withDescription("The Codex home to use (default: $CODEX_HOME, else ~/.codex)."),
  Options.optional
)

/** @since 0.1.0 @category options */
export const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("Show what would be done and change nothing.")
)
