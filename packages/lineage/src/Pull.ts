/**
 * Pull: applies what the other machines published in the exchange folder to this machine's agent
 * homes, by lineage, as one journal transaction.
 *
 * How data flows:
 * 1. `Outbox.scan` reads every other machine's `outbox.json` (nothing else is opened); an
 *    unreadable index and the engine's conflict copies are notes.
 * 2. Pending: a package is pending for a home here (a present store of a selected agent that can
 *    sync) when that home's `ExchangeState` has no receipt for it; a repeat pull stops here.
 * 3. Each pending package's file is checked against its index entry (`Outbox.checkFile`): still
 *    arriving or damaged, it is skipped with a note and retried next pull; never opened.
 * 4. Superseded: a package whose every session is held, at least as large, by a later package of
 *    the same outbox that this pull applies (or a home already took) is not opened; it is
 *    receipted as `superseded` once those are applied. Each package to apply that is encrypted
 *    (`.tgz.age`) must open with the command's keys (`Encryption.Keys`: its header only is read
 *    here): one that none opens is skipped (`encrypted`), retried next pull, and what it would
 *    have superseded is looked at again.
 * 5. The rest, ordered by `(pushed_at, machine id, seq)`, each go through `Syncer.prepare` (a
 *    package whose verification fails is skipped with a note) and `write` into the pull's one
 *    transaction: package k+1 is planned after k's writes. At the end, in the same transaction,
 *    each home's receipts and marks (`ExchangeState`) and the remembered maps, and the journal
 *    summary (the sync rows of every package, for lineage upkeep).
 * 6. After the commit: this machine's `receipts.json` in its own outbox (only when its content
 *    changes), the status log (`ExchangeLog`), then compaction of its own outbox.
 *
 * A kill anywhere in step 5 is rolled back by the next command; `receipts.json` is written only
 * after the commit, so it never claims a rolled-back package. Pull never deletes or overwrites a
 * local session: that is the syncer's guarantee.
 *
 * @since 0.1.0
 */
import { Agents, Journals } from "@sessionport/agent"
import type { JournalError } from "@sessionport/journal"
import type { PathRules } from "@sessionport/localize"
import { Encryption, Outbox, PackageError } from "@sessionport/package-format"
import { Context, Effect, Either, Layer, type Option } from "effect"
import * as Path from "node:path"
import * as Compaction from "./Compaction.js"
import type { ExchangeError } from "./ExchangeError.js"
import * as ExchangeLog from "./ExchangeLog.js"
import * as ExchangeState from "./ExchangeState.js"
import { withExchangeLock } from "./internal/exchangeLock.js"
import { fileProblem } from "./internal/fileProblem.js"
import { homesHere } from "./internal/homesHere.js"
import { makeDir } from "./internal/outboxFiles.js"
import type { LineageError } from "./LineageError.js"
import { type Choices, MachineConfig } from "./MachineConfig.js"
import * as Syncer from "./Syncer.js"

/** @since 0.1.0 @category models */
export interface PullRequest {
  /** the exchange folder given (then remembered); none: the remembered one */
  readonly folder: Option.Option<string>
  /** the agents to pull for; empty: every present home */
  readonly agents: ReadonlyArray<string>
  readonly maps: ReadonlyArray<PathRules.Mapping>
  readonly forgetMaps: boolean
  /** plan every pending package against the homes as they are now; write nothing */
  readonly dryRun: boolean
  /** ignore the receipts: every listed package is pending again (lineage makes that cheap) */
  readonly recheck: boolean
  /** choices to remember in the machine config for later pulls (the identity files; not by a dry run) */
  readonly remember?: Choices | undefined
}

/**
 * What became of a pending package:
 * - `applied`: synced (for a dry run: would be), `sync` says how each session was classified;
 * - `superseded`: not opened, a later package of the same outbox holds all its sessions;
 * - `skipped`: left pending, retried next pull (`kind` and `why` say why; `encrypted`: no key
 *   given here opens it).
 *
 * @since 0.1.0
 * @category models
 */
export interface PulledPackage {
  readonly machineId: string
  readonly seq: number
  /** relative to its outbox: `packages/000007-….tgz` (`.tgz.age`) */
  readonly file: string
  /** how many sessions it holds */
  readonly sessionCount: number
  readonly agents: ReadonlyArray<string>
  readonly status: "applied" | "superseded" | "skipped"
  readonly kind?: "arriving" | "damaged" | "unreadable" | "busy" | "not_applied" | "encrypted" | undefined
  readonly why?: string | undefined
  readonly sync?: Syncer.SyncResult | undefined
}

/** @since 0.1.0 @category models */
export interface PullResult {
  readonly folder: string
  readonly folderChanged: boolean
  readonly machineId: string
  readonly dryRun: boolean
  /** the other machines with a readable outbox */
  readonly machines: ReadonlyArray<string>
  /** `undefined`: nothing was written (nothing pending, a dry run, or only unchanged sessions and no receipts to record) */
  readonly transactionId: string | undefined
  readonly packages: ReadonlyArray<PulledPackage>
  /** one line each: skipped packages, unreadable outboxes, conflict copies, busy agents */
  readonly notes: ReadonlyArray<string>
  /** this machine's `receipts.json` was rewritten */
  readonly receiptsWritten: boolean
  /** files compaction removed from this machine's outbox (for a dry run: would) */
  readonly removed: ReadonlyArray<string>
}

/** @since 0.1.0 @category models */
export type PullFailure = ExchangeError | Syncer.SyncFailure | JournalError.JournalError | PackageError.PackageError | LineageError

/** @since 0.1.0 @category models */
export interface PullShape {
  readonly pull: (request: PullRequest) => Effect.Effect<PullResult, PullFailure>
}

/** @since 0.1.0 @category tags */
export class Pull extends Context.Tag("@sessionport/lineage/Pull")<Pull, PullShape>() {}

/** A package of another machine, pending for some homes here. */
interface Candidate {
  readonly machineId: string
  readonly outbox: string
  readonly entry: Outbox.OutboxEntry
  readonly stem: string
  /** the agents whose home here has not taken it */
  readonly needed: ReadonlyArray<string>
}

const stemOf = (entry: Outbox.OutboxEntry): string => Outbox.packageStem(entry.seq, entry.sha256)

const where = (candidate: Candidate): string => `${candidate.machineId}/${candidate.entry.file}`

const byTime = (a: Candidate, b: Candidate): number =>
  a.entry.pushed_at < b.entry.pushed_at ? -1 : a.entry.pushed_at > b.entry.pushed_at ? 1 :
  a.machineId < b.machineId ? -1 : a.machineId > b.machineId ? 1 : a.entry.seq - b.entry.seq

/** The local sessions a sync left equal to what the package holds: their marks keep push from publishing them back. */
const touchedBy = (result: Syncer.SyncResult): ReadonlyArray<{ readonly agent: string; readonly id: string }> =>
  result.sessions.flatMap((decision) => {
    const id = decision.action === "append" || (decision.action === "none" && decision.relation === "identical")
      ? decision.localId
      : decision.newLocalId
    return id === undefined ? [] : [{ agent: decision.agent, id }]
  })

/**
 * Which packages a pull found superseded: `candidate` is, when every session of its needed agents
 * is in a later package of the same outbox, at least as large, that a home here already took or
 * that this pull applies (`later`: the complete candidates after it). Answers the stems it relies on.
 */
const supersededBy = (
  candidate: Candidate,
  later: ReadonlyArray<Candidate>,
  takenLater: ReadonlyArray<Outbox.OutboxEntry>
): ReadonlyArray<string> | undefined => {
  const by = new Set<string>()
  for (const session of candidate.entry.sessions) {
    if (!candidate.needed.includes(session.agent)) continue
    const covers = (entry: Outbox.OutboxEntry) =>
      entry.sessions.some((s) => s.agent === session.agent && s.id === session.id && s.size >= session.size)
    const pending = later.find((q) => q.needed.includes(session.agent) && covers(q.entry))
    if (pending !== undefined) {
      by.add(pending.stem)
      continue
    }
    if (!takenLater.some(covers)) return undefined
  }
  return [...by]
}

const make = Effect.gen(function*() {
  const { stores } = yield* Agents.Agents
  const journals = yield* Journals.Journals
  const syncer = yield* Syncer.Syncer
  const config = yield* MachineConfig

  const pull = Effect.fn("Pull.pull")(function*(request: PullRequest) {
    const { changed: folderChanged, folder } = yield* config.resolveFolder(request.folder)
    const machine = request.remember !== undefined && !request.dryRun ? yield* config.remember(request.remember) : yield* config.ensure()
    return yield* withExchangeLock(config.dir, run(request, folder, folderChanged, machine.machineId))
  })

  const run = (request: PullRequest, folder: string, folderChanged: boolean, machineId: string) =>
    Effect.gen(function*() {
      const notes: Array<string> = []
      const packages: Array<PulledPackage> = []
      const at = new Date().toISOString()
      const skip = (candidate: Candidate, kind: NonNullable<PulledPackage["kind"]>, why: string) => {
        packages.push({ ...describe(candidate), status: "skipped", kind, why })
        notes.push(`skipped ${where(candidate)}: ${why}; retried next pull`)
      }

      // 1. the other machines' outboxes
      const scan = yield* Outbox.scan(folder)
      const others = scan.machines.filter((m) => m.id !== machineId)
      for (const other of others) {
        if (other.index._tag === "unreadable") notes.push(`cannot read ${other.id}/${Outbox.INDEX_FILE}: ${other.index.detail}; retried next pull`)
        for (const problem of other.problems) {
          notes.push(problem.kind === "conflict_copy"
            ? `ignored ${other.id}/${problem.path}: a conflict copy made by the sync engine${problem.of === undefined ? "" : ` (of ${problem.of})`}`
            : `ignored ${other.id}/${problem.path}: not a file of the exchange`)
        }
      }
      const indexed = others.flatMap((m) => m.index._tag === "parsed" ? [{ id: m.id, dir: m.dir, index: m.index.value }] : [])

      // 2. what is pending for the homes here
      const { stores: selected, taken } = yield* homesHere(stores, request.agents)
      const storeOf = new Map(selected.map((store) => [store.agent, store]))
      let candidates: Array<Candidate> = indexed.flatMap(({ dir, id, index }) =>
        index.packages.flatMap((entry): Array<Candidate> => {
          const stem = stemOf(entry)
          const needed = entry.agents.filter((agent) => storeOf.has(agent) && (request.recheck || !taken(agent, id, stem)))
          return needed.length === 0 ? [] : [{ machineId: id, outbox: dir, entry, stem, needed }]
        })
      )

      // a running agent's packages wait (the syncer would refuse the whole pull)
      const busy = new Set<string>()
      for (const agent of new Set(candidates.flatMap((c) => c.needed))) {
        const idle = yield* Effect.either(storeOf.get(agent)!.assertIdle)
        if (Either.isLeft(idle)) {
          busy.add(agent)
          notes.push(`${agent}: ${idle.left.message}; its packages stay pending`)
        }
      }
      candidates = candidates.flatMap((c) => {
        const needed = c.needed.filter((agent) => !busy.has(agent))
        // the agent's note says why: the package is listed, not noted again
        if (needed.length === 0) packages.push({ ...describe(c), status: "skipped", kind: "busy", why: `${c.needed.join(", ")} running` })
        return needed.length === 0 ? [] : [{ ...c, needed }]
      })

      // 3. the files, as the index lists them
      const complete: Array<Candidate> = []
      for (const candidate of candidates) {
        const problem = fileProblem(yield* Outbox.checkFile(candidate.outbox, candidate.entry.file, candidate.entry), candidate.entry.size)
        if (problem === undefined) complete.push(candidate)
        else skip(candidate, problem.kind, problem.why)
      }

      // 4. superseded by a later package of the same outbox (among those that can be opened)
      const supersededAmong = (open: ReadonlyArray<Candidate>) => {
        const found = new Map<Candidate, ReadonlyArray<string>>()
        for (const candidate of open) {
          const later = open.filter((q) => q.machineId === candidate.machineId && q.entry.seq > candidate.entry.seq)
          const takenLater = indexed.find((m) => m.id === candidate.machineId)!.index.packages.filter((entry) =>
            entry.seq > candidate.entry.seq && candidate.needed.every((agent) => taken(agent, candidate.machineId, stemOf(entry)))
          )
          const by = supersededBy(candidate, later, takenLater)
          if (by !== undefined) found.set(candidate, by)
        }
        return found
      }
      // 5. the rest, in time; an encrypted one no key here opens is skipped, and the packages it
      // superseded are looked at again (each header read once: only those to apply)
      const ring = yield* Encryption.ambient
      const keysChecked = new Set<Candidate>()
      let open: ReadonlyArray<Candidate> = complete
      let superseded: Map<Candidate, ReadonlyArray<string>>
      let toApply: Array<Candidate>
      while (true) {
        superseded = supersededAmong(open)
        toApply = open.filter((c) => !superseded.has(c)).sort(byTime)
        const locked = new Set<Candidate>()
        for (const candidate of toApply.filter((c) => !keysChecked.has(c))) {
          keysChecked.add(candidate)
          const keys = yield* Outbox.opens(candidate.outbox, candidate.entry.file, ring)
          if (keys._tag !== "locked") continue
          locked.add(candidate)
          skip(candidate, keys.reason === "damaged" ? "unreadable" : "encrypted", keys.why)
        }
        if (locked.size === 0) break
        open = open.filter((c) => !locked.has(c))
      }

      /** each package planned against the homes as they are now; whether any would change them */
      const planEach = Effect.gen(function*() {
        let changes = false
        for (const candidate of toApply) {
          const planned = yield* Effect.scoped(
            Effect.map(syncer.prepare(syncRequest(candidate, request, true)), (prepared) => {
              changes ||= prepared.changes
              return prepared.plan
            })
          ).pipe(refusedPackage)
          if (Either.isLeft(planned)) skip(candidate, "unreadable", planned.left)
          else packages.push({ ...describe(candidate), status: "applied", sync: planned.right })
        }
        for (const candidate of superseded.keys()) packages.push({ ...describe(candidate), status: "superseded" })
        return changes
      })

      if (request.dryRun) {
        yield* planEach
        const compaction = yield* Compaction.run(folder, machineId, { dryRun: true })
        return result({ folder, folderChanged, machineId, others: indexed, transactionId: undefined, packages, notes, receiptsWritten: false, removed: compaction.removed, dryRun: true })
      }

      // `--recheck` of packages every home here took already: a transaction only if a sync would
      // change something (planned alone, each against the homes as they are: none changing
      // means none changes after another)
      const allTaken = [...toApply, ...superseded.keys()].every((c) => c.needed.every((agent) => taken(agent, c.machineId, c.stem)))
      if (request.recheck && allTaken && toApply.length > 0) {
        const [packagesBefore, notesBefore] = [packages.length, notes.length]
        if (!(yield* planEach) && packages.every((p) => p.status !== "skipped")) {
          const compaction = yield* Compaction.run(folder, machineId, { dryRun: false })
          return result({ folder, folderChanged, machineId, others: indexed, transactionId: undefined, packages, notes, receiptsWritten: false, removed: compaction.removed, dryRun: false })
        }
        // the transaction plans and reports them again
        packages.length = packagesBefore
        notes.length = notesBefore
      }

      let transactionId: string | undefined
      if (toApply.length > 0 || superseded.size > 0) {
        const agents = [...new Set([...toApply, ...superseded.keys()].flatMap((c) => c.needed))]
        for (const agent of agents) yield* ExchangeState.make(storeOf.get(agent)!.home).ensure
        transactionId = yield* journals.forAgents(agents).transaction({
          kind: "pull",
          summary: { folder, packages: toApply.map((c) => summaryOf(c)), sessions: [] }
        }, (tx) =>
          Effect.gen(function*() {
            const summaries: Array<Syncer.SyncSummary & { readonly machine_id: string; readonly seq: number }> = []
            const touched = new Map<string, Map<string, Candidate>>()
            const applied: Array<{ readonly candidate: Candidate; readonly how: "applied" | "superseded" }> = []
            let lastMaps: Syncer.PreparedSync["maps"] | undefined
            for (const candidate of toApply) {
              const written = yield* Effect.scoped(Effect.gen(function*() {
                const prepared = yield* syncer.prepare(syncRequest(candidate, request, false)).pipe(refusedPackage)
                if (Either.isLeft(prepared)) return Either.left(prepared.left)
                lastMaps = prepared.right.maps
                // the agent idle and its sidecar in place (created outside the journal, as a sync does)
                if (prepared.right.changes) yield* prepared.right.ready
                const synced = prepared.right.changes ? yield* prepared.right.write(tx) : prepared.right.plan
                summaries.push({ ...prepared.right.summary, machine_id: candidate.machineId, seq: candidate.entry.seq })
                return Either.right(synced)
              }))
              if (Either.isLeft(written)) {
                skip(candidate, "unreadable", written.left)
                continue
              }
              packages.push({ ...describe(candidate), status: "applied", sync: { ...written.right, transactionId: tx.id } })
              applied.push({ candidate, how: "applied" })
              for (const { agent, id } of touchedBy(written.right)) {
                if (!touched.has(agent)) touched.set(agent, new Map())
                touched.get(agent)!.set(id, candidate)
              }
            }
            // taken: applied here, or superseded by packages taken (a chain: 1 by 2, 2 by 3)
            const keyOf = (machine: string, stem: string) => `${machine} ${stem}`
            const takenHere = new Set(applied.map((a) => keyOf(a.candidate.machineId, a.candidate.stem)))
            for (let grew = true; grew;) {
              grew = false
              for (const [candidate, by] of superseded) {
                const key = keyOf(candidate.machineId, candidate.stem)
                if (!takenHere.has(key) && by.every((stem) => takenHere.has(keyOf(candidate.machineId, stem)))) {
                  takenHere.add(key)
                  grew = true
                }
              }
            }
            for (const [candidate] of superseded) {
              if (takenHere.has(keyOf(candidate.machineId, candidate.stem))) {
                packages.push({ ...describe(candidate), status: "superseded" })
                applied.push({ candidate, how: "superseded" })
              } else skip(candidate, "not_applied", "the later package that holds its sessions was not applied")
            }

            // receipts and marks, one step per home
            const atMs = Date.now()
            for (const agent of agents) {
              const store = storeOf.get(agent)!
              const ids = touched.get(agent) ?? new Map<string, Candidate>()
              const listing = ids.size === 0
                ? []
                : (yield* store.list({ ids: [...ids.keys()], cwds: [], since: undefined, all: true, includeArchived: true })).sessions
              const marks = listing.filter((s) => ids.has(s.id)).map((s): ExchangeState.Mark => ({
                localId: s.id,
                size: s.size,
                updatedAt: s.updatedAt,
                machineId: ids.get(s.id)!.machineId,
                package: ids.get(s.id)!.stem,
                transactionId: tx.id,
                atMs
              }))
              const receipts = applied.filter((a) =>
                a.candidate.needed.includes(agent) && !taken(agent, a.candidate.machineId, a.candidate.stem)
              ).map(({ candidate, how }): ExchangeState.Applied => ({
                machineId: candidate.machineId,
                package: candidate.stem,
                seq: candidate.entry.seq,
                sha256: candidate.entry.sha256,
                how,
                transactionId: tx.id,
                atMs
              }))
              if (receipts.length > 0 || marks.length > 0) {
                yield* tx.sql(ExchangeState.make(store.home).path, ExchangeState.all([ExchangeState.addApplied(receipts), ExchangeState.setMarks(marks)]))
              }
            }
            if (lastMaps !== undefined && (request.maps.length > 0 || request.forgetMaps)) {
              yield* lastMaps.remember(tx, agents.map((agent) => storeOf.get(agent)!.home), "pull")
            }
            yield* tx.setSummary({
              folder,
              packages: summaries.map((s) => ({ machine_id: s.machine_id, seq: s.seq, package: s.package, package_id: s.package_id })),
              sessions: summaries.flatMap((s) => s.sessions)
            })
            return tx.id
          }))
      }

      // 6. after the commit: receipts, the status log, compaction
      const receiptsWritten = yield* writeReceipts(folder, machineId, indexed, at)
      const skipped = packages.filter((p) => p.status === "skipped").map((p): ExchangeLog.Skipped => ({
        machine_id: p.machineId,
        file: p.file,
        kind: p.kind ?? "unreadable",
        why: p.why ?? "",
        at
      }))
      yield* ExchangeLog.write(config.dir, {
        format: 1,
        last_pull_at: at,
        last_pull_folder: folder,
        last_pull_transaction: transactionId ?? null,
        skipped
      })
      const compaction = yield* Compaction.run(folder, machineId, { dryRun: false })
      return result({ folder, folderChanged, machineId, others: indexed, transactionId, packages, notes, receiptsWritten, removed: compaction.removed, dryRun: false })
    })

  /**
   * This machine's receipts, from the homes' `applied` rows: a package counts as taken when a home
   * here took it, or when none of its agents has a home here (nothing to take: a machine without
   * Claude Code must not hold back compaction forever). Receipts only let compaction remove
   * superseded packages, whose sessions a later package holds whole, so a home that pulls later
   * (an agent left out with `--agent`, installed later) still finds every session.
   * Lists are kept to what each machine still lists; a machine not readable now keeps its list.
   */
  const writeReceipts = (
    folder: string,
    machineId: string,
    indexed: ReadonlyArray<{ readonly id: string; readonly index: Outbox.OutboxIndex }>,
    at: string
  ) =>
    Effect.gen(function*() {
      const outbox = Path.join(folder, machineId)
      const present = stores.filter((store) => store.present && store.sync !== undefined)
      const snapshots = yield* Effect.forEach(present, (store) =>
        Effect.map(ExchangeState.make(store.home).snapshot, (snapshot) => [store.agent, snapshot] as const))
      const byAgent = new Map(snapshots)
      const before = yield* Outbox.readReceipts(outbox)
      const previous = before._tag === "parsed" ? before.value.pulled : {}
      const pulled: Record<string, Array<string>> = {}
      for (const [id, stems] of Object.entries(previous)) if (!indexed.some((m) => m.id === id)) pulled[id] = [...stems]
      for (const { id, index } of indexed) {
        const stems = index.packages.filter((entry) => {
          const here = entry.agents.filter((agent) => byAgent.has(agent))
          return here.length === 0 || here.some((agent) => byAgent.get(agent)!.applied.has(ExchangeState.appliedKey(id, stemOf(entry))))
        }).map(stemOf)
        if (stems.length > 0) pulled[id] = stems
      }
      const sorted = Object.fromEntries(Object.entries(pulled).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
      if (JSON.stringify(sorted) === JSON.stringify(previous)) return false
      // a machine that never pushed has no outbox yet: its receipts make one
      yield* makeDir(outbox)
      yield* Outbox.writeReceipts(outbox, { format: Outbox.FORMAT, kind: "sessionport-receipts", machine_id: machineId, updated_at: at, pulled: sorted })
      return true
    })

  return Pull.of({ pull })
})

const syncRequest = (candidate: Candidate, request: PullRequest, dryRun: boolean): Syncer.SyncRequest => ({
  package: Path.join(candidate.outbox, candidate.entry.file),
  maps: request.maps,
  forgetMaps: request.forgetMaps,
  dryRun,
  agents: new Set(candidate.needed)
})

/** a package the syncer refuses to read (it fails verification): `Left` of its one line, and the package is skipped */
const refusedPackage = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchIf(
    Effect.map(effect, (a) => Either.right(a) as Either.Either<A, string>),
    (error): error is Extract<E, PackageError.PackageError> => error instanceof PackageError.PackageError,
    (error) => Effect.succeed(Either.left(error.message))
  )

const describe = (candidate: Candidate) => ({
  machineId: candidate.machineId,
  seq: candidate.entry.seq,
  file: candidate.entry.file,
  sessionCount: candidate.entry.sessions.length,
  agents: candidate.needed
})

const summaryOf = (candidate: Candidate) => ({
  machine_id: candidate.machineId,
  seq: candidate.entry.seq,
  package: candidate.entry.file,
  package_id: candidate.entry.package_id
})

const result = (input: {
  readonly folder: string
  readonly folderChanged: boolean
  readonly machineId: string
  readonly others: ReadonlyArray<{ readonly id: string }>
  readonly transactionId: string | undefined
  readonly packages: ReadonlyArray<PulledPackage>
  readonly notes: ReadonlyArray<string>
  readonly receiptsWritten: boolean
  readonly removed: ReadonlyArray<string>
  readonly dryRun: boolean
}): PullResult => ({
  folder: input.folder,
  folderChanged: input.folderChanged,
  machineId: input.machineId,
  dryRun: input.dryRun,
  machines: input.others.map((m) => m.id),
  transactionId: input.transactionId,
  packages: input.packages,
  notes: input.notes,
  receiptsWritten: input.receiptsWritten,
  removed: input.removed
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<Pull, never, Agents.Agents | Journals.Journals | Syncer.Syncer | MachineConfig> = Layer.effect(Pull, make)
