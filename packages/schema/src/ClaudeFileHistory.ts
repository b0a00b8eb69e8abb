/**
 * File history: Claude Code's backups of the files it edits, for `/rewind`
 * (`<CLAUDE_CONFIG_DIR>/file-history/<sessionId>/<backupFileName>`). A backup's name is the
 * first 16 hex digits of the SHA-256 of the file's absolute path (its UTF-8 bytes), `@v` and
 * the version: moving a session to another path renames its backups. `file-history-snapshot` and
 * `file-history-delta` lines name them (`backupFileName`, `null` for a file that did not exist
 * yet) with the file's folder (`realParentDir`).
 *
 * Facts: Claude Code 2.1.332's embedded JS
 * (`createHash("sha256").update(path).digest("hex").slice(0,16)+"@v"+version`, names matching
 * `/^[0-9a-f]{16}@v\d+$/`), checked against the backups it wrote.
 *
 * @since 0.2.0
 */
import { createHash } from "node:crypto"

/**
 * The backup file name of version `version` of the file at `absolutePath`.
 *
 * @since 0.2.0
 * @category encoding
 */
export const backupFileName = (absolutePath: string, version: number): string =>
  `${createHash("sha256").update(absolutePath, "utf8").digest("hex").slice(0, 16)}@v${version}`

const NAME = /^([0-9a-f]{16})@v(\d+)$/

/**
 * The hash and version of a backup file name, or `undefined` for another name.
 *
 * @since 0.2.0
 * @category decoding
 */
export const parseBackupFileName = (name: string): { readonly pathHash: string; readonly version: number } | undefined => {
  const match = NAME.exec(name)
  return match === null ? undefined : { pathHash: match[1]!, version: Number(match[2]) }
}
