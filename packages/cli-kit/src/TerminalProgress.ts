/**
 * The Progress service for a terminal: a bar on stderr, redrawn every 100 ms, shown only when
 * the work takes more than a moment, with the rate so far and, when the total is known, the time
 * left. Off the terminal (pipes, CI, `--json`) it prints nothing.
 *
 * @since 0.1.0
 */
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"

const SHOW_AFTER_MS = 400
const REDRAW_MS = 100
const WIDTH = 24

const human = (n: number, unit: "bytes" | "items") =>
  unit === "items" ? String(Math.floor(n)) : n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`

/** `5s`, `2m05s`, `1h02m`. */
const duration = (seconds: number) => {
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
}

/**
 * What a task has done so far, `elapsedMs` after it started (`total` 0: not known).
 *
 * @since 0.3.0
 * @category models
 */
export interface Frame {
  readonly label: string
  readonly done: number
  readonly total: number
  readonly unit: "bytes" | "items"
  readonly elapsedMs: number
}

/**
 * A task's line: the bar, share and amounts when the total is known (else the amount alone),
 * the rate so far (`35.2 MiB/s`, `412/s`) and the time left (`ETA 5s`) once there is a rate.
 * The line is cut to `columns` (a wrapped line could not be redrawn in place).
 *
 * @since 0.3.0
 * @category rendering
 */
export const render = (frame: Frame, columns: number = 80): string => {
  const { done, total, unit } = frame
  const seconds = frame.elapsedMs / 1000
  const rate = seconds > 0 && done > 0 ? done / seconds : 0
  const speed = rate > 0 ? ` ${human(rate, unit)}/s` : ""
  const eta = rate > 0 && total > 0 ? ` ETA ${duration(Math.max(0, total - done) / rate)}` : ""
  const amounts = total > 0 ? `${human(done, unit)}/${human(total, unit)}` : human(done, unit)
  const tail = `${amounts}${speed}${eta}`
  if (total <= 0) return `${frame.label} ${tail}`.slice(0, columns - 1)
  const ratio = Math.min(1, done / total)
  const filled = Math.round(ratio * WIDTH)
  const full = `${frame.label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${tail}`
  // a narrow terminal loses the bar first
  return (full.length < columns ? full : `${frame.label} ${Math.floor(ratio * 100)}% ${tail}`).slice(0, columns - 1)
}

const makeTask = (label: string, total: number, unit: "bytes" | "items"): Progress.ProgressTask => {
  const stream = process.stderr
  const started = Date.now()
  let done = 0
  let shown = false
  let drawn = started
  const draw = (now: number) => {
    const elapsedMs = now - started
    if (!shown && elapsedMs < SHOW_AFTER_MS) return
    shown = true
    drawn = now
    stream.write(`\r\u001b[2K${render({ label, done, total, unit, elapsedMs }, stream.columns)}`)
  }
  // the timer redraws while nothing advances; work that holds the event loop (a synchronous
  // listing) redraws as it advances
  const timer = setInterval(() => draw(Date.now()), REDRAW_MS)
  timer.unref()
  return {
    advance: (amount) => {
      done += amount
      const now = Date.now()
      if (now - drawn >= REDRAW_MS) draw(now)
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
