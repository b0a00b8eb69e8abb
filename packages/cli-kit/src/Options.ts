/**
 * Options every command shares, and the checks every path argument gets. Arguments are checked
 * while the command line is parsed: a usage error (exit 2) stops before any Codex home, journal
 * or database is opened.
 *
 * @since 0.1.0
 */
import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
import { PathRules } from "@sessionport/localize"
import { Effect, Either } from "effect"

/**
 * The check of a value that must say something: an empty value (an unset shell variable, as in
 * `--codex-home "$HOME_B"`) must not fall back to a default or match everything.
 *
 * @since 0.1.0
 * @category parsing
 */
export const nonBlank = (what: string) => (text: string): Effect.Effect<string, HelpDoc.HelpDoc> =>
  text.trim() === "" ? Effect.fail(HelpDoc.p(`${what} is empty`)) : Effect.succeed(text)

/**
 * An option naming a file or folder; empty or only whitespace is a usage error.
 *
 * @since 0.1.0
 * @category options
 */
export const path = (name: string, description: string): Options.Options<string> =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.mapEffect((text) => Effect.mapError(nonBlank(`--${name}`)(text), ValidationError.invalidValue))
  )

/**
 * A repeatable option naming files or folders; any value empty or only whitespace is a usage error.
 *
 * @since 0.1.0
 * @category options
 */
export const paths = (name: string, description: string): Options.Options<Array<string>> =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.repeated,
    Options.mapEffect((texts) =>
      Effect.mapError(Effect.forEach(texts, nonBlank(`--${name}`)), ValidationError.invalidValue)
    )
  )

/**
 * An argument naming a file or folder; empty or only whitespace is a usage error.
 *
 * @since 0.1.0
 * @category options
 */
export const pathArg = (name: string, description: string): Args.Args<string> =>
  Args.text({ name }).pipe(Args.withDescription(description), Args.mapEffect(nonBlank(name)))

/** @since 0.1.0 @category options */
export const json = Options.boolean("json").pipe(
  Options.withDescription("Print a machine-readable result on stdout (logs, progress and errors go to stderr).")
)

/** @since 0.1.0 @category options */
export const codexHome = path("codex-home", "The Codex home to use (default: $CODEX_HOME, else ~/.codex).").pipe(
  Options.optional
)

/** @since 0.2.0 @category options */
export const claudeHome = path("claude-home", "The Claude Code home to use (default: $CLAUDE_CONFIG_DIR, else ~/.claude).").pipe(
  Options.optional
)

/** @since 0.2.0 @category options */
export const opencodeData = path(
  "opencode-data",
  "The OpenCode data folder to use (default: $XDG_DATA_HOME/opencode, else ~/.local/share/opencode; its database is opencode.db there, or $OPENCODE_DB)."
).pipe(Options.optional)

/** @since 0.1.0 @category options */
export const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("Show what would be done and change nothing.")
)

/**
 * `--map FROM=TO`, repeatable, parsed as it is read: the first bad one is a usage error.
 *
 * @since 0.1.0
 * @category options
 */
export const maps: Options.Options<Array<PathRules.Mapping>> = Options.text("map").pipe(
  Options.withDescription("Localize paths under FROM to TO (FROM=TO, repeatable; the longest prefix wins)."),
  Options.repeated,
  Options.mapEffect((texts) =>
    Effect.forEach(texts, (text) =>
      Either.match(PathRules.parseMapping(text), {
        onLeft: (error) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(error.message))),
        onRight: Effect.succeed
      }))
  )
)
