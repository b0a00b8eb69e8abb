/**
 * The canonical form of a rollout line: every value on the rewrite surface replaced by a constant,
 * so that a line of a source rollout and the same line installed on another machine (new thread
 * ids, localized paths, a new start time, a moved `history_base` offset) read alike.
 *
 * For a line `L` and its counterpart `L'` written by the `Rewriter` under any plan,
 * `canonical(L) === canonical(L')`:
 *
 * - the Rewriter re-serializes a line only when a surface value changes, so such a line holds a
 *   surface value on both sides, and both sides answer `JSON.stringify` of the neutralized value
 *   (key order kept, which the Rewriter keeps too);
 * - a line the Rewriter leaves alone is the same text on both sides.
 *
 * The walk is the Rewriter's own (`Surface` and `LineWalker` over `RewriteSurface.entries`) with
 * constant mappers: a path or file URL → {@link markers}`.path` / `.fileUrl`, a thread id →
 * `.threadId`, the session_meta start time → `.timestamp`, `history_base.end_byte_offset` → 0, a
 * path held as a map key → `.path#<position among the keys>` (constant keys would collapse the
 * map). A byte order mark and a `\r` before the newline stay around the canonical text, as the
 * Rewriter keeps them around the text it re-serializes.
 *
 * Lines are parsed only when they pass a substring pre-check ({@link needles}), sound for any
 * JSON text: a line that holds a surface value holds one of the needles.
 *
 * @since 0.1.0
 */
import * as RewriteSurface from "@sessionport/package-format/RewriteSurface"
import * as Dialect from "./Dialect.js"
import { LineWalker, type Mappers, Surface } from "./internal/surface.js"

/**
 * What each kind of surface value becomes.
 *
 * @since 0.1.0
 * @category constants
 */
export const markers = {
  path: "@path",
  fileUrl: "@file-url",
  threadId: "@thread-id",
  timestamp: "@timestamp",
  byteOffset: 0,
  text: "@text"
} as const

// keys most lines hold: an entry ending in one of them is found by its line or payload type instead
const COMMON_KEYS: ReadonlySet<string> = new Set(["id", "timestamp", "path", "type", "payload", "text", "content", "message"])

/**
 * A substring every line holding a value of this entry holds, as JSON text without `\u` escapes:
 * its text marker, else its last key (closed by the quote that ends a key, escaped inside a JSON
 * string), else its payload or line type (a string value, closed by its quote).
 */
const needleOf = (entry: RewriteSurface.Entry): string => {
  if (entry.holds === "text-with-cwd" && entry.whole !== true) return "<environment_context>"
  if (entry.holds === "text-with-writable-roots") return "<permissions instructions>"
  let last: string | undefined
  let inJson = false
  for (const step of RewriteSurface.parseField(entry.field)) {
    if (step._tag === "Key") last = step.key
    else if (step._tag === "Json") inJson = true
  }
  if (last !== undefined && !COMMON_KEYS.has(last)) return inJson ? `${last}\\"` : `${last}"`
  return `${entry.payloadType ?? entry.type}"`
}

/**
 * The canonical form of one agent's lines (its dialect's surface): what lineage fingerprints.
 *
 * @since 0.2.0
 * @category models
 */
export interface Neutralizer {
  /**
   * Substrings (ASCII) of which every line holding a surface value holds at least one: the key or
   * type literal of each surface entry (`cwd"`, `thread_id"`, `session_meta"`,
   * `<environment_context>`, …), and `\u`, since a `\u` escape can spell any of them otherwise.
   * Needles that contain another one are left out. A line holding none of them is already canonical.
   */
  readonly needles: ReadonlyArray<string>
  /** The pre-check: false only when the line cannot hold a surface value. */
  readonly mayHoldSurface: (raw: string) => boolean
  /**
   * The canonical text of a line (without its `\n`) when it holds any surface value; `undefined`
   * when it holds none (then the line as it is is canonical), and for text that is not a JSON object.
   */
  readonly neutralize: (raw: string) => string | undefined
  /** `neutralize` without the pre-check, for a caller that ran it already (with the same needles). */
  readonly neutralizeUnchecked: (raw: string) => string | undefined
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The neutralizer of a dialect. Free text with paths (`text-with-paths`) becomes
 * {@link markers}`.text` whole: which prefixes it held depends on the rules of each install.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (dialect: Dialect.Dialect): Neutralizer => {
  const all = [...new Set([...dialect.surface.map(needleOf), "\\u"])]
  const needles = all.filter((needle) => !all.some((other) => other !== needle && needle.includes(other))).sort()
  const mayHoldSurface = (raw: string): boolean => {
    for (const needle of needles) if (raw.includes(needle)) return true
    return false
  }
  const surface = new Surface(dialect.surface)
  // every mapper call is a surface value found: a line with none is already canonical
  let found = 0
  const mappers: Mappers = {
    path: () => (found++, markers.path),
    fileUrl: () => (found++, markers.fileUrl),
    threadId: () => (found++, markers.threadId),
    timestamp: () => (found++, markers.timestamp),
    byteOffset: () => (found++, markers.byteOffset),
    key: (_key, index) => (found++, `${markers.path}#${index}`),
    pathsInText: (text) => (found++, text === markers.text ? { text, changes: [] } : { text: markers.text, changes: [{ old: text, new: markers.text }] })
  }
  const walker = new LineWalker(mappers)
  const neutralizeUnchecked = (raw: string): string | undefined => {
    // a byte order mark: JSON.parse does not take it; it stays in front, as the Rewriter keeps it
    const bom = raw.charCodeAt(0) === 0xfeff
    const text = bom ? raw.slice(1) : raw
    let line: unknown
    try {
      line = JSON.parse(text)
    } catch {
      return undefined
    }
    if (!isObject(line)) return undefined
    const payload = line.payload
    const entries = surface.entriesFor(line.type, isObject(payload) ? payload.type : undefined)
    if (entries.length === 0) return undefined
    found = 0
    walker.collect(line, entries)
    if (found === 0) return void walker.release()
    walker.apply()
    walker.release()
    // which session a fork came from is each machine's own bookkeeping (a sync names the local
    // session a branch parted from), not part of the conversation
    if (line.type === "session_meta" && isObject(payload)) delete payload.forked_from_id
    return `${bom ? "\ufeff" : ""}${JSON.stringify(line)}${text.endsWith("\r") ? "\r" : ""}`
  }
  return {
    needles,
    mayHoldSurface,
    neutralizeUnchecked,
    neutralize: (raw) => mayHoldSurface(raw) ? neutralizeUnchecked(raw) : undefined
  }
}

/** Codex rollouts. @since 0.2.0 @category constants */
export const codex: Neutralizer = make(Dialect.codex)

/**
 * Codex's needles (see {@link Neutralizer.needles}).
 *
 * @since 0.1.0
 * @category constants
 */
export const needles: ReadonlyArray<string> = codex.needles

/**
 * The pre-check: false only when the line cannot hold a surface value.
 *
 * @since 0.1.0
 * @category predicates
 */
export const mayHoldSurface = codex.mayHoldSurface

/**
 * The canonical text of a Codex line (see {@link Neutralizer.neutralize}).
 *
 * @since 0.1.0
 * @category neutralizing
 */
export const neutralize = codex.neutralize

/**
 * {@link neutralize} without the pre-check.
 *
 * @since 0.1.0
 * @category neutralizing
 */
export const neutralizeUnchecked = codex.neutralizeUnchecked

/**
 * `neutralize(raw) ?? raw`: the text two machines agree on.
 *
 * @since 0.1.0
 * @category neutralizing
 */
export const canonical = (raw: string): string => neutralize(raw) ?? raw
