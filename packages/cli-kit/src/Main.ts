/**
 * The composition root shared by the bins: Node's context, a console that strips colour off a
 * terminal, logs on stderr (stdout carries results only, control characters escaped), progress on
 * a terminal, and failures reported as one line with the right exit code. Before @effect/cli
 * parses the command line: `help COMMAND`, an unknown command or option named with the nearest
 * known one, `--completions SHELL`.
 *
 * @since 0.1.0
 */
import { CliConfig, type Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, FiberId, Layer } from "effect"
import * as CommandTree from "./CommandTree.js"
import * as Completions from "./Completions.js"
import * as Failure from "./Failure.js"
import * as PackagePath from "./PackagePath.js"
import * as PlainConsole from "./PlainConsole.js"
import * as PlainLogger from "./PlainLogger.js"
import * as TerminalProgress from "./TerminalProgress.js"
import * as UsageCheck from "./UsageCheck.js"

const mainLayer = (program: string, json: boolean) =>
  Layer.mergeAll(
    NodeContext.layer,
    PlainConsole.layer(program, { json }),
    CliConfig.layer({ showBuiltIns: false }),
    // every command: what library code reports (a package verified, sessions listed) is shown
    TerminalProgress.layer({ quiet: json }),
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
 * `help COMMAND` as `COMMAND --help` and `help` alone as `--help`, as git and gh take them: the
 * first word after the program's name only (argv as `process.argv` has it: node, script, …).
 *
 * @since 0.3.0
 * @category parsing
 */
export const helpAlias = (argv: ReadonlyArray<string>): Array<string> => {
  if (argv[2] !== "help") return [...argv]
  return [...argv.slice(0, 2), ...argv.slice(3), "--help"]
}

/**
 * What is done before @effect/cli parses `args` (the command line after the program's name): an
 * unknown command or option is a usage error naming the nearest known one, and
 * `--completions SHELL` prints the completion script (`Completions`).
 *
 * @since 0.3.0
 * @category parsing
 */
export const preflight = (
  program: string,
  root: Command.Command<any, any, any, any>,
  args: ReadonlyArray<string>
): Effect.Effect<"parse" | "done", Failure.UsageError> => {
  const unknown = UsageCheck.check(program, CommandTree.fromCommand(root), args)
  if (unknown !== undefined) return new Failure.UsageError({ detail: unknown })
  const shell = Completions.requested(args)
  if (shell === undefined) return Effect.succeed("parse")
  if (!Completions.isShell(shell)) return new Failure.UsageError({ detail: Completions.unknownShell(shell) })
  return Effect.as(Console.log(Completions.script(shell, program, CommandTree.fromCommand(root, { descriptions: true }))), "done")
}

/**
 * Runs a command tree as the process's main program: `cli` is `Command.run` of `root`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <E>(
  program: string,
  cli: (argv: ReadonlyArray<string>) => Effect.Effect<void, E, Layer.Layer.Success<ReturnType<typeof mainLayer>>>,
  root: Command.Command<any, any, any, any>
): void => {
  const json = process.argv.includes("--json")
  // Ctrl-C (SIGINT) or SIGTERM interrupts the command (the runtime's own handlers): a transaction
  // under way rolls back, one line says so, and the exit code says which signal (130, 143). A
  // second signal is not caught: the process dies, and the next command recovers.
  let signal: "SIGINT" | "SIGTERM" | undefined
  process.once("SIGINT", () => (signal ??= "SIGINT"))
  process.once("SIGTERM", () => (signal ??= "SIGTERM"))
  const interruptedCode = () => signal === "SIGTERM" ? Failure.EXIT_TERMINATED : Failure.EXIT_INTERRUPTED
  const argv = helpAlias(splitInlineValues(process.argv))
  preflight(program, root, argv.slice(2)).pipe(
    Effect.flatMap((next) => next === "parse" ? cli(argv) : Effect.void),
    Effect.catchAllCause((cause) =>
      Failure.report(program, cause, json).pipe(Effect.flatMap((code) =>
        Effect.sync(() => {
          process.exitCode = code
        })
      ))
    ),
    Effect.onInterrupt(() => Effect.asVoid(Failure.report(program, Cause.interrupt(FiberId.none), json))),
    Effect.provide(mainLayer(program, json)),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit, onExit) =>
        onExit(Exit.isInterrupted(exit) ? interruptedCode() : Exit.isFailure(exit) ? Failure.EXIT_FAILED : Failure.EXIT_OK)
    })
  )
}
