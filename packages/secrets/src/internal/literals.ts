/**
 * Which of the rules' literals a text holds, found in one pass: rules (ours and the preset's)
 * run only on texts that hold one of the literals every pattern of theirs needs. A search per
 * literal (`includes`) costs about as much as the rules themselves on a large block; one
 * alternation of all of them, restarted one character after each hit (so that overlapping
 * occurrences are seen), costs a fraction.
 */

let pattern: RegExp | undefined
/** literal → the literals it contains (itself included): a hit on one is a hit on these */
let contained = new Map<string, ReadonlyArray<string>>()

let lastText: string | undefined
let lastFound: ReadonlySet<string> = new Set()

const escape = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Sets the literals {@link hasAny} may be asked about. */
export const setLiterals = (literals: Iterable<string>): void => {
  const all = [...new Set(literals)].sort((a, b) => b.length - a.length)
  // longest first: at a position the longest literal there is the hit, the others it contains follow
  pattern = new RegExp(all.map(escape).join("|"), "g")
  contained = new Map(all.map((literal) => [literal, all.filter((other) => literal.includes(other))]))
  lastText = undefined
}

const found = (text: string): ReadonlySet<string> => {
  if (text === lastText) return lastFound
  const hits = new Set<string>()
  const search = pattern!
  search.lastIndex = 0
  for (let match = search.exec(text); match !== null; match = search.exec(text)) {
    for (const literal of contained.get(match[0])!) hits.add(literal)
    search.lastIndex = match.index + 1
  }
  lastText = text
  lastFound = hits
  return hits
}

/** Whether `text` holds one of `literals` (all set by {@link setLiterals}, else searched one by one). */
export const hasAny = (text: string, literals: ReadonlyArray<string>): boolean => {
  if (pattern === undefined || !literals.every((literal) => contained.has(literal))) {
    return literals.some((literal) => text.includes(literal))
  }
  const hits = found(text)
  return literals.some((literal) => hits.has(literal))
}
