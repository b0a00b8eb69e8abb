/**
 * Options every command shares.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { PathRules } from "@sessionport/localize"
import { Effect, Either } from "effect"
import { UsageError } from "./Failure.js"

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

/** @since 0.1.0 @category options */
export const maps = Options.text("map").pipe(
  Options.withDescription("Localize paths under FROM to TO (FROM=TO, repeatable; the longest prefix wins)."),
  Options.repeated
)

/**
 * The `--map` values parsed, or the usage error of the first bad one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseMaps = (texts: ReadonlyArray<string>): Effect.Effect<Array<PathRules.Mapping>, UsageError> =>
  Effect.forEach(texts, (text) =>
    Either.match(PathRules.parseMapping(text), {
      onLeft: (error) => Effect.fail(new UsageError({ detail: error.message })),
      onRight: Effect.succeed
    }))
