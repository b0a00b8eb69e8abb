/**
 * @sessionport/sync-cli: the `session-sync` command. Behaviour lives in @sessionport/lineage;
 * this package parses, calls it and renders.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
/** @since 0.1.0 */
export * as HomeCommand from "./HomeCommand.js"
/** @since 0.1.0 */
export * as Render from "./Render.js"
