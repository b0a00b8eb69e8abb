/**
 * @effect/cli always colours its help. On a terminal that is fine; in a pipe, a file, or with
 * NO_COLOR set, this console strips the escape codes from what is written. The help it prints is
 * tidied too (`HelpText`). With `--json`, the usage error @effect/cli prints is left out:
 * `Failure` reports it as one JSON line.
 *
 * @since 0.1.0
 */
import { Console, Effect, Layer } from "effect"
import * as HelpText from "./HelpText.js"

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** @since 0.1.0 @category predicates */
export const wantsColour = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb"

/** The text without its colour codes. @since 0.3.0 @category rendering */
export const stripColour = (text: string): string => text.replace(ANSI, "")

const strip = (args: ReadonlyArray<unknown>): Array<unknown> =>
  args.map((a) => (typeof a === "string" ? stripColour(a) : a))

// @effect/cli prints a usage error (a rendered HelpDoc, which ends with a newline) before it fails
// with it; nothing of ours printed on stderr ends so (lines are escaped, JSON ends with `}`)
const isUsageError = (args: ReadonlyArray<unknown>): boolean =>
  args.length === 1 && typeof args[0] === "string" && stripColour(args[0]).endsWith("\n")

const plain = (program: string, console: Console.Console, out: boolean, err: boolean, json: boolean): Console.Console => {
  const tidy = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? HelpText.tidy(program, a) : a))
  const stdout = (args: ReadonlyArray<unknown>) => tidy(out ? args : strip(args))
  const stderr = (args: ReadonlyArray<unknown>) => err ? args : strip(args)
  // with --json, Failure reports the usage error as a JSON line instead
  const shown = (args: ReadonlyArray<unknown>) => !(json && isUsageError(args))
  return {
    ...console,
    log: (...args) => console.log(...stdout(args)),
    error: (...args) => shown(args) ? console.error(...stderr(args)) : Effect.void,
    unsafe: {
      ...console.unsafe,
      log: (...args) => console.unsafe.log(...stdout(args)),
      error: (...args) => {
        if (shown(args)) console.unsafe.error(...stderr(args))
      }
    }
  }
}

/** The console of `program`'s bin (`json`: the command line has `--json`). @since 0.1.0 @category layers */
export const layer = (program: string, options: { readonly json?: boolean } = {}): Layer.Layer<never> =>
  Layer.unwrapEffect(
    Effect.map(Effect.console, (console) =>
      Console.setConsole(plain(program, console, wantsColour(process.stdout), wantsColour(process.stderr), options.json === true)))
  )
