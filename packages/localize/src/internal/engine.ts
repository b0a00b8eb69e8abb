import { isZstd, LineDecoder, type LineResult } from "@sessionport/schema/LineDecoder"
import { checkLength, MAX_LINE_BYTES, UnfinishedLine } from "@sessionport/schema/LineLimit"
import * as Dialect from "../Dialect.js"
import { type PathRules, PathOutsideRoot } from "../PathRules.js"
import type { Change, Report } from "../Rewriter.js"
import { LineWalker, type Mappers, Surface } from "./surface.js"

/** @internal */
export interface EngineOptions {
  readonly idMap: ReadonlyMap<string, string>
  readonly pathRules: PathRules
  readonly timestamps: ReadonlyMap<string, string> | undefined
  readonly historyBaseOffsets: ReadonlyMap<string, ReadonlyMap<number, number>> | undefined
  readonly lineEnds: ReadonlySet<number> | undefined
  readonly maxChanges: number
  /** the longest line decoded; default `LineLimit.MAX_LINE_BYTES` */
  readonly maxLineBytes: number | undefined
  /** lines of the file before the input (a suffix): line numbers are the file's */
  readonly lineOffset: number | undefined
  /** the transcript format; default Codex */
  readonly dialect: Dialect.Dialect | undefined
}

/** @internal A history_base offset the caller did not provide. */
export class MissingOffset extends Error {}

/** @internal A path of the line that would be localized out of its rule's target. */
export class OutsideRoot extends Error {
  constructor(readonly line: number, readonly refused: PathOutsideRoot) {
    super(`line ${line}: ${refused.message}`)
  }
}

// each dialect's surface is compiled once
const surfaces = new WeakMap<Dialect.Dialect, Surface>()
const surfaceOf = (dialect: Dialect.Dialect): Surface => {
  let surface = surfaces.get(dialect)
  if (surface === undefined) surfaces.set(dialect, surface = new Surface(dialect.surface))
  return surface
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/**
 * A pre-check for "the text holds one of these ids". A few ids: one `includes` each; many: one
 * pass over the dashes of the text, looking up every UUID-shaped run.
 */
interface IdCheck {
  readonly inText: (text: string) => boolean
  /** the ids looked up by their shape, when there are many */
  readonly uuids: ReadonlySet<string> | undefined
  /** the ids looked for as they are */
  readonly needles: ReadonlyArray<string>
}

const isUuidAt = (text: string, dash: number) =>
  text.charCodeAt(dash + 5) === 45 && text.charCodeAt(dash + 10) === 45 && text.charCodeAt(dash + 15) === 45

const idCheck = (ids: ReadonlyArray<string>): IdCheck => {
  const uuids = new Set(ids.filter((id) => UUID.test(id)))
  if (uuids.size <= 8) return { inText: (text) => ids.some((id) => text.includes(id)), uuids: undefined, needles: ids }
  const others = ids.filter((id) => !uuids.has(id))
  return {
    inText: (text) => {
      for (let i = text.indexOf("-", 8); i !== -1; i = text.indexOf("-", i + 1)) {
        if (isUuidAt(text, i) && uuids.has(text.slice(i - 8, i + 28))) return true
      }
      return others.some((id) => text.includes(id))
    },
    uuids,
    needles: others
  }
}

const checks = new WeakMap<ReadonlyMap<string, unknown>, { readonly size: number; readonly check: IdCheck }>()

/**
 * The check of a map's keys, built once per map: a plan (and its id map) is shared by every
 * session of a package, and building the check costs as much as the ids.
 */
const keyCheck = (map: ReadonlyMap<string, unknown>): IdCheck => {
  const cached = checks.get(map)
  if (cached !== undefined && cached.size === map.size) return cached.check
  const check = idCheck([...map.keys()])
  checks.set(map, { size: map.size, check })
  return check
}

/**
 * The pre-check on the raw bytes of a chunk, line after line (UTF-8: a substring of the text is
 * one of the bytes): a line holding no needle and no UUID-shaped id of the sets cannot pass the
 * text pre-check, and is never decoded. Each needle is searched once per occurrence in a chunk.
 */
class ByteCheck {
  private readonly needles: ReadonlyArray<Buffer>
  /** the next occurrence of each needle at or after the line looked at; -1: none left in the chunk */
  private readonly at: Int32Array
  private chunk: Buffer = Buffer.alloc(0)

  constructor(needles: ReadonlyArray<string>, private readonly uuids: ReadonlyArray<ReadonlySet<string>>) {
    this.needles = [...new Set(needles)].map((needle) => Buffer.from(needle, "utf8"))
    this.at = new Int32Array(this.needles.length)
  }

  /** the longest run of bytes a match spans, less one: what a piece of a line needs of the one before */
  get overlap(): number {
    return Math.max(this.uuids.length === 0 ? 0 : UUID_LENGTH - 1, ...this.needles.map((needle) => needle.length - 1))
  }

  /** whether the whole of `bytes` may pass the text pre-check */
  mayAll(bytes: Buffer): boolean {
    this.reset(bytes)
    return this.may(0, bytes.length)
  }

  /** the chunk whose lines come next */
  reset(chunk: Buffer): void {
    this.chunk = chunk
    this.at.fill(-2)
  }

  /** whether the line at `[start, end)` of the chunk may pass the text pre-check */
  may(start: number, end: number): boolean {
    const chunk = this.chunk
    for (let k = 0; k < this.needles.length; k++) {
      let at = this.at[k]!
      if (at === -1) continue
      if (at < start) this.at[k] = at = chunk.indexOf(this.needles[k]!, start)
      if (at !== -1 && at + this.needles[k]!.length <= end) return true
    }
    if (this.uuids.length === 0) return false
    for (let i = chunk.indexOf(45, start + 8); i !== -1 && i + 28 <= end; i = chunk.indexOf(45, i + 1)) {
      if (chunk[i + 5] === 45 && chunk[i + 10] === 45 && chunk[i + 15] === 45) {
        const id = chunk.toString("latin1", i - 8, i + 28)
        if (this.uuids.some((set) => set.has(id))) return true
      }
    }
    return false
  }
}

const UUID_LENGTH = 36

// an integer token beyond 2^53 (16 digits or more) loses precision in JSON.parse
const BIG_INTEGER = /[:,[]\s*-?\d{16}/

const NEWLINE = 10
const EMPTY = new Uint8Array(0)
const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Output text: bytes of the input, or a line's new text. */
type Part = Uint8Array | string

/** The parts in one new buffer: output never shares memory with the input. */
const assemble = (parts: ReadonlyArray<Part>): Uint8Array => {
  let length = 0
  for (const part of parts) length += typeof part === "string" ? Buffer.byteLength(part, "utf8") : part.length
  if (length === 0) return EMPTY
  const out = Buffer.allocUnsafe(length)
  let at = 0
  for (const part of parts) {
    if (typeof part === "string") at += out.write(part, at, "utf8")
    else {
      out.set(part, at)
      at += part.length
    }
  }
  return out
}

/**
 * @internal The synchronous rewriter: input bytes in, output bytes out, counts kept.
 *
 * Plain input is split into lines here, on the bytes: a line that does not pass the pre-check is
 * never decoded as JSON, and every line that does not change goes out as the very bytes that came
 * in. A line spanning chunks is pre-checked piece by piece ({@link UnfinishedLine}): one with
 * nothing to rewrite goes out as it comes however long it is; one that may need rewriting is
 * held, and refused over the line limit. zstd input goes through the schema's
 * {@link LineDecoder}, and comes out as plain text.
 */
export class Engine {
  private readonly walker: LineWalker
  private readonly hasId: (text: string) => boolean
  private readonly bytes: ByteCheck
  private readonly rules: PathRules
  private readonly wanted: ReadonlySet<number> | undefined
  private readonly maxChanges: number
  private readonly dialect: Dialect.Dialect
  private readonly surface: Surface

  private mode: "undecided" | "plain" | "zstd" = "undecided"
  private head: Array<Uint8Array> = []
  private headLength = 0
  /** the line begun in an earlier chunk */
  private readonly unfinished: UnfinishedLine
  private readonly maxLineBytes: number
  private readonly lineOffset: number
  private decoder: LineDecoder | undefined

  private lines = 0
  private rewritten = 0
  private notJson = 0
  private unknown = 0
  private legacy = 0
  private reformatted = 0
  private readonly changes: Array<Change> = []
  private changeCount = 0
  private readonly lineEnds = new Map<number, number>()
  private sourceAt = 0
  private targetAt = 0
  private outputBytes = 0

  constructor(options: EngineOptions) {
    const { historyBaseOffsets, idMap, timestamps } = options
    this.rules = options.pathRules
    this.maxChanges = options.maxChanges
    this.dialect = options.dialect ?? Dialect.codex
    this.surface = surfaceOf(this.dialect)
    this.wanted = options.lineEnds !== undefined && options.lineEnds.size > 0 ? options.lineEnds : undefined
    if (this.wanted?.has(0)) this.lineEnds.set(0, 0)
    const inIdMap = keyCheck(idMap)
    const inOthers = idCheck(
      [...new Set([...(timestamps?.keys() ?? []), ...(historyBaseOffsets?.keys() ?? [])])].filter((id) => !idMap.has(id))
    )
    this.hasId = (text) => inIdMap.inText(text) || inOthers.inText(text)
    const needles = [...inIdMap.needles, ...inOthers.needles, ...options.pathRules.jsonNeedles]
    const uuids = [inIdMap.uuids, inOthers.uuids].filter((set) => set !== undefined)
    this.bytes = new ByteCheck(needles, uuids)
    // the pieces of a long line get a check of their own: `bytes` is in the middle of a chunk
    const pieces = new ByteCheck(needles, uuids)
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES
    this.lineOffset = options.lineOffset ?? 0
    this.unfinished = new UnfinishedLine({
      limit: this.maxLineBytes,
      mayNeedDecoding: (bytes) => pieces.mayAll(bytes),
      overlap: pieces.overlap
    })
    const mappers: Mappers = {
      path: options.pathRules.map,
      fileUrl: options.pathRules.mapFileUrl,
      pathsInText: options.pathRules.mapText,
      threadId: (id) => idMap.get(id),
      timestamp: (line) => {
        const id = (line.payload as Record<string, unknown> | undefined)?.id
        return typeof id === "string" ? timestamps?.get(id) : undefined
      },
      byteOffset: (container, offset) => {
        const parent = container.thread_id
        if (typeof parent !== "string") return undefined
        const moved = historyBaseOffsets?.get(parent)?.get(offset)
        if (moved === undefined && idMap.has(parent)) {
          // the parent is rewritten too: its old offset would point into the wrong place
          throw new MissingOffset(
            `history_base.end_byte_offset ${offset} of parent ${parent}: no target offset given ` +
              "(rewrite the parent first, asking for its line ends)"
          )
        }
        return moved
      }
    }
    this.walker = new LineWalker(mappers)
  }

  /**
   * The output for a chunk of input, in memory of its own: nothing of `bytes` is kept or shared,
   * so its memory may be reused once this returns.
   */
  push(bytes: Uint8Array): Uint8Array {
    if (this.mode === "undecided") {
      // zstd is recognised by its first 4 bytes, however the input is cut
      if (this.head.length === 0 && bytes.length >= 4) return this.decide(bytes)
      this.head.push(Uint8Array.prototype.slice.call(bytes))
      this.headLength += bytes.length
      if (this.headLength < 4) return EMPTY
      return this.decide(Buffer.concat(this.head))
    }
    return this.counted(this.mode === "plain" ? this.plain(bytes) : this.zstd(bytes))
  }

  /** The output at the end of input: the last line, when it had no `\n`. */
  end(): Uint8Array {
    const parts: Array<Uint8Array> = []
    if (this.mode === "undecided") parts.push(this.decide(Buffer.concat(this.head)))
    if (this.mode === "zstd") parts.push(this.counted(this.text(this.decoder!.end())))
    else if (this.unfinished.length > 0) {
      const out: Array<Part> = []
      this.endUnfinished(false, out)
      parts.push(this.counted(assemble(out)))
    }
    return parts.length === 1 ? parts[0]! : assemble(parts)
  }

  private decide(bytes: Uint8Array): Uint8Array {
    this.head = []
    this.mode = isZstd(bytes) ? "zstd" : "plain"
    if (this.mode === "zstd") this.decoder = new LineDecoder({ maxLineBytes: this.maxLineBytes })
    return this.push(bytes)
  }

  private counted(bytes: Uint8Array): Uint8Array {
    this.outputBytes += bytes.length
    return bytes
  }

  private plain(chunk: Uint8Array): Uint8Array {
    const buf = view(chunk)
    const out: Array<Part> = []
    let start = 0
    if (this.unfinished.length > 0) {
      const nl = buf.indexOf(NEWLINE)
      out.push(...this.unfinished.add(nl === -1 ? buf : buf.subarray(0, nl)))
      if (nl === -1) return assemble(out)
      this.endUnfinished(true, out)
      start = nl + 1
    }
    this.bytes.reset(buf)
    // a run of unchanged lines goes out as one copy of the input
    let run = -1
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      const may = this.bytes.may(start, nl)
      if (may) checkLength(this.lineOffset + this.lines + 1, nl - start, this.maxLineBytes)
      const changed = this.line(may ? buf.toString("utf8", start, nl) : undefined, true, nl + 1 - start, undefined)
      if (changed === undefined) {
        if (run === -1) run = start
      } else {
        if (run !== -1) out.push(buf.subarray(run, start))
        run = -1
        out.push(`${changed}\n`)
      }
      start = nl + 1
    }
    if (run !== -1) out.push(buf.subarray(run, start))
    // the unfinished line is copied when held: a short tail should not keep the whole chunk alive
    if (start < buf.length) out.push(...this.unfinished.add(buf.subarray(start)))
    return assemble(out)
  }

  /** The line begun in an earlier chunk ended (`terminated`: by a `\n`); its output goes to `out`. */
  private endUnfinished(terminated: boolean, out: Array<Part>): void {
    const sourceLength = this.unfinished.length + (terminated ? 1 : 0)
    const end = this.unfinished.end(this.lineOffset + this.lines + 1)
    if (end._tag === "Pass") {
      // nothing to rewrite in it (the pre-check found nothing): never decoded
      this.line(undefined, terminated, sourceLength, undefined)
      out.push(...end.bytes)
    } else {
      const changed = this.line(end.bytes.toString("utf8"), terminated, sourceLength, undefined)
      out.push(changed ?? end.bytes)
    }
    if (terminated) out.push("\n")
  }

  private zstd(chunk: Uint8Array): Uint8Array {
    return this.text(this.decoder!.pushBytes(chunk))
  }

  private text(results: ReadonlyArray<LineResult>): Uint8Array {
    let text = ""
    for (const result of results) {
      const { raw, terminated } = result._tag === "Left" ? result.left : result.right
      const nl = terminated ? "\n" : ""
      const sourceLength = this.wanted === undefined ? 0 : Buffer.byteLength(raw, "utf8") + nl.length
      text += (this.line(raw, terminated, sourceLength, result) ?? raw) + nl
    }
    return text === "" ? EMPTY : Buffer.from(text, "utf8")
  }

  private mayMatch(raw: string): boolean {
    return this.hasId(raw) || this.rules.mayChangeJson(raw)
  }

  /**
   * The new text of a line (without its `\n`), or undefined to write it back as it was; `raw`
   * undefined: the line's bytes failed the pre-check (it was not even decoded).
   */
  private line(
    raw: string | undefined,
    terminated: boolean,
    sourceLength: number,
    decoded: LineResult | undefined
  ): string | undefined {
    const lineNumber = this.lineOffset + ++this.lines
    let out: string | undefined
    if (raw !== undefined && this.mayMatch(raw)) {
      // a byte order mark opens only the first line; JSON.parse does not take it
      const bom = this.lines === 1 && raw.charCodeAt(0) === 0xfeff
      const changed = this.attemptAt(bom ? raw.slice(1) : raw, lineNumber, decoded)
      if (changed !== undefined) out = bom ? `\ufeff${changed}` : changed
    }
    if (out !== undefined) this.rewritten++
    if (this.wanted !== undefined) {
      this.sourceAt += sourceLength
      this.targetAt += out === undefined ? sourceLength : Buffer.byteLength(out, "utf8") + (terminated ? 1 : 0)
      if (this.wanted.has(this.sourceAt)) this.lineEnds.set(this.sourceAt, this.targetAt)
    }
    return out
  }

  private attemptAt(raw: string, lineNumber: number, decoded: LineResult | undefined): string | undefined {
    try {
      return this.attempt(raw, lineNumber, decoded)
    } catch (error) {
      throw error instanceof PathOutsideRoot ? new OutsideRoot(lineNumber, error) : error
    }
  }

  /**
   * Parses, walks the surface, and only when something would change checks that the schema
   * recognises the line: classifying costs as much as parsing, and most lines change nothing.
   */
  private attempt(raw: string, lineNumber: number, decoded: LineResult | undefined): string | undefined {
    let json: unknown
    let recognised: Dialect.Recognition | undefined
    if (decoded !== undefined) {
      if (decoded._tag === "Left") return void this.notJson++
      const entry = decoded.right.entry
      json = entry._tag === "Known" || entry._tag === "Legacy" ? entry.line : entry._tag === "Unknown" ? entry.json : undefined
      // the decoder reads rollouts: its verdict is the Codex dialect's
      if (this.dialect === Dialect.codex) recognised = entry._tag === "Known" ? "known" : entry._tag === "Legacy" ? "legacy" : "unknown"
    } else {
      try {
        json = JSON.parse(raw)
      } catch {
        return void this.notJson++
      }
    }
    const line = typeof json === "object" && json !== null && !Array.isArray(json) ? json as Record<string, unknown> : undefined
    const type = line?.type
    const payload = line?.payload
    const payloadType = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>).type : undefined
    const entries = line === undefined ? [] : this.surface.entriesFor(type, payloadType)
    if (entries.length === 0) {
      // nothing on the surface; still say so when the line is of a shape this version does not know
      if (typeof type !== "string" || !this.dialect.knownTypes.has(type)) this.skip(recognised ?? this.dialect.recognise(json))
      return undefined
    }
    if (!this.walker.collect(line!, entries)) return void this.walker.release()
    recognised ??= this.dialect.recognise(json)
    if (recognised !== "known") {
      this.walker.release()
      return void this.skip(recognised)
    }
    // a carriage return before the newline stays where it was
    const cr = raw.endsWith("\r")
    const expected = raw.length - (cr ? 1 : 0) + this.walker.lengthDelta()
    this.walker.apply()
    for (const change of this.walker.changes) {
      this.changeCount++
      if (this.changes.length < this.maxChanges) this.changes.push({ line: lineNumber, ...change })
    }
    const out = JSON.stringify(line)
    this.walker.release()
    // the rest of the line was not as JSON.stringify writes it (spacing, escapes, number forms),
    // or holds an integer JSON.parse cannot keep exactly
    if (out.length !== expected || BIG_INTEGER.test(raw)) this.reformatted++
    return cr ? `${out}\r` : out
  }

  private skip(recognised: Dialect.Recognition): void {
    if (recognised === "unknown") this.unknown++
    else if (recognised === "legacy") this.legacy++
  }

  report(): Report {
    const passedThrough = this.lines - this.rewritten
    return {
      lines: this.lines,
      rewritten: this.rewritten,
      passedThrough,
      skipped: this.notJson + this.unknown + this.legacy,
      skippedNotJson: this.notJson,
      skippedUnknown: this.unknown,
      skippedLegacy: this.legacy,
      reformatted: this.reformatted,
      changes: this.changes,
      changeCount: this.changeCount,
      changesOmitted: this.changeCount - this.changes.length,
      lineEnds: this.lineEnds,
      outputBytes: this.outputBytes
    }
  }
}
