/**
 * This Claude Code home as an agent store (`@sessionport/agent`): its sessions exported as
 * `agents/claude/…`, a package's Claude sessions installed into `projects/`, and busy while a
 * Claude runs on it.
 *
 * @since 0.2.0
 */
import { type AgentStore, MissingStore, PackageSessions } from "@sessionport/agent"
import { Layout } from "@sessionport/package-format"
import { Neutralizer } from "@sessionport/localize"
import { ClaudeReader } from "@sessionport/schema"
import { Context, Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"
import * as Activity from "./Activity.js"
import * as ClaudeHome from "./ClaudeHome.js"
import { ClaudeHomeError } from "./ClaudeHomeError.js"
import * as ClaudeSurface from "./ClaudeSurface.js"
import * as Exporter from "./Exporter.js"
import { lines, readDir, sessionIdOf, transcripts } from "./internal/files.js"
import { HeadScanner, promptOf, scanFile, titleOf } from "./internal/head.js"
import { HistoryEntries } from "./internal/history.js"
import * as Installer from "./Installer.js"
import * as Remover from "./Remover.js"
import * as SessionCatalog from "./SessionCatalog.js"

/** @since 0.2.0 @category tags */
export class ClaudeStore extends Context.Tag("@sessionport/claude-home/ClaudeStore")<ClaudeStore, AgentStore.AgentStore>() {}

/**
 * What stands for a Claude Code home that does not exist: nothing to export, and a package with
 * Claude sessions refused with `not_found`. `named`: the home was named on the command line, so
 * an export of every agent says it is missing instead of leaving it out.
 *
 * @since 0.2.0
 * @category constructors
 */
export const missing = (root: string, named: boolean): AgentStore.AgentStore =>
  MissingStore.make(
    { agent: Exporter.AGENT, displayName: "Claude Code", home: root, dialect: ClaudeSurface.dialect, ownsEntry },
    new ClaudeHomeError({
      reason: "not_found",
      path: root,
      detail: `Claude Code home ${root} does not exist (Claude Code creates it when it first runs; or name one with --claude-home)`
    }),
    named
  )

const ownsEntry = (entry: string): boolean => {
  const parsed = Layout.parseAgentEntry(entry)
  return parsed?.agent === Exporter.AGENT && parsed.kind === "transcript"
}

/**
 * How lineage fingerprints Claude transcripts: Claude's surface neutralized, the first prompt a
 * typed `user` line; titles (`custom-title`, `ai-title`, `agent-name`) are each machine's own
 * naming, not records: a branch's title does not make it diverge.
 *
 * @since 0.2.0
 * @category constants
 */
export const lineage: AgentStore.LineageDialect = {
  neutralizer: Neutralizer.make(ClaudeSurface.dialect),
  promptNeedles: ["\"type\":\"user\""],
  isPrompt: (text) => {
    try {
      const line = JSON.parse(text)
      return typeof line === "object" && line !== null && promptOf(line) !== undefined
    } catch {
      return false
    }
  },
  ignoredLinePrefixes: ["{\"type\":\"custom-title\"", "{\"type\":\"ai-title\"", "{\"type\":\"agent-name\""]
}

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* ClaudeHome.ClaudeHome
  const exporter = yield* Exporter.make
  const installer = yield* Installer.make
  const remover = yield* Remover.make
  const catalog = yield* SessionCatalog.SessionCatalog

  const list = (selection: AgentStore.ListSelection) =>
    Effect.map(catalog.list(selection), (listed): AgentStore.Listing => ({
      sessions: listed.sessions.map((s) => ({
        agent: Exporter.AGENT,
        id: s.id,
        title: s.title,
        name: s.head.customTitle,
        cwd: s.cwd,
        createdAt: s.head.firstTimestamp,
        updatedAt: new Date(s.mtimeMs).toISOString(),
        size: s.size,
        archived: false,
        path: s.path
      })),
      unreadable: listed.unreadable.map((u) => ({ agent: Exporter.AGENT, ...u }))
    }))
  const read = (id: string) =>
    Stream.unwrap(Effect.flatMap(list({ ids: [id], cwds: [], since: undefined, all: false, includeArchived: true }), (listed) => {
      const session = listed.sessions[0]
      return session === undefined
        ? Effect.fail(new ClaudeHomeError({ reason: "not_found", path: home.root, detail: `no Claude session ${id} in ${home.root}` }))
        : Effect.succeed(ClaudeReader.readFile(session.path).pipe(
          Stream.mapError((e) => new ClaudeHomeError({ reason: "unreadable", path: e.path, detail: e.message }))
        ))
    }))

  const sync: AgentStore.SyncSupport = {
    lineage,
    sidecarHome: home.root,
    sources: (context) => Effect.sync(() => PackageSessions.syncSources(context, Exporter.AGENT)),
    localSessions: Effect.sync(() => {
      const out = new Map<string, AgentStore.LocalSession>()
      for (const { id, path } of transcripts(home.projectsDir)) {
        try {
          out.set(id, { id, path, size: fs.statSync(path).size })
        } catch {
          // gone since listed
        }
      }
      return out
    }),
    nameOf: (localId) =>
      Effect.sync(() => {
        for (const folder of readDir(home.projectsDir)) {
          const path = Path.join(home.projectsDir, folder.name, `${localId}.jsonl`)
          if (fs.existsSync(path)) return titleOf(scanFile(path))
        }
        return undefined
      }),
    planImport: (context, choices) =>
      Effect.map(installer.plan(context, choices), (plan) => plan ?? PackageSessions.emptyPlan(Exporter.AGENT, home.root)),
    // the appended turns' prompts join up-arrow history (those it has not already, redacted or not)
    afterForward: (tx, context, forwarded) =>
      Effect.gen(function*() {
        const incoming = Installer.historyLines(context.verified, new Map(forwarded.map((f) => [f.sourceId, f.localId])), context.rules)
        if (incoming.length === 0) return
        // only the lines of these sessions are compared: the rest of the history is read past
        const ids = new Set(forwarded.map((f) => f.localId))
        const had = new HistoryEntries()
        for (const line of lines(home.historyPath)) {
          const id = sessionIdOf(line)
          if (id !== undefined && ids.has(id)) had.add(line)
        }
        const missing = incoming.filter((line) => !had.has(line))
        if (missing.length > 0) yield* tx.appendText(home.historyPath, missing.join(""))
      })
  }
  return ClaudeStore.of({
    agent: Exporter.AGENT,
    displayName: "Claude Code",
    home: home.root,
    present: true,
    list,
    read,
    dialect: ClaudeSurface.dialect,
    ownsEntry,
    scan: () => {
      const scanner = new HeadScanner()
      return {
        push: (bytes) => {
          scanner.push(bytes)
          return true
        },
        end: () => scanner.end()
      }
    },
    exportPart: exporter.part,
    planInstall: (context) => installer.plan(context),
    sync,
    removal: { plan: remover.plan },
    assertIdle: Effect.suspend(() => {
      const found = Activity.running(home.root, home.runningDir)
      return found.length === 0 ? Effect.void : new ClaudeHomeError({
        reason: "busy",
        path: home.root,
        detail: `Claude Code is running on ${home.root} (pid ${found.map((r) => r.pid).join(", ")}); close it and try again`
      })
    })
  })
})

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<ClaudeStore, never, ClaudeHome.ClaudeHome> = Layer.effect(ClaudeStore, make).pipe(
  Layer.provide(SessionCatalog.layer)
)

/**
 * The store of the home `config` names (which must exist: see `missing`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHome = (config: ClaudeHome.ClaudeHomeConfig = {}): Layer.Layer<ClaudeStore | ClaudeHome.ClaudeHome> =>
  layer.pipe(Layer.provideMerge(ClaudeHome.layer(config)))
