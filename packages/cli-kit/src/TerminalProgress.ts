/**
 * The Progress service for a terminal: a bar on stderr, redrawn every 100 ms, shown only when
 * the work takes more than a moment. Off the terminal (pipes, CI, `--json`) it prints nothing.
 *
 * @since 0.1.0
 */
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"

const SHOW_AFTER_MS = 400
const REDRAW_MS = 100
const WIDTH = 24

const human = (n: number, unit: "bytes" | "items") =>
  unit === "items" ? String(n) : n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`

const line = (label: string, done: number, total: number, unit: "bytes" | "items") => {
  const ratio = total > 0 ? Math.min(1, done / total) : 0
  const filled = Math.round(ratio * WIDTH)
  return `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(ratio * 100)}% ` +
    `${human(done, unit)}/${human(total, unit)}`
}

const makeTask = (label: string, total: number, unit: "bytes" | "items"): Progress.ProgressTask => {
  const stream = process.stderr
  const started = Date.now()
  let done = 0
  let shown = false
  const draw = () => {
    if (!shown && Date.now() - started < SHOW_AFTER_MS) return
    shown = true
    stream.write(`\r\u001b[2K${line(label, done, total, unit)}`)
  }
  const timer = setInterval(draw, REDRAW_MS)
  timer.unref()
  return {
    advance: (amount) => {
      done += amount
    },
    done: Effect.sync(() => {
      clearInterval(timer)
      if (shown) stream.write("\r\u001b[2K")
    })
  }
}

/** A bar on stderr when it is a terminal, nothing otherwise. @since 0.1.0 @category layers */
export const layer = (options: { readonly quiet: boolean }): Layer.Layer<Progress.Progress> =>
  options.quiet || process.stderr.isTTY !== true || process.env.CI !== undefined
    ? Progress.none
    : Layer.succeed(Progress.Progress, {
      start: (label, total, unit) => Effect.sync(() => makeTask(label, total, unit))
    })
