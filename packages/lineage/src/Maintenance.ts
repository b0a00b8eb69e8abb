/**
 * Keeping an agent home's sidecar true to the home: `adopt` (track sessions installed without a sidecar),
 * `health` (dangling mappings, missing files, stale chain heads), `prune` (drop what points
 * nowhere), `replay` (re-derive lineages from the journal's history) and `rebuild` (a new sidecar
 * from the transcripts and the journal). Any agent whose store supports sync. Every change but `rebuild` is a journal transaction.
 *
 * @since 0.1.0
 */
import { Agents, type AgentStore, Journals } from "@sessionport/agent"
import type { Journal, JournalError, SqlChange } from "@sessionport/journal"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer } from "effect"
import * as nodeFs from "node:fs"
import * as Fingerprint from "./Fingerprint.js"
import { LineageError } from "./LineageError.js"
import * as Sidecar from "./Sidecar.js"
import { type LocalFile, sizeOf } from "./internal/locals.js"

/** @since 0.1.0 @category models */
export interface MaintenanceResult {
  /** the agent whose home this is */
  readonly agent: string
  readonly home: string
  /** the Codex home, for Codex (as before other agents) */
  readonly codexHome?: string | undefined
  readonly dryRun: boolean
  /** `undefined`: nothing changed (or a dry run) */
  readonly transactionId: string | undefined
  readonly lineages: number
  /** session ids newly mapped to a lineage */
  readonly mapped: number
  /** local sessions newly tracked (adopt, replay, rebuild) or dropped (prune) */
  readonly sessions: ReadonlyArray<string>
}

/**
 * - `missing_file`: a tracked session's rollout is gone;
 * - `stale_head`: a rollout no longer starts with the records the sidecar recorded (shorter, or different);
 * - `dangling_mapping`: an id mapped to a lineage that has no local session;
 * - `untracked_lineage`: a local session of a lineage the sidecar does not list.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthIssue {
  readonly kind: "missing_file" | "stale_head" | "dangling_mapping" | "untracked_lineage"
  readonly id: string
  readonly detail: string
}

/** @since 0.1.0 @category models */
export interface HealthReport {
  readonly agent: string
  readonly home: string
  readonly codexHome?: string | undefined
  readonly sidecar: string
  readonly exists: boolean
  readonly lineages: number
  readonly sessions: number
  readonly issues: ReadonlyArray<HealthIssue>
}

/** @since 0.1.0 @category models */
export type MaintenanceFailure = LineageError | JournalError.JournalError | Fingerprint.FingerprintError | AgentStore.AgentFailure

/** @since 0.1.0 @category models */
export interface MaintenanceShape {
  readonly adopt: (options: { readonly dryRun: boolean }) => Effect.Effect<MaintenanceResult, MaintenanceFailure>
  readonly health: Effect.Effect<HealthReport, MaintenanceFailure>
  readonly prune: (options: { readonly dryRun: boolean }) => Effect.Effect<MaintenanceResult, MaintenanceFailure>
  readonly replay: (options: { readonly dryRun: boolean }) => Effect.Effect<MaintenanceResult, MaintenanceFailure>
  readonly rebuild: (options: { readonly dryRun: boolean }) => Effect.Effect<MaintenanceResult, MaintenanceFailure>
}

/** @since 0.1.0 @category tags */
export class Maintenance extends Context.Tag("@sessionport/lineage/Maintenance")<Maintenance, MaintenanceShape>() {}

interface Derived {
  readonly lineages: Set<string>
  readonly ids: Map<string, string>
  readonly locals: Array<Sidecar.LocalPrint>
}

const asRecord = (u: unknown): Record<string, unknown> => (typeof u === "object" && u !== null ? u as Record<string, unknown> : {})
const asString = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

/**
 * The lineage of every session the journal's completed install, sync and pull transactions made,
 * oldest first: an install's session is a lineage of its own unless its source id already
 * belongs to one; a sync (or a pull, with the same rows) says which lineage each session joined.
 */
const lineagesFromJournal = (list: ReadonlyArray<Journal.TransactionInfo | Journal.DamagedTransaction>) => {
  const lineageOf = new Map<string, string>()
  const roles = new Map<string, Sidecar.Role>()
  for (const tx of [...list].reverse()) {
    if (tx.status !== "completed") continue
    const sessions = asRecord(tx.summary).sessions
    if (!Array.isArray(sessions)) continue
    for (const raw of sessions) {
      const s = asRecord(raw)
      const sourceId = asString(s.source_id)
      const localId = asString(s.new_local_id) ?? (tx.kind === "install" ? asString(s.local_id) : undefined)
      // a pull records the rows of the syncs it applied
      const matched = tx.kind === "sync" || tx.kind === "pull" ? asString(s.local_id) : undefined
      const lineage = asString(s.lineage_id) ??
        (matched === undefined ? undefined : lineageOf.get(matched)) ??
        (sourceId === undefined ? undefined : lineageOf.get(sourceId)) ??
        localId ?? matched
      if (lineage === undefined) continue
      if (sourceId !== undefined && s.class !== "id_collision_unrelated" && !lineageOf.has(sourceId)) lineageOf.set(sourceId, lineage)
      if (matched !== undefined && !lineageOf.has(matched)) lineageOf.set(matched, lineage)
      if (localId !== undefined) {
        lineageOf.set(localId, lineage)
        roles.set(localId, s.class === "diverged_lineage" ? "branch" : "imported")
      }
    }
  }
  return { lineageOf, roles }
}

/**
 * The sidecar upkeep of one agent's home (its store must support sync): its local sessions, its
 * lineage dialect, its sidecar, and the journal its transactions are recorded in.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (store: AgentStore.AgentStore) =>
  Effect.gen(function*() {
  const support = store.sync
  if (support === undefined) {
    return yield* new LineageError({ reason: "nothing_to_sync", path: store.home, detail: `${store.displayName} sessions cannot be synced by this sessionport` })
  }
  const journal = (yield* Journals.Journals).forAgents([store.agent])
  const sidecar = Sidecar.make(support.sidecarHome)
  const progress = yield* Progress.Progress
  const homeFields = { agent: store.agent, home: store.home, ...(store.agent === "codex" ? { codexHome: store.home } : {}) }

  const printAll = (files: ReadonlyArray<LocalFile>) =>
    Progress.track("fingerprint", files.reduce((n, f) => n + f.size, 0), "bytes", (task) =>
      Effect.forEach(files, (file) =>
        Effect.map(Fingerprint.fromFile(file.path, { dialect: support.lineage }), (print) => {
          task.advance(file.size)
          return [file, print] as const
        }))).pipe(Effect.provideService(Progress.Progress, progress))

  /**
   * What the sidecar lacks: lineages and ids the journal knows (with `fromJournal`), and every
   * local session not tracked yet, in its journal lineage or a lineage of its own.
   */
  const derive = (snapshot: Sidecar.Snapshot, fromJournal: boolean, adoptAll: boolean) =>
    Effect.gen(function*() {
      const files = yield* support.localSessions
      const history = fromJournal ? lineagesFromJournal(yield* journal.list) : { lineageOf: new Map<string, string>(), roles: new Map<string, Sidecar.Role>() }
      const derived: Derived = { lineages: new Set(), ids: new Map(), locals: [] }
      const lineageOf = (id: string) => snapshot.lineageOf.get(id) ?? derived.ids.get(id) ?? history.lineageOf.get(id)
      const addId = (id: string, lineage: string) => {
        if (!snapshot.lineageOf.has(id) && !derived.ids.has(id)) derived.ids.set(id, lineage)
        if (!snapshot.lineages.has(lineage)) derived.lineages.add(lineage)
      }
      for (const [id, lineage] of history.lineageOf) addId(id, lineage)
      const untracked = [...files.values()].filter((file) =>
        !snapshot.locals.has(file.id) && (adoptAll || history.lineageOf.has(file.id))
      )
      for (const [file, print] of yield* printAll(untracked)) {
        const lineage = lineageOf(file.id) ?? file.id
        addId(file.id, lineage)
        derived.locals.push({
          localId: file.id,
          lineageId: lineage,
          rolloutPath: file.recorded?.path ?? file.path,
          role: history.roles.get(file.id) ?? "adopted",
          size: file.recorded?.size ?? file.size,
          print,
          rootKey: Fingerprint.rootKey(print)
        })
      }
      return derived
    })

  const changesOf = (derived: Derived, now: number): Array<SqlChange.SqlChange> => [
    ...(derived.lineages.size === 0 ? [] : [Sidecar.addLineages([...derived.lineages], now)]),
    ...(derived.ids.size === 0 ? [] : [Sidecar.mapIds([...derived.ids].map(([sessionId, lineageId]) => ({ sessionId, lineageId })))]),
    ...(derived.locals.length === 0 ? [] : [Sidecar.addLocals(derived.locals, now)])
  ]

  const resultOf = (derived: Derived, dryRun: boolean, transactionId: string | undefined): MaintenanceResult => ({
    ...homeFields,
    dryRun,
    transactionId,
    lineages: derived.lineages.size,
    mapped: derived.ids.size,
    sessions: derived.locals.map((l) => l.localId)
  })

  const apply = (kind: string, derived: Derived, dryRun: boolean) =>
    Effect.gen(function*() {
      const changes = changesOf(derived, Date.now())
      if (dryRun || changes.length === 0) return resultOf(derived, dryRun, undefined)
      yield* sidecar.ensure
      return yield* journal.transaction(
        { kind, summary: { lineages: derived.lineages.size, mapped: derived.ids.size, sessions: derived.locals.map((l) => l.localId) } },
        (tx) => Effect.as(tx.sql(sidecar.path, changes), resultOf(derived, dryRun, tx.id))
      )
    })

  const adopt = Effect.fn("Maintenance.adopt")(function*(options: { readonly dryRun: boolean }) {
    const snapshot = yield* sidecar.snapshot
    return yield* apply("adopt", yield* derive(snapshot, true, true), options.dryRun)
  }, Effect.scoped)

  const replay = Effect.fn("Maintenance.replay")(function*(options: { readonly dryRun: boolean }) {
    const snapshot = yield* sidecar.snapshot
    return yield* apply("replay", yield* derive(snapshot, true, false), options.dryRun)
  }, Effect.scoped)

  /**
   * Where a tracked session's transcript is now and its size: its file; for a store whose
   * sessions are rows (it records them by locator: `recordedSizes`), its transcript rendered for
   * this command (`undefined`: the session is gone).
   */
  const currentOf = Effect.gen(function*() {
    if (support.recordedSizes === undefined) {
      return (s: Sidecar.LocalSession) => {
        const size = sizeOf(s.rolloutPath)
        return size === undefined ? undefined : { path: s.rolloutPath, size, rows: false }
      }
    }
    const rendered = yield* support.localSessions
    return (s: Sidecar.LocalSession) => {
      const file = rendered.get(s.localId)
      return file === undefined ? undefined : { path: file.path, size: file.size, rows: true }
    }
  })

  const health = Effect.gen(function*() {
    const snapshot = yield* sidecar.snapshot
    const issues: Array<HealthIssue> = []
    const tracked = [...snapshot.locals.values()]
    const recorded = yield* sidecar.prints(tracked.map((s) => s.localId))
    const current = yield* currentOf
    for (const session of tracked) {
      const file = current(session)
      if (file === undefined) {
        issues.push({ kind: "missing_file", id: session.localId, detail: `${session.rolloutPath} does not exist` })
        continue
      }
      if (!snapshot.lineages.has(session.lineageId)) {
        issues.push({ kind: "untracked_lineage", id: session.localId, detail: `lineage ${session.lineageId} is not listed` })
      }
      const print = recorded.get(session.localId)
      // a rendered transcript's size is not the one recorded: only its records are compared
      if ((!file.rows && file.size < session.size) || print === undefined) {
        issues.push({ kind: "stale_head", id: session.localId, detail: `${session.rolloutPath} is shorter than when it was fingerprinted` })
        continue
      }
      const now = yield* Fingerprint.fromFile(file.path, { dialect: support.lineage })
      if (!Fingerprint.isPrefix(print, now)) {
        issues.push({ kind: "stale_head", id: session.localId, detail: `${session.rolloutPath} no longer starts with the recorded records` })
      }
    }
    for (const [id, lineage] of snapshot.lineageOf) {
      if ((snapshot.byLineage.get(lineage) ?? []).length === 0) {
        issues.push({ kind: "dangling_mapping", id, detail: `mapped to lineage ${lineage}, which has no local session` })
      }
    }
    return {
      ...homeFields,
      sidecar: sidecar.path,
      exists: snapshot.exists,
      lineages: snapshot.lineages.size,
      sessions: snapshot.locals.size,
      issues
    } satisfies HealthReport
  }).pipe(Effect.scoped, Effect.withSpan("Maintenance.health"))

  const prune = Effect.fn("Maintenance.prune")(function*(options: { readonly dryRun: boolean }) {
    const snapshot = yield* sidecar.snapshot
    const current = yield* currentOf
    const gone = [...snapshot.locals.values()].filter((s) => current(s) === undefined).map((s) => s.localId)
    const goneSet = new Set(gone)
    const alive = (lineage: string) => (snapshot.byLineage.get(lineage) ?? []).some((s) => !goneSet.has(s.localId))
    const dangling = [...snapshot.lineageOf].filter(([, lineage]) => !alive(lineage)).map(([id]) => id)
    const result: MaintenanceResult = {
      ...homeFields,
      dryRun: options.dryRun,
      transactionId: undefined,
      lineages: 0,
      mapped: dangling.length,
      sessions: gone
    }
    if (options.dryRun || (gone.length === 0 && dangling.length === 0)) return result
    const changes: Array<SqlChange.SqlChange> = [
      ...(gone.length === 0 ? [] : [Sidecar.removeLocals(gone)]),
      ...(dangling.length === 0 ? [] : [Sidecar.unmapIds(dangling)])
    ]
    return yield* journal.transaction(
      { kind: "prune", summary: { sessions: gone, ids: dangling } },
      (tx) => Effect.as(tx.sql(sidecar.path, changes), { ...result, transactionId: tx.id })
    )
  }, Effect.scoped)

  const rebuild = Effect.fn("Maintenance.rebuild")(function*(options: { readonly dryRun: boolean }) {
    // from nothing: the old sidecar is not read (it may be the damaged one being replaced)
    const derived = yield* derive(Sidecar.emptySnapshot, true, true)
    if (options.dryRun) return resultOf(derived, true, undefined)
    // derived state: the old file is set aside, not journaled; a fresh one is filled in one transaction
    yield* Effect.try({
      try: () => {
        for (const suffix of ["", "-wal", "-shm", "-journal"]) nodeFs.rmSync(`${sidecar.path}${suffix}`, { force: true })
      },
      catch: (cause) => new LineageError({ reason: "unreadable", path: sidecar.path, detail: "cannot remove the old sidecar", cause })
    })
    return yield* apply("rebuild-sidecar", derived, false)
  }, Effect.scoped)

  return Maintenance.of({ adopt, health, prune, replay, rebuild })
  })

/**
 * The upkeep of the home of `agent` (one of the stores in context).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (agent: string): Layer.Layer<Maintenance, MaintenanceFailure, Agents.Agents | Journals.Journals | Progress.Progress> =>
  Layer.effect(
    Maintenance,
    Effect.flatMap(Agents.Agents, ({ stores }) => {
      const store = stores.find((s) => s.agent === agent)
      return store === undefined
        ? new LineageError({ reason: "nothing_to_sync", path: agent, detail: `no agent ${agent}` })
        : make(store)
    })
  )
