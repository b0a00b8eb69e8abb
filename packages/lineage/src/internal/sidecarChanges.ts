import type { AgentStore } from "@sessionport/agent"
import type { SqlChange } from "@sessionport/journal"
import type * as Fingerprint from "../Fingerprint.js"
import { rootKey } from "../Fingerprint.js"
import * as Sidecar from "../Sidecar.js"
import type { SessionDecision } from "../Syncer.js"
import type { LocalFile } from "./locals.js"
import { headAt, PRINT_BYTES } from "./prints.js"

/** @internal one incoming session as a sync plans it */
export interface Planned {
  readonly source: AgentStore.SyncSource
  readonly decision: Omit<SessionDecision, "newLocalId" | "appended">
  readonly lineageId: string | undefined
  readonly incoming: Fingerprint.SessionPrint | undefined
  readonly local: { readonly file: LocalFile; readonly print: Fingerprint.SessionPrint; readonly tracked: boolean } | undefined
}

/**
 * The print of a local session after a fast-forward: its own records' prints, then the appended
 * ones'. The incoming print whole when the two share their prints; not when records were found
 * shared up to redaction: the local lines stay as they are, and so do their prints.
 */
const continued = (local: Fingerprint.SessionPrint, incoming: Fingerprint.SessionPrint): Fingerprint.SessionPrint => {
  const own = local.records * PRINT_BYTES
  if (Buffer.compare(local.prints.subarray(0, own), incoming.prints.subarray(0, own)) === 0) return incoming
  const prints = new Uint8Array(incoming.records * PRINT_BYTES)
  prints.set(local.prints.subarray(0, own))
  prints.set(incoming.prints.subarray(own, incoming.records * PRINT_BYTES), own)
  return {
    ...incoming,
    prints,
    head: headAt(prints, incoming.records).toString("hex"),
    rootIndex: local.rootIndex ?? incoming.rootIndex
  }
}

/**
 * @internal
 * The sidecar rows a sync adds or changes, built once the written sizes are known.
 */
export const sidecarChangesFor = (
  planned: ReadonlyArray<Planned>,
  snapshot: Sidecar.Snapshot,
  newIds: ReadonlyMap<string, string>,
  now: number
) => {
  // sessions matched on disk but not yet tracked, and ids not yet mapped: recorded even when nothing else changes
  const adoptions = planned.filter((p) => p.local !== undefined && !p.local.tracked)
  const unmapped = planned.filter((p) => !snapshot.lineageOf.has(p.decision.sourceId))
  const unseen = planned.filter((p) => p.decision.via !== "seen")
  return {
    pending: adoptions.length > 0 || unmapped.length > 0 || unseen.length > 0,
    build: (
      transactionId: string,
      written: ReadonlyMap<string, { readonly size: number; readonly path: string }>,
      forwardSizes: ReadonlyMap<string, number>,
      forwards: ReadonlyArray<Planned>,
      pkg: string,
      packageId: string | undefined,
      // one `packages_seen` row per transaction (its key): a later package of the same one adds none
      recordPackage = true
    ): Array<SqlChange.SqlChange> => {
      const lineages = new Set<string>()
      const ids = new Map<string, string>()
      const addLocals: Array<Sidecar.LocalPrint> = []
      // local id → its place in addLocals
      const added = new Map<string, number>()
      const seen = new Map<string, { lineageId: string; sha256: string; localId: string; localSize: number }>()
      const tracked = new Set(snapshot.locals.keys())
      const mapId = (id: string, lineageId: string) => {
        if (!snapshot.lineageOf.has(id) && !ids.has(id)) ids.set(id, lineageId)
      }
      for (const p of planned) {
        const { decision } = p
        const newId = newIds.get(decision.sourceId)
        // the lineage: as known; else the matched local session's (adopted now); else the new session's
        const local = p.local
        const lineageId = p.lineageId ??
          (local !== undefined ? (snapshot.locals.get(local.file.id)?.lineageId ?? local.file.id) : newId)
        if (lineageId === undefined) continue
        if (!snapshot.lineages.has(lineageId)) lineages.add(lineageId)
        if (local !== undefined && !tracked.has(local.file.id)) {
          tracked.add(local.file.id)
          added.set(local.file.id, addLocals.length)
          addLocals.push({
            localId: local.file.id,
            lineageId,
            rolloutPath: local.file.recorded?.path ?? local.file.path,
            role: "adopted",
            size: local.file.recorded?.size ?? local.file.size,
            print: local.print,
            rootKey: rootKey(local.print)
          })
          mapId(local.file.id, lineageId)
        }
        // a colliding id belongs to the local session of that id, not to the imported copy
        if (decision.class !== "id_collision_unrelated") mapId(decision.sourceId, lineageId)
        if (newId !== undefined && p.incoming !== undefined) {
          const file = written.get(newId)
          if (file !== undefined) {
            tracked.add(newId)
            added.set(newId, addLocals.length)
            addLocals.push({
              localId: newId,
              lineageId,
              rolloutPath: file.path,
              role: decision.class === "diverged_lineage" ? "branch" : "imported",
              size: file.size,
              print: p.incoming,
              rootKey: rootKey(p.incoming)
            })
            mapId(newId, lineageId)
          }
        }
        if (decision.via !== "seen") {
          const holder = decision.class === "unchanged" || decision.class === "fast_forward_import" ? local : undefined
          const holderId = holder?.file.id ?? newId
          const holderSize = holder !== undefined ? (holder.file.recorded?.size ?? holder.file.size) : newId === undefined ? undefined : written.get(newId)?.size
          if (holderId !== undefined && holderSize !== undefined) {
            seen.set(Sidecar.seenKey(lineageId, p.source.sha256), { lineageId, sha256: p.source.sha256, localId: holderId, localSize: holderSize })
          }
        }
      }
      const updates: Array<SqlChange.SqlChange> = []
      for (const p of forwards) {
        const local = p.local!
        const forwarded = continued(local.print, p.incoming!)
        const size = forwardSizes.get(local.file.id) ?? local.file.recorded?.size ?? local.file.size
        const lineageId = p.lineageId ?? snapshot.locals.get(local.file.id)?.lineageId ?? local.file.id
        const entry: Sidecar.LocalPrint = {
          localId: local.file.id,
          lineageId,
          rolloutPath: local.file.recorded?.path ?? local.file.path,
          role: snapshot.locals.get(local.file.id)?.role ?? "adopted",
          size,
          print: { ...forwarded, bytes: size },
          rootKey: rootKey(forwarded)
        }
        const index = added.get(local.file.id)
        if (index !== undefined) addLocals[index] = entry
        else updates.push(Sidecar.updateLocal(entry, now))
        const key = Sidecar.seenKey(lineageId, p.source.sha256)
        const s = seen.get(key)
        if (s !== undefined) seen.set(key, { ...s, localSize: size })
      }
      const existingSeen = [...seen.values()].filter((s) => !snapshot.seen.has(Sidecar.seenKey(s.lineageId, s.sha256)))
      return [
        ...(lineages.size === 0 ? [] : [Sidecar.addLineages([...lineages], now)]),
        ...(ids.size === 0 ? [] : [Sidecar.mapIds([...ids].map(([sessionId, lineageId]) => ({ sessionId, lineageId })))]),
        ...(addLocals.length === 0 ? [] : [Sidecar.addLocals(addLocals, now)]),
        ...updates,
        ...(existingSeen.length === 0 ? [] : [Sidecar.markSeen(existingSeen)]),
        ...(recordPackage ? [Sidecar.addPackage({ transactionId, packageId, path: pkg, sessions: planned.length }, now)] : [])
      ]
    }
  }
}

