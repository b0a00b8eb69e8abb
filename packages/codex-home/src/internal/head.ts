import { LineDecoder, LineLimit, type SessionMeta, UserPrompt } from "@sessionport/schema"
import { Either } from "effect"
import * as fs from "node:fs"

/** @internal Codex's `HEAD_RECORD_LIMIT`: session_meta must be within this many non-empty lines. */
export const HEAD_RECORD_LIMIT = 10

/** @internal Codex's `USER_EVENT_SCAN_LIMIT`: further non-empty lines searched for the first prompt. */
export const USER_EVENT_SCAN_LIMIT = 200

/** @internal A head rarely spans more than one such read (session_meta with instructions is ~20 kB). */
export const HEAD_CHUNK_SIZE = 64 * 1024

/** @internal */
export interface HeadScan {
  readonly meta: SessionMeta.SessionMeta | undefined
  readonly firstUserMessage: string | undefined
  /** the file has no byte at all */
  readonly empty: boolean
  /** non-empty lines read, JSON or not */
  readonly lines: number
  /** the first non-empty line is not JSON */
  readonly firstLineInvalid: boolean
}

/** @internal Why a head without session_meta is not a session, in a few words. */
export const missingMetaReason = (scan: HeadScan): string =>
  scan.empty
    ? "the file is empty"
    : scan.lines === 0
    ? "the file has only blank lines"
    : scan.firstLineInvalid
    ? `its first line is not JSON, and no session_meta is in its first ${HEAD_RECORD_LIMIT} lines`
    : `no session_meta in its first ${HEAD_RECORD_LIMIT} lines`

/**
 * @internal
 * Codex's `read_head_summary` loop: every non-empty line counts (lines that are not JSON too);
 * reading goes on while fewer than 10 were seen, or while session_meta was seen, no prompt yet,
 * and fewer than 210 were seen.
 */
class HeadScanner {
  scanned = 0
  firstLineInvalid = false
  meta: SessionMeta.SessionMeta | undefined
  firstUserMessage: string | undefined

  more(): boolean {
    return !(this.meta !== undefined && this.firstUserMessage !== undefined) &&
      (this.scanned < HEAD_RECORD_LIMIT ||
        (this.meta !== undefined && this.scanned < HEAD_RECORD_LIMIT + USER_EVENT_SCAN_LIMIT))
  }

  step(result: LineDecoder.LineResult): void {
    if (Either.isLeft(result)) {
      if (this.scanned === 0) this.firstLineInvalid = true
      this.scanned++
      return
    }
    const record = result.right
    const entry = record.entry
    if (entry._tag === "Blank") return
    this.scanned++
    if (entry._tag === "Known" && entry.line.type === "session_meta") {
      // the first session_meta is canonical; a fork carries its parent's after its own
      this.meta ??= entry.line.payload
      return
    }
    this.firstUserMessage ??= UserPrompt.fromRecord(record)
  }
}

/** One buffer for every head read: a scan never yields between its reads, so no two scans share it at once. */
const headBuffer = Buffer.allocUnsafe(HEAD_CHUNK_SIZE)

/**
 * @internal
 * Reads a rollout's head straight from the file in {@link HEAD_CHUNK_SIZE} pieces and stops as
 * soon as the scan is done: listing thousands of sessions reads a few kB of each. The reads are
 * synchronous, into one shared buffer (the decoder keeps none of its input), so a file costs an
 * open, a read or two and a close, with no file handle object, promise or buffer per read. Plain
 * and zstd files alike ({@link LineDecoder.LineDecoder}). Throws the node error, a
 * `LineDecoder.CorruptInput`, or a `LineLimit.LineTooLong` for a head line over `lineLimit`
 * bytes. Only the head is decoded: a session is listed and exported whatever the length of the
 * lines after it, which are copied as they are.
 */
export const scanFile = (path: string, lineLimit: number = LineLimit.MAX_LINE_BYTES): HeadScan => {
  const fd = fs.openSync(path, "r")
  try {
    const decoder = new LineDecoder.LineDecoder({ maxLineBytes: lineLimit })
    const scan = new HeadScanner()
    let empty = true
    let lineNumber = 0
    while (scan.more()) {
      const bytesRead = fs.readSync(fd, headBuffer, 0, HEAD_CHUNK_SIZE, null)
      if (bytesRead > 0) empty = false
      const results = bytesRead === 0 ? decoder.end() : decoder.linesOfBytes(headBuffer.subarray(0, bytesRead))
      for (const result of results) {
        lineNumber = Either.isLeft(result) ? result.left.lineNumber : result.right.lineNumber
        scan.step(result)
        if (!scan.more()) break
      }
      if (bytesRead === 0) break
      // the decoder refuses such a line only where it ends: an endless one would be read whole
      const unfinished = decoder.unfinishedLineBytes
      if (scan.more() && unfinished > lineLimit) throw new LineLimit.LineTooLong(lineNumber + 1, unfinished, lineLimit)
    }
    return {
      meta: scan.meta,
      firstUserMessage: scan.firstUserMessage,
      empty,
      lines: scan.scanned,
      firstLineInvalid: scan.firstLineInvalid
    }
  } finally {
    fs.closeSync(fd)
  }
}
