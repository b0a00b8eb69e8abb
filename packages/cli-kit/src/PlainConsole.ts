/**
 * @effect/cli always colours its help. On a terminal that is fine; in a pipe, a file, or with
 * NO_COLOR set, this console strips the escape codes from what is written. The help it prints is
 * tidied too (`HelpText`).
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

const strip = (args: ReadonlyArray<unknown>): Array<unknown> =>
  args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a))

const plain = (program: string, console: Console.Console, out: boolean, err: boolean): Console.Console => {
  const tidy = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? HelpText.tidy(program, a) : a))
  const stdout = (args: ReadonlyArray<unknown>) => tidy(out ? args : strip(args))
  const stderr = (args: ReadonlyArray<unknown>) => err ? args : strip(args)
  return {
    ...console,
    log: (...args) => console.log(...stdout(args)),
    error: (...args) => console.error(...stderr(args)),
    unsafe: {
      ...console.unsafe,
      log: (...args) => console.unsafe.log(...stdout(args)),
      error: (...args) => console.unsafe.error(...stderr(args))
    }
  }
}

/** The console of `program`'s bin. @since 0.1.0 @category layers */
export const layer = (program: string): Layer.Layer<never> =>
  Layer.unwrapEffect(
    Effect.map(Effect.console, (console) =>
      Console.setConsole(plain(program, console, wantsColour(process.stdout), wantsColour(process.stderr))))
  )
