/**
 * The composition root of `session-transfer`.
 *
 * @since 0.1.0
 */
import { CliConfig } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger } from "effect"
import * as Cli from "./Cli.js"
import * as Failure from "./Failure.js"
import * as PlainConsole from "./PlainConsole.js"

const MainLayer = Layer.mergeAll(
  NodeContext.layer,
  PlainConsole.layer,
  CliConfig.layer({ showBuiltIns: false }),
  // logs belong on stderr; stdout carries results only
  Logger.replace(Logger.defaultLogger, Logger.withLeveledConsole(Logger.logfmtLogger))
)

const json = process.argv.includes("--json")

Cli.run(process.argv).pipe(
  Effect.catchAllCause((cause) =>
    Failure.report("session-transfer", cause, json).pipe(Effect.flatMap((code) => Effect.sync(() => {
      process.exitCode = code
    })))
  ),
  Effect.provide(MainLayer),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
