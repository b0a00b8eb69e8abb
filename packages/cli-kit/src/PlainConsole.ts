/**
 * @effect/cli always colours its help. On a terminal that is fine; in a pipe, a file, or with
 * NO_COLOR set, this console strips the escape codes from what is written.
 *
 * @since 0.1.0
 */
import { Console, Effect, Layer } from "effect"

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** @since 0.1.0 @category predicates */
export const wantsColour = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb"

const strip = (args: ReadonlyArray<unknown>): Array<unknown> =>
  args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a))

const plain = (console: Console.Console, out: boolean, err: boolean): Console.Console => ({
  ...console,
  log: (...args) => console.log(...(out ? args : strip(args))),
  error: (...args) => console.error(...(err ? args : strip(args))),
  unsafe: {
    ...console.unsafe,
    log: (...args) => console.unsafe.log(...(out ? args : strip(args))),
    error: (...args) => console.unsafe.error(...(err ? args : strip(args)))
  }
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<never> = Layer.unwrapEffect(
  Effect.map(Effect.console, (console) => {
    const out = wantsColour(process.stdout)
    const err = wantsColour(process.stderr)
    return out && err ? Layer.empty : Console.setConsole(plain(console, out, err))
  })
)
