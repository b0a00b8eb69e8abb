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

// a field name in camelCase: `dryRun`, `transactionId` (not `dry_run`, `codex`, `ses_2aF…`, a path, a type)
const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/

/**
 * A field name as `--json` writes it: camelCase in snake_case (`dryRun` → `dry_run`); any other
 * key as it is.
 *
 * @since 0.3.0
 * @category rendering
 */
export const snakeKey = (key: string): string =>
  CAMEL.test(key) ? key.replace(/[A-Z]/g, (upper) => `_${upper.toLowerCase()}`) : key

// Fields whose keys are data, not field names: kept as they are (their values are converted).
// Agents (`homes`, `notes`), rollout record types (`byType`, `unknownByType`: a newer Codex may
// name one in camelCase), sync classes (`counts`), operation kinds (`operations`), a removed
// session's tables (`rows`) and files (`lines`).
const KEYED_BY_DATA: ReadonlySet<string> = new Set(["homes", "notes", "byType", "unknownByType", "counts", "operations", "rows", "lines"])
// Fields holding a document of their own, shown as it was written: a package's manifest, a
// journal transaction's summary (both snake_case already).
const AS_WRITTEN: ReadonlySet<string> = new Set(["manifest", "summary"])

const snakeFields = (value: unknown, keysAreData = false): unknown => {
  if (Array.isArray(value)) return value.map((item) => snakeFields(item))
  if (value === null || typeof value !== "object") return value
  // fromEntries: a key such as `__proto__` stays a plain key
  return Object.fromEntries(Object.entries(value).map(([key, item]) =>
    keysAreData
      ? [key, snakeFields(item)]
      : [snakeKey(key), AS_WRITTEN.has(key) ? item : snakeFields(item, KEYED_BY_DATA.has(key))]
  ))
}

/**
 * `value` as `--json` writes it (JSON, `space` as for `JSON.stringify`): every field name in
 * snake_case, like the package manifest and actions.v1, in one place for every command, so that
 * the results of other packages (in camelCase, as TypeScript writes them) need no copy. Keys that
 * are data (agents, record types) and documents shown as written (a manifest) pass unchanged.
 * The shapes are in `docs/json-schema/`.
 *
 * @since 0.3.0
 * @category rendering
 */
export const toJson = (value: unknown, space?: number): string => {
  // the JSON form first (toJSON, undefined fields left out), then the names
  const text = JSON.stringify(value)
  return text === undefined ? "null" : JSON.stringify(snakeFields(JSON.parse(text)), null, space)
}

/** One JSON document on stdout ({@link toJson}). @since 0.1.0 @category rendering */
export const json = (value: unknown): Effect.Effect<void> => Console.log(toJson(value, 2))

/** One JSON document on stderr ({@link toJson}; when stdout carries data, e.g. an archive). @since 0.3.0 @category rendering */
export const jsonError = (value: unknown): Effect.Effect<void> => Console.error(toJson(value, 2))

/** Lines of text for people on stdout, each {@link escape}d. @since 0.1.0 @category rendering */
export const lines = (text: ReadonlyArray<string>): Effect.Effect<void> => Console.log(text.map(escape).join("\n"))

/** Lines of text for people on stderr (what a question is about), each {@link escape}d; none: nothing (not a blank line). @since 0.1.0 @category rendering */
export const errorLines = (text: ReadonlyArray<string>): Effect.Effect<void> =>
  text.length === 0 ? Effect.void : Console.error(text.map(escape).join("\n"))

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
