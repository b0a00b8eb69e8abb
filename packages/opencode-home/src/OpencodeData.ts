/**
 * Where OpenCode keeps its sessions on this machine: `--opencode-data`, else
 * `$XDG_DATA_HOME/opencode`, else `~/.local/share/opencode`; the database is `opencode.db` there,
 * or `$OPENCODE_DB` (as OpenCode itself resolves it).
 *
 * ```
 * <data>/
 *   opencode.db (-wal, -shm)     every project, session, message, part and todo (SQLite, WAL)
 *   snapshot/<project>/<hash>/   git folders for undo (never carried)
 *   storage/                     the JSON layout of OpenCode ≤ 1.1 (exported, read-only)
 *   sessionport/                 sessionport's own: the journal and the lineage sidecar
 * ```
 *
 * @since 0.2.0
 */
import { Context, Layer } from "effect"
import * as os from "node:os"
import * as Path from "node:path"

/** @since 0.2.0 @category constants */
export const DATABASE = "opencode.db"
/** @since 0.2.0 @category constants */
export const LEGACY_STORAGE = "storage"

/** @since 0.2.0 @category models */
export interface OpencodeDataConfig {
  /** the CLI's `--opencode-data`; wins over `XDG_DATA_HOME` and `~/.local/share` */
  readonly root?: string | undefined
  /** the database; default `$OPENCODE_DB`, else `<root>/opencode.db` */
  readonly database?: string | undefined
}

/** @since 0.2.0 @category models */
export interface OpencodeDataShape {
  readonly root: string
  readonly database: string
  /** the JSON storage of OpenCode ≤ 1.1 */
  readonly legacyStorage: string
}

/** @since 0.2.0 @category tags */
export class OpencodeData extends Context.Tag("@sessionport/opencode-home/OpencodeData")<OpencodeData, OpencodeDataShape>() {}

const env = (name: string): string | undefined => {
  const value = process.env[name]
  return value === undefined || value === "" ? undefined : value
}

/**
 * The data folder for `config` (nothing is read).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (config: OpencodeDataConfig = {}): OpencodeDataShape => {
  const dataHome = env("XDG_DATA_HOME") ?? Path.join(os.homedir(), ".local", "share")
  const root = Path.resolve(config.root ?? Path.join(dataHome, "opencode"))
  // OPENCODE_DB names the database of the default data folder; a folder named here has its own
  const named = config.database ?? (config.root === undefined ? env("OPENCODE_DB") : undefined)
  return {
    root,
    database: named === undefined ? Path.join(root, DATABASE) : Path.resolve(root, named),
    legacyStorage: Path.join(root, LEGACY_STORAGE)
  }
}

/** @since 0.2.0 @category layers */
export const layer = (config: OpencodeDataConfig = {}): Layer.Layer<OpencodeData> => Layer.sync(OpencodeData, () => make(config))
