/**
 * @since 0.1.0
 */

/**
 * A JSON-RPC 2.0 client for `codex app-server` over stdio: the query oracle for what Codex
 * itself sees (thread lists, metadata, turns) and the only way to fork, archive or name
 * a thread without the interactive UI.
 *
 * @since 0.1.0
 */
export * as AppServer from "./AppServer.js"

/**
 * Wall time and peak memory of a run, for benchmark scripts.
 *
 * @since 0.1.0
 */
export * as Bench from "./Bench.js"

/**
 * A child process run to its end (stdin closed, output collected, under a timeout), as both
 * oracles run their CLIs.
 *
 * @since 0.1.0
 */
export * as ChildRun from "./ChildRun.js"

/** Running a bundled bin as a user would. @since 0.1.0 */
export * as Cli from "./Cli.js"

/**
 * The real Codex CLI (the version pinned in this package), run against an isolated
 * `CODEX_HOME` and a scripted model provider.
 *
 * @since 0.1.0
 */
export * as CodexCli from "./CodexCli.js"

/**
 * Where a Codex home keeps its rollouts.
 *
 * @since 0.1.0
 */
export * as CodexHome from "./CodexHome.js"
/**
 * The two project folders the fixture generators run their CLI in (alpha a git repository).
 *
 * @since 0.1.0
 */
export * as FixtureProjects from "./FixtureProjects.js"
/** @since 0.2.0 */
export * as FixtureInventory from "./FixtureInventory.js"
/** @since 0.1.0 */
export * as Fixtures from "./Fixtures.js"
/** @since 0.1.0 */
export * as Harness from "./Harness.js"
/** @since 0.1.0 */
export * as HomeState from "./HomeState.js"
/** @since 0.1.0 */
export * as HostilePackages from "./HostilePackages.js"

/**
 * A scripted model server on loopback, whatever API it speaks: listening, recording requests,
 * the reply queue.
 *
 * @since 0.1.0
 */
export * as LoopbackServer from "./LoopbackServer.js"

/**
 * Output items of the OpenAI Responses API, as the scripted model sends them to Codex.
 *
 * @since 0.1.0
 */
export * as OutputItem from "./OutputItem.js"
/** @since 0.1.0 */
export * as PackageBuilders from "./PackageBuilders.js"
/**
 * A folder seen read-only (a read-only bind mount), for tests of a read-only Codex home.
 *
 * @since 0.1.0
 */
export * as ReadOnlyMount from "./ReadOnlyMount.js"

/**
 * A scripted OpenAI Responses endpoint on loopback, so the real Codex CLI runs offline.
 *
 * @since 0.1.0
 */
export * as ResponsesServer from "./ResponsesServer.js"
/**
 * Two real Syncthing instances on loopback keeping one folder in step (the sync engine of the
 * synced-folder tests), scoped.
 *
 * @since 0.4.0
 */
export * as Syncthing from "./Syncthing.js"
/** @since 0.1.0 */
export * as SyntheticHome from "./SyntheticHome.js"
/** @since 0.1.0 */
export * as SyntheticRollout from "./SyntheticRollout.js"
