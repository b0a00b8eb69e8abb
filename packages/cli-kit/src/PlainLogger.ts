/**
 * Log lines for people, on stderr: a warning is one plain line, `warning: …` (an error
 * `error: …`), its control characters escaped (warnings quote packages and homes: paths,
 * names). No timestamps, levels or fiber ids: stdout carries results only, and `--json` carries
 * the warnings in its document too.
 *
 * @since 0.3.0
 */
import { Cause, Layer, Logger, LogLevel } from "effect"
import * as Output from "./Output.js"

const PREFIX: Partial<Record<LogLevel.LogLevel["_tag"], string>> = { Warning: "warning: ", Error: "error: ", Fatal: "error: " }

const text = (message: unknown): string => Array.isArray(message) ? message.map(String).join(" ") : String(message)

/** @since 0.3.0 @category loggers */
export const logger: Logger.Logger<unknown, string> = Logger.make(({ cause, logLevel, message }) =>
  `${PREFIX[logLevel._tag] ?? ""}${Output.escape(text(message))}${Cause.isEmpty(cause) ? "" : ` (${Output.escape(Cause.pretty(cause).split("\n")[0] ?? "")})`}`
)

/** Replaces the default logger: one plain line per message on stderr. @since 0.3.0 @category layers */
export const layer: Layer.Layer<never> = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(logger))
