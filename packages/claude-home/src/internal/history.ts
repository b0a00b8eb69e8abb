/**
 * A JSONL file without some of its lines, byte for byte: what a removal writes in place of
 * `history.jsonl`. Every line kept is the same bytes (its `\r`, odd spacing or invalid UTF-8
 * included), and the file is read a chunk at a time (any size).
 */
import { FileChunks } from "@sessionport/package-format"
import * as Equivalence from "@sessionport/secrets/Equivalence"
import * as fs from "node:fs"
import { sessionIdOf } from "./files.js"

/**
 * @internal
 * The bytes of `path` without the lines `drop` picks (each given with its `\n`, the last one
 * without when the file does not end with one), in runs as long as the chunks read. Each chunk
 * is memory of its own (a journal may hold it while the next is read). A missing file has none.
 */
export function* withoutLines(path: string, drop: (line: Buffer) => boolean): Generator<Uint8Array> {
  if (!fs.existsSync(path)) return
  // the pieces of a line begun in earlier chunks
  let carry: Array<Buffer> = []
  for (const chunk of FileChunks.read(path)) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let lineStart = 0
    let keepFrom = 0
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, nl + 1)) {
      const end = nl + 1
      if (carry.length > 0) {
        if (drop(Buffer.concat([...carry, buf.subarray(0, end)]))) keepFrom = end
        else yield* carry
        carry = []
      } else if (drop(buf.subarray(lineStart, end))) {
        if (lineStart > keepFrom) yield buf.subarray(keepFrom, lineStart)
        keepFrom = end
      }
      lineStart = end
    }
    if (lineStart > keepFrom) yield buf.subarray(keepFrom, lineStart)
    if (lineStart < buf.length) carry.push(buf.subarray(lineStart))
  }
  if (carry.length > 0 && !drop(Buffer.concat(carry))) yield* carry
}

/**
 * @internal
 * Picks the lines whose `sessionId` is one of `ids`, counting them by session in `counts`.
 */
export const sessionLines = (ids: ReadonlySet<string>, counts?: Map<string, number>) => {
  const needles = [...ids]
  return (line: Buffer): boolean => {
    // most lines hold none of the ids: parsed only when one is there
    if (!needles.some((id) => line.includes(id))) return false
    const id = sessionIdOf(line.toString("utf8"))
    if (id === undefined || !ids.has(id)) return false
    counts?.set(id, (counts.get(id) ?? 0) + 1)
    return true
  }
}

/** A history line's session and time, and its text (`undefined` when it is not JSON: the whole line stands for it). */
const entryOf = (line: string): { readonly at: string; readonly display: unknown } => {
  try {
    const { display, sessionId, timestamp } = JSON.parse(line) as { display?: unknown; sessionId?: unknown; timestamp?: unknown }
    return { at: JSON.stringify([sessionId, timestamp]), display }
  } catch {
    return { at: line, display: undefined }
  }
}

/**
 * @internal
 * Some history entries, to tell whether a line is one of them: the same prompt when its session
 * and time are, and its text is the same up to redaction (`@sessionport/secrets/Equivalence`: a
 * package exported with `--redact` carries `[REDACTED:…]` where the entry here has the secret,
 * or the other way round), so a redacted copy of an entry is not added beside it.
 */
export class HistoryEntries {
  private readonly byTime = new Map<string, Array<unknown>>()

  add(line: string): void {
    const { at, display } = entryOf(line)
    const texts = this.byTime.get(at)
    if (texts === undefined) this.byTime.set(at, [display])
    else texts.push(display)
  }

  has(line: string): boolean {
    const { at, display } = entryOf(line)
    return this.byTime.get(at)?.some((had) =>
      had === display || (typeof had === "string" && typeof display === "string" && Equivalence.textEquivalent(had, display))
    ) === true
  }
}
