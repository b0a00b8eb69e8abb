/**
 * How sync plans and sidecar reports read on a terminal.
 *
 * @since 0.1.0
 */
import { RememberedMaps } from "@sessionport/agent"
import { Dates, Output } from "@sessionport/cli-kit"
import type { Compaction, ExchangeStatus, Maintenance, Pull, Push, Syncer } from "@sessionport/lineage"

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

const removedLines = (removed: ReadonlyArray<string>, dryRun: boolean): Array<string> =>
  removed.length === 0 ? [] : [`${dryRun ? "would remove" : "removed"} ${removed.length} file(s) from the outbox:`, ...removed.map((f) => `  ${f}`)]

/** @since 0.4.0 @category rendering */
export const push = (r: Push.PushResult): Array<string> => {
  const outbox = `${r.folder}/${r.machineId}`
  const sealed = r.encryption === null ? "" : `, encrypted ${r.encryption === "recipients" ? "to its recipients" : "with a passphrase"}`
  const head = r.sessions.length === 0
    ? `nothing changed since the last push (${r.unchanged} session(s) unchanged); outbox ${outbox}`
    : r.package === null
    ? `would push ${r.sessions.length} session(s) to ${outbox} (${r.unchanged} unchanged${sealed})`
    : `pushed ${r.sessions.length} session(s) to ${outbox}/${r.package.file} (${Output.size(r.package.size)}${sealed}); ${r.unchanged} unchanged`
  return [
    head,
    ...r.sessions.map((s) => `  ${s.agent.padEnd(8)} ${s.id}  ${Output.size(s.size)}${s.parentOf === undefined ? "" : `  (parent of ${s.parentOf})`}`),
    ...removedLines(r.removed, r.dryRun)
  ]
}

const classes = (sync: Syncer.SyncResult | undefined): string =>
  sync === undefined ? "" : Object.entries(sync.counts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(", ")

/** @since 0.4.0 @category rendering */
export const pull = (r: Pull.PullResult): Array<string> => {
  const count = (status: Pull.PulledPackage["status"]) => r.packages.filter((p) => p.status === status).length
  const from = `${r.machines.length} machine(s) in ${r.folder}`
  const head = r.packages.length === 0
    ? `nothing new from ${from}`
    : `${r.dryRun ? "would pull" : "pulled"} from ${from}: ${count("applied")} package(s) ${r.dryRun ? "to apply" : "applied"}, ` +
      `${count("superseded")} superseded, ${count("skipped")} skipped` +
      (r.transactionId === undefined ? "" : ` (transaction ${r.transactionId})`)
  const out = [head]
  for (const p of r.packages) {
    const what = p.status === "applied" ? classes(p.sync) : p.status === "superseded" ? "superseded by a later package" : `skipped: ${p.why ?? p.kind}`
    out.push(`  ${p.machineId} #${p.seq} (${p.sessionCount} session(s)): ${what}`)
    for (const s of p.status === "applied" ? p.sync?.sessions ?? [] : []) {
      if (s.action === "none") continue
      const created = s.newLocalId === undefined ? "" : ` -> ${s.newLocalId}`
      const appended = s.appended === undefined ? "" : ` (+${s.appended} record(s))`
      out.push(`      ${s.agent.padEnd(8)} ${s.sourceId}  ${ACTION_TEXT[s.action]}${s.localId === undefined ? "" : ` (local ${s.localId})`}${created}${appended}`)
    }
  }
  out.push(...removedLines(r.removed, r.dryRun))
  if (r.transactionId !== undefined) out.push(`undo with: session-sync rollback ${r.transactionId}`)
  return out
}

/** @since 0.4.0 @category rendering */
export const compact = (r: Compaction.CompactResult): Array<string> => [
  r.removed.length === 0
    ? `nothing to compact in ${r.folder}/${r.machineId} (${r.kept.length} package(s) kept)`
    : `${r.dryRun ? "would remove" : "removed"} ${r.removed.length} package(s) from ${r.folder}/${r.machineId}; ${r.kept.length} kept`,
  ...r.removed.map((f) => `  ${f}`),
  ...r.kept.map((k) =>
    `  kept ${k.stem}: ${k.why === "newest" ? `newest copy of ${k.sessions.length} session(s)` : `not pulled yet by ${k.machines.join(", ")}`}`
  )
]

const when = (at: string | null): string => at === null ? "never" : Dates.both(new Date(at))

const leftovers = (r: { readonly conflictCopies: ReadonlyArray<ExchangeStatus.ConflictCopy>; readonly otherFiles: ReadonlyArray<string> }) => [
  ...r.conflictCopies.map((c) => `    conflict copy (never read): ${c.path}${c.of === undefined ? "" : ` (of ${c.of})`}`),
  ...r.otherFiles.map((f) => `    unexpected file (never read): ${f}`)
]

/** @since 0.4.0 @category rendering */
export const status = (r: ExchangeStatus.StatusResult): Array<string> => {
  const m = r.machine
  const changed = m.changed.filter((c) => c.count > 0)
  const out = [
    `exchange folder ${r.folder}`,
    `this machine: ${m.id ?? "(no machine id yet: made by the first push or pull)"}${m.name === null ? "" : ` (${m.name})`}`,
    `  last push ${when(m.lastPushAt)}; last pull ${when(m.lastPullAt)}`,
    `  changed since the last push: ${changed.length === 0 ? "nothing" : changed.map((c) => `${c.agent} ${c.count}`).join(", ")}`,
    `  outbox: ${m.packages} package(s), ${Output.size(m.bytes)}${m.encrypted === 0 ? "" : `, ${m.encrypted} encrypted`}` +
    `${m.compactable === 0 ? "" : `; compact could remove ${m.compactable}`}`,
    `  push: ${m.encryption === null ? "not encrypted" : m.encryption === "recipients" ? "encrypted to the remembered recipients" : "encrypted with a passphrase (asked)"}` +
    `${m.redact ? ", secrets redacted" : ""}; pull: ${m.identities.length === 0 ? "no identity file remembered" : `identity ${m.identities.join(", ")}`}`,
    ...(m.packages === 0 ? [] : m.pulledBy.map((p) => `  ${p.machineId} has pulled ${p.pulled} of ${m.packages}`)),
    ...leftovers(m)
  ]
  for (const other of r.machines) {
    out.push(`${other.id}${other.name === null ? "" : ` (${other.name})`}`)
    if (other.index === "missing") out.push("  no outbox.json (it has not pushed yet)")
    if (other.index === "unreadable") out.push(`  outbox.json unreadable${other.indexProblem === undefined ? "" : `: ${other.indexProblem}`}`)
    out.push(`  last push ${when(other.lastPushAt)}; last pull ${when(other.lastPullAt)}`)
    out.push(
      `  pending here: ${other.pending.packages} package(s), ${other.pending.sessions} session(s)` +
        (other.encrypted.packages === 0 ? "" : `; ${other.encrypted.packages} of its ${other.encrypted.of} package(s) encrypted`)
    )
    out.push(...other.skipped.map((s) => `    skipped ${s.file}: ${s.why}`), ...leftovers(other))
  }
  if (r.strays.length > 0) out.push(`not of the exchange (never read): ${r.strays.join(", ")}`)
  return out
}
