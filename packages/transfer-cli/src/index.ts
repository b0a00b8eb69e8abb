/**
 * @sessionport/transfer-cli: the `session-transfer` command. Behaviour lives in the libraries;
 * this package parses, calls them and renders.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as HomeCommand from "./HomeCommand.js"
