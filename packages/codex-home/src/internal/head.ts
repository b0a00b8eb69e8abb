import { LineDecoder, type SessionMeta, UserPrompt } from "@sessionport/schema"
import { Either } from "effect"
import { constants } from "node:buffer"
import * as fs from "node:fs/promises"

/** @internal Codex's `HEAD_RECORD_LIMIT`: session_meta must be within this many non-empty lines. */
export const HEAD_RECORD_LIMIT = 10

/** @internal Codex's `USER_EVENT_SCAN_LIMIT`: further non-empty lines searched for the first prompt. */
export const USER_EVENT_SCAN_LIMIT = 200

/** @internal A head rarely spans more than one such read (session_meta with instructions is ~20 kB). */
export const HEAD_CHUNK_SIZE = 64 * 1024

/**
 * @internal
 * The longest head line read: a longer one could not become a string (V8's limit, just under
 * 512 MiB), and holding it all just to list the session would be wasteful anyway.
 */
export const HEAD_LINE_LIMIT = constants.MAX_STRING_LENGTH

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

/** @internal A line of the head is longer than the limit; the read stopped there. */
export class LineTooLong extends Error {
  constructor(readonly lineNumber: number, readonly limit: number) {
    super(`line ${lineNumber} is longer than ${
      limit >= 2 ** 20 ? `${Math.round(limit / 2 ** 20)} MiB` : `${limit} bytes`
    }`)
  }
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

/**
 * @internal
 * Reads a rollout's head straight from the file in {@link HEAD_CHUNK_SIZE} pieces and stops as
 * soon as the scan is done: listing thousands of sessions reads a few kB of each, with no stream
 * machinery per file. Plain and zstd files alike ({@link LineDecoder.LineDecoder}). Rejects with
 * the node error, a `LineDecoder.CorruptInput`, or {@link LineTooLong} for a line over `lineLimit`
 * bytes (checked while it is read, so at most one chunk more is held).
 */
export const scanFile = async (path: string, lineLimit: number = HEAD_LINE_LIMIT): Promise<HeadScan> => {
  const handle = await fs.open(path, "r")
  try {
    // the head has its own limit, checked below (not the decoder's: a session is listed and
    // exported whatever the length of the lines after its head, which are copied as they are)
    const decoder = new LineDecoder.LineDecoder({ maxLineBytes: Infinity })
    const scan = new HeadScanner()
    let empty = true
    let lineNumber = 0
    while (scan.more()) {
      // a fresh buffer per read: the zstd decoder may keep a reference to its input
      const buffer = Buffer.allocUnsafe(HEAD_CHUNK_SIZE)
      const { bytesRead } = await handle.read(buffer, 0, HEAD_CHUNK_SIZE, null)
      if (bytesRead > 0) empty = false
      const results = bytesRead === 0 ? decoder.end() : decoder.linesOfBytes(buffer.subarray(0, bytesRead))
      for (const result of results) {
        const line = Either.isLeft(result) ? result.left : result.right
        lineNumber = line.lineNumber
        if (line.raw.length * 3 > lineLimit && Buffer.byteLength(line.raw) > lineLimit) {
          throw new LineTooLong(lineNumber, lineLimit)
        }
        scan.step(result)
        if (!scan.more()) break
      }
      if (bytesRead === 0) break
      if (scan.more() && decoder.unfinishedLineBytes > lineLimit) throw new LineTooLong(lineNumber + 1, lineLimit)
    }
    return {
      meta: scan.meta,
      firstUserMessage: scan.firstUserMessage,
      empty,
      lines: scan.scanned,
      firstLineInvalid: scan.firstLineInvalid
    }
  } finally {
    await handle.close()
  }
}
