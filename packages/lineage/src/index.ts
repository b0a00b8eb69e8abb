/**
 * @sessionport/lineage: repeat imports. Fingerprints of rollout records that survive
 * localization, the classification of an incoming session against the local ones, the sync
 * sidecar, and the syncer that applies a package as one journaled transaction.
 *
 * The exchange through a synced folder builds on the syncer:
 * - `Push`: the stores' listings, less what this machine pushed (its `outbox.json`) or pulled
 *   (`ExchangeState` marks), are exported into one package in its own outbox, then indexed;
 * - `Pull`: every other outbox's index, less what the homes took (`ExchangeState` receipts), is
 *   file-checked, then each package goes through `Syncer.prepare` and its writes into one
 *   transaction with the receipts and marks; `receipts.json` after the commit;
 * - `Compaction`: a package superseded in its outbox and in every known machine's receipts goes;
 * - `ExchangeStatus` reads all of it; `MachineConfig` is the machine's id and folder.
 *
 * @since 0.1.0
 */

/** @since 0.4.0 */
export * as Compaction from "./Compaction.js"
/** @since 0.1.0 */
export * as Comparison from "./Comparison.js"
/** @since 0.4.0 */
export * as ExchangeError from "./ExchangeError.js"
/** @since 0.4.0 */
export * as ExchangeLog from "./ExchangeLog.js"
/** @since 0.4.0 */
export * as ExchangeState from "./ExchangeState.js"
/** @since 0.4.0 */
export * as ExchangeStatus from "./ExchangeStatus.js"
/** @since 0.1.0 */
export * as Fingerprint from "./Fingerprint.js"
/** @since 0.1.0 */
export * as LineageError from "./LineageError.js"
/** @since 0.4.0 */
export * as MachineConfig from "./MachineConfig.js"
/** @since 0.1.0 */
export * as Maintenance from "./Maintenance.js"
/** @since 0.3.0 */
export * as PackageStatus from "./PackageStatus.js"
/** @since 0.4.0 */
export * as Push from "./Push.js"
/** @since 0.4.0 */
export * as Pull from "./Pull.js"
/** @since 0.5.0 */
export * as Redaction from "./Redaction.js"
/** @since 0.1.0 */
export * as Sidecar from "./Sidecar.js"
/** @since 0.1.0 */
export * as Syncer from "./Syncer.js"
