import { LineDecoder } from "@sessionport/schema"
import { startsWithAny } from "../Fingerprint.js"
import * as nodeFs from "node:fs"

/** @internal read size for the suffix and the end check */
const CHUNK = 1024 * 1024

/**
 * @internal
 * The bytes of a rollout after its first `skip` records (non-blank lines ended by `\n`) through
 * its `records`-th, lazily, a chunk at a time: what a fast-forward appends, before localization.
 * Memory stays at one chunk whatever the suffix's size. A plain file is cut on its bytes (every
 * byte kept as it is); a zstd file goes through the line decoder and comes out as plain text.
 */
export const suffixChunks = (
  file: string,
  skip: number,
  records: number,
  /** lines beginning with one of these are not records (see `LineageDialect.ignoredLinePrefixes`) */
  ignored: ReadonlyArray<string> = []
): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    const fd = nodeFs.openSync(file, "r")
    try {
      const size = nodeFs.fstatSync(fd).size
      const buffer = Buffer.allocUnsafe(Math.max(64, Math.min(CHUNK, size + 1)))
      const head = Buffer.alloc(4)
      if (nodeFs.readSync(fd, head, 0, 4, 0) === 4 && LineDecoder.isZstd(head)) {
        yield* decodedSuffix(fd, buffer, skip, records, ignored)
        return
      }
      // plain: find where record `skip` ends and record `records` ends, then copy what lies between
      let position = 0
      let seen = 0
      let lineHasText = false
      // the first bytes of the current line, when some lines are not records
      const prefixes = ignored.map((prefix) => Buffer.from(prefix, "utf8"))
      const lineHead = Buffer.alloc(prefixes.length === 0 ? 0 : Math.max(...prefixes.map((p) => p.length)))
      let headLength = 0
      let start = skip === 0 ? 0 : -1
      for (;;) {
        const n = nodeFs.readSync(fd, buffer, 0, buffer.length, position)
        if (n === 0) return
        const bytes = buffer.subarray(0, n)
        let from = start >= position ? start - position : start >= 0 ? 0 : n
        // line by line (`indexOf` finds each end): a line is a record once a byte of it is not blank
        for (let i = 0; i < n;) {
          const nl = bytes.indexOf(10, i)
          const end = nl === -1 ? n : nl
          for (let j = i; !lineHasText && j < end; j++) {
            const byte = bytes[j]!
            if (byte !== 13 && byte !== 32 && byte !== 9) lineHasText = true
          }
          for (let j = i; headLength < lineHead.length && j < end; j++) lineHead[headLength++] = bytes[j]!
          if (nl === -1) break
          if (lineHasText && !(prefixes.length > 0 && startsWithAny(lineHead, 0, headLength, prefixes))) seen++
          lineHasText = false
          headLength = 0
          if (seen === skip && start < 0) {
            start = position + nl + 1
            from = nl + 1
          }
          if (seen === records && start >= 0) {
            if (nl + 1 > from) yield Uint8Array.prototype.slice.call(buffer, from, nl + 1)
            return
          }
          i = nl + 1
        }
        if (start >= 0 && n > from) yield Uint8Array.prototype.slice.call(buffer, from, n)
        position += n
      }
    } finally {
      nodeFs.closeSync(fd)
    }
  }
})

/** the records after `skip` through `records` of a zstd rollout, as plain text lines */
function* decodedSuffix(
  fd: number,
  buffer: Buffer,
  skip: number,
  records: number,
  ignored: ReadonlyArray<string>
): Generator<Uint8Array> {
  const decoder = new LineDecoder.LineDecoder()
  let seen = 0
  let position = 0
  let done = false
  const take = (results: Iterable<LineDecoder.LineResult>): string => {
    let out = ""
    for (const result of results) {
      const { raw, terminated } = result._tag === "Left" ? result.left : result.right
      if (!terminated || seen >= records) {
        done = true
        break
      }
      if (raw.trim() === "") continue
      if (ignored.some((prefix) => raw.startsWith(prefix))) {
        if (seen >= skip) out += `${raw}\n`
        continue
      }
      seen++
      if (seen > skip) out += `${raw}\n`
    }
    return out
  }
  while (!done) {
    const n = nodeFs.readSync(fd, buffer, 0, buffer.length, position)
    position += n
    // the zstd decoder may keep a reference to its input: a copy
    const text = n === 0 ? take(decoder.end()) : take(decoder.linesOfBytes(Uint8Array.prototype.slice.call(buffer, 0, n)))
    if (text !== "") yield Buffer.from(text, "utf8")
    if (n === 0) break
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
