import * as nodeFs from "node:fs"
import { LineDecoder } from "@sessionport/schema"

/** @internal read size for the suffix and the end check */
const CHUNK = 1024 * 1024

/**
 * @internal
 * The text of a rollout after its first `skip` records (non-blank lines ended by `\n`), with
 * the records the fingerprint counted and nothing after them (an unterminated last line is still
 * being written and is left out). Plain and zstd files alike. What a fast-forward appends, before
 * localization; it is kept in the journal record, so it is held as text.
 */
export const suffixAfter = (file: string, skip: number, records: number): string => {
  const fd = nodeFs.openSync(file, "r")
  try {
    const decoder = new LineDecoder.LineDecoder()
    const parts: Array<string> = []
    let seen = 0
    const take = (results: Iterable<LineDecoder.LineResult>): boolean => {
      for (const result of results) {
        const { raw, terminated } = result._tag === "Left" ? result.left : result.right
        if (!terminated) return false
        if (raw.trim() === "") {
          if (seen > skip && seen < records) parts.push("\n")
          continue
        }
        seen++
        if (seen > records) return false
        if (seen > skip) parts.push(`${raw}\n`)
      }
      return true
    }
    const buffer = Buffer.allocUnsafe(Math.max(64, Math.min(CHUNK, nodeFs.fstatSync(fd).size + 1)))
    for (;;) {
      const n = nodeFs.readSync(fd, buffer, 0, buffer.length, null)
      // the decoder keeps no reference to a plain chunk's bytes, but zstd may: copy
      const more = n === 0 ? take(decoder.end()) : take(decoder.linesOfBytes(Uint8Array.prototype.slice.call(buffer, 0, n)))
      if (n === 0 || !more) break
    }
    return parts.join("")
  } finally {
    nodeFs.closeSync(fd)
  }
}

/** @internal whether a file's last byte is `\n` (an empty file counts as ended) */
export const endsWithNewline = (file: string): boolean => {
  const fd = nodeFs.openSync(file, "r")
  try {
    const size = nodeFs.fstatSync(fd).size
    if (size === 0) return true
    const byte = Buffer.alloc(1)
    nodeFs.readSync(fd, byte, 0, 1, size - 1)
    return byte[0] === 10
  } finally {
    nodeFs.closeSync(fd)
  }
}
