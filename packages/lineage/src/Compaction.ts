/**
 * Compaction of this machine's own outbox: the packages nobody needs any more are taken out of
 * its index, then deleted.
 *
 * A package P is removable when both hold:
 * 1. superseded: every session of P (parents included) is in a later package of the outbox with
 *    a size at least as large (a later package holds the session whole), so the newest copy of a
 *    session is never removed and a machine that joins later still gets everything;
 * 2. pulled by every known machine: every other machine of the folder with a readable index lists
 *    P in its receipts (a machine without receipts keeps everything).
 *
 * The index is written first, then the files are deleted: a kill in between leaves unlisted
 * files, which the next push removes, and a puller that still holds the old index finds the
 * file missing (`arriving`) and no longer listed the next time.
 *
 * @since 0.1.0
 */
import { Outbox, type PackageError } from "@sessionport/package-format"
import { Effect, type Option } from "effect"
import * as Path from "node:path"
import { ExchangeError } from "./ExchangeError.js"
import { crashAt } from "./internal/crashPoint.js"
import { withExchangeLock } from "./internal/exchangeLock.js"
import { remove } from "./internal/outboxFiles.js"
import { MachineConfig } from "./MachineConfig.js"

/**
 * Why a package stays:
 * - `newest`: it holds the newest copy of some session (`sessions`: their `agent:id` keys);
 * - `not_pulled`: superseded, but these other machines have not taken it yet (`machines`).
 *
 * @since 0.1.0
 * @category models
 */
export type Kept =
  | { readonly stem: string; readonly why: "newest"; readonly sessions: ReadonlyArray<string> }
  | { readonly stem: string; readonly why: "not_pulled"; readonly machines: ReadonlyArray<string> }

/** @since 0.1.0 @category models */
export interface Plan {
  /** stems, in seq order */
  readonly removable: ReadonlyArray<string>
  /** every other package, in seq order */
  readonly kept: ReadonlyArray<Kept>
}

const stemOf = (entry: Outbox.OutboxEntry): string => Outbox.packageStem(entry.seq, entry.sha256)

/**
 * What compaction may remove from an outbox, given what every other known machine has pulled
 * from it (machine id → the stems its receipts list; an empty set for a machine without
 * receipts). Pure.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (index: Outbox.OutboxIndex, pulledBy: ReadonlyMap<string, ReadonlySet<string>>): Plan => {
  // newest first, carrying the largest size each session has in the packages after this one
  const later = new Map<string, number>()
  const verdicts: Array<{ readonly stem: string; readonly kept?: Kept }> = []
  const others = [...pulledBy.keys()].sort()
  for (const entry of [...index.packages].sort((a, b) => b.seq - a.seq)) {
    const stem = stemOf(entry)
    const newest = entry.sessions
      .filter((session) => (later.get(Outbox.sessionKey(session.agent, session.id)) ?? -1) < session.size)
      .map((session) => Outbox.sessionKey(session.agent, session.id))
    for (const session of entry.sessions) {
      const key = Outbox.sessionKey(session.agent, session.id)
      later.set(key, Math.max(later.get(key) ?? -1, session.size))
    }
    if (newest.length > 0) {
      verdicts.push({ stem, kept: { stem, why: "newest", sessions: [...new Set(newest)] } })
      continue
    }
    const waiting = others.filter((machine) => !pulledBy.get(machine)!.has(stem))
    verdicts.push(waiting.length > 0 ? { stem, kept: { stem, why: "not_pulled", machines: waiting } } : { stem })
  }
  verdicts.reverse()
  return {
    removable: verdicts.filter((v) => v.kept === undefined).map((v) => v.stem),
    kept: verdicts.flatMap((v) => v.kept === undefined ? [] : [v.kept])
  }
}

/** @since 0.1.0 @category models */
export interface Result extends Plan {
  /** the files removed (for a dry run: that would be), relative to the outbox */
  readonly removed: ReadonlyArray<string>
}

/**
 * What every other machine of `folder` with a readable index has pulled from `machineId`'s
 * outbox (machines without readable receipts: nothing).
 *
 * @since 0.1.0
 * @category reading
 */
export const pulledFrom = (folder: string, machineId: string): Effect.Effect<Map<string, Set<string>>, PackageError.PackageError> =>
  Effect.map(Outbox.scan(folder), (scan) =>
    new Map(
      scan.machines
        .filter((machine) => machine.id !== machineId && machine.index._tag === "parsed")
        .map((machine) => [
          machine.id,
          new Set(machine.receipts._tag === "parsed" ? machine.receipts.value.pulled[machineId] ?? [] : [])
        ])
    ))

/**
 * Compacts the outbox of `machineId` in `folder` (the exchange folder): plans against its index
 * as it is now and the others' receipts, then (unless `dryRun`) writes the index without the
 * removable packages and deletes their files. An outbox without an index has nothing to compact.
 *
 * @since 0.1.0
 * @category running
 */
export const run = Effect.fn("Compaction.run")(function*(
  folder: string,
  machineId: string,
  options: { readonly dryRun: boolean }
): Effect.fn.Return<Result, ExchangeError | PackageError.PackageError> {
  const outbox = Path.join(folder, machineId)
  const read = yield* Outbox.readIndex(outbox)
  if (read._tag === "missing") return { removable: [], kept: [], removed: [] }
  if (read._tag === "unreadable") {
    return yield* new ExchangeError({ reason: "unreadable_index", path: read.path, detail: read.detail })
  }
  const index = read.value
  const planned = plan(index, yield* pulledFrom(folder, machineId))
  const gone = new Set(planned.removable)
  const removed = index.packages.filter((entry) => gone.has(stemOf(entry))).map((entry) => entry.file)
  if (options.dryRun || removed.length === 0) return { ...planned, removed }
  // index first: a listed file is never missing because of us
  yield* Outbox.writeIndex(outbox, {
    ...index,
    updated_at: new Date().toISOString(),
    packages: index.packages.filter((entry) => !gone.has(stemOf(entry)))
  })
  yield* crashAt("compact-index")
  for (const file of removed) {
    yield* remove(Path.join(outbox, file))
    yield* crashAt("compact-remove")
  }
  return { ...planned, removed }
})

/** @since 0.4.0 @category models */
export interface CompactResult extends Result {
  readonly folder: string
  readonly machineId: string
  readonly dryRun: boolean
}

/**
 * `session-sync compact`: this machine's outbox in the exchange folder (`folder`, else the
 * remembered one), under the exchange lock.
 *
 * @since 0.4.0
 * @category running
 */
export const compact = Effect.fn("Compaction.compact")(function*(
  request: { readonly folder: Option.Option<string>; readonly dryRun: boolean }
): Effect.fn.Return<CompactResult, ExchangeError | PackageError.PackageError, MachineConfig> {
  const config = yield* MachineConfig
  const { folder } = yield* config.resolveFolder(request.folder)
  const machine = yield* config.ensure()
  const result = yield* withExchangeLock(config.dir, run(folder, machine.machineId, { dryRun: request.dryRun }))
  return { ...result, folder, machineId: machine.machineId, dryRun: request.dryRun }
})
