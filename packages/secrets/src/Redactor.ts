/**
 * Redaction of one record: each finding's range is replaced by its placeholder
 * (`[REDACTED:<kind>:<h8>]`, {@link Placeholder.make}), nothing else changes. In a JSON record
 * only the string tokens at the findings' paths are rewritten (as `JSON.stringify` writes the
 * edited value); the rest of the line (key order, numbers, other strings' escapes, a CR line
 * end) stays byte for byte. A raw line (path `[]`) is spliced. `kept` findings are never
 * redacted. A finding whose text is not (or no longer) at its place is left alone, so that
 * redacting an already redacted line changes nothing.
 *
 * @since 0.1.0
 */
import type { Finding } from "./Finding.js"
import { pathKey, stringSpans } from "./internal/jsonSpans.js"
import * as Placeholder from "./Placeholder.js"

/** `text` with the findings' ranges (in it) replaced by their placeholders */
const splice = (text: string, findings: ReadonlyArray<Finding>): string => {
  let out = text
  let limit = Infinity
  for (const finding of [...findings].sort((a, b) => b.start - a.start)) {
    // overlapping or stale findings are skipped: the text must be the secret, before the last edit
    if (finding.end > limit || out.slice(finding.start, finding.end) !== finding.secret) continue
    out = out.slice(0, finding.start) + Placeholder.make(finding.kind, finding.secret) + out.slice(finding.end)
    limit = finding.start
  }
  return out
}

/** a JSON record with the strings at the findings' paths redacted in place; unchanged when it is not JSON */
const redactJson = (body: string, findings: ReadonlyArray<Finding>): string => {
  const byPath = new Map<string, Array<Finding>>()
  for (const finding of findings) byPath.set(pathKey(finding.path), [...(byPath.get(pathKey(finding.path)) ?? []), finding])
  let spans: ReadonlyMap<string, readonly [number, number]>
  try {
    JSON.parse(body)
    spans = stringSpans(body, new Set(byPath.keys()))
  } catch {
    return body
  }
  const edits: Array<readonly [number, number, string]> = []
  for (const [key, [start, end]] of spans) {
    const value = JSON.parse(body.slice(start, end)) as string
    const redacted = splice(value, byPath.get(key)!)
    if (redacted !== value) edits.push([start, end, JSON.stringify(redacted)])
  }
  let out = body
  for (const [start, end, token] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + token + out.slice(end)
  return out
}

/**
 * The line (one record, without its LF) with this record's findings redacted.
 *
 * @since 0.1.0
 * @category redaction
 */
export const redactLine = (line: string, findings: ReadonlyArray<Finding>): string => {
  const active = findings.filter((finding) => finding.kept === undefined)
  if (active.length === 0) return line
  const cr = line.endsWith("\r")
  const body = cr ? line.slice(0, -1) : line
  const raw = active.filter((finding) => finding.path.length === 0)
  const inJson = active.filter((finding) => finding.path.length > 0)
  const redacted = inJson.length > 0 ? redactJson(body, inJson) : splice(body, raw)
  return redacted === body ? line : redacted + (cr ? "\r" : "")
}
