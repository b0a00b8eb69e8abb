/**
 * Redaction is not divergence. A package exported with `--redact` carries each secret as
 * `[REDACTED:<kind>:<h8>]` (`@sessionport/secrets/Placeholder`, h8 the first 8 hex digits of the
 * secret's SHA-256), so its records print differently from the same records with the secret in
 * them. Prints stay as they are (no detector in the fingerprint: it would cost every read, and
 * stored prints would drift with the rule set); instead, where an incoming session and a local one
 * part, their files are read and the records that differ only by redaction count as shared:
 *
 * - {@link textEquivalent}: two strings equal, or one holds placeholders and the other is it with
 *   the secrets in: the text between placeholders equal, and each secret hashing to its h8;
 * - {@link redactionEquivalent}: two JSONL records alike value by value but for such strings;
 * - {@link sharedPrefix}: how many leading records two transcripts share that way, read in one
 *   sequential pass, and only when a record where they part holds a placeholder;
 * - {@link sameRoot}: whether two transcripts begin as one conversation that way, through the
 *   first prompt: a secret there changes the conversation's root key (`Fingerprint.rootKey`), by
 *   which a sync finds a local copy it has no other trace of.
 *
 * Either side may be the redacted one: a local session with secrets and a redacted package of it,
 * or a session installed from a redacted package and an unredacted package of it, later. A sync
 * then appends only the records after the shared ones: a local line is never replaced, so a
 * local secret stays, and a local placeholder too.
 *
 * @since 0.5.0
 */
import type { AgentStore } from "@sessionport/agent"
import { CorruptInput } from "@sessionport/schema/LineDecoder"
import { Effect } from "effect"
import * as Fingerprint from "./Fingerprint.js"
import { PRINT_BYTES } from "./internal/prints.js"
import { MARKER, recordsEquivalent, textEquivalent as textsEquivalent } from "./internal/redaction.js"
import { recordsOf, TOO_LONG } from "./internal/records.js"

/**
 * Whether two strings are equal up to redaction: equal, or one holds placeholders and the other
 * reads the same with each placeholder's secret in its place (the text between placeholders
 * equal, each secret's SHA-256 beginning with the placeholder's h8), whichever one is redacted.
 * When both hold placeholders, a placeholder may also stand across from the same placeholder; a
 * secret that each side redacted and the other did not is not recognised.
 * (`@sessionport/secrets/Equivalence`, where agent homes find it too.)
 *
 * @since 0.5.0
 * @category comparing
 */
export const textEquivalent: (a: string, b: string) => boolean = textsEquivalent

/**
 * Whether two JSONL records are equal up to redaction: both JSON with the same structure, keys
 * in the same order and the same non-string values, each pair of strings {@link textEquivalent};
 * two lines that are not JSON are compared as text. Give lines as lineage prints them (canonical:
 * see {@link sharedPrefix}) when they come from different machines.
 *
 * @since 0.5.0
 * @category comparing
 */
export const redactionEquivalent: (a: string, b: string) => boolean = recordsEquivalent

/** A transcript file and its print. @since 0.5.0 @category models */
export interface Transcript {
  readonly path: string
  readonly print: Fingerprint.SessionPrint
  /** how errors name it (a package's session staged in a temp folder); default its path */
  readonly label?: string | undefined
}

const printsEqual = (a: Fingerprint.SessionPrint, b: Fingerprint.SessionPrint, k: number): boolean =>
  Buffer.compare(
    a.prints.subarray(k * PRINT_BYTES, (k + 1) * PRINT_BYTES),
    b.prints.subarray(k * PRINT_BYTES, (k + 1) * PRINT_BYTES)
  ) === 0

const hasMarker = (record: Buffer | typeof TOO_LONG | undefined): boolean => record != null && record.includes(MARKER)

/** A line as lineage prints it: its canonical text (localized paths and ids neutralized). */
const canonical = (line: Buffer, dialect: AgentStore.LineageDialect): string => {
  const text = line.toString("utf8")
  return dialect.neutralizer.neutralize(text) ?? text
}

/** Runs `f`, an error of reading a transcript failing the effect as the error it stands for. */
const reading = <A>(f: () => A): Effect.Effect<A, Fingerprint.FingerprintError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      return error instanceof Fingerprint.FingerprintError ? Effect.fail(error) : Effect.die(error)
    }
  })

/**
 * How many leading records two transcripts share, counting a record that differs from its
 * counterpart only by redaction as shared: their prints' common prefix, gone on from while the
 * records differ only by redaction (both lines in the canonical form lineage prints, so localized
 * paths and ids do not count). Records whose prints are equal are not decoded.
 *
 * The files are read only when the prints part before either ends, in one sequential pass, a
 * chunk and a line in memory each: up to where they part by line ends alone (nothing decoded), and
 * on from there only when one of the two records there holds the bytes `[REDACTED:`. A record over
 * the line limit ends the walk there.
 *
 * @since 0.5.0
 * @category comparing
 */
export const sharedPrefix = (
  a: Transcript,
  b: Transcript,
  dialect: AgentStore.LineageDialect = Fingerprint.codex
): Effect.Effect<number, Fingerprint.FingerprintError> =>
  Effect.suspend(() => {
    const common = Fingerprint.commonPrefix(a.print, b.print)
    const end = Math.min(a.print.records, b.print.records)
    if (common >= end) return Effect.succeed(common)
    return reading(() => walk(a, b, common, end, dialect))
  })

/**
 * Whether two transcripts begin as one conversation, counting records that differ only by
 * redaction as the same: their first prompts at the same record, and the records through it
 * shared as {@link sharedPrefix} shares them. A secret in the first prompt (and what repeats it
 * before it, as Claude Code's queued prompt) gives a redacted copy a root key of its own
 * (`Fingerprint.rootKey`); this is the root key's question asked of the files. Prints of their
 * first records are enough (`Fingerprint.rootPrintOfFile`).
 *
 * Their root keys answer it when equal; otherwise the files are read as {@link sharedPrefix}
 * reads them, no further than the first prompt: only where a record where they part holds the
 * bytes `[REDACTED:`.
 *
 * @since 0.5.0
 * @category comparing
 */
export const sameRoot = (
  a: Transcript,
  b: Transcript,
  dialect: AgentStore.LineageDialect = Fingerprint.codex
): Effect.Effect<boolean, Fingerprint.FingerprintError> =>
  Effect.suspend(() => {
    const root = a.print.rootIndex
    if (root === undefined || b.print.rootIndex !== root) return Effect.succeed(false)
    if (Fingerprint.rootKey(a.print) === Fingerprint.rootKey(b.print)) return Effect.succeed(true)
    // both prints hold their first prompt: at least `end` records
    const end = root + 1
    return reading(() => walk(a, b, Fingerprint.commonPrefix(a.print, b.print), end, dialect, FIRST_CHUNK) === end)
  })

/** the first read of a look at a transcript's first records (most hold their first prompt early) */
const FIRST_CHUNK = 64 * 1024

const walk = (
  a: Transcript,
  b: Transcript,
  common: number,
  end: number,
  dialect: AgentStore.LineageDialect,
  firstChunk?: number
): number => {
  // generators: a file is opened by the first `next`, which names it in its errors
  const recordsA = recordsOf(a.path, dialect.ignoredLinePrefixes, undefined, firstChunk)
  const recordsB = recordsOf(b.path, dialect.ignoredLinePrefixes, undefined, firstChunk)
  const next = (records: Generator<Buffer | typeof TOO_LONG>, t: Transcript) => {
    try {
      const step = records.next()
      return step.done === true ? undefined : step.value
    } catch (error) {
      throw named(error, t)
    }
  }
  try {
    for (let k = 0; k < common; k++) {
      if (next(recordsA, a) === undefined || next(recordsB, b) === undefined) return common
    }
    let lineA = next(recordsA, a)
    let lineB = next(recordsB, b)
    // where the prints part: without a placeholder on either side there is nothing to reconcile
    if (!hasMarker(lineA) && !hasMarker(lineB)) return common
    let k = common
    while (k < end) {
      // a file that no longer holds what its print says: stop there
      if (lineA === undefined || lineB === undefined) break
      if (!printsEqual(a.print, b.print, k)) {
        if (lineA === TOO_LONG || lineB === TOO_LONG || !(hasMarker(lineA) || hasMarker(lineB))) break
        if (!recordsEquivalent(canonical(lineA, dialect), canonical(lineB, dialect))) break
      }
      k++
      if (k < end) {
        lineA = next(recordsA, a)
        lineB = next(recordsB, b)
      }
    }
    return k
  } finally {
    recordsA.return(undefined)
    recordsB.return(undefined)
  }
}

/** An error of reading a transcript as the error it stands for, naming the transcript; anything else as it is (a defect). */
const named = (error: unknown, t: Transcript): unknown => {
  const path = t.label ?? t.path
  if (error instanceof CorruptInput) return new Fingerprint.FingerprintError({ reason: "corrupt_input", detail: error.message, path })
  if (error instanceof Error && "code" in error) return new Fingerprint.FingerprintError({ reason: "read_failed", detail: error.message, path })
  return error
}
