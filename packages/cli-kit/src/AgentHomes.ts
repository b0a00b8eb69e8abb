/**
 * The agents sessionport knows, registered once for both CLIs: each agent's home (from
 * `--codex-home` / `--claude-home` / `--opencode-data`, their environment variables, or the
 * default), its store,
 * and the journals of all homes. A new agent is one store package plus its lines here.
 *
 * An agent whose home does not exist gets a store that exports nothing and refuses a package
 * holding its sessions with its home's own error (an export of every agent leaves it out, unless
 * its home was named on the command line).
 *
 * @since 0.2.0
 */
import { FileSystem, Path } from "@effect/platform"
import { Agents, Journals, MissingStore } from "@sessionport/agent"
import { ClaudeHome, ClaudeStore } from "@sessionport/claude-home"
import { CodexHome, CodexStore, Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { Journal } from "@sessionport/journal"
import { Dialect } from "@sessionport/localize"
import { OpencodeData, OpencodeStore } from "@sessionport/opencode-home"
import { Layout } from "@sessionport/package-format"
import type * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer, Option } from "effect"
import * as fs from "node:fs"

/** The home options of a command. @since 0.2.0 @category models */
export interface Homes {
  readonly codexHome: Option.Option<string>
  readonly claudeHome: Option.Option<string>
  readonly opencodeData: Option.Option<string>
}

/** The agents in registry order. @since 0.2.0 @category constants */
export const AGENTS: ReadonlyArray<string> = ["codex", "claude", "opencode"]

const codexConfig = (homes: Pick<Homes, "codexHome">) => Option.match(homes.codexHome, { onNone: () => ({}), onSome: (root) => ({ root }) })

/**
 * Every agent's home folder (whether or not it exists), in registry order.
 *
 * @since 0.2.0
 * @category constructors
 */
export const roots = (homes: Homes) =>
  Effect.map(CodexHome.resolveRoot(codexConfig(homes)), (codex) => [
    { agent: "codex", home: codex },
    { agent: "claude", home: ClaudeHome.make({ root: Option.getOrUndefined(homes.claudeHome) }).root },
    { agent: "opencode", home: OpencodeData.make({ root: Option.getOrUndefined(homes.opencodeData) }).root }
  ])

/**
 * The journals of every agent home.
 *
 * @since 0.2.0
 * @category layers
 */
export const journalsLayer = (homes: Homes): Layer.Layer<Journals.Journals, never, Path.Path> =>
  Layer.effect(Journals.Journals, Effect.map(roots(homes), Journals.make))

/**
 * The journal Codex-only work records in (the Codex home's, as it always was), for the services
 * that take one journal.
 *
 * @since 0.2.0
 * @category layers
 */
export const codexJournalLayer: Layer.Layer<Journal.Journal, never, Journals.Journals> = Layer.effect(
  Journal.Journal,
  Effect.map(Journals.Journals, (journals) => journals.forAgents(["codex"]))
)

/**
 * The Codex home's services (home, read-only database, installer, exporter, store).
 *
 * @since 0.2.0
 * @category layers
 */
export const codexLayer = (homes: Pick<Homes, "codexHome">) => {
  const home = CodexHome.layer(codexConfig(homes))
  const base = Layer.mergeAll(StateDb.layer({ mode: "read-only" }), codexJournalLayer).pipe(Layer.provideMerge(home))
  const services = Layer.mergeAll(Installer.layer, Exporter.layer).pipe(
    Layer.provideMerge(SessionCatalog.layer),
    Layer.provideMerge(base)
  )
  return CodexStore.layer.pipe(Layer.provideMerge(services))
}

/**
 * Every agent's store, a missing home's as a {@link MissingStore}.
 *
 * @since 0.2.0
 * @category layers
 */
export const agentsLayer = (
  homes: Homes
): Layer.Layer<Agents.Agents, never, Journals.Journals | FileSystem.FileSystem | Path.Path | Progress.Progress> =>
  Layer.scoped(
    Agents.Agents,
    Effect.gen(function*() {
      const [codexRoot] = yield* roots(homes)
      const codex = yield* Layer.build(codexLayer(homes)).pipe(
        Effect.map((context) => Context.get(context, CodexStore.CodexStore)),
        Effect.catchAll((error) =>
          Effect.succeed(MissingStore.make({
            agent: "codex",
            displayName: "Codex",
            home: codexRoot!.home,
            dialect: Dialect.codex,
            ownsEntry: Layout.isSessionEntry
          // a home named on the command line is wanted: its absence is said, not skipped
          }, error, Option.isSome(homes.codexHome) || !(error._tag === "CodexHomeError" && error.reason === "not_found")))
        )
      )
      const claudeRoot = ClaudeHome.make({ root: Option.getOrUndefined(homes.claudeHome) }).root
      const claude = fs.existsSync(claudeRoot)
        ? yield* Layer.build(ClaudeStore.layerHome({ root: claudeRoot })).pipe(
          Effect.map((context) => Context.get(context, ClaudeStore.ClaudeStore))
        )
        : ClaudeStore.missing(claudeRoot, Option.isSome(homes.claudeHome))
      const opencodeRoot = OpencodeData.make({ root: Option.getOrUndefined(homes.opencodeData) }).root
      const opencode = fs.existsSync(opencodeRoot)
        ? yield* Layer.build(OpencodeStore.layerData({ root: Option.getOrUndefined(homes.opencodeData) })).pipe(
          Effect.map((context) => Context.get(context, OpencodeStore.OpencodeStore))
        )
        : OpencodeStore.missing(opencodeRoot, Option.isSome(homes.opencodeData))
      return { stores: [codex, claude, opencode] }
    })
  )
