/**
 * @since 0.1.0
 */

/**
 * A scripted OpenAI-compatible Chat Completions API on loopback, so the real OpenCode CLI runs offline.
 *
 * @since 0.1.0
 */
export * as ChatServer from "./ChatServer.js"

/**
 * The real OpenCode CLI (the version pinned in this package) for one "machine".
 *
 * @since 0.1.0
 */
export * as OpencodeCli from "./OpencodeCli.js"

/**
 * The committed real-OpenCode fixtures (fixtures/opencode) for tests.
 *
 * @since 0.1.0
 */
export * as Fixtures from "./Fixtures.js"

/**
 * A "machine" for a test: home, XDG folders, projects, a scripted server and the real OpenCode.
 *
 * @since 0.1.0
 */
export * as Harness from "./Harness.js"
