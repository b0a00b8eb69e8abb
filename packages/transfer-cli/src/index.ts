/**
 * @sessionport/transfer-cli: the `session-transfer` command. Behaviour lives in the libraries;
 * this package parses, calls them and renders.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Failure from "./Failure.js"
/** @since 0.1.0 */
export * as Options from "./Options.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
/** @since 0.1.0 */
export * as PlainConsole from "./PlainConsole.js"
/** @since 0.1.0 */
export * as TerminalProgress from "./TerminalProgress.js"
