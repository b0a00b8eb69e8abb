/**
 * This Codex home as an agent store (`@sessionport/agent`): export through the exporter's part,
 * install through the installer's plan and write, idle when `state_5.sqlite` is not being written.
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { Dialect } from "@sessionport/localize"
import { Layout } from "@sessionport/package-format"
import { Context, Effect, Layer } from "effect"
import * as CodexHome from "./CodexHome.js"
import * as Exporter from "./Exporter.js"
import * as Installer from "./Installer.js"
import * as StateDb from "./StateDb.js"

/** @since 0.2.0 @category tags */
export class CodexStore extends Context.Tag("@sessionport/codex-home/CodexStore")<CodexStore, AgentStore.AgentStore>() {}

const neutral = (s: Installer.InstalledSession): AgentStore.InstalledSession & Installer.InstalledSession => ({
  ...s,
  agent: "codex",
  path: s.rollout
})

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* CodexHome.CodexHome
  const db = yield* StateDb.StateDb
  const exporter = yield* Exporter.Exporter
  const installer = yield* Installer.Installer

  const planInstall = Effect.fn("CodexStore.planInstall")(function*(context: AgentStore.InstallContext) {
    const prepared = yield* installer.fromVerified(context.verified, context.rules, context.stagedDir)
    if (prepared === undefined) return undefined
    const plan = yield* installer.plan({ ...prepared, package: context.package }, prepared.sources.map((source) => ({ source })))
    const report = (r: Installer.ImportReport): AgentStore.InstallReport => ({ sessions: r.sessions.map(neutral), changes: r.changes })
    return {
      agent: "codex",
      home: home.root,
      sessions: plan.sessions.map(neutral),
      warnings: plan.warnings,
      notes: { database: prepared.database },
      preview: Effect.map(installer.preview(plan), report),
      write: (tx) => Effect.map(installer.write(tx, plan), report)
    } satisfies AgentStore.InstallPlan
  })

  return CodexStore.of({
    agent: "codex",
    displayName: "Codex",
    home: home.root,
    present: true,
    dialect: Dialect.codex,
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
    assertIdle: db.assertIdle
  })
})

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<
  CodexStore,
  never,
  CodexHome.CodexHome | StateDb.StateDb | Exporter.Exporter | Installer.Installer
> = Layer.effect(CodexStore, make)
