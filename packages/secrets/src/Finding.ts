/**
 * A secret found in a file: its kind, where it is (record, JSON path of the string value,
 * offsets in that string) and the secret itself, which stays in memory: it is what redaction
 * hashes into the placeholder, and is never printed, logged or written. Reports use
 * {@link summarize}: per kind a count and record numbers, never a value.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category models */
export interface Finding {
  /** short id: `openai`, `aws`, `private-key`, `jwt`, `dotenv`, `database-url`, … (`RuleSet.KINDS`) */
  readonly kind: string
  /** 1-based line number in the file */
  readonly record: number
  /** JSON path of the string value in the record; `[]`: the raw line text (a non-JSON line, a text file) */
  readonly path: ReadonlyArray<string | number>
  /** UTF-16 offsets of the secret inside that string value (or raw line) */
  readonly start: number
  readonly end: number
  /** the matched text: in memory only, never printed, logged or written */
  readonly secret: string
  /** set when it lies where redaction must not write (`signed thinking`): reported, never redacted */
  readonly kept?: string
}

/** @since 0.1.0 @category models */
export interface KindSummary {
  readonly kind: string
  /** every finding of the kind */
  readonly count: number
  /** the records they are in, ascending, the first 100 */
  readonly records: ReadonlyArray<number>
  /** how many were replaced by placeholders */
  readonly redacted: number
  /** how many lie where redaction does not write */
  readonly kept: number
}

/** the most record numbers a summary lists */
export const MAX_RECORDS = 100

/**
 * Per kind (most found first, then by kind): count, records, and how many were redacted
 * (`redacted`: whether redaction ran; kept findings never are) or kept.
 *
 * @since 0.1.0
 * @category reports
 */
export const summarize = (findings: ReadonlyArray<Finding>, redacted: boolean): ReadonlyArray<KindSummary> => {
  const byKind = new Map<string, { count: number; records: Set<number>; kept: number }>()
  for (const finding of findings) {
    const entry = byKind.get(finding.kind) ?? { count: 0, records: new Set<number>(), kept: 0 }
    entry.count++
    entry.records.add(finding.record)
    if (finding.kept !== undefined) entry.kept++
    byKind.set(finding.kind, entry)
  }
  return [...byKind.entries()]
    .map(([kind, { count, kept, records }]) => ({
      kind,
      count,
      records: [...records].sort((a, b) => a - b).slice(0, MAX_RECORDS),
      redacted: redacted ? count - kept : 0,
      kept
    }))
    .sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
}
