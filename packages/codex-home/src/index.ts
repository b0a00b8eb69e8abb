/**
 * @sessionport/codex-home: the local Codex store (rollouts, `state_5.sqlite`,
 * `session_index.jsonl`) as Effect services.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as CodexHome from "./CodexHome.js"
/** @since 0.1.0 */
export * as CodexHomeError from "./CodexHomeError.js"
/** @since 0.2.0 */
export * as CodexLineage from "./CodexLineage.js"
/** @since 0.2.0 */
export * as CodexStore from "./CodexStore.js"
/** @since 0.1.0 */
export * as Exporter from "./Exporter.js"
/** @since 0.1.0 */
export * as Installer from "./Installer.js"
/** @since 0.3.0 */
export * as Remover from "./Remover.js"
/** @since 0.1.0 */
export * as SessionCatalog from "./SessionCatalog.js"
/** @since 0.1.0 */
export * as StateDb from "./StateDb.js"
