/**
 * @since 0.1.0
 */

/**
 * Content blocks of the Anthropic Messages API, as the scripted model sends them to Claude Code.
 *
 * @since 0.1.0
 */
export * as Block from "./Block.js"

/**
 * The real Claude Code CLI (the version pinned in this package) for one "machine".
 *
 * @since 0.1.0
 */
export * as ClaudeCli from "./ClaudeCli.js"

/**
 * Where a Claude Code config dir keeps its transcripts.
 *
 * @since 0.1.0
 */
export * as ClaudeHome from "./ClaudeHome.js"

/**
 * A scripted Anthropic Messages API on loopback, so the real Claude Code CLI runs offline.
 *
 * @since 0.1.0
 */
export * as MessagesServer from "./MessagesServer.js"

/**
 * The committed real-Claude fixtures (fixtures/claude) for tests.
 *
 * @since 0.1.0
 */
export * as Fixtures from "./Fixtures.js"

/**
 * A "machine" for a test: temp home, projects, scripted server, real Claude.
 *
 * @since 0.1.0
 */
export * as Harness from "./Harness.js"

/**
 * The interactive Claude Code TUI under tmux: the `/resume` picker and a prompt driver.
 *
 * @since 0.1.0
 */
export * as Picker from "./Picker.js"

/**
 * What the official Agent SDK reads from a Claude config dir.
 *
 * @since 0.1.0
 */
export * as SdkSessions from "./SdkSessions.js"

/**
 * A Claude Code config dir of many generated sessions (lines of the real fixtures), for benchmarks.
 *
 * @since 0.1.0
 */
export * as SyntheticClaude from "./SyntheticClaude.js"
