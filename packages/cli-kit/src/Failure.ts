/**
 * How a failure reaches the user: one line on stderr (a JSON line with `--json`), exit code 1
 * for refused or failed work, 2 for usage errors (which @effect/cli has already printed). No
 * stack traces unless SESSIONPORT_DEBUG is set.
 *
 * @since 0.1.0
 */
import { ValidationError } from "@effect/cli"
import { Cause, Console, Effect, Option, Schema } from "effect"

/** @since 0.1.0 @category constants */
export const EXIT_OK = 0
/** @since 0.1.0 @category constants */
export const EXIT_FAILED = 1
/** @since 0.1.0 @category constants */
export const EXIT_USAGE = 2

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

/**
 * Prints a failure and returns the exit code.
 *
 * @since 0.1.0
 * @category rendering
 */
export const report = (program: string, cause: Cause.Cause<unknown>, json: boolean): Effect.Effect<number> => {
  if (Cause.isInterruptedOnly(cause)) return Effect.succeed(130)
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) {
    // @effect/cli printed the usage error already (help or a message)
    return Effect.succeed(failure.value._tag === "HelpRequested" ? EXIT_OK : EXIT_USAGE)
  }
  const error = Option.isSome(failure) ? failure.value : Cause.squash(cause)
  const defect = Option.isNone(failure)
  const { fields, message, tag } = describe(error)
  const line = defect ? `internal error: ${oneLine(message)}` : oneLine(message)
  const code = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED
  const debug = process.env.SESSIONPORT_DEBUG ? Console.error(Cause.pretty(cause)) : Effect.void
  const print = json
    ? Console.error(JSON.stringify({ error: { _tag: tag, message: line, ...fields } }))
    : Console.error(`${program}: ${line}`)
  return Effect.zipRight(debug, print).pipe(Effect.as(code))
}
