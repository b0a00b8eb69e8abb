/**
 * How sync plans and sidecar reports read on a terminal.
 *
 * @since 0.1.0
 */
import { RememberedMaps } from "@sessionport/agent"
import type { Maintenance, Syncer } from "@sessionport/lineage"

const ACTION_TEXT: Readonly<Record<Syncer.Action, string>> = {
  import: "import as a new session",
  none: "nothing to do",
  append: "append the new records to the local session",
  import_branch: "keep the local session, import this one as a branch",
  import_new_id: "keep the local session, import this one under a new id"
}

/** @since 0.1.0 @category rendering */
export const plan = (r: Syncer.SyncResult, applied: boolean): Array<string> => {
  const changed = r.sessions.filter((s) => s.action !== "none").length
  const into = Object.values(r.homes).join(" and ")
  const several = Object.keys(r.homes).length > 1
  const head = applied
    ? changed === 0
      ? `all ${r.sessions.length} session(s) already in ${into}; their lineages are now tracked (transaction ${r.transactionId})`
      : `synced ${r.sessions.length} session(s) into ${into}: ${changed} changed (transaction ${r.transactionId})`
    : r.transactionId === undefined && !r.dryRun
    ? `${r.sessions.length} session(s): nothing to change in ${into}`
    : `plan for ${r.sessions.length} session(s) into ${into}`
  const counts = Object.entries(r.counts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(", ")
  const out = [head, `classes: ${counts}`, ...RememberedMaps.lines(r.maps, r.remembered, r.dryRun)]
  for (const s of r.sessions) {
    const local = s.localId === undefined ? "" : ` local ${s.localId}${s.via === undefined ? "" : ` (by ${s.via})`}`
    const created = s.newLocalId === undefined ? "" : ` -> ${s.newLocalId}`
    const appended = s.appended === undefined ? "" : ` (+${s.appended} record(s))`
    out.push(`  ${several ? `${s.agent.padEnd(8)} ` : ""}${s.sourceId}  ${s.class}:${local}${created}${appended}`)
    out.push(`      ${ACTION_TEXT[s.action]}; ${s.detail}`)
  }
  if (applied) out.push(`undo with: session-sync rollback ${r.transactionId}`)
  return out
}

/** @since 0.1.0 @category rendering */
export const maintenance = ([verb, done]: readonly [string, string], r: Maintenance.MaintenanceResult): Array<string> => [
  `${r.dryRun ? `would ${verb}` : done}: ${r.sessions.length} session(s), ${r.lineages} new lineage(s), ${r.mapped} id mapping(s)` +
  (r.transactionId === undefined ? "" : ` (transaction ${r.transactionId})`),
  ...r.sessions.map((id) => `  ${id}`)
]

/** @since 0.1.0 @category rendering */
export const health = (r: Maintenance.HealthReport): Array<string> => [
  r.exists
    ? `${r.sidecar}: ${r.lineages} lineage(s), ${r.sessions} tracked session(s), ${r.issues.length === 0 ? "healthy" : `${r.issues.length} issue(s)`}`
    : `${r.sidecar}: no sidecar yet (nothing tracked)`,
  ...r.issues.map((i) => `  ${i.kind} ${i.id}: ${i.detail}`)
]
