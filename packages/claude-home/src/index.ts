/**
 * @sessionport/claude-home: the local Claude Code store (`~/.claude`) as an agent store of
 * `@sessionport/agent`.
 *
 * Export: `SessionCatalog` lists `projects/*\/*.jsonl` (one pass over each selected transcript),
 * `Exporter` streams the selected sessions' files into the package. Install: the package's
 * transcripts are scanned while it is verified (`ClaudeStore.scan`), `Installer` places each
 * session in the project folder of its localized working directory under a new id, rewriting its
 * transcripts on `ClaudeSurface`, and appends its history lines, all in the caller's transaction.
 * Cleanup: `Remover` plans the removal of local sessions (every file of each and its history
 * lines), written in the caller's transaction so that a rollback brings them back.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as Activity from "./Activity.js"
/** @since 0.2.0 */
export * as ClaudeHome from "./ClaudeHome.js"
/** @since 0.2.0 */
export * as ClaudeHomeError from "./ClaudeHomeError.js"
/** @since 0.2.0 */
export * as ClaudeStore from "./ClaudeStore.js"
/** @since 0.2.0 */
export * as ClaudeSurface from "./ClaudeSurface.js"
/** @since 0.2.0 */
export * as Exporter from "./Exporter.js"
/** @since 0.2.0 */
export * as Installer from "./Installer.js"
/** @since 0.3.0 */
export * as Remover from "./Remover.js"
/** @since 0.2.0 */
export * as SessionCatalog from "./SessionCatalog.js"
