import type { AgentStore } from "@sessionport/agent"
import { Effect } from "effect"
import * as Fingerprint from "../Fingerprint.js"
import * as Redaction from "../Redaction.js"
import type * as Sidecar from "../Sidecar.js"
import type { LocalFile } from "./locals.js"
import { PRINT_BYTES } from "./prints.js"
import { MARKER, MarkerWatch } from "./redaction.js"
import { recordsOf } from "./records.js"

/** An untracked local session, by the print of its first records (through its first prompt). */
interface Rooted {
  readonly file: LocalFile
  readonly print: Fingerprint.SessionPrint
  /** a record through its first prompt holds the bytes `[REDACTED:` (it came from a redacted package) */
  readonly marked: boolean
}

/**
 * @internal
 * The untracked local sessions of a home by the root of their conversation (`Fingerprint.rootKey`),
 * each file read only as far as its first prompt: how a sync finds a local copy it has no other
 * trace of (installed by `session-transfer install`, or made here and exported).
 */
export interface RootIndex {
  readonly byKey: ReadonlyMap<string, ReadonlyArray<LocalFile>>
  readonly rooted: ReadonlyArray<Rooted>
  /** whether the first records of some session hold a placeholder */
  readonly marked: boolean
  /** by where their first prompt is: made when first asked */
  byRootIndex?: ReadonlyMap<number, ReadonlyArray<Rooted>>
}

/**
 * @internal
 * Reads the first records of each untracked local session, once per sync, looking at their bytes
 * for a placeholder as they go by. `started` is given the print of each plain one: a comparison
 * with it goes on from there rather than reading it again.
 */
export const rootIndex = (
  files: ReadonlyMap<string, LocalFile>,
  snapshot: Sidecar.Snapshot,
  dialect: AgentStore.LineageDialect,
  started: Map<string, Fingerprint.SessionPrint>
) =>
  Effect.gen(function*() {
    const byKey = new Map<string, Array<LocalFile>>()
    const rooted: Array<Rooted> = []
    let anyMarked = false
    for (const file of files.values()) {
      if (snapshot.locals.has(file.id)) continue
      const watch = new MarkerWatch()
      const print = yield* Fingerprint.rootPrintOfFile(file.path, dialect, watch.onRead).pipe(Effect.orElseSucceed(() => undefined))
      const key = print === undefined ? undefined : Fingerprint.rootKey(print)
      if (print === undefined || key === undefined) continue
      // a print of zstd input counts compressed bytes: it cannot be gone on from, and the bytes
      // watched were compressed ones (its first records are looked at again, decompressed)
      if (print.compressed !== true) started.set(file.id, print)
      const marked = print.compressed !== true
        ? watch.before(print.bytes)
        : markedRecords(file.path, print.rootIndex! + 1, dialect).size > 0
      const list = byKey.get(key)
      if (list === undefined) byKey.set(key, [file])
      else list.push(file)
      rooted.push({ file, print, marked })
      anyMarked ||= marked
    }
    const index: RootIndex = { byKey, rooted, marked: anyMarked }
    return index
  })

/**
 * @internal
 * The untracked local sessions that begin as `incoming` does up to redaction (`Redaction.sameRoot`)
 * though their root keys differ: a secret in the first prompt gives a redacted copy and a plain
 * one root keys of their own. Looked for only where a placeholder is: when some of `incoming`'s
 * records through its first prompt hold one (`watch`: its bytes, seen as it was fingerprinted;
 * its first records are then read again to tell which), among the sessions whose prints differ
 * from it only at those records; and among those whose own first records hold one. Nothing is
 * read otherwise; a local session that cannot be read is not one.
 */
export const redactedRoots = (
  index: RootIndex,
  incoming: Redaction.Transcript,
  watch: MarkerWatch,
  dialect: AgentStore.LineageDialect
): Effect.Effect<ReadonlyArray<LocalFile>> =>
  Effect.gen(function*() {
    const root = incoming.print.rootIndex
    if (root === undefined || !(watch.first !== undefined || index.marked)) return []
    const marks = watch.first === undefined ? new Set<number>() : markedRecords(incoming.path, root + 1, dialect)
    if (marks.size === 0 && !index.marked) return []
    index.byRootIndex ??= byRootIndex(index.rooted)
    const out: Array<LocalFile> = []
    for (const local of index.byRootIndex.get(root) ?? []) {
      if (!local.marked && !(marks.size > 0 && partOnlyAt(incoming.print, local.print, root + 1, marks))) continue
      const same = yield* Redaction.sameRoot(incoming, { path: local.file.path, print: local.print }, dialect).pipe(
        Effect.orElseSucceed(() => false)
      )
      if (same) out.push(local.file)
    }
    return out
  })

/** Whether the first `end` prints of `a` and `b` differ only at records in `at`. */
const partOnlyAt = (a: Fingerprint.SessionPrint, b: Fingerprint.SessionPrint, end: number, at: ReadonlySet<number>): boolean => {
  for (let k = 0; k < end; k++) {
    if (at.has(k)) continue
    const from = k * PRINT_BYTES
    if (Buffer.compare(a.prints.subarray(from, from + PRINT_BYTES), b.prints.subarray(from, from + PRINT_BYTES)) !== 0) return false
  }
  return true
}

/** Which of the first `count` records of a transcript hold the bytes `[REDACTED:` (an unreadable file: none). */
const markedRecords = (path: string, count: number, dialect: AgentStore.LineageDialect): Set<number> => {
  const out = new Set<number>()
  const records = recordsOf(path, dialect.ignoredLinePrefixes, undefined, 64 * 1024)
  try {
    for (let k = 0; k < count; k++) {
      const step = records.next()
      if (step.done === true) break
      if (step.value !== null && step.value.includes(MARKER)) out.add(k)
    }
  } catch {
    // read as far as it could be
  } finally {
    records.return(undefined)
  }
  return out
}

const byRootIndex = (rooted: ReadonlyArray<Rooted>): Map<number, Array<Rooted>> => {
  const out = new Map<number, Array<Rooted>>()
  for (const local of rooted) {
    const root = local.print.rootIndex!
    const list = out.get(root)
    if (list === undefined) out.set(root, [local])
    else list.push(local)
  }
  return out
}
