/**
 * Options every command shares, and the checks every path argument gets. Arguments are checked
 * while the command line is parsed: a usage error (exit 2) stops before any Codex home, journal
 * or database is opened.
 *
 * @since 0.1.0
 */
import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
import { PathRules } from "@sessionport/localize"
import { AGENTS } from "./AgentHomes.js"
import { Effect, Either, type Option } from "effect"
import * as os from "node:os"
import * as nodePath from "node:path"

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
export const path = (name: string, description: string, placeholder = "PATH"): Options.Options<string> =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.withPseudoName(placeholder),
    Options.mapEffect((text) => Effect.mapError(nonBlank(`--${name}`)(text), ValidationError.invalidValue))
  )

/**
 * A repeatable option naming files or folders; any value empty or only whitespace is a usage error.
 *
 * @since 0.1.0
 * @category options
 */
export const paths = (name: string, description: string, placeholder = "PATH"): Options.Options<Array<string>> =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.withPseudoName(placeholder),
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

/**
 * `--agent`, repeatable: the agents a command works on (none given: every agent whose home is here).
 *
 * @since 0.3.0
 * @category options
 */
export const agents = (description: string): Options.Options<Array<string>> =>
  Options.choice("agent", AGENTS).pipe(Options.withDescription(description), Options.repeated)

/**
 * `--thread`, repeatable: sessions as people name them (an id, a unique prefix of one, or a
 * session's name; resolved by `SessionLookup`).
 *
 * @since 0.3.0
 * @category options
 */
export const threads = (description: string): Options.Options<Array<string>> =>
  Options.text("thread").pipe(Options.withDescription(description), Options.withPseudoName("ID"), Options.repeated)

/** `--yes` (`-y`): go ahead without asking. @since 0.3.0 @category options */
export const yes = (description: string): Options.Options<boolean> =>
  Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription(description))

/** @since 0.1.0 @category options */
export const json = Options.boolean("json").pipe(
  Options.withDescription("Print a machine-readable result on stdout (logs, progress and errors go to stderr).")
)

/** @since 0.1.0 @category options */
export const codexHome = path("codex-home", "The Codex home to use (default: $CODEX_HOME, else ~/.codex).", "DIR").pipe(
  Options.optional
)

/** @since 0.2.0 @category options */
export const claudeHome = path("claude-home", "The Claude Code home to use (default: $CLAUDE_CONFIG_DIR, else ~/.claude).", "DIR").pipe(
  Options.optional
)

/** @since 0.2.0 @category options */
export const opencodeData = path(
  "opencode-data",
  "The OpenCode data folder to use (default: $XDG_DATA_HOME/opencode, else ~/.local/share/opencode; its database is opencode.db there, or $OPENCODE_DB).",
  "DIR"
).pipe(Options.optional)

/** @since 0.1.0 @category options */
export const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("Show what would be done and change nothing.")
)

/**
 * TO of a `--map` as this machine reads a folder argument: `~` and `~/…` under the home, a
 * relative path from the working directory (FROM is the source machine's: taken as written).
 *
 * @since 0.3.0
 * @category parsing
 */
export const localFolder = (to: string): string =>
  to === "~" ? os.homedir() : to.startsWith("~/") ? nodePath.join(os.homedir(), to.slice(2)) : nodePath.isAbsolute(to) ? to : nodePath.resolve(to)

/**
 * `--map FROM=TO`, repeatable, parsed as it is read: the first bad one is a usage error.
 *
 * @since 0.1.0
 * @category options
 */
export const maps: Options.Options<Array<PathRules.Mapping>> = Options.text("map").pipe(
  Options.withDescription(
    "Localize paths under FROM (a folder of the source machine, as it wrote it) to TO (a folder here; ~ and relative paths are resolved) (FROM=TO, repeatable; the longest prefix wins)."
  ),
  Options.withPseudoName("FROM=TO"),
  Options.repeated,
  Options.mapEffect((texts) =>
    Effect.forEach(texts, (text) =>
      Either.match(PathRules.parseMapping(text, { resolveTo: localFolder }), {
        onLeft: (error) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(error.message))),
        onRight: Effect.succeed
      }))
  )
)

/**
 * `--forget-maps`: the maps remembered for the homes (from the `--map`s of earlier installs and
 * syncs) are not used, and a real run remembers only this command line's.
 *
 * @since 0.3.0
 * @category options
 */
export const forgetMaps = Options.boolean("forget-maps").pipe(
  Options.withDescription(
    "Do not use the maps remembered from earlier installs and syncs into these homes; a real run remembers only this command's --map rules."
  )
)

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }

/**
 * A point in time as a person gives one: an age (`30m`, `12h`, `7d`, `2w`: that long before
 * `now`), a date (`2026-11-01`, the start of that day, local time) or a date and time in ISO 8601.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseSince = (text: string, now: Date = new Date()): Either.Either<Date, string> => {
  const trimmed = text.trim()
  const age = /^(\d+)\s*([mhdw])$/i.exec(trimmed)
  if (age !== null) return Either.right(new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]!.toLowerCase()]!))
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed)
  const date = day !== null ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(trimmed)
  // a day that does not exist (2026-13-45) would roll over into another
  const real = day === null || (date.getMonth() === Number(day[2]) - 1 && date.getDate() === Number(day[3]))
  return /^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(date.getTime()) && real
    ? Either.right(date)
    : Either.left(`--since ${JSON.stringify(text)}: give an age (30m, 12h, 7d, 2w) or a date (2026-11-01, or 2026-11-01T09:30)`)
}

/** `--since`, as {@link parseSince} reads it. @since 0.3.0 @category options */
export const since = (description: string): Options.Options<Option.Option<Date>> =>
  Options.text("since").pipe(
    Options.withDescription(description),
    Options.withPseudoName("AGE|DATE"),
    Options.mapEffect((text) =>
      Either.match(parseSince(text), { onLeft: (detail) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(detail))), onRight: Effect.succeed })
    ),
    Options.optional
  )
