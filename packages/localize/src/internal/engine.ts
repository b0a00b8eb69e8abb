import * as RewriteSurface from "@sessionport/package-format/RewriteSurface"
import { isZstd, LineDecoder, type LineResult } from "@sessionport/schema/LineDecoder"
import { lineTypes } from "@sessionport/schema/RolloutLine"
import { decodeJson, type RolloutEntry } from "@sessionport/schema/RolloutRecord"
import type { PathRules } from "../PathRules.js"
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
}

/** @internal A history_base offset the caller did not provide. */
export class MissingOffset extends Error {}

const surface = new Surface(RewriteSurface.entries)
const KNOWN_TYPES: ReadonlySet<string> = new Set(lineTypes)

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/**
 * A pre-check for "the text holds one of these ids". A few ids: one `includes` each; many: one
 * pass over the dashes of the text, looking up every UUID-shaped run.
 */
const idFinder = (ids: ReadonlyArray<string>): (text: string) => boolean => {
  if (ids.length === 0) return () => false
  const uuids = new Set(ids.filter((id) => UUID.test(id)))
  const others = ids.filter((id) => !uuids.has(id))
  if (uuids.size <= 8) return (text) => ids.some((id) => text.includes(id))
  return (text) => {
    for (let i = text.indexOf("-", 8); i !== -1; i = text.indexOf("-", i + 1)) {
      if (
        text.charCodeAt(i + 5) === 45 && text.charCodeAt(i + 10) === 45 && text.charCodeAt(i + 15) === 45 &&
        uuids.has(text.slice(i - 8, i + 28))
      ) return true
    }
    return others.some((id) => text.includes(id))
  }
}

// an integer token beyond 2^53 (16 digits or more) loses precision in JSON.parse
const BIG_INTEGER = /[:,[]\s*-?\d{16}/

const NEWLINE = 10
const EMPTY = new Uint8Array(0)
const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
const join = (parts: ReadonlyArray<Uint8Array>): Uint8Array =>
  parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts)

/**
 * @internal The synchronous rewriter: input bytes in, output bytes out, counts kept.
 *
 * Plain input is split into lines here, on the bytes: a line that does not pass the pre-check is
 * never decoded as JSON, and every line that does not change goes out as the very bytes that came
 * in. zstd input goes through the schema's {@link LineDecoder}, and comes out as plain text.
 */
export class Engine {
  private readonly walker: LineWalker
  private readonly hasId: (text: string) => boolean
  private readonly rules: PathRules
  private readonly wanted: ReadonlySet<number> | undefined
  private readonly maxChanges: number

  private mode: "undecided" | "plain" | "zstd" = "undecided"
  private head: Array<Uint8Array> = []
  private headLength = 0
  private pending: Array<Uint8Array> = []
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
    this.wanted = options.lineEnds !== undefined && options.lineEnds.size > 0 ? options.lineEnds : undefined
    if (this.wanted?.has(0)) this.lineEnds.set(0, 0)
    this.hasId = idFinder([
      ...new Set([...idMap.keys(), ...(timestamps?.keys() ?? []), ...(historyBaseOffsets?.keys() ?? [])])
    ])
    const mappers: Mappers = {
      path: options.pathRules.map,
      fileUrl: options.pathRules.mapFileUrl,
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

  /** The output for a chunk of input. */
  push(bytes: Uint8Array): Uint8Array {
    if (this.mode === "undecided") {
      // zstd is recognised by its first 4 bytes, however the input is cut
      this.head.push(bytes)
      this.headLength += bytes.length
      if (this.headLength < 4) return EMPTY
      return this.decide()
    }
    return this.counted(this.mode === "plain" ? this.plain(bytes) : this.zstd(bytes))
  }

  /** The output at the end of input: the last line, when it had no `\n`. */
  end(): Uint8Array {
    const parts: Array<Uint8Array> = []
    if (this.mode === "undecided") parts.push(this.decide())
    if (this.mode === "zstd") parts.push(this.counted(this.text(this.decoder!.end())))
    else if (this.pending.length > 0) {
      const whole = join(this.pending)
      this.pending = []
      const changed = this.line(view(whole).toString("utf8"), false, whole.length, undefined)
      parts.push(this.counted(changed === undefined ? whole : Buffer.from(changed, "utf8")))
    }
    return join(parts)
  }

  private decide(): Uint8Array {
    const bytes = join(this.head)
    this.head = []
    this.mode = isZstd(bytes) ? "zstd" : "plain"
    if (this.mode === "zstd") this.decoder = new LineDecoder()
    return this.push(bytes)
  }

  private counted(bytes: Uint8Array): Uint8Array {
    this.outputBytes += bytes.length
    return bytes
  }

  private plain(chunk: Uint8Array): Uint8Array {
    const buf = view(chunk)
    const out: Array<Uint8Array> = []
    let start = 0
    // a run of unchanged lines goes out as one slice of the input
    let run = -1
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      if (this.pending.length > 0) {
        this.pending.push(buf.subarray(0, nl + 1))
        const whole = Buffer.concat(this.pending)
        this.pending = []
        const changed = this.line(whole.toString("utf8", 0, whole.length - 1), true, whole.length, undefined)
        out.push(changed === undefined ? whole : Buffer.from(`${changed}\n`, "utf8"))
      } else {
        const changed = this.line(buf.toString("utf8", start, nl), true, nl + 1 - start, undefined)
        if (changed === undefined) {
          if (run === -1) run = start
        } else {
          if (run !== -1) out.push(buf.subarray(run, start))
          run = -1
          out.push(Buffer.from(`${changed}\n`, "utf8"))
        }
      }
      start = nl + 1
    }
    if (run !== -1) out.push(buf.subarray(run, start))
    // copy the unfinished line: a short tail should not keep the whole input chunk alive
    if (start < buf.length) this.pending.push(Uint8Array.prototype.slice.call(buf, start))
    return join(out)
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

  /** The new text of a line (without its `\n`), or undefined to write it back as it was. */
  private line(raw: string, terminated: boolean, sourceLength: number, decoded: LineResult | undefined): string | undefined {
    const lineNumber = ++this.lines
    let out: string | undefined
    if (this.mayMatch(raw)) {
      // a byte order mark opens only the first line; JSON.parse does not take it
      const bom = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff
      const changed = this.attempt(bom ? raw.slice(1) : raw, lineNumber, decoded)
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

  /**
   * Parses, walks the surface, and only when something would change checks that the schema
   * recognises the line: classifying costs as much as parsing, and most lines change nothing.
   */
  private attempt(raw: string, lineNumber: number, decoded: LineResult | undefined): string | undefined {
    let json: unknown
    let entry: RolloutEntry | undefined
    if (decoded !== undefined) {
      if (decoded._tag === "Left") return void this.notJson++
      entry = decoded.right.entry
      json = entry._tag === "Known" || entry._tag === "Legacy" ? entry.line : entry._tag === "Unknown" ? entry.json : undefined
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
    const entries = line === undefined ? [] : surface.entriesFor(type, payloadType)
    if (entries.length === 0) {
      // nothing on the surface; still say so when the line is of a shape this version does not know
      if (typeof type !== "string" || !KNOWN_TYPES.has(type)) this.skip(entry ?? decodeJson(json))
      return undefined
    }
    if (!this.walker.collect(line!, entries)) return undefined
    entry ??= decodeJson(json)
    if (entry._tag !== "Known") return void this.skip(entry)
    // a carriage return before the newline stays where it was
    const cr = raw.endsWith("\r")
    const expected = raw.length - (cr ? 1 : 0) + this.walker.lengthDelta()
    this.walker.apply()
    for (const change of this.walker.changes) {
      this.changeCount++
      if (this.changes.length < this.maxChanges) this.changes.push({ line: lineNumber, ...change })
    }
    const out = JSON.stringify(line)
    // the rest of the line was not as JSON.stringify writes it (spacing, escapes, number forms),
    // or holds an integer JSON.parse cannot keep exactly
    if (out.length !== expected || BIG_INTEGER.test(raw)) this.reformatted++
    return cr ? `${out}\r` : out
  }

  private skip(entry: RolloutEntry): void {
    if (entry._tag === "Unknown") this.unknown++
    else if (entry._tag === "Legacy") this.legacy++
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
