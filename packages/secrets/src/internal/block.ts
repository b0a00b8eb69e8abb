/**
 * A block of whole records scanned by one `lintSource` call (per-record calls are about 12 times
 * slower: the rules' set-up and a pass of every pattern per call). The scan text is each
 * record's string values, each followed by `\n` (a value under a key that says secret is written
 * `key: "value"`, so that the assignment rule sees the name), with a table from text offsets back
 * to (record, JSON path, offset in the value).
 *
 * A match is cut at the end of the value it starts in (a key cut off in a string ends with the
 * string); a match over consecutive raw lines (a PEM key in a text file) is split into one
 * finding per line.
 */
import type { Finding } from "../Finding.js"
import { lint } from "./lint.js"
import { hitsIn, register, release } from "./literals.js"
import type { Path, Segment } from "./record.js"

interface Placed {
  readonly start: number
  readonly end: number
  readonly record: number
  readonly path: Path
  readonly text: string
  readonly kept?: string
}

export interface BlockResult {
  readonly findings: ReadonlyArray<Finding>
  /** the original line of each record with a finding that is not kept */
  readonly lines: ReadonlyMap<number, string>
}

export class Block {
  private pieces: Array<string> = []
  private placed: Array<Placed> = []
  private readonly originals = new Map<number, string>()
  /** what the prefilter found in the scan text (a superset will do) */
  private readonly hits = new Set<string>()
  /** characters of scan text so far */
  length = 0

  get isEmpty(): boolean {
    return this.placed.length === 0
  }

  private push(piece: string): void {
    this.pieces.push(piece)
    this.length += piece.length
  }

  /**
   * A record's segments (a raw line is one segment with path `[]`), its original line, and what
   * the prefilter found in it (in its line: a superset of its segments'), else it is searched here.
   */
  add(record: number, line: string, segments: ReadonlyArray<Segment>, hits?: ReadonlySet<string>): void {
    if (segments.length === 0) return
    this.originals.set(record, line)
    const first = this.pieces.length
    for (const segment of segments) {
      if (segment.label !== undefined) this.push(`${segment.label}: "`)
      const start = this.length
      this.push(segment.text)
      this.placed.push({
        start,
        end: this.length,
        record,
        path: segment.path,
        text: segment.text,
        ...(segment.kept === undefined ? {} : { kept: segment.kept })
      })
      this.push(segment.label !== undefined ? "\"\n" : "\n")
    }
    if (hits === undefined) hitsIn(this.pieces.slice(first).join(""), this.hits)
    else for (const hit of hits) this.hits.add(hit)
  }

  /** the index of the placed value a match starting at `at` belongs to (or -1) */
  private indexAt(at: number): number {
    let low = 0
    let high = this.placed.length - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (this.placed[middle]!.start <= at) {
        found = middle
        low = middle + 1
      } else high = middle - 1
    }
    // in the separator or label after a value: the next value, if the match reaches into it
    if (found === -1 || at >= this.placed[found]!.end) found++
    return found < this.placed.length ? found : -1
  }

  private finding(kind: string, value: Placed, from: number, to: number): Finding {
    const start = Math.max(from, value.start) - value.start
    const end = Math.min(to, value.end) - value.start
    return {
      kind,
      record: value.record,
      path: value.path,
      start,
      end,
      secret: value.text.slice(start, end),
      ...(value.kept === undefined ? {} : { kept: value.kept })
    }
  }

  async scan(): Promise<BlockResult> {
    const text = this.pieces.join("")
    this.pieces = []
    const findings: Array<Finding> = []
    register(text, this.hits)
    let matches
    try {
      matches = await lint(text)
    } finally {
      release(text)
    }
    for (const match of matches) {
      let index = this.indexAt(match.start)
      if (index === -1 || this.placed[index]!.start >= match.end) continue
      let value = this.placed[index]!
      findings.push(this.finding(match.kind, value, match.start, match.end))
      // a raw line is cut by the line end, not by the end of a string: go on over the next lines
      while (value.path.length === 0 && match.end > value.end + 1) {
        const next = this.placed[++index]
        if (next === undefined || next.path.length !== 0 || next.record !== value.record + 1) break
        value = next
        if (value.end > value.start) findings.push(this.finding(match.kind, value, match.start, match.end))
      }
    }
    const nonEmpty = findings.filter((finding) => finding.end > finding.start)
    const lines = new Map<number, string>()
    for (const finding of nonEmpty) {
      if (finding.kept === undefined && !lines.has(finding.record)) lines.set(finding.record, this.originals.get(finding.record)!)
    }
    return { findings: nonEmpty, lines }
  }
}
