import { LineDecoder, type SessionMeta, UserPrompt } from "@sessionport/schema"
import { Either } from "effect"
import * as fs from "node:fs/promises"

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
}

/**
 * @internal
 * Codex's `read_head_summary` loop: every non-empty line counts (lines that are not JSON too);
 * reading goes on while fewer than 10 were seen, or while session_meta was seen, no prompt yet,
 * and fewer than 210 were seen.
 */
class HeadScanner {
  private scanned = 0
  meta: SessionMeta.SessionMeta | undefined
  firstUserMessage: string | undefined

  more(): boolean {
    return !(this.meta !== undefined && this.firstUserMessage !== undefined) &&
      (this.scanned < HEAD_RECORD_LIMIT ||
        (this.meta !== undefined && this.scanned < HEAD_RECORD_LIMIT + USER_EVENT_SCAN_LIMIT))
  }

  step(result: LineDecoder.LineResult): void {
    if (Either.isLeft(result)) {
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
 * the node error, or a `LineDecoder.CorruptInput`.
 */
export const scanFile = async (path: string): Promise<HeadScan> => {
  const handle = await fs.open(path, "r")
  try {
    const decoder = new LineDecoder.LineDecoder()
    const scan = new HeadScanner()
    while (scan.more()) {
      // a fresh buffer per read: the zstd decoder may keep a reference to its input
      const buffer = Buffer.allocUnsafe(HEAD_CHUNK_SIZE)
      const { bytesRead } = await handle.read(buffer, 0, HEAD_CHUNK_SIZE, null)
      const results = bytesRead === 0 ? decoder.end() : decoder.linesOfBytes(buffer.subarray(0, bytesRead))
      for (const result of results) {
        scan.step(result)
        if (!scan.more()) break
      }
      if (bytesRead === 0) break
    }
    return { meta: scan.meta, firstUserMessage: scan.firstUserMessage }
  } finally {
    await handle.close()
  }
}
