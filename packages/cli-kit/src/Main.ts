/**
 * The composition root shared by the bins: Node's context, a console that strips colour off a
 * terminal, logs on stderr (stdout carries results only, control characters escaped), and failures
 * reported as one line with the right exit code.
 *
 * @since 0.1.0
 */
import { CliConfig } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, FiberId, Layer } from "effect"
import * as Failure from "./Failure.js"
import * as PackagePath from "./PackagePath.js"
import * as PlainConsole from "./PlainConsole.js"
import * as PlainLogger from "./PlainLogger.js"

const mainLayer = (program: string) =>
  Layer.mergeAll(
    NodeContext.layer,
    PlainConsole.layer(program),
    CliConfig.layer({ showBuiltIns: false }),
    PlainLogger.layer
  )

/**
 * The command line as the parser takes it: `--name=value` as `--name value` (a value may hold `=`
 * itself, as `--map=FROM=TO` does), a lone `-` as `PackagePath.STDIO_ARG`. Anything after `--` is
 * left as it is.
 *
 * @since 0.3.0
 * @category parsing
 */
export const splitInlineValues = (argv: ReadonlyArray<string>): Array<string> => {
  const end = argv.indexOf("--")
  return argv.flatMap((arg, i) => {
    if (end !== -1 && i > end) return [arg]
    // the parser takes a lone `-` for the end of the options: it stands for stdin or stdout
    if (arg === PackagePath.STDIO) return [PackagePath.STDIO_ARG]
    const match = /^(--[a-z][a-z0-9-]*)=([\s\S]*)$/.exec(arg)
    return match === null ? [arg] : [match[1]!, match[2]!]
  })
}

/**
 * Runs a command tree as the process's main program.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <E>(
  program: string,
  cli: (argv: ReadonlyArray<string>) => Effect.Effect<void, E, Layer.Layer.Success<ReturnType<typeof mainLayer>>>
): void => {
  const json = process.argv.includes("--json")
  // Ctrl-C (SIGINT) or SIGTERM interrupts the command (the runtime's own handlers): a transaction
  // under way rolls back, one line says so, and the exit code says which signal (130, 143). A
  // second signal is not caught: the process dies, and the next command recovers.
  let signal: "SIGINT" | "SIGTERM" | undefined
  process.once("SIGINT", () => (signal ??= "SIGINT"))
  process.once("SIGTERM", () => (signal ??= "SIGTERM"))
  const interruptedCode = () => signal === "SIGTERM" ? Failure.EXIT_TERMINATED : Failure.EXIT_INTERRUPTED
  cli(splitInlineValues(process.argv)).pipe(
    Effect.catchAllCause((cause) =>
      Failure.report(program, cause, json).pipe(Effect.flatMap((code) =>
        Effect.sync(() => {
          process.exitCode = code
        })
      ))
    ),
    Effect.onInterrupt(() => Effect.asVoid(Failure.report(program, Cause.interrupt(FiberId.none), json))),
    Effect.provide(mainLayer(program)),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit, onExit) =>
        onExit(Exit.isInterrupted(exit) ? interruptedCode() : Exit.isFailure(exit) ? Failure.EXIT_FAILED : Failure.EXIT_OK)
    })
  )
}
