/**
 * First import of a package holding sessions of any set of agents, as one journaled transaction.
 *
 * 1. The package is verified whole: every file's size and SHA-256, the hostile-archive checks,
 *    its agents known here; each transcript is read once, through its agent's `scan`.
 * 2. A `.tgz` is unpacked for the scope (a folder package is read in place).
 * 3. The path rules are built once (`--map`, the maps remembered for the homes of the package's
 *    agents (`RememberedMaps`), the source home from the package, the `\Documents\` rule) and
 *    handed to every agent.
 * 4. Each store plans its own sessions (new ids, places, the agent's rewrite surface).
 * 5. A dry run previews every plan; otherwise every agent must be idle, and all plans are
 *    written in one transaction, with the maps to remember in each home written: a failure
 *    anywhere rolls back every agent's changes.
 *
 * @since 0.2.0
 */
import { FileSystem } from "@effect/platform"
import { PathRules } from "@sessionport/localize"
import { Layout, type PackageError, PackageReader, type PathLocalization } from "@sessionport/package-format"
import { Effect, Schema } from "effect"
import * as os from "node:os"
import {
  type AgentFailure,
  type AgentStore,
  type InstallContext,
  type InstalledSession,
  type InstallPlan,
  type InstallReport,
  type SessionChange,
  sessionKey
} from "./AgentStore.js"
import * as Journals from "./Journals.js"
import * as RememberedMaps from "./RememberedMaps.js"

/** @since 0.2.0 @category models */
export interface InstallRequest extends MapsRequest {
  readonly dryRun: boolean
  /** only these sessions of the package (`AgentStore.sessionKey`s, chosen in a picker); absent: all */
  readonly only?: ReadonlySet<string> | undefined
}

/** A package and the maps given for it. @since 0.3.0 @category models */
export interface MapsRequest {
  readonly package: string
  /**
   * the package as the person named it, in results, messages and the journal, when `package` is
   * a temp file or folder made of it (stdin, another tool's archive); default `package`
   */
  readonly label?: string | undefined
  /** `--map` on the command line */
  readonly maps: ReadonlyArray<PathRules.Mapping>
  /** `--forget-maps`: the maps remembered for the homes are set aside (and a real run remembers that) */
  readonly forgetMaps?: boolean | undefined
}

/** @since 0.2.0 @category models */
export interface InstallResult {
  readonly package: string
  readonly dryRun: boolean
  /** the journal transaction; `undefined` for a dry run */
  readonly transactionId: string | undefined
  /** the agents whose sessions were installed, and each one's home */
  readonly homes: Readonly<Record<string, string>>
  readonly sessions: ReadonlyArray<InstalledSession>
  readonly rules: ReadonlyArray<PathRules.RuleDescription>
  /** the maps given and remembered, for the plan */
  readonly maps: ReadonlyArray<RememberedMaps.MapInUse>
  /** the remembered-maps files written (none for a dry run, or when every map was remembered already) */
  readonly remembered: ReadonlyArray<string>
  /** what each agent says about where it wrote, by agent */
  readonly notes: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** the first changes of every session (line, field, old, new), for the plan */
  readonly changes: ReadonlyArray<SessionChange>
  readonly warnings: ReadonlyArray<string>
}

/** @since 0.2.0 @category errors */
export class InstallError extends Schema.TaggedError<InstallError>("@sessionport/agent/InstallError")("InstallError", {
  reason: Schema.Literal("nothing_to_install"),
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** A scan that wants nothing: a transcript no store here owns (verify refuses its package). */
const ignore: PackageReader.Scan<undefined> = { push: () => false, end: () => undefined }

/**
 * This machine's path rules for a verified package: `--map`, the package's source home → this
 * home, the `\\Documents\\` rule.
 *
 * @since 0.2.0
 * @category reading
 */
export const rulesFor = (verified: PackageReader.VerifiedPackage<unknown>, maps: ReadonlyArray<PathRules.Mapping>): PathRules.PathRules => {
  const localization = JSON.parse(verified.metadata.get(Layout.PATH_LOCALIZATION) ?? "{}") as Partial<
    PathLocalization.PathLocalization
  >
  return PathRules.make({
    maps,
    sourceHome: localization.source_home,
    targetHome: os.homedir(),
    targetPlatform: process.platform === "win32" ? "windows" : "posix"
  })
}

/**
 * The maps of an install or a sync of a verified package: the given ones, and those remembered
 * for the homes of the agents whose sessions it holds.
 *
 * @since 0.3.0
 * @category reading
 */
export const mapsFor = (verified: PackageReader.VerifiedPackage<unknown>, request: MapsRequest, stores: ReadonlyArray<AgentStore>) => {
  const entries = [...verified.sessions.keys()]
  const homes = stores.filter((store) => entries.some(store.ownsEntry)).map((store) => store.home)
  return RememberedMaps.resolve(request.maps, homes, { forget: request.forgetMaps === true })
}

/** A verified package as every store's install sees it, with the maps its rules were built from. @since 0.3.0 @category models */
export interface PreparedContext extends InstallContext {
  readonly maps: RememberedMaps.Resolved
}

/**
 * Where a verified package's files are read from: a folder package in place, a `.tgz` as `verify`
 * staged it, else unpacked (verified again on the way) into a temp folder removed with the scope.
 *
 * @since 0.2.0
 * @category reading
 */
export const stage = (verified: PackageReader.VerifiedPackage<unknown>) =>
  Effect.gen(function*() {
    if (verified.format === "directory") return verified.path
    if (verified.staged !== undefined) return verified.staged
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-install-" }).pipe(Effect.orDie)
    return yield* PackageReader.extract(verified, `${dir}/package`)
  })

/**
 * Where `verify` unpacks a `.tgz` in the pass that checks it (`stageInto`): in a temp folder
 * removed with the scope.
 *
 * @since 0.3.0
 * @category reading
 */
export const stagingFolder = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-install-" }).pipe(Effect.orDie)
  return `${dir}/package`
})

/**
 * A verified package whose files are unpacked only when needed: {@link prepareDeferred}.
 *
 * @since 0.3.0
 * @category models
 */
export interface DeferredContext extends PreparedContext {
  /**
   * Unpacks a `.tgz` into `stagedDir` (read from there only after), but for the sessions whose
   * transcripts `seen` names (their every file): nothing at all when no other session is left to
   * read. A folder package is read in place and this does nothing. Called once.
   */
  readonly unpack: (seen: ReadonlySet<string>) => Effect.Effect<void, PackageError.PackageError>
}

const verifyFor = (path: string, stores: ReadonlyArray<AgentStore>, stageInto: string | undefined) =>
  PackageReader.verify(path, {
    agents: stores.map((store) => store.agent).filter((agent) => agent !== "codex"),
    stageInto,
    scanSession: (entry) => stores.find((store) => store.ownsEntry(entry))?.scan(entry) ?? ignore
  })

/**
 * The package checked whole and staged for the scope (a `.tgz` unpacked in the pass that checks
 * it), with the path rules of this machine: what an install reads every file of.
 *
 * @since 0.2.0
 * @category reading
 */
export const prepare = Effect.fn("PackageInstall.prepare")(function*(request: MapsRequest, stores: ReadonlyArray<AgentStore>) {
  const verified = (yield* verifyFor(request.package, stores, yield* stagingFolder)) as PackageReader.VerifiedPackage<unknown>
  const maps = yield* mapsFor(verified, request, stores)
  return {
    package: request.label ?? request.package,
    verified,
    stagedDir: yield* stage(verified),
    rules: rulesFor(verified, maps.maps),
    maps
  } satisfies PreparedContext
})

/**
 * The package checked whole, its files not unpacked yet: what a sync reads only some files of
 * (a session synced before is known by its file's digest and never read again: a repeat sync of
 * an unchanged `.tgz` unpacks nothing). Read a file only after {@link DeferredContext.unpack}.
 *
 * @since 0.3.0
 * @category reading
 */
export const prepareDeferred = Effect.fn("PackageInstall.prepareDeferred")(function*(request: MapsRequest, stores: ReadonlyArray<AgentStore>) {
  const verified = (yield* verifyFor(request.package, stores, undefined)) as PackageReader.VerifiedPackage<unknown>
  const stagedDir = verified.format === "directory" ? verified.path : yield* stagingFolder
  const maps = yield* mapsFor(verified, request, stores)
  return {
    package: request.label ?? request.package,
    verified,
    stagedDir,
    rules: rulesFor(verified, maps.maps),
    maps,
    unpack: (seen) => {
      if (verified.format === "directory") return Effect.void
      const seenDirs = new Set([...seen].flatMap((entry) => sessionDirOf(entry) ?? []))
      const needed = (entry: string) => !seen.has(entry) && !seenDirs.has(sessionDirOf(entry) ?? "")
      const reads = verified.files.some((file) => needed(file.path) && (Layout.isSessionEntry(file.path) || sessionDirOf(file.path) !== undefined))
      return reads ? Effect.asVoid(PackageReader.extract(verified, stagedDir, { only: needed })) : Effect.void
    }
  } satisfies DeferredContext
})

/** The folder of an agent session's files (`agents/<agent>/sessions/<id>`), for an entry in it. */
const sessionDirOf = (entry: string): string | undefined => {
  const parsed = Layout.parseAgentEntry(entry)
  return parsed === undefined || parsed.kind === "metadata" ? undefined : Layout.agentSessionDir(parsed.agent, parsed.id)
}

/**
 * A store's plan for the package's sessions, or the chosen ones only: a first import of them
 * through the store's sync support, which plans any subset (an agent without it installs all).
 */
const planFor = (store: AgentStore, context: InstallContext, only: ReadonlySet<string> | undefined) =>
  Effect.gen(function*() {
    if (only === undefined || store.sync === undefined) return yield* store.planInstall(context)
    const support = store.sync
    const chosen = (yield* support.sources(context)).filter((source) => only.has(sessionKey(store.agent, source.id)))
    if (chosen.length === 0) return undefined
    return yield* support.planImport(context, chosen.map((source) => ({ sourceId: source.id })), new Map())
  })

/**
 * Verifies, stages and plans a whole package, then writes every agent's sessions as one
 * transaction (or previews them), recorded in the journal of the first agent written (`Journals`).
 *
 * @since 0.2.0
 * @category installing
 */
export const install = Effect.fn("PackageInstall.install")(function*(
  request: InstallRequest,
  stores: ReadonlyArray<AgentStore>
): Effect.fn.Return<InstallResult, AgentFailure, Journals.Journals | FileSystem.FileSystem> {
  const journals = yield* Journals.Journals
  const shown = request.label ?? request.package
  return yield* Effect.scoped(Effect.gen(function*() {
    const context = yield* prepare(request, stores)
    const plans: Array<{ readonly store: AgentStore; readonly plan: InstallPlan }> = []
    for (const store of stores) {
      const plan = yield* planFor(store, context, request.only)
      if (plan !== undefined && plan.sessions.length > 0) plans.push({ store, plan })
    }
    if (plans.length === 0) {
      return yield* new InstallError({ reason: "nothing_to_install", detail: `${shown} holds no session` })
    }
    const result = (
      transactionId: string | undefined,
      reports: ReadonlyArray<InstallReport>,
      remembered: ReadonlyArray<string>
    ): InstallResult => ({
      package: shown,
      dryRun: request.dryRun,
      transactionId,
      homes: Object.fromEntries(plans.map(({ plan }) => [plan.agent, plan.home])),
      sessions: reports.flatMap((r) => r.sessions),
      rules: context.rules.describe(),
      maps: context.maps.shown,
      remembered,
      notes: Object.fromEntries(plans.map(({ plan }) => [plan.agent, plan.notes])),
      changes: reports.flatMap((r) => r.changes),
      warnings: [...context.maps.warnings, ...plans.flatMap(({ plan }) => plan.warnings)]
    })
    if (request.dryRun) return result(undefined, yield* Effect.forEach(plans, ({ plan }) => plan.preview), [])
    for (const { store } of plans) yield* store.assertIdle
    return yield* journals.forAgents(plans.map(({ plan }) => plan.agent)).transaction(
      {
        kind: "install",
        summary: {
          package: shown,
          package_id: context.verified.manifest.package_id ?? null,
          sessions: plans.flatMap(({ plan }) =>
            plan.sessions.map((s) => ({
              ...(s.agent === "codex" ? {} : { agent: s.agent }),
              source_id: s.sourceId,
              local_id: s.localId,
              ...(s.agent === "codex" ? { rollout: s.path } : { path: s.path })
            }))
          )
        }
      },
      (tx) =>
        Effect.gen(function*() {
          const reports = yield* Effect.forEach(plans, ({ plan }) => plan.write(tx))
          const remembered = yield* context.maps.remember(tx, plans.map(({ plan }) => plan.home), "install")
          return result(tx.id, reports, remembered)
        })
    )
  }))
})
