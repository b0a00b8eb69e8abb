/**
 * How a failure reaches the user: one line on stderr, exit code 1 for refused or failed work, 2
 * for usage errors (which @effect/cli has already printed, but for `--json`), 130 when
 * interrupted. With `--json` every failure is one JSON line of one shape,
 * `{"error":{"_tag":…,"message":…,…}}` (`docs/json-schema/error.json`): a usage error's `_tag`
 * is `UsageError`, an interruption's `Interrupted`. A failure inside a transaction ends by saying
 * what state the home is in (the journal rolled it back before the failure got here, or could
 * not). No stack traces unless SESSIONPORT_DEBUG is set. A message may quote a package or a
 * home (an entry name, a line): the human line shows its control characters escaped, the JSON
 * line as they are.
 *
 * @since 0.1.0
 */
import { HelpDoc, ValidationError } from "@effect/cli"
import { Aborted } from "@sessionport/journal"
import { Cause, Console, Effect, FiberRef, Option, Schema } from "effect"
import * as Output from "./Output.js"
import * as PlainConsole from "./PlainConsole.js"

/** @since 0.1.0 @category constants */
export const EXIT_OK = 0
/** @since 0.1.0 @category constants */
export const EXIT_FAILED = 1
/** @since 0.1.0 @category constants */
export const EXIT_USAGE = 2
/** Ctrl-C (SIGINT, 128 + 2). @since 0.3.0 @category constants */
export const EXIT_INTERRUPTED = 130
/** SIGTERM (128 + 15). @since 0.3.0 @category constants */
export const EXIT_TERMINATED = 143

/**
 * A usage mistake the parser cannot see (e.g. no selector given): one line, exit 2.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Schema.TaggedError<UsageError>("@sessionport/cli-kit/UsageError")("UsageError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

interface Described {
  readonly tag: string
  readonly message: string
  readonly fields: Record<string, unknown>
}

const describe = (error: unknown): Described => {
  if (typeof error === "object" && error !== null) {
    const { _tag, message, stack: _stack, ...rest } = error as Record<string, unknown>
    const text = typeof (error as Error).message === "string" ? (error as Error).message : String(message ?? error)
    return { tag: typeof _tag === "string" ? _tag : "Error", message: text, fields: rest }
  }
  return { tag: "Error", message: String(error), fields: {} }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim()

/** The one JSON line of a failure under `--json`: its fields in snake_case, as every result. */
const jsonLine = (tag: string, message: string, fields: Record<string, unknown>): string =>
  Output.toJson({ error: { _tag: tag, message, ...fields } })

/**
 * Prints a failure and returns the exit code.
 *
 * @since 0.1.0
 * @category rendering
 */
export const report = (program: string, cause: Cause.Cause<unknown>, json: boolean): Effect.Effect<number> =>
  Effect.flatMap(FiberRef.get(Aborted.current), (aborted) => reportWith(program, cause, json, aborted))

const reportWith = (
  program: string,
  cause: Cause.Cause<unknown>,
  json: boolean,
  aborted: Option.Option<Aborted.Aborted>
): Effect.Effect<number> => {
  const state = Option.map(aborted, (note) => ({
    text: note.summary,
    fields: { transaction: note.transaction, rolled_back: note.rolledBack }
  }))
  if (Cause.isInterruptedOnly(cause)) {
    return Option.match(state, {
      onNone: () =>
        Effect.as(
          json ? Console.error(jsonLine("Interrupted", "interrupted", {})) : Console.error(`${program}: interrupted`),
          EXIT_INTERRUPTED
        ),
      onSome: (state) =>
        Effect.as(
          json
            ? Console.error(jsonLine("Interrupted", state.text, state.fields))
            : Console.error(`${program}: interrupted; ${Output.escape(state.text)}`),
          EXIT_INTERRUPTED
        )
    })
  }
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) {
    if (failure.value._tag === "HelpRequested") return Effect.succeed(EXIT_OK)
    // @effect/cli printed the usage error already, but for --json (PlainConsole left it out)
    const message = oneLine(PlainConsole.stripColour(HelpDoc.toAnsiText(failure.value.error)))
    return Effect.as(json ? Console.error(jsonLine("UsageError", message, {})) : Effect.void, EXIT_USAGE)
  }
  const error = Option.isSome(failure) ? failure.value : Cause.squash(cause)
  const defect = Option.isNone(failure)
  const { fields, message, tag } = describe(error)
  const line = (defect ? `internal error: ${oneLine(message)}` : oneLine(message)) +
    Option.match(state, { onNone: () => "", onSome: (state) => `; ${state.text}` })
  const code = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED
  const debug = process.env.SESSIONPORT_DEBUG ? Console.error(Cause.pretty(cause)) : Effect.void
  const print = json
    ? Console.error(jsonLine(tag, line, { ...fields, ...Option.match(state, { onNone: () => ({}), onSome: (state) => state.fields }) }))
    : Console.error(`${program}: ${Output.escape(line)}`)
  return Effect.zipRight(debug, print).pipe(Effect.as(code))
}
