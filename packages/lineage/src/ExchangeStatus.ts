/**
 * Status of the exchange folder as this machine sees it: what a push would publish now, what
 * this machine's outbox holds and how far the others have pulled it, and for every other
 * machine what is pending here and why some of it cannot be taken yet.
 *
 * Reads only, without the exchange lock: no config is made (a machine that never pushed nor
 * pulled has no id yet), a folder given is not remembered, and nothing is written in the folder
 * or the homes. Each answer comes from the code the commands use: what changed as push decides
 * it, pending as pull decides it (receipts in the homes' `ExchangeState`), live file checks as
 * pull makes them, compaction's plan, and the skips the last pull recorded (`ExchangeLog`).
 * Encrypted packages are counted from the indexes; whether the keys here open a pending one is
 * pull's own check (`Outbox.opens` with the command's `Encryption.Keys`: headers only).
 *
 * @since 0.4.0
 */
import { Agents, type AgentStore } from "@sessionport/agent"
import { Encryption, Outbox, type PackageError } from "@sessionport/package-format"
import { Context, Effect, Layer, Option } from "effect"
import * as Path from "node:path"
import * as Compaction from "./Compaction.js"
import { ExchangeError } from "./ExchangeError.js"
import * as ExchangeLog from "./ExchangeLog.js"
import { fileProblem } from "./internal/fileProblem.js"
import { homesHere } from "./internal/homesHere.js"
import { publishable } from "./internal/publishable.js"
import type { LineageError } from "./LineageError.js"
import * as MachineConfig from "./MachineConfig.js"

/** @since 0.4.0 @category models */
export interface StatusRequest {
  /** the exchange folder to look at (not remembered); none: the remembered one */
  readonly folder: Option.Option<string>
  /** the agents to count for; empty: every present home */
  readonly agents: ReadonlyArray<string>
}

/** @since 0.4.0 @category models */
export interface ChangedCount {
  readonly agent: string
  /** sessions a push would publish now */
  readonly count: number
}

/** How far another machine's receipts reach into this machine's outbox. @since 0.4.0 @category models */
export interface PulledBy {
  readonly machineId: string
  /** from its index; null for a machine that only pulled */
  readonly machineName: string | null
  /** packages of this outbox it has taken */
  readonly pulled: number
  /** packages this outbox lists */
  readonly of: number
}

/** A sync engine's conflict copy in an outbox. @since 0.4.0 @category models */
export interface ConflictCopy {
  /** inside the outbox, `/` separated */
  readonly path: string
  /** the file it stands for (`outbox.json` there means two machines use one id) */
  readonly of?: string | undefined
}

/**
 * A pending package that cannot be taken now: `arriving` or `damaged` by the live file check,
 * `encrypted` when no key here opens it, or what the last pull recorded (`unreadable`, `busy`,
 * `not_applied`, …).
 *
 * @since 0.4.0
 * @category models
 */
export interface SkippedFile {
  /** relative to its outbox: `packages/000007-….tgz` */
  readonly file: string
  readonly kind: string
  readonly why: string
}

/** @since 0.4.0 @category models */
export interface ThisMachine {
  /** none before the first push or pull made the config */
  readonly id: string | null
  readonly name: string | null
  /** its outbox, absolute; null while it has no id */
  readonly outbox: string | null
  /** the newest `pushed_at` of its outbox */
  readonly lastPushAt: string | null
  /** the last pull into this folder */
  readonly lastPullAt: string | null
  /** per selected present agent: what a push would publish now */
  readonly changed: ReadonlyArray<ChangedCount>
  /** packages listed in its outbox, and their bytes */
  readonly packages: number
  readonly bytes: number
  /** of those, encrypted (`.tgz.age`) */
  readonly encrypted: number
  /** how its next push encrypts (remembered): to recipients, with a passphrase, or not (null) */
  readonly encryption: "recipients" | "passphrase" | null
  /** whether its next push redacts secrets (remembered) */
  readonly redact: boolean
  /** the identity files its pulls open encrypted packages with (remembered) */
  readonly identities: ReadonlyArray<string>
  /** packages compaction could remove now */
  readonly compactable: number
  readonly pulledBy: ReadonlyArray<PulledBy>
  /** conflict copies in its own outbox (of `outbox.json`: another machine uses this id) */
  readonly conflictCopies: ReadonlyArray<ConflictCopy>
  /** unexpected files in its own outbox */
  readonly otherFiles: ReadonlyArray<string>
}

/** @since 0.4.0 @category models */
export interface OtherMachine {
  readonly id: string
  /** from its index */
  readonly name: string | null
  /** the newest `pushed_at` of its outbox */
  readonly lastPushAt: string | null
  /** when its receipts were last written */
  readonly lastPullAt: string | null
  readonly index: "ok" | "missing" | "unreadable"
  /** why its index is unreadable */
  readonly indexProblem?: string | undefined
  /** its packages some selected present home here has not taken; `sessions`: distinct sessions of those agents in them */
  readonly pending: { readonly packages: number; readonly sessions: number }
  /** its listed packages that are encrypted (`.tgz.age`), and how many it lists */
  readonly encrypted: { readonly packages: number; readonly of: number }
  readonly skipped: ReadonlyArray<SkippedFile>
  readonly conflictCopies: ReadonlyArray<ConflictCopy>
  readonly otherFiles: ReadonlyArray<string>
}

/** @since 0.4.0 @category models */
export interface StatusResult {
  /** the exchange folder, absolute */
  readonly folder: string
  readonly machine: ThisMachine
  /** the other machines' outboxes, by id */
  readonly machines: ReadonlyArray<OtherMachine>
  /** entries of the folder that are not outboxes */
  readonly strays: ReadonlyArray<string>
}

/** @since 0.4.0 @category models */
export type StatusFailure = ExchangeError | PackageError.PackageError | AgentStore.AgentFailure | LineageError

/** @since 0.4.0 @category models */
export interface ExchangeStatusShape {
  readonly read: (request: StatusRequest) => Effect.Effect<StatusResult, StatusFailure>
}

/** @since 0.4.0 @category tags */
export class ExchangeStatus extends Context.Tag("@sessionport/lineage/ExchangeStatus")<ExchangeStatus, ExchangeStatusShape>() {}

const stemOf = (entry: Outbox.OutboxEntry): string => Outbox.packageStem(entry.seq, entry.sha256)

const newestPush = (index: Outbox.OutboxIndex | undefined): string | null =>
  (index?.packages ?? []).reduce<string | null>(
    (newest, entry) => newest === null || Date.parse(entry.pushed_at) > Date.parse(newest) ? entry.pushed_at : newest,
    null
  )

const filesOf = (problems: ReadonlyArray<Outbox.Problem>) => ({
  conflictCopies: problems.filter((p) => p.kind === "conflict_copy").map((p): ConflictCopy => ({ path: p.path, of: p.of })),
  otherFiles: problems.filter((p) => p.kind === "other").map((p) => p.path)
})

/** every other machine that has published or pulled: how many of `packages` (this outbox's) its receipts list */
const pulledBy = (scan: Outbox.Scan, machineId: string, packages: ReadonlyArray<Outbox.OutboxEntry>): Array<PulledBy> =>
  scan.machines
    .filter((m) => m.id !== machineId && (m.index._tag === "parsed" || m.receipts._tag === "parsed"))
    .map((m) => {
      const stems = new Set(m.receipts._tag === "parsed" ? m.receipts.value.pulled[machineId] ?? [] : [])
      return {
        machineId: m.id,
        machineName: m.index._tag === "parsed" ? m.index.value.machine_name : null,
        pulled: packages.filter((entry) => stems.has(stemOf(entry))).length,
        of: packages.length
      }
    })

const make = Effect.gen(function*() {
  const { stores } = yield* Agents.Agents
  const config = yield* MachineConfig.MachineConfig

  const read = Effect.fn("ExchangeStatus.read")(function*(request: StatusRequest) {
    const current = yield* config.current()
    const folder = yield* config.findFolder(request.folder)
    const machineId = Option.getOrNull(Option.map(current, (c) => c.machineId))
    const scan = yield* Outbox.scan(folder)
    const own = scan.machines.find((m) => m.id === machineId)
    if (own?.index._tag === "unreadable") {
      return yield* new ExchangeError({ reason: "unreadable_index", path: own.index.path, detail: own.index.detail })
    }
    const index = own?.index._tag === "parsed" ? own.index.value : undefined
    // the last pull's report, when it was of this folder
    const log = yield* ExchangeLog.read(config.dir)
    const logged = log.last_pull_folder === folder ? log : ExchangeLog.empty

    const { changed, selected } = yield* publishable(stores, { agents: request.agents, index, all: false })
    const packages = index?.packages ?? []
    const remembered = Option.getOrUndefined(current)
    const machine: ThisMachine = {
      id: machineId,
      name: index?.machine_name ?? Option.getOrNull(Option.map(current, (c) => c.machineName)),
      outbox: machineId === null ? null : Path.join(folder, machineId),
      lastPushAt: newestPush(index),
      lastPullAt: logged.last_pull_at,
      changed: selected.map((store) => ({ agent: store.agent, count: changed.get(store.agent)?.length ?? 0 })),
      packages: packages.length,
      bytes: packages.reduce((sum, entry) => sum + entry.size, 0),
      encrypted: packages.filter((entry) => entry.encrypted === true).length,
      encryption: remembered === undefined ? null : Option.match(remembered.encryption, {
        onNone: () => null,
        onSome: (encryption) => encryption._tag === "Recipients" ? "recipients" as const : "passphrase" as const
      }),
      redact: remembered?.redact ?? false,
      identities: remembered?.identities ?? [],
      compactable: index === undefined || machineId === null
        ? 0
        : Compaction.plan(index, yield* Compaction.pulledFrom(folder, machineId)).removable.length,
      pulledBy: machineId === null ? [] : pulledBy(scan, machineId, packages),
      ...filesOf(own?.problems ?? [])
    }

    const here = yield* homesHere(stores, request.agents)
    const ring = yield* Encryption.ambient
    const agentsHere = new Set(here.stores.map((store) => store.agent))
    const machines = yield* Effect.forEach(scan.machines.filter((m) => m.id !== machineId), (other) =>
      Effect.gen(function*() {
        const index = other.index._tag === "parsed" ? other.index.value : undefined
        const pending = (index?.packages ?? []).flatMap((entry) => {
          const needed = entry.agents.filter((agent) => agentsHere.has(agent) && !here.taken(agent, other.id, stemOf(entry)))
          return needed.length === 0 ? [] : [{ entry, needed }]
        })
        const sessions = new Set(pending.flatMap(({ entry, needed }) =>
          entry.sessions.filter((s) => needed.includes(s.agent)).map((s) => Outbox.sessionKey(s.agent, s.id))
        ))
        const skipped: Array<SkippedFile> = []
        for (const { entry } of pending) {
          const problem = fileProblem(yield* Outbox.checkFile(other.dir, entry.file, entry), entry.size)
          if (problem !== undefined) {
            skipped.push({ file: entry.file, ...problem })
            continue
          }
          const keys = entry.encrypted === true ? yield* Outbox.opens(other.dir, entry.file, ring) : undefined
          if (keys?._tag === "locked") skipped.push({ file: entry.file, kind: keys.reason === "damaged" ? "unreadable" : "encrypted", why: keys.why })
        }
        // what the last pull could not apply and is still pending (a live problem says it better)
        for (const recorded of logged.skipped) {
          if (recorded.machine_id !== other.id || skipped.some((s) => s.file === recorded.file)) continue
          if (pending.some(({ entry }) => entry.file === recorded.file)) skipped.push({ file: recorded.file, kind: recorded.kind, why: recorded.why })
        }
        return {
          id: other.id,
          name: index?.machine_name ?? null,
          lastPushAt: newestPush(index),
          lastPullAt: other.receipts._tag === "parsed" ? other.receipts.value.updated_at : null,
          index: other.index._tag === "parsed" ? "ok" : other.index._tag,
          ...(other.index._tag === "unreadable" ? { indexProblem: other.index.detail } : {}),
          pending: { packages: pending.length, sessions: sessions.size },
          encrypted: { packages: (index?.packages ?? []).filter((entry) => entry.encrypted === true).length, of: index?.packages.length ?? 0 },
          skipped,
          ...filesOf(other.problems)
        } satisfies OtherMachine
      }))

    return { folder, machine, machines, strays: scan.strays } satisfies StatusResult
  })

  return ExchangeStatus.of({ read })
})

/** @since 0.4.0 @category layers */
export const layer: Layer.Layer<ExchangeStatus, never, Agents.Agents | MachineConfig.MachineConfig> = Layer.effect(ExchangeStatus, make)
