/**
 * @sessionport/localize: path rules and the streaming transcript rewriter that carry Codex
 * sessions to another machine.
 *
 * @since 0.1.0
 */

/** @since 0.2.0 */
export * as Dialect from "./Dialect.js"
/** @since 0.1.0 */
export * as Neutralizer from "./Neutralizer.js"
/** @since 0.5.0 */
export * as PathMatch from "./PathMatch.js"
/** @since 0.1.0 */
export * as PathRules from "./PathRules.js"
/** @since 0.1.0 */
export * as Rewriter from "./Rewriter.js"
