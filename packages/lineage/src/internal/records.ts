import { Inflater, isZstd } from "@sessionport/schema/LineDecoder"
import { MAX_LINE_BYTES } from "@sessionport/schema/LineLimit"
import * as nodeFs from "node:fs"
import { startsWithAny } from "../Fingerprint.js"
import { isBlank } from "./scanner.js"

const CHUNK = 1024 * 1024

/** @internal a record over the line limit: counted, its bytes not held */
export const TOO_LONG = null

/**
 * @internal
 * The records of a transcript file in order, as lineage counts them (non-blank lines ended by
 * `\n`, less those beginning with an `ignored` prefix: record k is print k), each as its bytes
 * without the `\n`; a record over `maxLineBytes` as {@link TOO_LONG}. Plain or zstd input (by its
 * first bytes), read a chunk at a time: memory stays at one chunk and one line. A record may be a
 * view of the read buffer: use it before asking for the next one. `firstChunk`: the size of the
 * first read, doubled while reads fill it, up to 1 MiB (small for a look at the first records).
 */
export function* recordsOf(
  path: string,
  ignored: ReadonlyArray<string> = [],
  maxLineBytes: number = MAX_LINE_BYTES,
  firstChunk: number = CHUNK
): Generator<Buffer | typeof TOO_LONG> {
  const fd = nodeFs.openSync(path, "r")
  try {
    const prefixes = ignored.map((prefix) => Buffer.from(prefix, "utf8"))
    const headLength = Math.max(0, ...prefixes.map((prefix) => prefix.length))
    let buffer = Buffer.allocUnsafe(Math.max(64, Math.min(firstChunk, CHUNK, nodeFs.fstatSync(fd).size + 1)))
    // the line begun in an earlier chunk: its pieces (copies) while under the limit, its first bytes, whether blank so far
    let pieces: Array<Buffer> = []
    let held = 0
    let over = false
    let head = Buffer.alloc(0)
    let blank = true
    const isRecord = (start: Buffer, lineIsBlank: boolean) =>
      !lineIsBlank && !(prefixes.length > 0 && startsWithAny(start, 0, start.length, prefixes))

    function* split(chunk: Buffer): Generator<Buffer | typeof TOO_LONG> {
      let start = 0
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl)
        start = nl + 1
        if (held === 0 && !over) {
          if (isRecord(piece.subarray(0, headLength), isBlank(piece, 0, piece.length))) {
            if (piece.length > maxLineBytes) yield TOO_LONG
            else yield piece
          }
          continue
        }
        keep(piece)
        const line = over ? TOO_LONG : Buffer.concat(pieces)
        const record = isRecord(head, blank)
        pieces = []
        held = 0
        over = false
        head = Buffer.alloc(0)
        blank = true
        if (record) yield line
      }
      if (start < chunk.length) keep(chunk.subarray(start))
    }
    /** a piece of the unfinished line, copied: the read buffer is reused */
    const keep = (piece: Buffer) => {
      if (head.length < headLength) head = Buffer.concat([head, piece.subarray(0, headLength - head.length)])
      if (blank) blank = isBlank(piece, 0, piece.length)
      held += piece.length
      if (held > maxLineBytes) {
        over = true
        pieces = []
      } else pieces.push(Buffer.from(piece))
    }

    let position = 0
    let inflater: Inflater | undefined
    for (;;) {
      const n = nodeFs.readSync(fd, buffer, 0, buffer.length, position)
      if (position === 0 && n >= 4 && isZstd(buffer)) inflater = new Inflater()
      position += n
      if (inflater !== undefined) {
        // the zstd decoder may keep its input: a copy
        for (const data of inflater.push(Uint8Array.prototype.slice.call(buffer, 0, n), n === 0)) {
          yield* split(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
        }
      } else yield* split(buffer.subarray(0, n))
      if (n === 0) return
      // the records of the last read are used by now: a bigger buffer may take its place
      if (n === buffer.length && buffer.length < CHUNK) buffer = Buffer.allocUnsafe(Math.min(2 * buffer.length, CHUNK))
    }
  } finally {
    nodeFs.closeSync(fd)
  }
}
