import { textEquivalent } from "@sessionport/secrets/Equivalence"
import * as Placeholder from "@sessionport/secrets/Placeholder"

/** @internal the bytes every line with a placeholder holds */
export const MARKER = Buffer.from(Placeholder.MARKER, "utf8")

/** @internal two strings equal up to redaction: `@sessionport/secrets/Equivalence` */
export { textEquivalent }

/** Two parsed JSON values alike but for redacted strings: same structure, keys in the same order, same non-string values. */
const valuesEquivalent = (a: unknown, b: unknown): boolean => {
  if (typeof a === "string") return typeof b === "string" && textEquivalent(a, b)
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return a === b
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((value, i) => valuesEquivalent(value, b[i]))
  if (Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  return keysA.length === keysB.length &&
    keysA.every((key, i) => key === keysB[i] && valuesEquivalent((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}

const BOM = "\uFEFF"

const parse = (line: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(line.startsWith(BOM) ? line.slice(1) : line) }
  } catch {
    return undefined
  }
}

/**
 * @internal Whether two record lines are equal up to redaction: both JSON, alike value by value
 * (see {@link valuesEquivalent}), or neither JSON and alike as text. Only lines of which one
 * holds a placeholder are parsed.
 */
export const recordsEquivalent = (a: string, b: string): boolean => {
  if (a === b) return true
  if (!a.includes(Placeholder.MARKER) && !b.includes(Placeholder.MARKER)) return false
  const parsedA = parse(a)
  const parsedB = parse(b)
  if (parsedA === undefined || parsedB === undefined) return parsedA === parsedB && textEquivalent(a, b)
  return valuesEquivalent(parsedA.value, parsedB.value)
}

/**
 * @internal
 * Where the bytes `[REDACTED:` first begin in a file, seen a chunk at a time as it is read
 * (`Fingerprint.OnRead`; a marker across two chunks too). Nothing is looked at after one is found.
 */
export class MarkerWatch {
  /** the offset in the file of the first marker */
  first: number | undefined
  /** the last bytes read (fewer than a marker's), and where they begin in the file */
  private tail = Buffer.alloc(0)
  private tailAt = 0

  readonly onRead = (bytes: Uint8Array, position: number): void => {
    if (this.first !== undefined) return
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (this.tail.length > 0 && this.tailAt + this.tail.length === position) {
      const at = Buffer.concat([this.tail, chunk.subarray(0, MARKER.length - 1)]).indexOf(MARKER)
      if (at !== -1) {
        this.first = this.tailAt + at
        return
      }
    }
    const at = chunk.indexOf(MARKER)
    if (at !== -1) {
      this.first = position + at
      return
    }
    // the last bytes read, fewer than a marker (of this chunk and, when it is that short, the ones before)
    const kept = MARKER.length - 1
    const last = chunk.length >= kept || this.tailAt + this.tail.length !== position
      ? chunk.subarray(Math.max(0, chunk.length - kept))
      : Buffer.concat([this.tail, chunk]).subarray(-kept)
    this.tail = Buffer.from(last)
    this.tailAt = position + chunk.length - this.tail.length
  }

  /** Whether a whole marker lies in the file's first `end` bytes. */
  before(end: number): boolean {
    return this.first !== undefined && this.first + MARKER.length <= end
  }
}
