/**
 * @sessionport/package-format: the one interface transfer and sync share.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AtomicFile from "./AtomicFile.js"
/** @since 0.1.0 */
export * as Credentials from "./Credentials.js"
/** @since 0.6.0 */
export * as Encryption from "./Encryption.js"
/** @since 0.1.0 */
export * as FileChunks from "./FileChunks.js"
/** @since 0.1.0 */
export * as FormatVersion from "./FormatVersion.js"
/** @since 0.1.0 */
export * as Layout from "./Layout.js"
/** @since 0.1.0 */
export * as Manifest from "./Manifest.js"
/** @since 0.1.0 */
export * as Outbox from "./Outbox.js"
/** @since 0.1.0 */
export * as PackageDocs from "./PackageDocs.js"
/** @since 0.1.0 */
export * as PackageError from "./PackageError.js"
/** @since 0.1.0 */
export * as PackageInspection from "./PackageInspection.js"
/** @since 0.1.0 */
export * as PackageReader from "./PackageReader.js"
/** @since 0.1.0 */
export * as PackageWriter from "./PackageWriter.js"
/** @since 0.1.0 */
export * as PathLocalization from "./PathLocalization.js"
/** @since 0.5.0 */
export * as PeerArchive from "./PeerArchive.js"
/** @since 0.1.0 */
export * as Processes from "./Processes.js"
/** @since 0.1.0 */
export * as Producer from "./Producer.js"
/** @since 0.1.0 */
export * as Progress from "./Progress.js"
/** @since 0.1.0 */
export * as RewriteSurface from "./RewriteSurface.js"
