/**
 * Fingerprints of a rollout that survive localization: one 8-byte print per record, of the
 * record's canonical text (`@sessionport/localize/Neutralizer`: every rewrite-surface value
 * replaced by a constant), so a session and its installed copy on another machine print alike,
 * and two copies of one conversation can be compared record by record without reading them again.
 *
 * - A **record** is a non-blank line that ended with `\n`. An unterminated last line is still
 *   being written (Codex appends and flushes line by line): it is not a record yet, and `bytes`
 *   stops before it.
 * - **print_k** = the first 8 bytes of sha256(UTF-8 of canonical(line_k)); invalid UTF-8 counts
 *   as U+FFFD, as when the line is decoded.
 * - **head_k** = sha256(print_1 ‖ … ‖ print_k), the prefix hash of the first k records;
 *   `head` is head_records in hex.
 * - **rootIndex**: the first record that is a real user prompt (`UserPrompt.fromRecord`), looked
 *   for in the first {@link ROOT_SCAN_LIMIT} records.
 *
 * Plain `.jsonl` is split on the bytes, and a line is decoded only when it may hold a surface value
 * (the Neutralizer's needles, searched once per chunk) or may be the first prompt; the others are
 * hashed as they are. zstd `.jsonl.zst` goes through the schema's `LineDecoder`. A line spanning
 * chunks is searched piece by piece: one with no needle is hashed as it comes, however long; one
 * that must be decoded is refused over `LineLimit.MAX_LINE_BYTES` (`line_too_long`), as is any
 * such line of zstd input.
 *
 * @since 0.1.0
 */
import type { AgentStore } from "@sessionport/agent"
import * as CodexLineage from "@sessionport/codex-home/CodexLineage"
import { CorruptInput, isZstd, LineDecoder, type LineResult } from "@sessionport/schema/LineDecoder"
import { checkLength, LineTooLong, MAX_LINE_BYTES, UnfinishedLine } from "@sessionport/schema/LineLimit"
import { Effect, Either, Schema } from "effect"
import * as fs from "node:fs"
import { commonPrints, headAt as chainHeadAt, PRINT_BYTES, Prints, RecordHash } from "./internal/prints.js"
import { isBlank, NeedleScanner } from "./internal/scanner.js"

/**
 * The fingerprint of a rollout's records.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionPrint {
  readonly records: number
  /** {@link PRINT_BYTES} bytes per record, in order */
  readonly prints: Uint8Array
  /** hex sha256 of every print in order: the prefix hash of the whole session */
  readonly head: string
  /** index of the first record that is a user prompt, when one is within the first {@link ROOT_SCAN_LIMIT} */
  readonly rootIndex: number | undefined
  /** plain input: the bytes through the last complete line (where a resume starts); zstd: the compressed length */
  readonly bytes: number
  /** read from zstd input: `bytes` counts compressed bytes, and the print cannot be resumed; absent: plain */
  readonly compressed?: boolean | undefined
}

/** @since 0.1.0 @category constants */
export { PRINT_BYTES }

/**
 * How far into a rollout the first user prompt is looked for.
 *
 * @since 0.1.0
 * @category constants
 */
export const ROOT_SCAN_LIMIT = 400

/** @since 0.1.0 @category models */
export const FingerprintErrorReason = Schema.Literal(
  "read_failed",
  "corrupt_input",
  "corrupt_print",
  "not_resumable",
  "line_too_long"
)

/** @since 0.1.0 @category models */
export type FingerprintErrorReason = typeof FingerprintErrorReason.Type

/**
 * - `read_failed`: the file could not be read.
 * - `corrupt_input`: zstd input that does not decompress.
 * - `corrupt_print`: a stored print that does not decode.
 * - `not_resumable`: a resume from a print of zstd input, or of a file that did not grow by appending.
 * - `line_too_long`: a line over the limit that has to be decoded (it may hold a surface value).
 *
 * @since 0.1.0
 * @category errors
 */
export class FingerprintError extends Schema.TaggedError<FingerprintError>("@sessionport/lineage/FingerprintError")(
  "FingerprintError",
  {
    reason: FingerprintErrorReason,
    detail: Schema.String,
    path: Schema.optional(Schema.String)
  }
) {
  override get message(): string {
    return this.path === undefined ? this.detail : `${this.path}: ${this.detail}`
  }
}

const EMPTY = new Uint8Array(0)
const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Codex rollouts (the default): see `@sessionport/codex-home/CodexLineage`.
 *
 * @since 0.2.0
 * @category constants
 */
export const codex: AgentStore.LineageDialect = CodexLineage.dialect

/** What a fingerprinter looks for, per dialect (built once). */
interface Search {
  readonly needles: ReadonlyArray<string>
  readonly overlap: number
  readonly ignored: ReadonlyArray<Buffer>
}
const searches = new WeakMap<AgentStore.LineageDialect, Search>()
const searchOf = (dialect: AgentStore.LineageDialect): Search => {
  let search = searches.get(dialect)
  if (search === undefined) {
    const needles = dialect.neutralizer.needles
    searches.set(dialect, search = {
      needles,
      overlap: Math.max(...[...needles, ...dialect.promptNeedles].map((needle) => needle.length - 1)),
      ignored: dialect.ignoredLinePrefixes.map((prefix) => Buffer.from(prefix, "utf8"))
    })
  }
  return search
}

/** Whether `bytes[start, …)` begins with one of `prefixes`. */
export const startsWithAny = (bytes: Uint8Array, start: number, end: number, prefixes: ReadonlyArray<Uint8Array>): boolean =>
  prefixes.some((prefix) => end - start >= prefix.length && prefix.every((byte, i) => bytes[start + i] === byte))

/**
 * The streaming fingerprinter: bytes in (plain or zstd, recognised by the first 4 bytes), a
 * {@link SessionPrint} out. It keeps no reference to the bytes pushed, so a caller may reuse its
 * read buffer. Resuming from a print of plain input fingerprints the bytes after `print.bytes`
 * only; the result is what the whole file would give.
 *
 * @since 0.1.0
 * @category constructors
 */
export class Fingerprinter {
  private mode: "undecided" | "plain" | "zstd"
  private head: Array<Uint8Array> = []
  private headLength = 0
  /** the line begun in an earlier chunk, and the hash of what of it was passed on undecoded */
  private readonly unfinished: UnfinishedLine
  private passed: RecordHash | undefined
  private readonly maxLineBytes: number
  /** lines so far (for a resume, from its records: blank lines before it are not known) */
  private lines: number
  private decoder: LineDecoder | undefined
  private readonly dialect: AgentStore.LineageDialect
  private readonly search: Search
  private readonly scanner: NeedleScanner
  /** the search of a line's pieces, apart from `scanner`, which is in the middle of a chunk */
  private readonly pieces: NeedleScanner
  private readonly prompts: NeedleScanner
  /** the first bytes of the unfinished line, when some lines are not records */
  private unfinishedStart: Buffer | undefined
  private readonly prints: Prints
  private rootIndex: number | undefined
  /** bytes received so far (for a resume, counting the ones before it) */
  private received: number
  /** bytes through the last complete line */
  private complete: number
  /** stop at the first prompt (see {@link rootPrintOfFile}); once it is settled, the rest is not read */
  private readonly untilRoot: boolean
  private stopped = false

  /**
   * Throws a {@link FingerprintError} `not_resumable` for a print of zstd input. `maxLineBytes`:
   * the longest line decoded (default `LineLimit.MAX_LINE_BYTES`); smaller in tests. `untilRoot`:
   * plain input is fingerprinted only until the first prompt is settled; what follows is ignored,
   * and the print (of the records before, `bytes` through the last of them) resumes to the whole.
   */
  constructor(
    from?: SessionPrint,
    options: {
      readonly maxLineBytes?: number | undefined
      readonly dialect?: AgentStore.LineageDialect | undefined
      readonly untilRoot?: boolean | undefined
    } = {}
  ) {
    this.dialect = options.dialect ?? codex
    this.search = searchOf(this.dialect)
    this.scanner = new NeedleScanner(this.search.needles)
    this.pieces = new NeedleScanner(this.search.needles)
    this.prompts = new NeedleScanner(this.dialect.promptNeedles)
    if (from?.compressed === true) {
      throw new FingerprintError({ reason: "not_resumable", detail: "a print of zstd input cannot be resumed" })
    }
    this.prints = new Prints(
      from === undefined ? undefined : { prints: from.prints, records: from.records }
    )
    this.rootIndex = from?.rootIndex
    this.received = this.complete = from?.bytes ?? 0
    this.mode = this.received > 0 ? "plain" : "undecided"
    this.lines = from?.records ?? 0
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES
    this.untilRoot = options.untilRoot === true
    this.unfinished = new UnfinishedLine({
      limit: this.maxLineBytes,
      mayNeedDecoding: (bytes) => {
        this.pieces.reset(bytes)
        return this.pieces.holds(0, bytes.length) || this.mayBePrompt(bytes, 0, bytes.length)
      },
      overlap: this.search.overlap
    })
  }

  /** Whether the first prompt is settled: found, or not within the first {@link ROOT_SCAN_LIMIT} records. */
  get rootSettled(): boolean {
    return !this.wantsRoot()
  }

  /**
   * Fingerprints a chunk; throws a {@link FingerprintError}: `corrupt_input` for bad zstd input,
   * `line_too_long` for a line over the limit that has to be decoded.
   */
  push(bytes: Uint8Array): void {
    refusingLongLines(() => this.pushBytes(bytes))
  }

  private pushBytes(bytes: Uint8Array): void {
    if (this.stopped) return
    if (this.mode === "undecided") {
      // zstd is recognised by its first 4 bytes, however the input is cut; a short head is kept
      this.headLength += bytes.length
      this.head.push(this.headLength < 4 ? Uint8Array.prototype.slice.call(bytes) : bytes)
      if (this.headLength >= 4) this.decide()
      return
    }
    this.received += bytes.length
    if (this.mode === "plain") this.plain(view(bytes))
    else this.zstd(() => this.decoder!.pushBytes(Uint8Array.prototype.slice.call(bytes)))
  }

  /** The print of every record so far; an unterminated last line is left out. */
  end(): SessionPrint {
    refusingLongLines(() => {
      if (this.mode === "undecided") this.decide()
      if (this.mode === "zstd") this.zstd(() => this.decoder!.end())
    })
    // an unterminated last line is not a record (nor refused: it is never decoded)
    return {
      records: this.prints.count,
      prints: this.prints.snapshot(),
      head: this.prints.head.toString("hex"),
      rootIndex: this.rootIndex,
      bytes: this.mode === "zstd" ? this.received : this.complete,
      compressed: this.mode === "zstd"
    }
  }

  private decide(): void {
    const bytes = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head)
    this.head = []
    this.mode = isZstd(bytes) ? "zstd" : "plain"
    if (this.mode === "zstd") this.decoder = new LineDecoder({ maxLineBytes: this.maxLineBytes })
    this.pushBytes(bytes.length === 0 ? EMPTY : bytes)
  }

  private plain(chunk: Buffer): void {
    const base = this.received - chunk.length
    let start = 0
    if (this.unfinished.length > 0) {
      const nl = chunk.indexOf(10)
      this.pass(this.unfinished.add(nl === -1 ? chunk : chunk.subarray(0, nl)))
      if (nl === -1) return
      this.endUnfinished()
      start = nl + 1
      this.complete = base + start
      if (this.rootReached()) return
    }
    this.scanner.reset(chunk)
    const ignored = this.search.ignored
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.lines++
      if (ignored.length > 0 && startsWithAny(chunk, start, nl, ignored)) {
        // each machine's own bookkeeping: not a record
      } else if (!isBlank(chunk, start, nl)) {
        const mayHold = this.scanner.holds(start, nl)
        if (nl - start > this.maxLineBytes && (mayHold || this.mayBePrompt(chunk, start, nl))) {
          checkLength(this.lines, nl - start, this.maxLineBytes)
        }
        if (mayHold || this.wantsRoot()) this.record(chunk.toString("utf8", start, nl), true, mayHold, chunk.subarray(start, nl))
        else this.prints.addRaw(chunk.subarray(start, nl))
      }
      start = nl + 1
      this.complete = base + start
      if (this.rootReached()) return
    }
    // the unfinished line is copied when held: the caller may reuse its buffer
    if (start < chunk.length) {
      if (ignored.length > 0) this.unfinishedStart = Buffer.from(chunk.subarray(start, start + 64))
      this.pass(this.unfinished.add(chunk.subarray(start)))
    }
  }

  /** With `untilRoot`: whether the first prompt is settled, after which nothing more is read. */
  private rootReached(): boolean {
    if (!this.untilRoot || this.wantsRoot()) return false
    this.stopped = true
    return true
  }

  /** Whether `bytes[start, end)` of a line may be the first prompt, while it is looked for. */
  private mayBePrompt(bytes: Buffer, start: number, end: number): boolean {
    if (!this.wantsRoot()) return false
    this.prompts.reset(bytes)
    return this.prompts.holds(start, end)
  }

  /** Bytes of the unfinished line that need no decoding: hashed as they come. */
  private pass(bytes: ReadonlyArray<Uint8Array>): void {
    if (bytes.length === 0) return
    this.passed ??= new RecordHash()
    for (const piece of bytes) this.passed.update(piece)
  }

  /** The unfinished line ended with a `\n`: it is a record unless blank. */
  private endUnfinished(): void {
    this.lines++
    const start = this.unfinishedStart
    this.unfinishedStart = undefined
    const end = this.unfinished.end(this.lines)
    if (start !== undefined && startsWithAny(start, 0, start.length, this.search.ignored)) {
      this.passed = undefined
      return
    }
    if (end._tag === "Decode") {
      if (!isBlank(end.bytes, 0, end.bytes.length)) this.record(end.bytes.toString("utf8"), false, false, end.bytes)
      return
    }
    this.pass(end.bytes)
    const passed = this.passed
    this.passed = undefined
    if (passed !== undefined && !passed.blank) this.prints.addDigest(passed.digest())
  }

  private zstd(lines: () => ReadonlyArray<LineResult>): void {
    let results: ReadonlyArray<LineResult>
    try {
      results = lines()
    } catch (error) {
      if (error instanceof CorruptInput) throw new FingerprintError({ reason: "corrupt_input", detail: error.message })
      throw error
    }
    for (const result of results) {
      const { raw, terminated } = result._tag === "Left" ? result.left : result.right
      if (terminated && raw.trim().length > 0 && !this.dialect.ignoredLinePrefixes.some((prefix) => raw.startsWith(prefix))) {
        this.record(raw, false, false, undefined)
      }
    }
  }

  private wantsRoot(): boolean {
    return this.rootIndex === undefined && this.prints.count < ROOT_SCAN_LIMIT
  }

  /**
   * One record, decoded: its canonical text when it holds a surface value, else its raw bytes.
   * `scanned`: whether the bytes were searched for the needles already, and `found` what it gave.
   */
  private record(text: string, scanned: boolean, found: boolean, raw: Uint8Array | undefined): void {
    if (this.wantsRoot() && this.dialect.isPrompt(text)) this.rootIndex = this.prints.count
    const neutralizer = this.dialect.neutralizer
    const canonical = !scanned ? neutralizer.neutralize(text) : found ? neutralizer.neutralizeUnchecked(text) : undefined
    if (canonical !== undefined) this.prints.addText(canonical)
    else if (raw !== undefined) this.prints.addRaw(raw)
    else this.prints.addText(text)
  }
}

/** Runs `f`, a line over the limit coming out as the `line_too_long` error it stands for. */
const refusingLongLines = (f: () => void): void => {
  try {
    f()
  } catch (error) {
    if (error instanceof LineTooLong) throw new FingerprintError({ reason: "line_too_long", detail: error.message })
    throw error
  }
}

const CHUNK = 1024 * 1024
/** the first read of a look for the first prompt: most sessions hold it in their first lines */
const ROOT_CHUNK = 64 * 1024

/** Whether the file still reads as `from` left it: plain, as long, and a line end at `from.bytes`. */
const resumable = (fd: number, from: SessionPrint): boolean => {
  const head = Buffer.alloc(4)
  const size = fs.fstatSync(fd).size
  return size >= from.bytes &&
    fs.readSync(fd, head, 0, 4, 0) === Math.min(4, size) && !isZstd(head) &&
    fs.readSync(fd, head, 0, 1, from.bytes - 1) === 1 && head[0] === 10
}

/**
 * Given each chunk read from a file before it is fingerprinted, and where in the file it begins
 * (the bytes as stored: compressed ones for zstd input). Only for the call: it may be reused.
 *
 * @since 0.5.0
 * @category models
 */
export type OnRead = (bytes: Uint8Array, position: number) => void

const readFile = (
  path: string,
  from: SessionPrint | undefined,
  untilRoot: boolean,
  dialect: AgentStore.LineageDialect | undefined,
  onRead?: OnRead
): SessionPrint => {
  const fd = fs.openSync(path, "r")
  try {
    const printer = new Fingerprinter(from, { dialect, untilRoot })
    let position = from?.bytes ?? 0
    if (from !== undefined && position > 0 && !resumable(fd, from)) {
      throw new FingerprintError({ reason: "not_resumable", detail: `the file changed before byte ${position}`, path })
    }
    // no larger than the file: a thousand small sessions must not cost a thousand 1 MiB buffers;
    // a look for the first prompt starts small and doubles
    const left = fs.fstatSync(fd).size - position + 1
    let chunk = Buffer.allocUnsafe(Math.max(64, Math.min(untilRoot ? ROOT_CHUNK : CHUNK, left)))
    while (!(untilRoot && printer.rootSettled)) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, position)
      if (n === 0) break
      onRead?.(chunk.subarray(0, n), position)
      position += n
      printer.push(chunk.subarray(0, n))
      if (n === chunk.length && chunk.length < CHUNK) chunk = Buffer.allocUnsafe(Math.min(2 * chunk.length, CHUNK))
    }
    return printer.end()
  } finally {
    fs.closeSync(fd)
  }
}

const attempt = <A>(path: string | undefined, f: () => A): Effect.Effect<A, FingerprintError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      if (error instanceof FingerprintError) {
        return Effect.fail(
          path === undefined || error.path !== undefined
            ? error
            : new FingerprintError({ reason: error.reason, detail: error.detail, path })
        )
      }
      if (error instanceof Error && "code" in error) {
        return Effect.fail(new FingerprintError({ reason: "read_failed", detail: error.message, ...(path === undefined ? {} : { path }) }))
      }
      return Effect.die(error)
    }
  })

/**
 * Fingerprints a rollout file (plain or zstd) with synchronous reads of 1 MiB: memory stays at one
 * chunk and one line, plus the prints. With `from` (a print of this file's plain content), only
 * the bytes appended after `from.bytes` are read. Errors name the file by `label` when given (a
 * package's session, staged in a temp folder), else by its path. `onRead` sees each chunk read
 * (a caller's look at the bytes without reading them again).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFile = (
  path: string,
  options: {
    readonly from?: SessionPrint | undefined
    readonly label?: string | undefined
    /** the agent's transcript format; default Codex */
    readonly dialect?: AgentStore.LineageDialect | undefined
    readonly onRead?: OnRead | undefined
  } = {}
): Effect.Effect<SessionPrint, FingerprintError> =>
  attempt(options.label ?? path, () => readFile(path, options.from, false, options.dialect, options.onRead))

/**
 * The print of a file that grew by appending since `from` was taken: only the bytes after
 * `from.bytes` are read. When the file no longer reads as `from` left it (shorter, zstd, no line
 * end at `from.bytes`), the whole file is read again. A rewrite that keeps all of that is not seen:
 * resume only files that are appended to (as Codex does to a plain rollout).
 *
 * @since 0.1.0
 * @category constructors
 */
export const resumeFile = (
  from: SessionPrint,
  path: string,
  dialect?: AgentStore.LineageDialect
): Effect.Effect<SessionPrint, FingerprintError> =>
  fromFile(path, { from, dialect }).pipe(
    Effect.catchIf((error) => error.reason === "not_resumable", () => fromFile(path, { dialect }))
  )

/**
 * Fingerprints bytes held in memory (plain or zstd); with `from`, `bytes` are those appended after
 * `from.bytes`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes = (
  bytes: Uint8Array,
  options: { readonly from?: SessionPrint | undefined; readonly dialect?: AgentStore.LineageDialect | undefined } = {}
): Effect.Effect<SessionPrint, FingerprintError> =>
  attempt(undefined, () => {
    const printer = new Fingerprinter(options.from, { dialect: options.dialect })
    printer.push(bytes)
    return printer.end()
  })

/**
 * How many leading records two prints share.
 *
 * @since 0.1.0
 * @category comparing
 */
export const commonPrefix = (a: SessionPrint, b: SessionPrint): number =>
  a.records === b.records && a.head === b.head ? a.records : commonPrints(a.prints, a.records, b.prints, b.records)

/**
 * Whether `a`'s records are the first records of `b` (equal prints are a prefix of each other).
 *
 * @since 0.1.0
 * @category comparing
 */
export const isPrefix = (a: SessionPrint, b: SessionPrint): boolean =>
  a.records <= b.records && commonPrefix(a, b) === a.records

/**
 * The prefix hash (hex) of the first `k` records, recomputed from the prints.
 *
 * @since 0.1.0
 * @category comparing
 */
export const headAt = (print: SessionPrint, k: number): string => {
  if (!Number.isInteger(k) || k < 0 || k > print.records) throw new RangeError(`headAt: ${k} is not in 0..${print.records}`)
  return k === print.records ? print.head : chainHeadAt(print.prints, k).toString("hex")
}

/**
 * The key of a conversation's root: the prefix hash through its first user prompt (the neutralized
 * history up to and including it), the same for every copy and continuation of the conversation;
 * `undefined` when no prompt was found.
 *
 * @since 0.1.0
 * @category comparing
 */
export const rootKey = (print: SessionPrint): string | undefined =>
  print.rootIndex === undefined ? undefined : headAt(print, print.rootIndex + 1)

/**
 * The print of a rollout file's first records, through its first prompt (or the first
 * {@link ROOT_SCAN_LIMIT} records): its {@link rootKey}, read no further than needed, and (plain
 * input) a print that {@link resumeFile} continues to the whole file's. `onRead` sees each chunk
 * read: the first records, and maybe bytes after them (plain input's records through the first
 * prompt end at the print's `bytes`).
 *
 * @since 0.3.0
 * @category constructors
 */
export const rootPrintOfFile = (
  path: string,
  dialect?: AgentStore.LineageDialect,
  onRead?: OnRead
): Effect.Effect<SessionPrint, FingerprintError> => attempt(path, () => readFile(path, undefined, true, dialect, onRead))

/**
 * The {@link rootKey} of a rollout file, reading only as far as its first prompt (or the first
 * {@link ROOT_SCAN_LIMIT} records, then answering `undefined`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const rootKeyOfFile = (path: string, dialect?: AgentStore.LineageDialect): Effect.Effect<string | undefined, FingerprintError> =>
  Effect.map(rootPrintOfFile(path, dialect), rootKey)

// the stored form: magic, flags, records, rootIndex (-1: none), bytes, head, prints
const MAGIC = 0x31465053 // "SPF1", little-endian
const HEADER = 56

/**
 * The stored form of a print, one binary value (a SQLite BLOB): a 56-byte header (`SPF1`, flags,
 * records, rootIndex, bytes, head), then the prints.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (print: SessionPrint): Uint8Array => {
  const out = Buffer.alloc(HEADER + print.records * PRINT_BYTES)
  out.writeUInt32LE(MAGIC, 0)
  out.writeUInt8(print.compressed === true ? 1 : 0, 4)
  out.writeUInt32LE(print.records, 8)
  out.writeInt32LE(print.rootIndex ?? -1, 12)
  out.writeDoubleLE(print.bytes, 16)
  Buffer.from(print.head, "hex").copy(out, 24)
  out.set(print.prints.subarray(0, print.records * PRINT_BYTES), HEADER)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/**
 * Reads the stored form back; a `corrupt_print` error when it is not one.
 *
 * @since 0.1.0
 * @category encoding
 */
export const decode = (stored: Uint8Array): Either.Either<SessionPrint, FingerprintError> => {
  const bad = (detail: string) => Either.left(new FingerprintError({ reason: "corrupt_print", detail }))
  const bytes = view(stored)
  if (bytes.length < HEADER || bytes.readUInt32LE(0) !== MAGIC) return bad("not a stored session print")
  const flags = bytes.readUInt8(4)
  const records = bytes.readUInt32LE(8)
  const rootIndex = bytes.readInt32LE(12)
  const size = bytes.readDoubleLE(16)
  if (flags > 1) return bad(`unknown flags ${flags}`)
  if (bytes.length !== HEADER + records * PRINT_BYTES) return bad(`${bytes.length} bytes for ${records} records`)
  if (rootIndex < -1 || rootIndex >= records) return bad(`root index ${rootIndex} of ${records} records`)
  if (!Number.isSafeInteger(size) || size < 0) return bad(`byte count ${size}`)
  return Either.right({
    records,
    prints: Uint8Array.prototype.slice.call(bytes, HEADER),
    head: bytes.toString("hex", 24, HEADER),
    rootIndex: rootIndex === -1 ? undefined : rootIndex,
    bytes: size,
    compressed: flags === 1
  })
}
