/**
 * Writing results: JSON on stdout for scripts, text for people. Text for people never carries a
 * control character taken from a package or a home (a thread name holding `ESC ]0;…` would
 * retitle the terminal, `ESC [2J` clear it): {@link lines}, {@link cell} and the failure and log
 * lines show such characters escaped. JSON stays exact.
 *
 * @since 0.1.0
 */
import { Console, Effect } from "effect"
import stringWidth from "string-width"

// C0 controls, DEL, C1 controls (0x9b alone opens a CSI on some terminals), bidi overrides and isolates
const UNSAFE_CLASS = "[\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]"
const UNSAFE = new RegExp(UNSAFE_CLASS)
const UNSAFE_ALL = new RegExp(UNSAFE_CLASS, "g")
const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

const escaped = (ch: string): string => {
  const code = ch.charCodeAt(0)
  return SHORT[ch] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`)
}

/**
 * The text with every terminal control character written as an escape (`\x1b`, `\x9b`, `\n`,
 * `\u202e`): safe to print, one line. Backslashes are kept, so escaping twice changes nothing.
 *
 * @since 0.1.0
 * @category rendering
 */
export const escape = (text: string): string => UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escaped) : text

/** One JSON document on stdout. @since 0.1.0 @category rendering */
export const json = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value, null, 2))

/** One JSON document on stderr (when stdout carries data, e.g. an archive). @since 0.3.0 @category rendering */
export const jsonError = (value: unknown): Effect.Effect<void> => Console.error(JSON.stringify(value, null, 2))

/** Lines of text for people on stdout, each {@link escape}d. @since 0.1.0 @category rendering */
export const lines = (text: ReadonlyArray<string>): Effect.Effect<void> => Console.log(text.map(escape).join("\n"))

/** Lines of text for people on stderr (what a question is about), each {@link escape}d. @since 0.1.0 @category rendering */
export const errorLines = (text: ReadonlyArray<string>): Effect.Effect<void> => Console.error(text.map(escape).join("\n"))

/** Bytes as a short human size. @since 0.1.0 @category rendering */
export const size = (bytes: number): string =>
  bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : bytes >= 2 ** 20
    ? `${(bytes / 2 ** 20).toFixed(1)} MiB`
    : bytes >= 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${bytes} B`

/** The columns `text` takes on a terminal (a CJK character or an emoji two, a combining mark none). @since 0.3.0 @category rendering */
export const displayWidth = (text: string): number => stringWidth(text)

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/**
 * A cell of exactly `width` columns as a terminal shows them (display width, not `.length`),
 * cut with an ellipsis between characters (never inside one: a surrogate pair, an emoji with its
 * modifiers, a letter with its accents); {@link escape}d first, so that the width is the one shown.
 *
 * @since 0.1.0
 * @category rendering
 */
export const cell = (text: string, width: number): string => {
  const shown = escape(text)
  const total = stringWidth(shown)
  if (total <= width) return shown + " ".repeat(width - total)
  let out = ""
  let used = 0
  for (const { segment } of graphemes.segment(shown)) {
    const w = stringWidth(segment)
    // room for the ellipsis
    if (used + w > width - 1) break
    out += segment
    used += w
  }
  return `${out}…${" ".repeat(Math.max(0, width - 1 - used))}`
}
