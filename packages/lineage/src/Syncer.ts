/**
 * Repeat import: a package that may overlap with what this machine's agent homes already have,
 * applied per session by lineage, as one journaled transaction. The syncer knows no agent: each
 * agent store gives it, through `AgentStore.sync`, its package sessions, its local sessions, how
 * its transcripts fingerprint, its first imports and what a fast-forward changes besides the
 * appended lines.
 *
 * For each agent with sessions in the package, each incoming session is matched to local ones
 * (the agent home's sidecar lineage, then the same id, then adoption by fingerprint), classified
 * (see {@link Comparison.classify}) and acted on:
 * - `new_lineage`: imported as a first install would (new id, localized, side entries);
 * - `unchanged`: nothing;
 * - `fast_forward_import`: the localized records the local copy lacks are appended to it, and the
 *   store brings its side entries up to date (Codex: its row, its paginated-history projection);
 * - `diverged_lineage`: the local session is kept; the incoming one is imported as a branch
 *   (new id, named as a branch of the local session);
 * - `id_collision_unrelated`: the local session is kept; the incoming one imported under a new id.
 *
 * Records that differ only by redaction (a secret on one side, its `[REDACTED:…]` placeholder on
 * the other: `Redaction.sharedPrefix`) count as shared, whichever side is redacted: a redacted
 * package of a local session is `unchanged` or a fast-forward, and so is an unredacted package of
 * a session installed redacted. A fast-forward appends only the records after the shared ones.
 * A secret in the first prompt gives the two copies root keys of their own: when no other route
 * finds a local session, one that begins as the incoming one but for redaction is adopted by
 * fingerprint (`Redaction.sameRoot`), looked for only when the records through the first prompt
 * of one of them hold a placeholder.
 *
 * Each home's sidecar rows change in the same transaction. Nothing local is ever overwritten.
 *
 * The path rules are those of an install: `--map`, then the maps remembered for the homes of the
 * package's agents (`RememberedMaps`: shown in the plan; a given one with the same FROM wins and is
 * remembered instead, in the sync's transaction).
 *
 * @since 0.1.0
 */
import { FileSystem } from "@effect/platform"
import { Agents, AgentStore, Journals, PackageInstall, type RememberedMaps } from "@sessionport/agent"
import type { JournalError } from "@sessionport/journal"
import { Journal } from "@sessionport/journal"
import { type PathRules, Rewriter } from "@sessionport/localize"
import { FileChunks, Layout, type PackageError } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { LineCheck } from "@sessionport/schema"
import { Context, Effect, Layer, type Scope } from "effect"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import * as Comparison from "./Comparison.js"
import * as Fingerprint from "./Fingerprint.js"
import { LineageError } from "./LineageError.js"
import * as Redaction from "./Redaction.js"
import * as Sidecar from "./Sidecar.js"
import { currentPrint, type LocalFile, sizeOf } from "./internal/locals.js"
import { MarkerWatch } from "./internal/redaction.js"
import { redactedRoots, type RootIndex, rootIndex } from "./internal/roots.js"
import { type Planned, sidecarChangesFor } from "./internal/sidecarChanges.js"
import { endsWithNewline, suffixChunks } from "./internal/suffix.js"

/** @since 0.1.0 @category models */
export interface SyncRequest {
  readonly package: string
  /**
   * the package as the person named it, in results, messages, the journal and the sidecar, when
   * `package` is a temp file or folder made of it (stdin, another tool's archive); default `package`
   */
  readonly label?: string | undefined
  readonly maps: ReadonlyArray<PathRules.Mapping>
  /** `--forget-maps`: the maps remembered for the homes are set aside (and an applied sync remembers that) */
  readonly forgetMaps?: boolean | undefined
  readonly dryRun: boolean
  /**
   * only these sessions of the package (`AgentStore.sessionKey`s, chosen in a picker); the others
   * are left out as if the package did not hold them. Absent: all.
   */
  readonly only?: ReadonlySet<string> | undefined
  /** asked with the plan before anything is written; `false` stops with `declined` */
  readonly confirm?: ((plan: SyncResult) => Effect.Effect<boolean>) | undefined
  /**
   * only these agents' sessions (`codex`, `claude`, …): the others are left out as `only` leaves
   * sessions out (listed in `leftOut`), even of an agent that cannot be synced here, which is
   * refused without it. Absent: every agent.
   */
  readonly agents?: ReadonlySet<string> | undefined
}

/** What happens to a session. @since 0.1.0 @category models */
export type Action = "import" | "none" | "append" | "import_branch" | "import_new_id"

/** @since 0.1.0 @category models */
export interface SessionDecision {
  /** the agent of the session (`codex`, `claude`, …) */
  readonly agent: string
  readonly sourceId: string
  readonly entry: string
  readonly class: Comparison.SyncClass
  readonly relation: Comparison.Relation | undefined
  /** how the class was reached, in a few words */
  readonly detail: string
  /** how the local session was found */
  readonly via: Comparison.Candidate["via"] | "seen" | undefined
  /** the local session compared with (kept as it is, or fast-forwarded) */
  readonly localId: string | undefined
  /** the session created by this sync (new lineage, branch, collision) */
  readonly newLocalId: string | undefined
  readonly action: Action
  /** records of the incoming session; of them, in common with the local one */
  readonly records: number | undefined
  readonly common: number | undefined
  /** records appended by a fast-forward */
  readonly appended: number | undefined
}

/** @since 0.1.0 @category models */
export interface SyncResult {
  readonly package: string
  /** the home of every agent with sessions in the package */
  readonly homes: Readonly<Record<string, string>>
  /** the Codex home, when the package holds Codex sessions */
  readonly codexHome?: string | undefined
  readonly dryRun: boolean
  /** `undefined`: a dry run, or nothing to change */
  readonly transactionId: string | undefined
  readonly sessions: ReadonlyArray<SessionDecision>
  readonly counts: Readonly<Record<Comparison.SyncClass, number>>
  readonly rules: ReadonlyArray<PathRules.RuleDescription>
  /** the maps given and remembered, for the plan */
  readonly maps: ReadonlyArray<RememberedMaps.MapInUse>
  /** the remembered-maps files written (none unless applied, or when every map was remembered already) */
  readonly remembered: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
  /** with `SyncRequest.agents` only: the package's sessions of the other agents, not looked at */
  readonly leftOut?: ReadonlyArray<{ readonly agent: string; readonly ids: ReadonlyArray<string> }> | undefined
}

/** What a sync records as its journal transaction's summary (the rows lineage is re-derived from). @since 0.4.0 @category models */
export interface SyncSummary {
  readonly package: string
  readonly package_id: string | null
  readonly sessions: ReadonlyArray<Readonly<Record<string, string | null>>>
}

/**
 * A package planned against the homes as they are now, ready to be written into a transaction the
 * caller opens: several may go into one, each planned after the previous one's writes.
 *
 * @since 0.4.0
 * @category models
 */
export interface PreparedSync {
  /** the plan, as a dry run shows it (no transaction) */
  readonly plan: SyncResult
  /** the agents whose homes `write` changes, and those homes */
  readonly agents: ReadonlyArray<string>
  readonly homes: ReadonlyArray<string>
  /** whether `write` changes anything (a sync with nothing to change opens no transaction) */
  readonly changes: boolean
  /** the path maps in use: the caller remembers them once per transaction (`maps.remember`) */
  readonly maps: RememberedMaps.Resolved
  /** the transaction summary a sync of this package records */
  readonly summary: SyncSummary
  /** before writing: every changed home's agent idle and its sidecar in place */
  readonly ready: Effect.Effect<void, SyncFailure>
  /** everything the sync writes but the remembered maps; the result's `remembered` is empty */
  readonly write: (tx: Journal.Transaction) => Effect.Effect<SyncResult, SyncFailure>
}

/** @since 0.1.0 @category models */
export type SyncFailure =
  | LineageError
  | PackageError.PackageError
  | JournalError.JournalError
  | Rewriter.RewriteError
  | Fingerprint.FingerprintError
  | AgentStore.AgentFailure

/** @since 0.1.0 @category models */
export interface SyncerShape {
  /** the plan and, unless a dry run (or declined), its application */
  readonly sync: (request: SyncRequest) => Effect.Effect<SyncResult, SyncFailure>
  /** the plan and its writes, for a caller's transaction (`confirm` and `dryRun` are the caller's); staged files live for the scope */
  readonly prepare: (request: SyncRequest) => Effect.Effect<PreparedSync, SyncFailure, Scope.Scope>
}

/** @since 0.1.0 @category tags */
export class Syncer extends Context.Tag("@sessionport/lineage/Syncer")<Syncer, SyncerShape>() {}

const CLASSES: ReadonlyArray<Comparison.SyncClass> = [
  "new_lineage",
  "unchanged",
  "fast_forward_import",
  "diverged_lineage",
  "id_collision_unrelated"
]

const ACTION: Readonly<Record<Comparison.SyncClass, Action>> = {
  new_lineage: "import",
  unchanged: "none",
  fast_forward_import: "append",
  diverged_lineage: "import_branch",
  id_collision_unrelated: "import_new_id"
}

/** What a sync found and will do for one agent's sessions. */
interface AgentPlan {
  readonly store: AgentStore.AgentStore
  readonly support: AgentStore.SyncSupport
  readonly sidecar: Sidecar.SidecarShape
  readonly planned: ReadonlyArray<Planned>
  readonly forwards: ReadonlyArray<Planned>
  readonly appendedFile: ReadonlyMap<string, string>
  readonly importPlan: AgentStore.InstallPlan
  readonly newIds: ReadonlyMap<string, string>
  readonly appendedCounts: ReadonlyMap<string, number>
  readonly sidecarChanges: ReturnType<typeof sidecarChangesFor>
  readonly toImport: number
  readonly warnings: ReadonlyArray<string>
}

/** @since 0.1.0 @category constructors */
export const make = Effect.gen(function*() {
  const { stores } = yield* Agents.Agents
  const journals = yield* Journals.Journals
  const fs = yield* FileSystem.FileSystem
  const progress = yield* Progress.Progress
  // the (transaction, sidecar) pairs given their `packages_seen` row: several packages may share a transaction
  const recorded = new Set<string>()

  /**
   * The sessions of one agent's package files synced before (the sidecar has seen the file's
   * digest and the local session still holds it): known without reading them.
   */
  const seenOf = (store: AgentStore.AgentStore, support: AgentStore.SyncSupport, sources: ReadonlyArray<AgentStore.SyncSource>) =>
    Effect.gen(function*() {
      const sidecar = Sidecar.make(support.sidecarHome)
      const snapshot = yield* sidecar.snapshot
      // how big a recorded local session is now: its file's size, or what its store says
      const sizeNow = support.recordedSizes === undefined ? sizeOf : yield* support.recordedSizes
      // a package file its lineage already holds costs a lookup and a stat: no Effect per session
      const planned: Array<Planned> = new Array(sources.length)
      const toRead: Array<number> = []
      sources.forEach((source, i) => {
        const known = seenPlan(store.agent, source, snapshot, sizeNow)
        if (known === undefined) toRead.push(i)
        else planned[i] = known
      })
      return { sidecar, snapshot, planned, toRead }
    })
  type Seen = Effect.Effect.Success<ReturnType<typeof seenOf>>

  /** Classifies one agent's sessions of the package and plans what to write. */
  const planAgent = (
    store: AgentStore.AgentStore,
    support: AgentStore.SyncSupport,
    context: AgentStore.InstallContext,
    sources: ReadonlyArray<AgentStore.SyncSource>,
    seen: Seen
  ) =>
    Effect.gen(function*() {
      const { planned, sidecar, snapshot, toRead } = seen
      const dialect = support.lineage
      const label = (id: string) => `${store.agent === "codex" ? "session" : `${store.displayName} session`} ${id}`
      const stagedPath = (source: AgentStore.SyncSource) => nodePath.join(context.stagedDir, ...source.entry.split("/"))
      let localFiles: ReadonlyMap<string, LocalFile> | undefined
      const locals = () =>
        localFiles === undefined
          ? Effect.map(support.localSessions, (files) => (localFiles = files))
          : Effect.succeed(localFiles)
      let roots: RootIndex | undefined
      // the first records of each untracked local session read for its root: a comparison with
      // one goes on from there rather than reading it again
      const started = new Map<string, Fingerprint.SessionPrint>()

      // the incoming sessions read, and the local sessions each is to be compared with
      type Candidates = Map<string, { readonly file: LocalFile; readonly via: Comparison.Candidate["via"]; readonly tracked: boolean }>
      const found = yield* Progress.track("fingerprint", toRead.length, "items", (task) =>
        Effect.forEach(toRead, (i) =>
          Effect.gen(function*() {
            const source = sources[i]!
            const sourceId = source.id
            const lineageId = snapshot.lineageOf.get(sourceId)
            // whether it holds a placeholder, seen as it is read: the look for a local copy may need it
            const watch = new MarkerWatch()
            const incoming = yield* Fingerprint.fromFile(stagedPath(source), {
              label: label(sourceId),
              dialect,
              onRead: watch.onRead
            })
            const candidates: Candidates = new Map()
            const files = yield* locals()
            const add = (localId: string, via: Comparison.Candidate["via"]) => {
              if (candidates.has(localId)) return
              const tracked = snapshot.locals.get(localId)
              // a row store's local sessions are all rendered: one it did not render is gone
              const file = files.get(localId) ??
                (tracked === undefined || support.recordedSizes !== undefined ? undefined : fileAt(tracked.rolloutPath, localId))
              if (file !== undefined) candidates.set(localId, { file, via, tracked: tracked !== undefined })
            }
            if (lineageId !== undefined) for (const s of snapshot.byLineage.get(lineageId) ?? []) add(s.localId, "sidecar")
            if (files.has(sourceId)) add(sourceId, "same_id")
            const rootKey = Fingerprint.rootKey(incoming)
            if (rootKey !== undefined) {
              for (const s of snapshot.byRoot.get(rootKey) ?? []) add(s.localId, "fingerprint")
              if (candidates.size === 0) {
                roots ??= yield* rootIndex(files, snapshot, dialect, started)
                for (const file of roots.byKey.get(rootKey) ?? []) add(file.id, "fingerprint")
                // a secret in the first prompt: a redacted copy and a plain one have root keys of their own
                if (candidates.size === 0) {
                  const transcript = { path: stagedPath(source), print: incoming, label: label(sourceId) }
                  for (const file of yield* redactedRoots(roots, transcript, watch, dialect)) add(file.id, "fingerprint")
                }
              }
            }
            task.advance(1)
            return { i, source, lineageId, incoming, candidates }
          })))

      // the sidecar's prints of every tracked candidate, in one read
      const tracked = new Set(found.flatMap((f) => [...f.candidates].filter(([, c]) => c.tracked).map(([id]) => id)))
      const recorded = yield* sidecar.prints([...tracked])
      const prints = new Map<string, Fingerprint.SessionPrint>()
      const printOf = (localId: string, file: LocalFile) =>
        Effect.gen(function*() {
          const known = prints.get(localId)
          if (known !== undefined) return known
          const session = snapshot.locals.get(localId)
          const stored = recorded.get(localId)
          const print = yield* currentPrint(
            file.path,
            file.size,
            session === undefined || stored === undefined ? undefined : { session, print: stored },
            dialect,
            started.get(localId)
          )
          prints.set(localId, print)
          return print
        })

      for (const { candidates, i, incoming, lineageId, source } of found) {
        const compared: Array<Comparison.Candidate> = []
        const incomingFile = { path: stagedPath(source), print: incoming, label: label(source.id) }
        for (const [localId, c] of candidates) {
          const print = yield* printOf(localId, c.file)
          // records that differ only by redaction are shared (files read only where the prints part)
          const common = yield* Redaction.sharedPrefix(incomingFile, { path: c.file.path, print }, dialect)
          compared.push({ localId, print, via: c.via, common })
        }
        const classification = Comparison.classify(incoming, compared)
        const matched = classification.localId === undefined ? undefined : candidates.get(classification.localId)
        planned[i] = {
          source,
          lineageId: lineageId ?? (matched === undefined ? undefined : snapshot.locals.get(classification.localId!)?.lineageId),
          incoming,
          local: matched === undefined ? undefined : { file: matched.file, print: prints.get(classification.localId!)!, tracked: matched.tracked },
          decision: {
            agent: store.agent,
            sourceId: source.id,
            entry: source.entry,
            class: classification.class,
            relation: classification.relation,
            detail: classification.detail,
            via: matched?.via,
            localId: classification.localId,
            action: ACTION[classification.class],
            records: incoming.records,
            common: classification.common
          }
        }
      }

      const warnings: Array<string> = []
      // a fast-forward appends after the last complete line; a local file cut mid-line is being written
      for (const p of planned) {
        if (p.decision.class === "fast_forward_import" && p.local !== undefined && !endsWithNewline(p.local.file.path)) {
          warnings.push(`${p.local.file.path} ends in an unfinished line (is ${store.displayName} writing it?); ${p.decision.sourceId} left for the next sync`)
          Object.assign(p, { decision: { ...p.decision, class: "unchanged", action: "none", detail: "skipped: the local transcript ends in an unfinished line" } })
        }
      }

      const toImport = planned.filter((p) => p.decision.action === "import" || p.decision.action === "import_branch" || p.decision.action === "import_new_id")
      // what each fast-forward appends: the incoming records the local copy lacks, localized
      const forwards = planned.filter((p) => p.decision.action === "append")
      // each written, localized, to a file of its own first: any size, in flat memory
      const appendedFile = new Map<string, string>()
      if (forwards.length > 0) {
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-sync-" }).pipe(
          Effect.mapError((cause) => new LineageError({ reason: "unreadable", path: "temp folder", detail: cause.message, cause }))
        )
        for (const [i, p] of forwards.entries()) {
          const file = nodePath.join(dir, `${store.agent}-${i}.jsonl`)
          // the appended lines the agent would skip, numbered as in the package's transcript
          const lines = new LineCheck.LineCheck({ lineOffset: p.local!.print.records })
          yield* writeLocalized(
            file,
            checked(
              suffixChunks(
                stagedPath(p.source),
                p.local!.print.records,
                p.incoming!.records,
                dialect.ignoredLinePrefixes
              ),
              lines
            ),
            {
              idMap: new Map([[p.decision.sourceId, p.local!.file.id]]),
              pathRules: context.rules,
              dialect: store.dialect,
              label: label(p.decision.sourceId),
              // agents write no blank lines: the records before the suffix are its lines
              lineOffset: p.local!.print.records
            }
          )
          appendedFile.set(p.decision.sourceId, file)
          const skipped = p.source.skippedWarning?.("appended", lines.end())
          if (skipped !== undefined) warnings.push(skipped)
        }
      }
      // sessions kept here: a fork of one that is imported points at the local copy
      const known = new Map<string, AgentStore.KnownSession>()
      for (const p of planned) {
        const { class: kind, localId, sourceId } = p.decision
        if (localId === undefined || (kind !== "unchanged" && kind !== "fast_forward_import")) continue
        const path = p.local?.file.path ?? snapshot.locals.get(localId)?.rolloutPath
        if (path !== undefined) known.set(sourceId, { localId, path, appended: appendedFile.get(sourceId) })
      }
      const choices = yield* Effect.forEach(toImport, (p) =>
        p.decision.action === "import_branch" && p.decision.localId !== undefined
          ? Effect.map(support.nameOf(p.decision.localId), (name) => ({ sourceId: p.decision.sourceId, branchOf: { localId: p.decision.localId!, name } }))
          : Effect.succeed({ sourceId: p.decision.sourceId }))
      const importPlan = yield* support.planImport(context, choices, known)
      const newIds = new Map(importPlan.sessions.map((s) => [s.sourceId, s.localId]))
      return {
        store,
        support,
        sidecar,
        planned,
        forwards,
        appendedFile,
        importPlan,
        newIds,
        appendedCounts: new Map(forwards.map((p) => [p.decision.sourceId, p.incoming!.records - p.local!.print.records])),
        sidecarChanges: sidecarChangesFor(planned, snapshot, newIds, Date.now()),
        toImport: toImport.length,
        warnings: [...warnings, ...importPlan.warnings]
      } satisfies AgentPlan
    })

  const prepare = Effect.fn("Syncer.prepare")(function*(request: SyncRequest) {
    const shown = request.label ?? request.package
    const context = yield* PackageInstall.prepareDeferred(
      { package: request.package, label: shown, maps: request.maps, forgetMaps: request.forgetMaps },
      stores
    )
    const agents: Array<{
      readonly store: AgentStore.AgentStore
      readonly support: AgentStore.SyncSupport
      readonly sources: ReadonlyArray<AgentStore.SyncSource>
      readonly seen: Seen
    }> = []
    const leftOut: Array<{ readonly agent: string; readonly ids: ReadonlyArray<string> }> = []
    const chosen = (store: AgentStore.AgentStore, all: ReadonlyArray<AgentStore.SyncSource>) =>
      request.only === undefined ? all : all.filter((source) => request.only!.has(AgentStore.sessionKey(store.agent, source.id)))
    for (const store of stores) {
      if (request.agents !== undefined && !request.agents.has(store.agent)) {
        // an agent not asked for: its sessions are left out, whether or not it could be synced here
        const entries = [...context.verified.sessions.keys()].filter(store.ownsEntry)
        if (entries.length === 0) continue
        const ids = store.sync === undefined
          ? entries.map(entryId)
          : chosen(store, yield* store.sync.sources(context)).map((source) => source.id)
        if (ids.length > 0) leftOut.push({ agent: store.agent, ids })
        continue
      }
      if (store.sync === undefined) {
        // a package session of an agent that cannot be synced here is refused, never dropped:
        // a home that does not exist says so (its store's install fails with why)
        if (![...context.verified.sessions.keys()].some(store.ownsEntry)) continue
        yield* store.planInstall(context)
        return yield* new LineageError({
          reason: "nothing_to_sync",
          path: shown,
          detail: `${shown} holds ${store.displayName} sessions, which this sessionport cannot sync`
        })
      }
      const sources = chosen(store, yield* store.sync.sources(context))
      if (sources.length > 0) agents.push({ store, support: store.sync, sources, seen: yield* seenOf(store, store.sync, sources) })
    }
    // every file may be read from here on but those of sessions synced before
    yield* context.unpack(new Set(agents.flatMap(({ seen }) => seen.planned.flatMap((p) => p === undefined ? [] : [p.source.entry]))))
    const plans: Array<AgentPlan> = []
    for (const { seen, sources, store, support } of agents) plans.push(yield* planAgent(store, support, context, sources, seen))
    if (plans.length === 0) {
      return yield* new LineageError({ reason: "nothing_to_sync", path: shown, detail: `${shown} holds no session this sessionport can sync` })
    }

    const decisions = (): Array<SessionDecision> =>
      plans.flatMap((plan) =>
        plan.planned.map((p) => ({
          ...p.decision,
          newLocalId: p.decision.action === "none" || p.decision.action === "append" ? undefined : plan.newIds.get(p.decision.sourceId),
          appended: plan.appendedCounts.get(p.decision.sourceId)
        }))
      )
    const all = plans.flatMap((plan) => plan.planned)
    const counts = Object.fromEntries(CLASSES.map((c) => [c, all.filter((p) => p.decision.class === c).length])) as Record<
      Comparison.SyncClass,
      number
    >
    const homes = Object.fromEntries(plans.map((plan) => [plan.store.agent, plan.store.home]))
    const result = (transactionId: string | undefined): SyncResult => ({
      package: shown,
      homes,
      ...(homes.codex === undefined ? {} : { codexHome: homes.codex }),
      dryRun: request.dryRun,
      transactionId,
      sessions: decisions(),
      counts,
      rules: context.rules.describe(),
      maps: context.maps.shown,
      remembered: [],
      warnings: [...context.maps.warnings, ...plans.flatMap((plan) => plan.warnings)],
      // only a sync told which agents to take has any to leave out: `sync`'s result stays as it was
      ...(request.agents === undefined ? {} : { leftOut })
    })

    const changing = plans.filter((plan) => plan.toImport > 0 || plan.forwards.length > 0 || plan.sidecarChanges.pending)
    const packageId = context.verified.manifest.package_id ?? undefined
    const summary: SyncSummary = {
      package: shown,
      package_id: packageId ?? null,
      sessions: changing.flatMap((plan) =>
        plan.planned.map((p) => ({
          ...(plan.store.agent === "codex" ? {} : { agent: plan.store.agent }),
          source_id: p.decision.sourceId,
          class: p.decision.class,
          local_id: p.decision.localId ?? null,
          new_local_id: plan.newIds.get(p.decision.sourceId) ?? null,
          lineage_id: p.lineageId ?? null
        }))
      )
    }
    const ready = Effect.forEach(changing, (plan) => Effect.zipRight(plan.store.assertIdle, plan.sidecar.ensure), { discard: true })

    const write = (tx: Journal.Transaction) =>
      Effect.gen(function*() {
        for (const plan of changing) {
          const written = yield* plan.importPlan.write(tx)
          // every fast-forward as one append step, onto the very bytes classified: the agent may
          // have gone on with the session since
          const forwardSizes = new Map<string, number>()
          if (plan.forwards.length > 0 && plan.support.forward !== undefined) {
            const sizes = yield* plan.support.forward.append(tx, context, plan.forwards.map((p) => ({
              sourceId: p.decision.sourceId,
              localId: p.local!.file.id,
              local: p.local!.file,
              common: p.local!.print.records,
              entry: p.source.entry,
              records: plan.appendedFile.get(p.decision.sourceId)!
            })))
            plan.forwards.forEach((p, i) => forwardSizes.set(p.local!.file.id, sizes[i]!))
          } else if (plan.forwards.length > 0) {
            const appended = yield* tx.appendFiles(plan.forwards.map((p) => ({
              path: p.local!.file.path,
              content: Journal.chunks(FileChunks.read(plan.appendedFile.get(p.decision.sourceId)!)),
              expectSize: p.local!.file.size
            })))
            plan.forwards.forEach((p, i) => forwardSizes.set(p.local!.file.id, p.local!.file.size + appended[i]!.size))
          }
          if (plan.forwards.length > 0) {
            yield* plan.support.afterForward(tx, context, plan.forwards.map((p) => ({ sourceId: p.decision.sourceId, localId: p.local!.file.id })))
          }
          const first = !recorded.has(`${tx.id}\n${plan.sidecar.path}`)
          recorded.add(`${tx.id}\n${plan.sidecar.path}`)
          const changes = plan.sidecarChanges.build(tx.id, written.written, forwardSizes, plan.forwards, shown, packageId, first)
          if (changes.length > 0) yield* tx.sql(plan.sidecar.path, changes)
        }
        return result(tx.id)
      }).pipe(Effect.provideService(Progress.Progress, progress), Effect.provideService(FileSystem.FileSystem, fs))

    return {
      plan: result(undefined),
      agents: changing.map((plan) => plan.store.agent),
      homes: changing.map((plan) => plan.store.home),
      changes: changing.length > 0,
      maps: context.maps,
      summary,
      ready,
      write
    } satisfies PreparedSync
  }, (effect) => effect.pipe(Effect.provideService(Progress.Progress, progress), Effect.provideService(FileSystem.FileSystem, fs)))

  const sync = Effect.fn("Syncer.sync")(function*(request: SyncRequest) {
    return yield* Effect.scoped(Effect.gen(function*() {
      const prepared = yield* prepare(request)
      if (request.dryRun || !prepared.changes) return prepared.plan
      if (request.confirm !== undefined && !(yield* request.confirm(prepared.plan))) {
        return yield* new LineageError({ reason: "declined", path: request.label ?? request.package, detail: "sync cancelled; nothing was changed" })
      }
      yield* prepared.ready
      return yield* journals.forAgents(prepared.agents).transaction({ kind: "sync", summary: prepared.summary }, (tx) =>
        Effect.gen(function*() {
          const written = yield* prepared.write(tx)
          return { ...written, remembered: yield* prepared.maps.remember(tx, prepared.homes, "sync") }
        }))
    }))
  })

  return Syncer.of({ prepare, sync })
})

/** `unchanged` without reading: this lineage already holds this very package file (by SHA-256). */
const seenPlan = (
  agent: string,
  source: AgentStore.SyncSource,
  snapshot: Sidecar.Snapshot,
  sizeNow: (recordedPath: string) => number | undefined
): Planned | undefined => {
  const lineageId = snapshot.lineageOf.get(source.id)
  if (lineageId === undefined) return undefined
  const seen = snapshot.seen.get(Sidecar.seenKey(lineageId, source.sha256))
  const local = seen === undefined ? undefined : snapshot.locals.get(seen.localId)
  // agents only append: a local file at least as long still holds it
  if (seen === undefined || local === undefined || (sizeNow(local.rolloutPath) ?? -1) < seen.localSize) return undefined
  return {
    source,
    lineageId,
    incoming: undefined,
    local: undefined,
    decision: {
      agent,
      sourceId: source.id,
      entry: source.entry,
      class: "unchanged",
      relation: undefined,
      detail: "this package file was synced before and the local session still holds it",
      via: "seen",
      localId: seen.localId,
      action: "none",
      records: undefined,
      common: undefined
    }
  }
}

/** The session id an entry names (a Codex rollout's entry is its file name, ending in the id), else the entry. */
const entryId = (entry: string): string => {
  const parsed = Layout.parseAgentEntry(entry)
  if (parsed !== undefined && parsed.kind !== "metadata") return parsed.id
  return /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(\.zst)?$/.exec(entry)?.[1] ?? entry
}

const fileAt = (path: string, id: string): LocalFile | undefined => {
  const size = sizeOf(path)
  return size === undefined ? undefined : { id, path, size }
}

/** The chunks, each shown to `lines` as it goes by. */
const checked = (chunks: Iterable<Uint8Array>, lines: LineCheck.LineCheck): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    for (const chunk of chunks) {
      lines.push(chunk)
      yield chunk
    }
  }
})

/** The localized form of `chunks`, written to `file` (synchronously: one chunk in memory at a time). */
const writeLocalized = (file: string, chunks: Iterable<Uint8Array>, plan: Rewriter.Plan) =>
  Effect.suspend(() => {
    const fd = nodeFs.openSync(file, "w")
    try {
      for (const chunk of Rewriter.reportingChunks(chunks, plan).chunks) nodeFs.writeSync(fd, chunk)
      return Effect.void
    } catch (error) {
      return Rewriter.isRewriteError(error) ? Effect.fail(error) : Effect.die(error)
    } finally {
      nodeFs.closeSync(fd)
    }
  })

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<Syncer, never, Agents.Agents | Journals.Journals | FileSystem.FileSystem | Progress.Progress> = Layer.effect(
  Syncer,
  make
)
