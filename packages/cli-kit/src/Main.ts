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
import { Effect, Layer, Logger } from "effect"
import * as Failure from "./Failure.js"
import * as Output from "./Output.js"
import * as PlainConsole from "./PlainConsole.js"

const MainLayer = Layer.mergeAll(
  NodeContext.layer,
  PlainConsole.layer,
  CliConfig.layer({ showBuiltIns: false }),
  // warnings quote packages and homes (paths, names): their control characters are escaped
  Logger.replace(Logger.defaultLogger, Logger.withLeveledConsole(Logger.map(Logger.logfmtLogger, Output.escape)))
)

/**
 * Runs a command tree as the process's main program.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <E>(
  program: string,
  cli: (argv: ReadonlyArray<string>) => Effect.Effect<void, E, Layer.Layer.Success<typeof MainLayer>>
): void => {
  const json = process.argv.includes("--json")
  cli(process.argv).pipe(
    Effect.catchAllCause((cause) =>
      Failure.report(program, cause, json).pipe(Effect.flatMap((code) =>
        Effect.sync(() => {
          process.exitCode = code
        })
      ))
    ),
    Effect.provide(MainLayer),
    NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
  )
}
