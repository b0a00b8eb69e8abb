/**
 * @sessionport/opencode-home: the local OpenCode store (`opencode.db`) as an agent store: export,
 * install, sync, removal and rollback of single sessions, by rows, through the journal.
 *
 * Data flow: `SessionCatalog` reads a snapshot of the database (or the legacy JSON storage) →
 * `Exporter` renders each selected session's rows as a transcript into the package →
 * (another machine) the package is verified, each transcript checked line by line
 * (`internal/scan.ts`) → `Installer` checks the target's schema version, localizes, gives new ids
 * and inserts the rows through the journal; `Remover` takes local sessions away the same way →
 * `OpencodeStore` offers all of it, and repeat imports, to the agent-neutral core; `OpencodeJson`
 * writes sessions as `opencode export` files and reads such files as a package's part.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as Activity from "./Activity.js"
/** @since 0.2.0 */
export * as Exporter from "./Exporter.js"
/** @since 0.2.0 */
export * as Installer from "./Installer.js"
/** @since 0.2.0 */
export * as OpencodeData from "./OpencodeData.js"
/** @since 0.2.0 */
export * from "./OpencodeError.js"
/** @since 0.5.0 */
export * as OpencodeJson from "./OpencodeJson.js"
/** @since 0.2.0 */
export * as OpencodeStore from "./OpencodeStore.js"
/** @since 0.2.0 */
export * as OpencodeSurface from "./OpencodeSurface.js"
/** @since 0.2.0 */
export * as Project from "./Project.js"
/** @since 0.3.0 */
export * as Remover from "./Remover.js"
/** @since 0.2.0 */
export * as SessionCatalog from "./SessionCatalog.js"
