/**
 * What an incoming session is to the local ones, from their {@link Fingerprint.SessionPrint}s
 * alone: pure, no file is read.
 *
 * Two prints are **related** when their common prefix reaches past the first user prompt (both
 * found it at the same record, and the common prefix holds it). Prints without a prompt are
 * related only when one is a prefix of the other and they share a record; a print without a
 * prompt that stops before the other's prompt is related to it when it is a prefix of it.
 *
 * What two sessions share is their prints' common prefix, unless the caller read their files and
 * found more: records that differ only by redaction count as shared (`Redaction.sharedPrefix`,
 * given as a candidate's `common`).
 *
 * @since 0.1.0
 */
import * as Fingerprint from "./Fingerprint.js"

/**
 * - `identical`: the same records.
 * - `local_ahead`: the incoming records are the first records of the local session.
 * - `incoming_ahead`: the local records are the first records of the incoming session.
 * - `diverged`: a common prefix, then both went on.
 * - `unrelated`: no common history past the first prompt.
 *
 * @since 0.1.0
 * @category models
 */
export type Relation = "identical" | "local_ahead" | "incoming_ahead" | "diverged" | "unrelated"

/** @since 0.1.0 @category models */
export interface Comparison {
  readonly relation: Relation
  /** records the two share from the start */
  readonly common: number
}

const isRelated = (a: Fingerprint.SessionPrint, b: Fingerprint.SessionPrint, common: number): boolean => {
  if (a.rootIndex !== undefined && b.rootIndex !== undefined) return a.rootIndex === b.rootIndex && common > a.rootIndex
  const shorter = a.records <= b.records ? a : b
  const isPrefix = common > 0 && common === shorter.records
  if (a.rootIndex === undefined && b.rootIndex === undefined) return isPrefix
  // one found its prompt: the other has none because it stops before it
  const root = (a.rootIndex ?? b.rootIndex)!
  return isPrefix && shorter.rootIndex === undefined && shorter.records <= root
}

/**
 * The relation of an incoming session to a local one; `shared`: the records they share from the
 * start when more than their prints' common prefix (read from their files: see
 * `Redaction.sharedPrefix`).
 *
 * @since 0.1.0
 * @category comparing
 */
export const compare = (incoming: Fingerprint.SessionPrint, local: Fingerprint.SessionPrint, shared?: number): Comparison => {
  const printed = Fingerprint.commonPrefix(incoming, local)
  const common = shared === undefined ? printed : Math.min(Math.max(shared, printed), incoming.records, local.records)
  if (!isRelated(incoming, local, common)) return { relation: "unrelated", common }
  const relation: Relation = common === incoming.records
    ? common === local.records ? "identical" : "local_ahead"
    : common === local.records
    ? "incoming_ahead"
    : "diverged"
  return { relation, common }
}

/**
 * What a sync does with an incoming session:
 *
 * - `new_lineage`: no local session is related: install it as a new session.
 * - `unchanged`: a local copy already holds every incoming record (identical, or went on locally).
 * - `fast_forward_import`: a local copy is a strict prefix of the incoming session: extend it.
 * - `diverged_lineage`: a local copy shares a prefix, then both went on.
 * - `id_collision_unrelated`: a local session has the incoming id but an unrelated history.
 *
 * @since 0.1.0
 * @category models
 */
export type SyncClass = "new_lineage" | "unchanged" | "fast_forward_import" | "diverged_lineage" | "id_collision_unrelated"

/**
 * A local session that may be the incoming one's copy, and why it was picked: the sync sidecar
 * names it, it has the incoming id, or its fingerprint root matches.
 *
 * @since 0.1.0
 * @category models
 */
export interface Candidate {
  readonly localId: string
  readonly print: Fingerprint.SessionPrint
  readonly via: "sidecar" | "same_id" | "fingerprint"
  /**
   * the records it shares with the incoming session from the start, when its file was read and
   * that is more than the prints share (records that differ only by redaction:
   * `Redaction.sharedPrefix`); absent: what the prints share
   */
  readonly common?: number | undefined
}

/** @since 0.1.0 @category models */
export interface Classification {
  readonly class: SyncClass
  /** the local session the class speaks of; none for `new_lineage` */
  readonly localId: string | undefined
  readonly via: Candidate["via"] | undefined
  readonly relation: Relation | undefined
  readonly common: number
  /** one sentence for reports */
  readonly detail: string
}

const VIA_RANK: Record<Candidate["via"], number> = { sidecar: 0, same_id: 1, fingerprint: 2 }

const CLASS_OF: Record<Relation, SyncClass | undefined> = {
  identical: "unchanged",
  local_ahead: "unchanged",
  incoming_ahead: "fast_forward_import",
  diverged: "diverged_lineage",
  unrelated: undefined
}

const CLASS_RANK: Partial<Record<SyncClass, number>> = { unchanged: 0, fast_forward_import: 1, diverged_lineage: 2 }

interface Compared extends Comparison {
  readonly candidate: Candidate
  readonly order: number
  /** of the records in common, those whose prints differ (they differ only by redaction) */
  readonly redacted: number
}

/**
 * Which related candidate wins: the class first (unchanged, fast-forward, diverged); within
 * unchanged and fast-forward the source (sidecar, same id, fingerprint), then the longer common
 * prefix; within diverged the longer common prefix, then the source; identical before local
 * ahead; then the order given.
 */
const better = (incomingRecords: number) => (a: Compared, b: Compared): number => {
  const cls = CLASS_RANK[CLASS_OF[a.relation]!]! - CLASS_RANK[CLASS_OF[b.relation]!]!
  if (cls !== 0) return cls
  const via = VIA_RANK[a.candidate.via] - VIA_RANK[b.candidate.via]
  const longer = b.common - a.common
  const first = a.relation === "diverged" ? longer || via : via || longer
  if (first !== 0) return first
  const exact = Number(a.candidate.print.records !== incomingRecords) - Number(b.candidate.print.records !== incomingRecords)
  return exact || a.order - b.order
}

const describe = (incoming: Fingerprint.SessionPrint, compared: Compared): string => {
  const { common, redacted } = compared
  const detail = describeRelation(incoming, compared)
  if (redacted === 0) return detail
  return `${detail} (${redacted} of the ${common} records in common ${redacted === 1 ? "differs" : "differ"} only by redaction)`
}

const describeRelation = (incoming: Fingerprint.SessionPrint, { candidate, common, relation }: Compared): string => {
  const local = `local ${candidate.localId} (${candidate.via})`
  const ahead = candidate.print.records - common
  const added = incoming.records - common
  switch (relation) {
    case "identical":
      return `identical to ${local}: ${common} records`
    case "local_ahead":
      return `${local} is ahead: it holds the ${common} incoming records and ${ahead} more`
    case "incoming_ahead":
      return `the incoming session continues ${local}: ${common} records in common, ${added} new`
    case "diverged":
      return `the incoming session and ${local} share ${common} records, then part: ${added} incoming and ${ahead} local records after`
    case "unrelated":
      return `${local} has the incoming id but an unrelated history (${common} records in common)`
  }
}

/** How many of the first `common` records of two prints differ (0 unless records were found shared up to redaction). */
const countDiffering = (a: Fingerprint.SessionPrint, b: Fingerprint.SessionPrint, common: number): number => {
  const printed = Fingerprint.commonPrefix(a, b)
  if (printed >= common) return 0
  let differing = 0
  for (let k = printed; k < common; k++) {
    const at = k * Fingerprint.PRINT_BYTES
    if (Buffer.compare(a.prints.subarray(at, at + Fingerprint.PRINT_BYTES), b.prints.subarray(at, at + Fingerprint.PRINT_BYTES)) !== 0) differing++
  }
  return differing
}

/**
 * Classifies an incoming session against its local candidates (see {@link SyncClass}); when none
 * is related, `id_collision_unrelated` if a `same_id` candidate exists, else `new_lineage`.
 *
 * @since 0.1.0
 * @category comparing
 */
export const classify = (
  incoming: Fingerprint.SessionPrint,
  candidates: ReadonlyArray<Candidate>
): Classification => {
  const compared: Array<Compared> = candidates.map((candidate, order) => {
    const comparison = compare(incoming, candidate.print, candidate.common)
    return { candidate, order, ...comparison, redacted: countDiffering(incoming, candidate.print, comparison.common) }
  })
  const related = compared.filter((c) => c.relation !== "unrelated").sort(better(incoming.records))
  const chosen = related[0] ?? compared.find((c) => c.candidate.via === "same_id")
  if (chosen === undefined) {
    const detail = candidates.length === 0
      ? "no local candidate"
      : `none of the ${candidates.length} local candidates shares its history past the first prompt`
    return { class: "new_lineage", localId: undefined, via: undefined, relation: undefined, common: 0, detail }
  }
  return {
    class: CLASS_OF[chosen.relation] ?? "id_collision_unrelated",
    localId: chosen.candidate.localId,
    via: chosen.candidate.via,
    relation: chosen.relation,
    common: chosen.common,
    detail: describe(incoming, chosen)
  }
}
