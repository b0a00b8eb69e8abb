/**
 * This Claude Code home as an agent store (`@sessionport/agent`): its sessions exported as
 * `agents/claude/…`, a package's Claude sessions installed into `projects/`, and busy while a
 * Claude runs on it.
 *
 * @since 0.2.0
 */
import { type AgentStore, MissingStore } from "@sessionport/agent"
import { Layout } from "@sessionport/package-format"
import { Context, Effect, Layer } from "effect"
import * as Activity from "./Activity.js"
import * as ClaudeHome from "./ClaudeHome.js"
import { ClaudeHomeError } from "./ClaudeHomeError.js"
import * as ClaudeSurface from "./ClaudeSurface.js"
import * as Exporter from "./Exporter.js"
import { HeadScanner } from "./internal/head.js"
import * as Installer from "./Installer.js"
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

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const home = yield* ClaudeHome.ClaudeHome
  const exporter = yield* Exporter.make
  const installer = yield* Installer.make
  return ClaudeStore.of({
    agent: Exporter.AGENT,
    displayName: "Claude Code",
    home: home.root,
    present: true,
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
    planInstall: installer.plan,
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
