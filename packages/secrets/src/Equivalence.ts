/**
 * Whether two texts are equal up to redaction: one holds placeholders
 * (`[REDACTED:<kind>:<h8>]`, {@link Placeholder}) and the other reads the same with each
 * placeholder's secret in its place. Detector-independent: nothing is scanned, a secret is
 * recognised by its SHA-256 alone, so the answer does not change with the rule set. Lineage
 * uses it to see that a redacted copy of a session is the same conversation; an agent home to
 * see that a redacted history entry is one it has.
 *
 * @since 0.1.0
 */
import { createHash, type Hash } from "node:crypto"
import * as Placeholder from "./Placeholder.js"

/**
 * How many candidate ends of a secret one string pair may try: a bound on adversarial text (a
 * literal that occurs at every position), far above what a real redacted string needs.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_CANDIDATES = 200_000

/** A redacted string cut at its placeholders: `literals[0] P₁ literals[1] … Pₙ literals[n]`. */
interface Cut {
  readonly literals: ReadonlyArray<Buffer>
  /** the h8 of each placeholder */
  readonly hashes: ReadonlyArray<string>
  /** each placeholder's own text */
  readonly placeholders: ReadonlyArray<Buffer>
}

const cut = (text: string): Cut | undefined => {
  if (!text.includes(Placeholder.MARKER)) return undefined
  const literals: Array<Buffer> = []
  const hashes: Array<string> = []
  const placeholders: Array<Buffer> = []
  let last = 0
  for (const match of text.matchAll(Placeholder.pattern())) {
    literals.push(Buffer.from(text.slice(last, match.index), "utf8"))
    hashes.push(match[2]!)
    placeholders.push(Buffer.from(match[0], "utf8"))
    last = match.index + match[0].length
  }
  if (hashes.length === 0) return undefined
  literals.push(Buffer.from(text.slice(last), "utf8"))
  return { literals, hashes, placeholders }
}

/**
 * Whether `plain` is `redacted` with each placeholder's secret put back: the literal text
 * between placeholders equal, and each gap either a text whose SHA-256 begins with the
 * placeholder's h8 or the very same placeholder (both copies redacted it).
 *
 * The gaps are found by aligning the literals: gap i starts where literal i ends, and ends at an
 * occurrence of literal i+1 (the last one at the end of `plain`). A secret may itself hold the
 * literal that follows it (a PEM block holds line ends), so every occurrence is tried, the
 * nearest first, and taken only when the text before it hashes to the h8: the SHA-256 of the gap
 * is carried from one candidate end to the next (`Hash.copy`), so trying them all costs one pass
 * over the gap. Failed (gap, start) pairs are remembered, so no search is repeated.
 */
const fills = (redacted: Cut, plain: Buffer): boolean => {
  const { hashes, literals, placeholders } = redacted
  const n = hashes.length
  const first = literals[0]!
  const last = literals[n]!
  // every gap holds at least one byte: a secret is never empty
  if (plain.length < first.length + last.length + n) return false
  if (!plain.subarray(0, first.length).equals(first)) return false
  const end = plain.length - last.length
  if (!plain.subarray(end).equals(last)) return false
  // after literal i+1: gaps i+1…n-1 of a byte at least, and literals i+2…n-1 (literal n ends `plain`)
  const after: Array<number> = new Array(n).fill(1)
  for (let i = n - 3; i >= 0; i--) after[i] = after[i + 1]! + 1 + literals[i + 2]!.length
  let budget = MAX_CANDIDATES
  const failed = new Set<number>()

  /** gap `i` is `plain[start, stop)`, whose SHA-256 so far is `hash` */
  const gapMatches = (i: number, hash: Hash, start: number, stop: number): boolean =>
    (stop - start === placeholders[i]!.length && plain.subarray(start, stop).equals(placeholders[i]!)) ||
    hash.copy().digest("hex").startsWith(hashes[i]!)

  /** gap `i` starts at `start`: whether the rest of `plain` fills gaps i…n-1 */
  const from = (i: number, start: number): boolean => {
    const key = i * (plain.length + 1) + start
    if (failed.has(key)) return false
    if (--budget < 0) return false
    const hash = createHash("sha256")
    if (i === n - 1) {
      // the last gap runs to the last literal, which ends `plain`
      const ok = end > start && gapMatches(i, hash.update(plain.subarray(start, end)), start, end)
      if (!ok) failed.add(key)
      return ok
    }
    const next = literals[i + 1]!
    const room = end - after[i]!
    let hashed = start
    for (let at = plain.indexOf(next, start + 1); at !== -1 && at + next.length <= room; at = plain.indexOf(next, at + 1)) {
      if (--budget < 0) return false
      hash.update(plain.subarray(hashed, at))
      hashed = at
      if (gapMatches(i, hash, start, at) && from(i + 1, at + next.length)) return true
    }
    failed.add(key)
    return false
  }
  return from(0, first.length)
}

/**
 * Whether two strings are equal up to redaction: equal, or one holds placeholders and the other
 * reads the same with each placeholder's secret in its place (the text between placeholders
 * equal, each secret's SHA-256 beginning with the placeholder's h8), whichever one is redacted.
 * When both hold placeholders, a placeholder may also stand across from the same placeholder; a
 * secret that each side redacted and the other did not is not recognised. A pair that would take
 * more than {@link MAX_CANDIDATES} tries is not equivalent.
 *
 * @since 0.1.0
 * @category comparing
 */
export const textEquivalent = (a: string, b: string): boolean => {
  if (a === b) return true
  const cutA = cut(a)
  const cutB = cut(b)
  return (cutA !== undefined && fills(cutA, Buffer.from(b, "utf8"))) ||
    (cutB !== undefined && fills(cutB, Buffer.from(a, "utf8")))
}
