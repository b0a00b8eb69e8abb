/**
 * Redaction at the level of lines (records): which lines of a file change and into what, and the
 * file's bytes with exactly those lines replaced. Every other byte goes through as it is; a line
 * is only rewritten when its bytes are the UTF-8 of the text the scanner saw (a line that is not
 * UTF-8 would not survive a decode and encode): its findings are kept and reported instead.
 */
import { type Finding, Redactor, type Scanner } from "@sessionport/secrets"
import { Buffer, isUtf8 } from "node:buffer"

const NEWLINE = 0x0a
const CR = "\r"

/** A line that changes: its bytes as read (without the newline) and what replaces them. */
export interface Edit {
  readonly original: Buffer
  readonly replacement: Buffer
}

/** What redacting one file does: the lines it rewrites, and every finding (those it cannot redact marked kept). */
export interface Plan {
  readonly edits: ReadonlyMap<number, Edit>
  readonly findings: ReadonlyArray<Finding.Finding>
  /** the file's size once redacted */
  readonly size: number
}

/** Why a finding on a line that is not UTF-8 is kept. */
export const NOT_TEXT = "a line that is not UTF-8 text"

/** The records (1-based line numbers) that hold a finding redaction may write over. */
export const redactable = (findings: ReadonlyArray<Finding.Finding>): ReadonlySet<number> =>
  new Set(findings.filter((f) => f.kept === undefined).map((f) => f.record))

/** The bytes of the `wanted` records (1-based lines, without their newline) of the content, copied: the chunks may be reused. */
export const collectLines = (
  chunks: Iterable<Uint8Array>,
  wanted: ReadonlySet<number>
): Map<number, Buffer> => {
  const found = new Map<number, Buffer>()
  if (wanted.size === 0) return found
  const last = Math.max(...wanted)
  let record = 1
  let pending: Array<Buffer> | undefined
  for (const chunk of chunks) {
    let at = 0
    while (at < chunk.length && record <= last) {
      const nl = chunk.indexOf(NEWLINE, at)
      const end = nl === -1 ? chunk.length : nl
      if (wanted.has(record)) (pending ??= []).push(Buffer.from(chunk.subarray(at, end)))
      if (nl === -1) break
      if (pending !== undefined) found.set(record, Buffer.concat(pending))
      pending = undefined
      record++
      at = nl + 1
    }
    if (record > last) break
  }
  if (pending !== undefined) found.set(record, Buffer.concat(pending))
  return found
}

/**
 * Plans the redaction of a file from its scan and the bytes of its lines with findings: each
 * such line is rewritten by {@link Redactor.redactLine} when its bytes are the text the scanner
 * saw (a line ending `\r\n` keeps its `\r`), else its findings are kept. `size` is the file's
 * size as scanned.
 */
export const plan = (
  result: Scanner.ScanResult,
  lines: ReadonlyMap<number, Buffer>,
  size: number
): Plan => {
  const byRecord = new Map<number, Array<Finding.Finding>>()
  for (const f of result.findings) {
    if (f.kept !== undefined) continue
    const list = byRecord.get(f.record)
    if (list === undefined) byRecord.set(f.record, [f])
    else list.push(f)
  }
  const edits = new Map<number, Edit>()
  const unwritable = new Set<number>()
  let redactedSize = size
  for (const [record, findings] of byRecord) {
    const original = lines.get(record)
    const text = result.lines.get(record)
    const replacement = original === undefined || text === undefined ? undefined : rewrite(original, text, findings)
    if (original === undefined || replacement === undefined) {
      unwritable.add(record)
      continue
    }
    if (replacement.equals(original)) continue
    edits.set(record, { original, replacement })
    redactedSize += replacement.length - original.length
  }
  const findings = unwritable.size === 0
    ? result.findings
    : result.findings.map((f) => f.kept === undefined && unwritable.has(f.record) ? { ...f, kept: NOT_TEXT } : f)
  return { edits, findings, size: redactedSize }
}

const rewrite = (original: Buffer, text: string, findings: ReadonlyArray<Finding.Finding>): Buffer | undefined => {
  if (!isUtf8(original)) return undefined
  const decoded = original.toString("utf8")
  if (decoded === text) return Buffer.from(Redactor.redactLine(text, findings), "utf8")
  // a scanner that saw the line without its `\r`
  if (decoded === text + CR) return Buffer.from(Redactor.redactLine(text, findings) + CR, "utf8")
  return undefined
}

/** The file changed between the scan and the copy: the line read is not the one scanned. */
export class LineChanged extends Error {}

/**
 * The bytes of `chunks` with the planned lines replaced: untouched stretches go out as views of
 * the chunks (which must not be reused: read them each into a buffer of its own), so only the
 * rewritten lines are copied. Throws {@link LineChanged} when a planned line's bytes are not the
 * ones planned for, or the content ends before it.
 */
export function* applyEdits(chunks: Iterable<Uint8Array>, edits: ReadonlyMap<number, Edit>): Generator<Uint8Array> {
  let record = 1
  let pending: Array<Buffer> | undefined
  const finish = (edit: Edit) => {
    const line = Buffer.concat(pending!)
    pending = undefined
    if (!line.equals(edit.original)) throw new LineChanged(`line ${record} changed since it was scanned`)
    return edit.replacement
  }
  let remaining = edits.size
  for (const chunk of chunks) {
    let at = 0
    // where the stretch of bytes going out unchanged began
    let from = 0
    while (at < chunk.length) {
      if (remaining === 0 && pending === undefined) break
      const nl = chunk.indexOf(NEWLINE, at)
      const end = nl === -1 ? chunk.length : nl
      const edit = edits.get(record)
      if (edit !== undefined) {
        if (from < at) yield chunk.subarray(from, at)
        ;(pending ??= []).push(Buffer.from(chunk.subarray(at, end)))
        if (nl === -1) {
          from = chunk.length
          break
        }
        yield finish(edit)
        remaining--
        // the newline goes out with the stretch after it
        from = nl
      }
      if (nl === -1) break
      record++
      at = nl + 1
    }
    if (from < chunk.length) yield chunk.subarray(from)
  }
  const edit = edits.get(record)
  if (pending !== undefined && edit !== undefined) {
    yield finish(edit)
    remaining--
  }
  if (remaining > 0) throw new LineChanged("the file has fewer lines than when it was scanned")
}
