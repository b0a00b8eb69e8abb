/**
 * Push: publishes this machine's changed sessions into its own outbox of the exchange folder,
 * `DIR/<machine id>/`, as one immutable package holding their full current transcripts, then
 * lists it in `outbox.json`.
 *
 * Push writes no agent home. What was pushed is the outbox's index (`Outbox.lastPushed`); what a
 * pull brought is the homes' marks (`ExchangeState`): a session is published when its
 * `(size, updatedAt)` matches neither. Nothing changed: no package, no index write.
 *
 * Every file goes to a temp name first and is then renamed, the package before the index: a kill
 * before the index leaves an unlisted package (ignored by pullers, removed by the next push) and
 * the sessions still changed, so the next push publishes them.
 *
 * The package is made by export's own path: scanned for secrets (`secrets`: redacted with
 * `redact`; `failOnSecrets` publishes nothing when a secret would travel, found by a scan before
 * a byte is staged in the synced folder), and encrypted as it is written when `encryption` says
 * so (`packages/<seq>-<sha>.tgz.age`, its digest and size those of the file as published, the
 * index entry marked `encrypted`). The choices to keep for later pushes go into the machine
 * config (`remember`).
 *
 * @since 0.1.0
 */
import { Agents, type AgentStore, PackageExport, SecretGuard } from "@sessionport/agent"
import { AtomicFile, type Encryption, type Manifest, Outbox, type PackageError, Producer } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer, type Option } from "effect"
import * as Path from "node:path"
import * as Compaction from "./Compaction.js"
import { ExchangeError } from "./ExchangeError.js"
import { crashAt } from "./internal/crashPoint.js"
import { makeDir, names, remove, removeEmptyDir, sizeOf } from "./internal/outboxFiles.js"
import { publishable } from "./internal/publishable.js"
import type { LineageError } from "./LineageError.js"
import { withExchangeLock } from "./internal/exchangeLock.js"
import * as MachineConfig from "./MachineConfig.js"

/** @since 0.1.0 @category models */
export interface PushRequest {
  /** the exchange folder given (then remembered); none: the remembered one */
  readonly folder: Option.Option<string>
  /** the agents to publish; empty: every present home */
  readonly agents: ReadonlyArray<string>
  /** publish every session, pulled and already pushed ones too */
  readonly all: boolean
  /** decide and report, write nothing */
  readonly dryRun: boolean
  /** scan what is published for secrets, and what to do about them (absent: no scan) */
  readonly secrets?: SecretGuard.Policy | undefined
  /** publish an encrypted package (`.tgz.age`); absent: a plain `.tgz` */
  readonly encryption?: PushEncryption | undefined
  /** choices to remember in the machine config for later pushes (not by a dry run) */
  readonly remember?: MachineConfig.Choices | undefined
}

/**
 * How push encrypts: to recipients or with a passphrase. `seal` is required to write a package;
 * a dry run goes without (it asks for no passphrase).
 *
 * @since 0.6.0
 * @category models
 */
export interface PushEncryption {
  readonly mode: "recipients" | "passphrase"
  readonly seal?: Encryption.Seal | undefined
}

/** A session as a package holds it (size and time as the listing gave them). @since 0.1.0 @category models */
export interface PushedSession {
  readonly agent: string
  readonly id: string
  readonly size: number
  readonly updatedAt: string
  /** carried as the parent of this fork, not because it changed */
  readonly parentOf?: string | undefined
}

/** @since 0.1.0 @category models */
export interface PushedPackage {
  /** relative to the outbox: `packages/000007-….tgz` (`.tgz.age`) */
  readonly file: string
  readonly seq: number
  /** of the file as published (encrypted, when it is) */
  readonly size: number
  readonly sha256: string
  readonly encrypted: boolean
  readonly sessions: ReadonlyArray<PushedSession>
}

/** @since 0.1.0 @category models */
export interface PushResult {
  /** the exchange folder, absolute */
  readonly folder: string
  /** the folder differs from the one remembered before */
  readonly folderChanged: boolean
  readonly machineId: string
  readonly dryRun: boolean
  /** the package written; null when nothing changed, and for a dry run */
  readonly package: PushedPackage | null
  /** the sessions published (for a dry run: that would be), parents of forks included */
  readonly sessions: ReadonlyArray<PushedSession>
  /** sessions left alone: unchanged since pushed or pulled */
  readonly unchanged: number
  /** sessions that cannot be read, tried again next push */
  readonly skipped: ReadonlyArray<AgentStore.SkippedSession>
  /** files removed from the outbox (for a dry run: that would be): staging leftovers, unlisted and compacted packages */
  readonly removed: ReadonlyArray<string>
  /** how the package is (for a dry run: would be) encrypted; null: it is not */
  readonly encryption: PushEncryption["mode"] | null
  /** what the secret scan found in the package (for a dry run: would find); absent when nothing was scanned */
  readonly secrets?: Manifest.SecretsInfo | undefined
}

/** @since 0.1.0 @category models */
export type PushFailure = ExchangeError | PackageError.PackageError | AgentStore.AgentFailure | LineageError | SecretGuard.SecretsFound

/** @since 0.1.0 @category models */
export interface PushShape {
  readonly push: (request: PushRequest) => Effect.Effect<PushResult, PushFailure>
}

/** @since 0.1.0 @category tags */
export class Push extends Context.Tag("@sessionport/lineage/Push")<Push, PushShape>() {}

const readmeText = (machineName: string): string =>
  `sessionport outbox of ${machineName}; see docs/exchange.md\n` +
  `Written only by that machine. Do not edit or delete outbox.json alone.\n`

/** strictly after every earlier push of this outbox, so `pushed_at` orders an outbox */
const pushedAt = (index: Outbox.OutboxIndex | undefined): string => {
  const last = Math.max(0, ...(index?.packages ?? []).map((entry) => Date.parse(entry.pushed_at)))
  return new Date(Math.max(Date.now(), last + 1)).toISOString()
}

const make = Effect.gen(function*() {
  const { stores } = yield* Agents.Agents
  const progress = yield* Progress.Progress
  const config = yield* MachineConfig.MachineConfig

  /** removes the staging leftovers and the unlisted packages of a killed push (own outbox only) */
  const cleanUp = (outbox: string, index: Outbox.OutboxIndex | undefined, dryRun: boolean) =>
    Effect.gen(function*() {
      const listed = new Set((index?.packages ?? []).map((entry) => entry.file))
      const leftovers = [
        ...(yield* names(Path.join(outbox, Outbox.TMP_DIR))).map((name) => `${Outbox.TMP_DIR}/${name}`),
        ...(yield* names(Path.join(outbox, Outbox.PACKAGES_DIR))).map((name) => `${Outbox.PACKAGES_DIR}/${name}`)
          .filter((file) => !listed.has(file))
      ]
      if (!dryRun) {
        yield* Effect.forEach(leftovers, (file) => remove(Path.join(outbox, file)), { discard: true })
        yield* removeEmptyDir(Path.join(outbox, Outbox.TMP_DIR))
      }
      return leftovers
    })

  const push = Effect.fn("Push.push")(function*(request: PushRequest) {
    if (request.encryption !== undefined && request.encryption.seal === undefined && !request.dryRun) {
      return yield* Effect.dieMessage("Push: an encrypted push needs its seal (only a dry run goes without)")
    }
    const resolved = yield* config.resolveFolder(request.folder)
    const machine = request.remember !== undefined && !request.dryRun ? yield* config.remember(request.remember) : yield* config.ensure()
    return yield* withExchangeLock(config.dir, publish(request, machine, resolved))
  })

  const publish = (request: PushRequest, machine: MachineConfig.Config, { changed: folderChanged, folder }: MachineConfig.Resolved) =>
    Effect.gen(function*() {
    const outbox = Path.join(folder, machine.machineId)

    const read = yield* Outbox.readIndex(outbox)
    if (read._tag === "unreadable") {
      return yield* new ExchangeError({ reason: "unreadable_index", path: read.path, detail: read.detail })
    }
    const index = read._tag === "parsed" ? read.value : undefined
    if (index !== undefined && index.writer !== machine.writer) {
      return yield* new ExchangeError({
        reason: "copied_config",
        path: read.path,
        detail: `it was written by another config with this machine id (writer ${index.writer}, this config's ${machine.writer})`
      })
    }
    // the README once: an outbox without an index (a machine that has only pulled) may have it already
    if (index === undefined && !request.dryRun && !(yield* names(outbox)).includes(Outbox.README_FILE)) {
      yield* makeDir(outbox)
      yield* AtomicFile.writeFile(Path.join(outbox, Outbox.README_FILE), readmeText(machine.machineName))
    }
    const cleaned = yield* cleanUp(outbox, index, request.dryRun)

    // what changed, in every selected present home
    const { changed, listed, selected, unchanged, unreadable } = yield* publishable(stores, { agents: request.agents, index, all: request.all })

    const seq = (index?.packages.at(-1)?.seq ?? 0) + 1
    const encrypted = request.encryption !== undefined
    const staged = Path.join(outbox, Outbox.TMP_DIR, `${String(seq).padStart(6, "0")}${encrypted ? ".tgz.age" : ".tgz"}`)
    const parts = yield* Effect.forEach(selected.filter((store) => changed.has(store.agent)), (store) =>
      store.exportPart({
        ids: changed.get(store.agent)!.map((session) => session.id),
        cwds: [],
        since: undefined,
        all: false,
        includeArchived: true,
        skipUnreadable: true,
        out: staged,
        includeSkills: false,
        allowFiles: [],
        includeFileHistory: false
      }))
    const skipped = [...unreadable, ...parts.flatMap((part) => part.skipped)]
      .filter((s, i, all) => all.findIndex((t) => t.agent === s.agent && t.id === s.id) === i)
    const withSessions = parts.filter((part) => part.sessions.length > 0)

    const compact = (written: ReadonlyArray<string>) =>
      Effect.map(Compaction.run(folder, machine.machineId, { dryRun: request.dryRun }), (compaction) => [...written, ...compaction.removed])
    const result = (
      pkg: PushedPackage | null,
      sessions: ReadonlyArray<PushedSession>,
      removed: ReadonlyArray<string>,
      secrets?: Manifest.SecretsInfo
    ): PushResult => ({
      folder,
      folderChanged,
      machineId: machine.machineId,
      dryRun: request.dryRun,
      package: pkg,
      sessions,
      unchanged,
      skipped,
      removed,
      encryption: request.encryption?.mode ?? null,
      ...(secrets === undefined ? {} : { secrets })
    })
    if (withSessions.length === 0) return result(null, [], yield* compact(cleaned))

    // the export's scan, never refusing by itself: the refusal is push's (it says what was not published)
    const policy = request.secrets === undefined ? undefined : { redact: request.secrets.redact, failOnSecrets: false as const }
    const exportTo = (dryRun: boolean) =>
      PackageExport.write({
        out: staged,
        ids: withSessions.flatMap((part) => part.sessions.map((session) => session.id)),
        cwds: [],
        since: undefined,
        all: false,
        includeArchived: true,
        includeSkills: false,
        dryRun,
        secrets: policy,
        seal: dryRun ? undefined : request.encryption?.seal
      }, withSessions).pipe(Effect.provideService(Progress.Progress, progress))
    const refusal = (secrets: Manifest.SecretsInfo | undefined) =>
      secrets === undefined || request.secrets?.failOnSecrets !== true
        ? undefined
        : SecretGuard.refusal(
          secrets,
          `nothing published (--fail-on-secrets); \`session-transfer scan\` shows where${secrets.redacted ? "" : ", --redact replaces them"}`
        )
    if (request.secrets?.failOnSecrets === true && !request.dryRun) {
      // scanned before anything is staged: a refused package never reaches the synced folder, not even tmp/
      const refused = refusal((yield* exportTo(true)).secrets)
      if (refused !== undefined) return yield* refused
    }

    if (!request.dryRun) yield* makeDir(Path.dirname(staged)).pipe(Effect.zipRight(makeDir(Path.join(outbox, Outbox.PACKAGES_DIR))))
    const exported = yield* exportTo(request.dryRun)
    // what changed since the scan (a session the agent wrote meanwhile) is refused all the same
    const refused = refusal(exported.secrets)
    if (refused !== undefined) {
      if (!request.dryRun) yield* remove(staged).pipe(Effect.zipRight(removeEmptyDir(Path.dirname(staged))))
      return yield* refused
    }
    const at = pushedAt(index)
    // size and time as listed (what the next push compares); a session not listed (a subagent's) counts as changed next time
    const byKey = new Map(listed.map((session) => [Outbox.sessionKey(session.agent, session.id), session]))
    const sessions = exported.sessions.map((session): PushedSession => {
      const found = byKey.get(Outbox.sessionKey(session.agent, session.id))
      return {
        agent: session.agent,
        id: session.id,
        size: found?.size ?? session.size,
        updatedAt: found?.updatedAt ?? at,
        ...(session.parentOf === undefined ? {} : { parentOf: session.parentOf })
      }
    })
    if (request.dryRun) return result(null, sessions, yield* compact(cleaned), exported.secrets)
    yield* crashAt("export")

    const sha256 = yield* Outbox.digestOf(staged)
    const size = yield* sizeOf(staged)
    const file = Outbox.packageFile(seq, sha256, encrypted)
    yield* AtomicFile.rename(staged, Path.join(outbox, file))
    // the staging folder is only ever used during a push: none left for the engine to carry
    yield* removeEmptyDir(Path.dirname(staged))
    yield* crashAt("rename")

    const entry: Outbox.OutboxEntry = {
      seq,
      file,
      sha256,
      size,
      package_id: exported.packageId,
      pushed_at: at,
      agents: exported.agents,
      sessions: sessions.map((session) => ({
        agent: session.agent,
        id: session.id,
        size: session.size,
        updated_at: session.updatedAt,
        ...(session.parentOf === undefined ? {} : { parent_of: session.parentOf })
      })),
      ...(encrypted ? { encrypted: true } : {})
    }
    yield* Outbox.writeIndex(outbox, {
      format: Outbox.FORMAT,
      kind: "sessionport-outbox",
      machine_id: machine.machineId,
      machine_name: index?.machine_name ?? machine.machineName,
      writer: machine.writer,
      producer: { name: Producer.NAME, version: Producer.VERSION },
      updated_at: new Date().toISOString(),
      packages: [...(index?.packages ?? []), entry]
    })
    yield* crashAt("index")
    return result({ file, seq, size, sha256, encrypted, sessions }, sessions, yield* compact(cleaned), exported.secrets)
    })

  return Push.of({ push })
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<Push, never, Agents.Agents | Progress.Progress | MachineConfig.MachineConfig> = Layer.effect(Push, make)
