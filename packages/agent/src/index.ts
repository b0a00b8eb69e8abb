/**
 * @sessionport/agent: the agent-neutral core. One interface every agent's store implements
 * ({@link AgentStore}), and export and install of packages over any set of agents.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as Agents from "./Agents.js"
/** @since 0.2.0 */
export * as AgentStore from "./AgentStore.js"
/** @since 0.2.0 */
export * as InstallWarnings from "./InstallWarnings.js"
/** @since 0.2.0 */
export * as Journals from "./Journals.js"
/** @since 0.2.0 */
export * as LocalId from "./LocalId.js"
/** @since 0.2.0 */
export * as MissingStore from "./MissingStore.js"
/** @since 0.2.0 */
export * as PackageExport from "./PackageExport.js"
/** @since 0.2.0 */
export * as PackageInstall from "./PackageInstall.js"
/** @since 0.2.0 */
export * as PackageSessions from "./PackageSessions.js"
/** @since 0.3.0 */
export * as RememberedMaps from "./RememberedMaps.js"
/** @since 0.6.0 */
export * as SecretGuard from "./SecretGuard.js"
/** @since 0.3.0 */
export * as ShownChanges from "./ShownChanges.js"
/** @since 0.3.0 */
export * as SessionList from "./SessionList.js"
/** @since 0.3.0 */
export * as SessionLookup from "./SessionLookup.js"
/** @since 0.3.0 */
export * as SessionRemoval from "./SessionRemoval.js"
