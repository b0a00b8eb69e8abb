/**
 * Scans a file as it streams by, for every agent: a JSONL record is parsed and its decoded
 * string values are scanned (escapes undone), minus ids and opaque values (signatures,
 * encrypted content, `data:` URIs), with findings under signed thinking `kept` (reported, never
 * redacted); a line that is not JSON, and every line of a `text` file, is scanned as it is.
 *
 * Records are scanned in blocks of about {@link BLOCK_CHARS} characters of scan text (a longer
 * record is a block of its own), so memory holds one block and one partial line. `write` answers
 * a promise while a block is being scanned: await it before writing more.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import type { Finding } from "./Finding.js"
import { Block } from "./internal/block.js"
import { fields } from "./internal/fields.js"
import { ESCAPED, hitsIn } from "./internal/literals.js"
import { type Compiled, compileFields, type Segment, segments } from "./internal/record.js"
import { SecretsError } from "./SecretsError.js"

/** @since 0.1.0 @category models */
export type Agent = "codex" | "claude" | "opencode"

/** @since 0.1.0 @category models */
export type Format = "jsonl" | "text"

/** @since 0.1.0 @category models */
export interface ScanResult {
  /** by record, then position in the record */
  readonly findings: ReadonlyArray<Finding>
  /** the original text of each record with a redactable finding (to redact it without a second read) */
  readonly lines: ReadonlyMap<number, string>
}

/** @since 0.1.0 @category models */
export interface Scanner {
  /**
   * Bytes in file order; lines may span chunks. The chunk may be reused after the call (what is
   * kept is copied). A promise: a block is being scanned (or a block's worth of text was read
   * since the last promise, most of it records with nothing to scan, which are not parsed); await
   * it before the next write.
   */
  readonly write: (chunk: Uint8Array) => void | Promise<void>
  readonly end: () => Promise<ScanResult>
}

/**
 * The scan text per `lintSource` call: 384 Ki characters (blocks of 256 KiB–1 MiB scan at about
 * the same speed; smaller ones are slower).
 *
 * @since 0.1.0
 * @category constants
 */
export const BLOCK_CHARS = 384 * 1024

const compiled: Record<Agent, Compiled> = {
  codex: compileFields(fields.codex),
  claude: compileFields(fields.claude),
  opencode: compileFields(fields.opencode)
}

const rawSegment = (text: string): Array<Segment> => [{ path: [], text }]

/** whether a JSONL line is a record: only `{` or `[` start one (a bare JSON string or number is scanned as text) */
const isRecord = (text: string): boolean => {
  const first = text.charCodeAt(text.search(/\S/))
  return first === 0x7b || first === 0x5b
}

/** a record's segments: its string values, or the line itself when it is not JSON */
const recordSegments = (text: string, fieldsOf: Compiled): Array<Segment> => {
  let record: unknown
  try {
    record = JSON.parse(text)
  } catch {
    return rawSegment(text)
  }
  try {
    return segments(record as object, fieldsOf)
  } catch (error) {
    // nested too deep to walk: the line as it is
    if (error instanceof RangeError) return rawSegment(text)
    throw error
  }
}

/**
 * A scanner for one file of `agent` in `format`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly agent: Agent; readonly format: Format }): Scanner => {
  const fieldsOf = compiled[options.agent]
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true })
  let partial: Array<string> = []
  let record = 0
  let block = new Block()
  const queue: Array<Block> = []
  const findings: Array<Finding> = []
  const lines = new Map<number, string>()
  let running: Promise<void> | undefined
  let failure: unknown

  const drain = async () => {
    try {
      while (queue.length > 0) {
        const result = await queue.shift()!.scan()
        findings.push(...result.findings)
        for (const [number, line] of result.lines) lines.set(number, line)
      }
    } catch (error) {
      failure ??= error
      queue.length = 0
    } finally {
      running = undefined
    }
  }

  const flush = () => {
    if (block.isEmpty) return
    queue.push(block)
    block = new Block()
  }

  const hits = new Set<string>()
  const addLine = (line: string) => {
    record++
    // a CR before the LF is part of the line end, not of the text (kept in `lines`)
    const text = line.endsWith("\r") ? line.slice(0, -1) : line
    hits.clear()
    let found: Array<Segment>
    let exact = true
    if (options.format === "jsonl" && isRecord(text)) {
      // the prefilter on the raw line first: a record with none of what the rules need is not
      // even parsed (most are not); escapes that may hide a literal are searched once decoded
      if (!hitsIn(text, hits)) return
      exact = !hits.has(ESCAPED)
      found = recordSegments(text, fieldsOf)
    } else {
      // a raw line: scanned even with no hit (a line of a PEM key goes with the lines around it)
      if (options.format === "jsonl" && text === "") return
      hitsIn(text, hits)
      found = rawSegment(text)
    }
    if (found.length === 0) return
    const size = found.reduce((sum, segment) => sum + segment.text.length + 1, 0)
    // a record longer than a block is a block of its own
    if (size >= BLOCK_CHARS) flush()
    block.add(record, line, found, exact ? hits : undefined)
    if (block.length >= BLOCK_CHARS) flush()
  }

  // text read since the last promise
  let read = 0
  const pending = (): Promise<void> | undefined => {
    if (failure !== undefined) return Promise.reject(failure)
    if (queue.length === 0 && running === undefined) {
      if (read < BLOCK_CHARS) return undefined
      read = 0
      return Promise.resolve()
    }
    read = 0
    return (running ??= drain()).then(() => (failure === undefined ? undefined : Promise.reject(failure)))
  }

  return {
    write: (chunk) => {
      const piece = decoder.decode(chunk, { stream: true })
      read += piece.length
      let from = 0
      for (let newline = piece.indexOf("\n"); newline !== -1; newline = piece.indexOf("\n", from)) {
        const tail = piece.slice(from, newline)
        addLine(partial.length === 0 ? tail : partial.join("") + tail)
        partial = []
        from = newline + 1
      }
      if (from < piece.length) partial.push(piece.slice(from))
      return pending()
    },
    end: async () => {
      const rest = partial.join("") + decoder.decode()
      partial = []
      if (rest !== "") addLine(rest)
      flush()
      await pending()
      return { findings, lines }
    }
  }
}

const READ_CHUNK = 1024 * 1024

/**
 * Scans the file at `path` (its first `size` bytes when given: the prefix a package takes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const scanFile = (
  path: string,
  options: { readonly agent: Agent; readonly format: Format; readonly size?: number }
): Effect.Effect<ScanResult, SecretsError> =>
  Effect.gen(function*() {
    const scanner = make(options)
    const read = Effect.tryPromise({
      try: async () => {
        if (options.size === 0) return
        const stream = fs.createReadStream(path, {
          highWaterMark: READ_CHUNK,
          ...(options.size === undefined ? {} : { end: options.size - 1 })
        })
        for await (const chunk of stream) {
          const written = scanner.write(chunk as Buffer)
          if (written !== undefined) await written.catch((error) => Promise.reject(new ScanFailure(error)))
        }
      },
      catch: (error) =>
        error instanceof ScanFailure
          ? new SecretsError({ reason: "scan_failed", path, detail: `cannot scan ${path}: ${describe(error.cause)}` })
          : new SecretsError({ reason: "unreadable", path, detail: `cannot read ${path}: ${describe(error)}` })
    })
    yield* read
    return yield* Effect.tryPromise({
      try: () => scanner.end(),
      catch: (error) => new SecretsError({ reason: "scan_failed", path, detail: `cannot scan ${path}: ${describe(error)}` })
    })
  }).pipe(Effect.withSpan("Scanner.scanFile", { attributes: { path, agent: options.agent, format: options.format } }))

class ScanFailure {
  constructor(readonly cause: unknown) {}
}

const describe = (error: unknown): string => {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined
  const message = error instanceof Error ? error.message : String(error)
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message
}
