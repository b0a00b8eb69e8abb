/**
 * The streaming transcript rewriter: a rollout's bytes (plain or zstd) in, the localized plain
 * `.jsonl` out, driven by the rewrite surface of `@sessionport/package-format/RewriteSurface`.
 *
 * - A substring pre-check on each line (the old ids; the mapped POSIX prefixes as JSON text;
 *   Windows path shapes; `file://`) decides whether it is parsed at all; for plain input it runs
 *   on the bytes, so a line that fails it is not even decoded. A line that fails it, or whose
 *   surface values all stay the same, is written back byte for byte: for plain input the very
 *   bytes that came in, with its `\n`, or without one for an unterminated last line.
 * - Output chunks are memory of their own: nothing of an input chunk is kept once the next is
 *   pushed, so a reader may read every chunk into the same buffer.
 * - A line that changes is `JSON.stringify` of the edited value (key order kept; a `\r` before
 *   the newline kept).
 * - Lines that are not JSON, or that the schema does not recognise (Unknown, Legacy), are never
 *   rewritten; the report counts those that held something that would have matched (`skipped…`).
 * - Thread ids are mapped only for threads in `idMap`; paths by the {@link PathRules}.
 * - zstd input goes through the schema's `LineDecoder`; plain input is split here so that lines
 *   without matches are never decoded as JSON.
 *
 * Memory stays at one input chunk plus one line whatever the file's size. A line longer than
 * `LineLimit.MAX_LINE_BYTES` goes out as it comes, never held, when the pre-check finds nothing in
 * it; one that would have to be decoded (any line of zstd input) fails the rewrite
 * (`line_too_long`).
 *
 * Four ways to run it: {@link rewrite} (the bytes), {@link reporting} (the bytes as a stream for a
 * consumer such as a journal, and the report once it has run), {@link reportingChunks} (the same,
 * synchronously, over an iterable of input chunks), {@link run} (into a sink).
 *
 * Paginated forks: a fork's `session_meta.history_base.end_byte_offset` points into its parent's
 * file. Rewrite the parent first with `lineEnds` set to the offsets its forks name; the parent's
 * report maps each to its offset in the rewritten file. Pass those to the fork's rewrite as
 * `historyBaseOffsets` (by the parent's old id). A fork whose parent is in `idMap` but whose offset
 * is missing fails rather than point into the wrong place. Offsets of plain input are the file's;
 * of zstd input, those of the decompressed text.
 *
 * @since 0.1.0
 */
import { CorruptInput } from "@sessionport/schema/LineDecoder"
import { LineTooLong } from "@sessionport/schema/LineLimit"
import { Chunk, Effect, Schema, type Sink, Stream } from "effect"
import type * as Dialect from "./Dialect.js"
import { Engine, MissingOffset, OutsideRoot } from "./internal/engine.js"
import { type PathRules, PathOutsideRoot } from "./PathRules.js"

/** @since 0.1.0 @category models */
export interface Plan {
  /** old thread id → new thread id, for every session of the package */
  readonly idMap: ReadonlyMap<string, string>
  readonly pathRules: PathRules
  /** old thread id → new `session_meta.timestamp` */
  readonly timestamps?: ReadonlyMap<string, string> | undefined
  /** parent's old thread id → (offset in the parent's source file → offset in its rewritten file) */
  readonly historyBaseOffsets?: ReadonlyMap<string, ReadonlyMap<number, number>> | undefined
  /** source byte offsets at line ends whose target offsets the report should give */
  readonly lineEnds?: ReadonlySet<number> | undefined
  /** changes kept in the report (the rest are only counted); default 10,000 */
  readonly maxChanges?: number | undefined
  /** what the input is called in errors, e.g. `session <id>` */
  readonly label?: string | undefined
  /**
   * the longest line decoded (default `LineLimit.MAX_LINE_BYTES`); a longer one is copied as it
   * is when the pre-check finds nothing in it to rewrite, else refused (`line_too_long`)
   */
  readonly maxLineBytes?: number | undefined
  /** lines of the file before the input, when the input is its suffix: line numbers are the file's */
  readonly lineOffset?: number | undefined
  /** the agent's transcript format (its rewrite surface); default Codex */
  readonly dialect?: Dialect.Dialect | undefined
}

/** One rewritten value. @since 0.1.0 @category models */
export interface Change {
  /** 1-based line number */
  readonly line: number
  /** where in the line, e.g. `payload.cwd`, `payload.content[1].text<cwd>`, `payload.arguments@json.workdir` */
  readonly field: string
  readonly old: string | number
  readonly new: string | number
}

/** @since 0.1.0 @category models */
export interface Report {
  /** every line */
  readonly lines: number
  /** lines re-serialized with at least one change */
  readonly rewritten: number
  /** lines written back byte for byte: `lines - rewritten` */
  readonly passedThrough: number
  /**
   * passed-through lines that matched the pre-check (an old id, a path the rules may change) but
   * were not attempted: not JSON, or not recognised by the schema (Unknown, Legacy)
   */
  readonly skipped: number
  readonly skippedNotJson: number
  readonly skippedUnknown: number
  readonly skippedLegacy: number
  /**
   * rewritten lines whose original text was not what `JSON.stringify` gives (spacing, escapes,
   * number forms: seen as a length other than the edits explain), or that hold an integer beyond
   * 2^53: their untouched parts were normalized too. Codex's own lines never are.
   */
  readonly reformatted: number
  /** the first `maxChanges` changes */
  readonly changes: ReadonlyArray<Change>
  readonly changeCount: number
  readonly changesOmitted: number
  /** requested source line-end offset → target offset (requested offsets that are not line ends are absent) */
  readonly lineEnds: ReadonlyMap<number, number>
  readonly outputBytes: number
}

/** @since 0.1.0 @category errors */
export class RewriteError extends Schema.TaggedError<RewriteError>("@sessionport/localize/RewriteError")(
  "RewriteError",
  {
    reason: Schema.Literal("corrupt_input", "missing_history_base_offset", "path_outside_root", "line_too_long"),
    detail: Schema.String
  }
) {
  override get message(): string {
    return this.detail
  }
}

const DEFAULT_MAX_CHANGES = 10_000

const makeEngine = (plan: Plan) =>
  new Engine({
    idMap: plan.idMap,
    pathRules: plan.pathRules,
    timestamps: plan.timestamps,
    historyBaseOffsets: plan.historyBaseOffsets,
    lineEnds: plan.lineEnds,
    maxChanges: plan.maxChanges ?? DEFAULT_MAX_CHANGES,
    maxLineBytes: plan.maxLineBytes,
    lineOffset: plan.lineOffset,
    dialect: plan.dialect
  })

const reasonOf = (error: unknown): RewriteError["reason"] | undefined =>
  error instanceof CorruptInput
    ? "corrupt_input"
    : error instanceof MissingOffset
    ? "missing_history_base_offset"
    : error instanceof OutsideRoot || error instanceof PathOutsideRoot
    ? "path_outside_root"
    : error instanceof LineTooLong
    ? "line_too_long"
    : undefined

/** What the engine threw, as the typed error it stands for (named by `label`); `undefined` for a defect. */
const rewriteError = (error: unknown, label: string | undefined): RewriteError | undefined => {
  if (error instanceof RewriteError) return error
  const reason = reasonOf(error)
  if (reason === undefined) return undefined
  const detail = (error as Error).message
  return new RewriteError({ reason, detail: label === undefined ? detail : `${label}: ${detail}` })
}

const guarded = <A>(label: string | undefined, f: () => A): Effect.Effect<A, RewriteError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      const typed = rewriteError(error, label)
      return typed === undefined ? Effect.die(error) : Effect.fail(typed)
    }
  })

/** The output of each input chunk, when there is any. */
function* pieces(engine: Engine, input: Iterable<Uint8Array>): Generator<Uint8Array> {
  for (const bytes of input) {
    const piece = engine.push(bytes)
    if (piece.length > 0) yield piece
  }
}

/** The end of input: the last output, the report handed over first. */
const finish = (engine: Engine, onEnd: (report: Report) => void): Uint8Array => {
  const last = engine.end()
  onEnd(engine.report())
  return last
}

const bytesOf = <E, R>(
  input: Stream.Stream<Uint8Array, E, R>,
  plan: Plan,
  onEnd: (report: Report) => void
): Stream.Stream<Uint8Array, E | RewriteError, R> => {
  const engine = makeEngine(plan)
  return input.pipe(
    Stream.mapChunksEffect((chunk) =>
guarded(plan.label, () => Chunk.unsafeFromArray(Array.from(pieces(engine, chunk))))
    ),
    Stream.concat(Stream.flattenChunks(Stream.fromEffect(guarded(plan.label, () => {
      const last = finish(engine, onEnd)
      return last.length > 0 ? Chunk.of(last) : Chunk.empty<Uint8Array>()
    }))))
  )
}

/** The report of the last run that reached its end; a defect before that. */
const reportOf = (last: () => Report | undefined): Effect.Effect<Report> =>
  Effect.suspend(() => {
    const report = last()
    return report === undefined ? Effect.dieMessage("Rewriter: the report was read before its bytes ended") : Effect.succeed(report)
  })

/** The same, synchronously: what the engine throws comes out as a thrown {@link RewriteError}. */
function* chunksOf(input: Iterable<Uint8Array>, plan: Plan, onEnd: (report: Report) => void): Generator<Uint8Array> {
  const engine = makeEngine(plan)
  try {
    yield* pieces(engine, input)
    const last = finish(engine, onEnd)
    if (last.length > 0) yield last
  } catch (error) {
    throw rewriteError(error, plan.label) ?? error
  }
}

/**
 * The rewritten bytes (plain `.jsonl`, UTF-8). Each run of the stream rewrites afresh.
 *
 * @since 0.1.0
 * @category rewriting
 */
export const rewrite = <E, R>(input: Stream.Stream<Uint8Array, E, R>, plan: Plan): Stream.Stream<Uint8Array, E | RewriteError, R> =>
  reporting(input, plan).bytes

/** @since 0.1.0 @category models */
export interface Reporting<E, R> {
  /** the rewritten bytes; each run of the stream rewrites afresh */
  readonly bytes: Stream.Stream<Uint8Array, E | RewriteError, R>
  /** the report of the last run of `bytes` that reached its end; a defect before that */
  readonly report: Effect.Effect<Report>
}

/**
 * The rewritten bytes, for a consumer that takes a stream (a journal writing a file), and the
 * report once that stream has been run to its end.
 *
 * @since 0.1.0
 * @category rewriting
 */
export const reporting = <E, R>(input: Stream.Stream<Uint8Array, E, R>, plan: Plan): Reporting<E, R> => {
  let last: Report | undefined
  return {
    bytes: Stream.suspend(() => bytesOf(input, plan, (report) => (last = report))),
    report: reportOf(() => last)
  }
}

/**
 * The synchronous form of {@link Reporting}: the rewritten bytes pulled from an iterable.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportingChunks {
  /**
   * the rewritten bytes, rewritten as they are pulled, afresh on each iteration; pulling throws a
   * {@link RewriteError} (corrupt input, a missing offset, a path localized out of its root), or
   * what `input` throws
   */
  readonly chunks: Iterable<Uint8Array>
  /** the report of the last iteration of `chunks` that reached its end; a defect before that */
  readonly report: Effect.Effect<Report>
}

/**
 * {@link reporting} for input at hand synchronously (a local file read chunk by chunk): the same
 * engine, bytes and report, without a stream (whose cost, over thousands of small sessions,
 * outweighs the rewriting). For a consumer that pulls chunks (a journal writing a file); test a
 * thrown error with {@link isRewriteError}.
 *
 * @since 0.1.0
 * @category rewriting
 */
export const reportingChunks = (input: Iterable<Uint8Array>, plan: Plan): ReportingChunks => {
  let last: Report | undefined
  return {
    chunks: { [Symbol.iterator]: () => chunksOf(input, plan, (report) => (last = report)) },
    report: reportOf(() => last)
  }
}

/**
 * One path localized outside a transcript (a row's working directory), failing as the
 * transcript's rewrite would on a path the rules refuse; `label` names it in the error.
 *
 * @since 0.1.0
 * @category rewriting
 */
export const localizePath = (rules: PathRules, path: string, label?: string): Effect.Effect<string, RewriteError> =>
  guarded(label, () => rules.map(path))

/**
 * @since 0.1.0
 * @category refinements
 */
export const isRewriteError = (u: unknown): u is RewriteError => u instanceof RewriteError

/**
 * Pulls every chunk of a {@link reportingChunks} rewrite to nowhere (a dry run): its report is all
 * that is wanted.
 *
 * @since 0.2.0
 * @category rewriting
 */
export const drain = (chunks: Iterable<Uint8Array>): Effect.Effect<void, RewriteError> =>
  Effect.suspend(() => {
    try {
      for (const _ of chunks) {
        // the rewrite happens as the chunks are pulled
      }
      return Effect.void
    } catch (error) {
      return isRewriteError(error) ? Effect.fail(error) : Effect.die(error)
    }
  })

/**
 * Rewrites into a sink (a file, a hash) and returns what the sink returns with the report.
 *
 * @since 0.1.0
 * @category rewriting
 */
export const run = <A, E, R, E2, R2>(
  input: Stream.Stream<Uint8Array, E, R>,
  plan: Plan,
  sink: Sink.Sink<A, Uint8Array, unknown, E2, R2>
): Effect.Effect<readonly [A, Report], E | E2 | RewriteError, R | R2> =>
  Effect.suspend(() => {
    const session = reporting(input, plan)
    return Stream.run(session.bytes, sink).pipe(Effect.zip(session.report))
  })
