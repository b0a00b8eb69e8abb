/**
 * @sessionport/journal: transactions over a Codex home (files, appended lines, SQLite rows)
 * with exact rollback and crash recovery.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Aborted from "./Aborted.js"
/** @since 0.1.0 */
export * as Journal from "./Journal.js"
/** @since 0.1.0 */
export * as JournalError from "./JournalError.js"
/** @since 0.1.0 */
export * as ReadOnly from "./ReadOnly.js"
/** @since 0.1.0 */
export * as SqlChange from "./SqlChange.js"
/** @since 0.1.0 */
export * as SqliteErrors from "./SqliteErrors.js"
/** @since 0.1.0 */
export * as TransactionRecord from "./TransactionRecord.js"
