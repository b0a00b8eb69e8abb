/**
 * The prefilter: which of the rules' literals (and {@link ANCHORS}) a text holds, found in one
 * pass. Rules (ours and the preset's) run only on texts that hold one of what every pattern of
 * theirs needs. A search per literal (`includes`) costs about as much as the rules themselves on
 * a large block; one alternation of all of them, restarted one character after each hit (so
 * that overlapping occurrences are seen), costs a fraction.
 *
 * The scanner runs it on each raw JSONL line before parsing it (a line with no hit cannot match:
 * it is not parsed), and hands the hits of a block's lines to {@link register}, so that the
 * block's text is not searched again. On raw JSON text the hits are a superset of those of its
 * decoded values as long as no `\u` or `\/` escape could hide a literal ({@link ESCAPED} says
 * so): the literals hold no character JSON must escape, and the anchors admit a value's escapes.
 */

/** an anchor: a text holds `NAME=` (`[A-Z0-9_]{3}`, spaces or tabs, `=`): what `dotenv` needs */
export const ENV_ANCHOR = "\0NAME="

/** an anchor: a word that says secret, then quotes or spaces, then `=` or `:`: what `secret-assignment` needs */
export const ASSIGN_ANCHOR = "\0secret="

/** a `\u` or `\/` escape: in raw JSON text, where a literal may hide (not a rule's need) */
export const ESCAPED = "\0escaped"

const ESCAPES = ["\\u", "\\/"]

const isAnchor = (need: string) => need === ENV_ANCHOR || need === ASSIGN_ANCHOR

// the end of the words of `secret-assignment`'s SECRET_WORD, then its `(\\?["']|)[ \t]*` (also
// as raw JSON writes them: `\"`, `\t`, and a key's closing quote before `:`), then `=` or `:`
const ASSIGN = /(?:key|token|secret|passw(?:or)?d)[\\"'\s t]*[=:]/i

let pattern: RegExp | undefined
/** literal → the literals it contains (itself included): a hit on one is a hit on these */
let contained = new Map<string, ReadonlyArray<string>>()

const escape = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * The literals as a trie (`sk-(?:ant-(?:api0)?|or-)?|…`): a sixth faster than their plain
 * alternation. Greedy: at a position the longest literal there is the hit.
 */
const trie = (words: ReadonlyArray<string>): string => {
  const byFirst = new Map<string, Array<string>>()
  let end = false
  for (const word of words) {
    if (word === "") end = true
    else byFirst.set(word[0]!, [...(byFirst.get(word[0]!) ?? []), word.slice(1)])
  }
  const branches = [...byFirst].map(([first, rests]) => escape(first) + trie(rests))
  if (branches.length === 0) return ""
  const body = branches.length === 1 ? branches[0]! : `(?:${branches.join("|")})`
  return end ? `(?:${body})?` : body
}

/** Sets the literals {@link hasAny} may be asked about (besides the anchors). */
export const setLiterals = (literals: Iterable<string>): void => {
  const all = [...new Set([...literals, ...ESCAPES])].filter((literal) => !isAnchor(literal))
  // the others a hit contains follow from it
  pattern = new RegExp(trie(all), "g")
  contained = new Map(all.map((literal) => [literal, all.filter((other) => literal.includes(other))]))
  cache.clear()
}

const isNameChar = (code: number) => code >= 65 && code <= 90 || code >= 48 && code <= 57 || code === 95

/** `[A-Z0-9_]{3}` before spaces, tabs (or `\t` escapes) and a `=` */
const hasEnvAssignment = (text: string): boolean => {
  for (let at = text.indexOf("="); at !== -1; at = text.indexOf("=", at + 1)) {
    let i = at - 1
    for (;;) {
      const code = text.charCodeAt(i)
      if (code === 32 || code === 9) i--
      else if (code === 116 && text.charCodeAt(i - 1) === 92) i -= 2
      else break
    }
    if (isNameChar(text.charCodeAt(i)) && isNameChar(text.charCodeAt(i - 1)) && isNameChar(text.charCodeAt(i - 2))) return true
  }
  return false
}

/**
 * Adds to `into` the literals and anchors `text` holds (raw JSON text too: see the module's
 * doc); answers whether it added any.
 */
export const hitsIn = (text: string, into: Set<string>): boolean => {
  const before = into.size
  const search = pattern!
  search.lastIndex = 0
  for (let match = search.exec(text); match !== null; match = search.exec(text)) {
    for (const literal of contained.get(match[0])!) into.add(ESCAPES.includes(literal) ? ESCAPED : literal)
    search.lastIndex = match.index + 1
  }
  if (hasEnvAssignment(text)) into.add(ENV_ANCHOR)
  if (ASSIGN.test(text)) into.add(ASSIGN_ANCHOR)
  return into.size > before
}

// texts whose hits are known: registered by the scanner for its blocks, else the last one asked about
const registered = new Map<string, ReadonlySet<string>>()
const cache = new Map<string, ReadonlySet<string>>()

/** Hands over the hits of `text` (a superset will do) until {@link release}. */
export const register = (text: string, hits: ReadonlySet<string>): void => {
  registered.set(text, hits)
}

export const release = (text: string): void => {
  registered.delete(text)
}

const found = (text: string): ReadonlySet<string> => {
  const known = registered.get(text) ?? cache.get(text)
  if (known !== undefined) return known
  const hits = new Set<string>()
  hitsIn(text, hits)
  cache.clear()
  cache.set(text, hits)
  return hits
}

/** Whether `text` holds one of `literals` or anchors (literals all set by {@link setLiterals}, else searched one by one). */
export const hasAny = (text: string, literals: ReadonlyArray<string>): boolean => {
  if (pattern === undefined || !literals.every((literal) => contained.has(literal) || isAnchor(literal))) {
    return literals.some((literal) =>
      literal === ENV_ANCHOR ? hasEnvAssignment(text) : literal === ASSIGN_ANCHOR ? ASSIGN.test(text) : text.includes(literal)
    )
  }
  const hits = found(text)
  return literals.some((literal) => hits.has(literal))
}
