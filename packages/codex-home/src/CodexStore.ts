/**
 * This Codex home as an agent store (`@sessionport/agent`): export through the exporter's part,
 * install through the installer's plan and write, sync through the same plan (with branches and
 * forks of sessions kept here) and the row and projection updates of a fast-forward; idle when
 * `state_5.sqlite` is not being written.
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { Dialect } from "@sessionport/localize"
import { Layout } from "@sessionport/package-format"
import { type LineCheck, RolloutReader } from "@sessionport/schema"
import { Context, Effect, Layer, Stream } from "effect"
import * as CodexLineage from "./CodexLineage.js"
import { CodexHomeError } from "./CodexHomeError.js"
import * as CodexHome from "./CodexHome.js"
import * as Exporter from "./Exporter.js"
import * as Installer from "./Installer.js"
import * as Remover from "./Remover.js"
import * as SessionCatalog from "./SessionCatalog.js"
import { afterForward } from "./internal/forward.js"
import * as StateDb from "./StateDb.js"

/** @since 0.2.0 @category tags */
export class CodexStore extends Context.Tag("@sessionport/codex-home/CodexStore")<CodexStore, AgentStore.AgentStore>() {}

const neutral = (s: Installer.InstalledSession): AgentStore.InstalledSession & Installer.InstalledSession => ({
  ...s,
  agent: "codex",
  path: s.rollout
})

const reportOf = (r: Installer.ImportReport): AgentStore.InstallReport => ({
  sessions: r.sessions.map(neutral),
  changes: r.changes,
  written: new Map([...r.written].map(([id, w]) => [id, { path: w.rollout, size: w.size }]))
})

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* CodexHome.CodexHome
  const db = yield* StateDb.StateDb
  const exporter = yield* Exporter.Exporter
  const installer = yield* Installer.Installer

  // the package's Codex sessions, read once per verified package (install and sync both ask)
  const preparedOf = new WeakMap<object, Installer.Prepared | undefined>()
  const prepare = (context: AgentStore.InstallContext) =>
    preparedOf.has(context.verified)
      ? Effect.succeed(preparedOf.get(context.verified))
      : Effect.tap(
        Effect.map(installer.fromVerified(context.verified, context.rules, context.stagedDir), (p) => p === undefined ? undefined : { ...p, package: context.package }),
        (p) => Effect.sync(() => preparedOf.set(context.verified, p))
      )

  const asPlan = (prepared: Installer.Prepared, plan: Installer.ImportPlan): AgentStore.InstallPlan => ({
    agent: "codex",
    home: home.root,
    sessions: plan.sessions.map(neutral),
    warnings: plan.warnings,
    notes: { database: prepared.database },
    preview: Effect.map(installer.preview(plan), reportOf),
    write: (tx) => Effect.map(installer.write(tx, plan), reportOf)
  })

  const planInstall = Effect.fn("CodexStore.planInstall")(function*(context: AgentStore.InstallContext) {
    const prepared = yield* prepare(context)
    if (prepared === undefined) return undefined
    return asPlan(prepared, yield* installer.plan(prepared, prepared.sources.map((source) => ({ source }))))
  })

  const sync: AgentStore.SyncSupport = {
    lineage: CodexLineage.dialect,
    sidecarHome: home.root,
    sources: (context) =>
      Effect.map(prepare(context), (prepared) =>
        (prepared?.sources ?? []).map((s): AgentStore.SyncSource => ({
          id: s.meta.id,
          entry: s.entry,
          sha256: s.sha256,
          size: s.size,
          skippedWarning: (done, skipped) => Installer.skippedLinesWarning(s, done, skipped as LineCheck.SkippedLines | undefined)
        }))),
    localSessions: Stream.runFold(home.sessionFiles, new Map<string, AgentStore.LocalSession>(), (map, file) => {
      // the plain file when a `.zst` copy sits beside it
      const known = map.get(file.threadId)
      if (known === undefined || known.path.endsWith(".zst")) map.set(file.threadId, { id: file.threadId, path: file.path, size: file.size })
      return map
    }),
    nameOf: (localId) => Effect.map(home.sessionIndex, (names) => names.get(localId)),
    planImport: (context, choices, known) =>
      Effect.gen(function*() {
        const prepared = (yield* prepare(context))!
        const byId = new Map(prepared.sources.map((s) => [s.meta.id, s]))
        const plan = yield* installer.plan(
          prepared,
          choices.map((c) => ({ source: byId.get(c.sourceId)!, branchOf: c.branchOf })),
          new Map([...known].map(([id, k]) => [id, { localId: k.localId, rollout: k.path, appended: k.appended }]))
        )
        return asPlan(prepared, plan)
      }),
    afterForward: (tx, context, forwarded) =>
      Effect.gen(function*() {
        const prepared = yield* prepare(context)
        const rows = new Map((prepared?.sources ?? []).map((s) => [s.meta.id, s.row]))
        yield* afterForward(tx, home, db, forwarded.map((f) => ({ localId: f.localId, incomingRow: rows.get(f.sourceId) })))
      })
  }

  const catalog = yield* SessionCatalog.SessionCatalog
  const removal = yield* Remover.make
  const list = (selection: AgentStore.ListSelection) =>
    Effect.map(
      catalog.list({ threadIds: selection.ids, cwds: selection.cwds, since: selection.since, includeArchived: selection.includeArchived, all: selection.all }),
      (listed): AgentStore.Listing => ({
        sessions: listed.sessions.map((s) => ({
          agent: "codex",
          id: s.threadId,
          title: s.name ?? s.head.firstUserMessage,
          name: s.name,
          cwd: s.head.cwd,
          createdAt: s.head.timestamp,
          updatedAt: s.lastActivity.toISOString(),
          size: s.file.size,
          archived: s.archived,
          path: s.file.path
        })),
        unreadable: listed.unreadable.map((u) => ({ agent: "codex", id: u.threadId, path: u.file.path, reason: u.reason }))
      })
    )
  const read = (id: string) =>
    Stream.unwrap(Effect.flatMap(list({ ids: [id], cwds: [], since: undefined, all: false, includeArchived: true }), (listed) => {
      const session = listed.sessions[0]
      return session === undefined
        ? Effect.fail(new CodexHomeError({ reason: "not_found", path: `${home.root} (session ${id})` }))
        : Effect.succeed(RolloutReader.readFile(session.path).pipe(
          Stream.mapError((e) => new CodexHomeError({ reason: "unreadable", path: e.path, detail: e.reason }))
        ))
    }))

  return CodexStore.of({
    agent: "codex",
    displayName: "Codex",
    home: home.root,
    present: true,
    dialect: Dialect.codex,
    list,
    read,
    ownsEntry: Layout.isSessionEntry,
    scan: () => Installer.scanSession(),
    exportPart: (selection) =>
      exporter.part({
        out: selection.out,
        threadIds: selection.ids,
        cwds: selection.cwds,
        since: selection.since,
        all: selection.all,
        includeArchived: selection.includeArchived,
        includeSkills: selection.includeSkills,
        allowFiles: selection.allowFiles,
        skipUnreadable: selection.skipUnreadable
      }),
    planInstall,
    assertIdle: db.assertIdle,
    sync,
    removal
  })
})

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<
  CodexStore,
  never,
  CodexHome.CodexHome | StateDb.StateDb | Exporter.Exporter | Installer.Installer | SessionCatalog.SessionCatalog
> = Layer.effect(CodexStore, make)
