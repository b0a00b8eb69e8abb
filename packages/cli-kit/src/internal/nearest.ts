/**
 * The candidate a mistyped word most likely meant, as `git` and `gh` suggest one: a word that
 * starts exactly one candidate (`--dry` → `--dry-run`), else the closest within a few edits
 * (a swap of two neighbours counts as one edit: `exprot` → `export`).
 *
 * @internal
 */

/** Edits from `a` to `b`: insertions, deletions, substitutions, swaps of neighbours (OSA). */
export const distance = (a: string, b: string): number => {
  const rows: Array<Array<number>> = Array.from({ length: a.length + 1 }, (_, i) => [i])
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = d
    }
  }
  return rows[a.length]![b.length]!
}

// more edits than this make another word, not a typo of this one
const tolerance = (word: string) => (word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3)

/**
 * The nearest candidate to `word`, or undefined when none is near. Leading dashes and case are
 * ignored; among equally near candidates the first wins.
 */
export const nearest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const bare = (text: string) => text.replace(/^-+/, "").toLowerCase()
  const typed = bare(word)
  if (typed === "") return undefined
  const starting = candidates.filter((c) => bare(c).startsWith(typed))
  if (starting.length === 1) return starting[0]
  let best: string | undefined
  let bestDistance = tolerance(typed) + 1
  for (const candidate of candidates) {
    const d = distance(typed, bare(candidate))
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
