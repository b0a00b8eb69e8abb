/**
 * The names inside one machine's outbox (`DIR/<machine id>/`), and the shapes of the copies and
 * temps that sync engines leave next to them. Pure string work, no file system.
 */

/**
 * `<seq, 6+ digits>-<first 32 hex of the SHA-256>.tgz`, or `.tgz.age` for an encrypted one: the
 * only names a package may have.
 */
export const PACKAGE_NAME = /^(\d{6,})-([0-9a-f]{32})\.tgz(\.age)?$/

/** The extension of a package, and of an encrypted one. */
export const PLAIN_EXT = ".tgz"
export const ENCRYPTED_EXT = ".tgz.age"

/** The part of a package name before `.tgz` (or `.tgz.age`), as receipts list it. */
export const PACKAGE_STEM = /^\d{6,}-[0-9a-f]{32}$/

export const PACKAGES_DIR = "packages"
export const TMP_DIR = "tmp"
export const INDEX_FILE = "outbox.json"
export const RECEIPTS_FILE = "receipts.json"
export const README_FILE = "README.txt"

/** What a path inside an outbox is. */
export type Kind =
  | "package"
  | "index"
  | "receipts"
  | "readme"
  | "conflict_copy"
  | "engine_temp"
  | "own_temp"
  | "other"

/** The path's parts, whichever separator it was written with. */
export const segments = (relativePath: string): Array<string> => relativePath.split(/[\\/]+/).filter((part) => part !== "")

/**
 * Files that sync engines and desktops make in a synced folder: Syncthing's temps
 * (`.syncthing.x.tmp`, `~syncthing~x.tmp` on Windows) and folder markers, Office and LibreOffice
 * lock files (`~$x`, `.~lock.x#`), partial downloads (`x.partial`), Dropbox's own files, and the
 * desktop's (`.DS_Store`, `Thumbs.db`, `desktop.ini`). None of them is ever read.
 */
const ENGINE_FILE = [
  /^\.syncthing\..*\.tmp$/,
  /^~syncthing~.*\.tmp$/,
  /^\.st(?:folder|ignore|versions)$/,
  /^~\$/,
  /^\.~/,
  /\.partial$/,
  /^\.dropbox/,
  /^\.DS_Store$/,
  /^Thumbs\.db$/i,
  /^desktop\.ini$/i
]

export const isEngineFile = (name: string): boolean => ENGINE_FILE.some((shape) => shape.test(name))

/** Our own temps: `AtomicFile`'s `.x.tmp-<random>` and `PackageWriter`'s `x.tmp-<host>-<pid>-<random>`. */
export const isOwnTemp = (name: string): boolean => name.includes(".tmp-")

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * The conflict-copy shapes of `<stem><ext>` (a regex source for the stem, the extension as
 * written), each engine's own:
 * - Syncthing: `stem.sync-conflict-YYYYMMDD-HHMMSS-XXXXXXX.ext` (the device id part is absent
 *   in old versions);
 * - Dropbox (and Nextcloud): `stem (alice's conflicted copy 2026-01-02).ext`,
 *   `stem (Case Conflict).ext`;
 * - the generic copy of the file managers and of several engines: `stem (1).ext`;
 * - OneDrive: `stem-<PC name>.ext`, the computer's NetBIOS name (≤ 15 characters), maybe numbered
 *   (`stem-LAPTOP-2.ext`).
 */
const conflictShapes = (stem: string, ext: string): Array<RegExp> => {
  const e = escape(ext)
  return [
    new RegExp(`^(${stem})\\.sync-conflict-\\d{8}-\\d{6}(?:-[A-Z0-9]{7})?${e}$`),
    new RegExp(`^(${stem}) \\([^/\\\\]*(?:conflicted copy|case conflict)[^/\\\\]*\\)${e}$`, "i"),
    new RegExp(`^(${stem}) \\(\\d+\\)${e}$`),
    new RegExp(`^(${stem})-[A-Za-z0-9][A-Za-z0-9_-]{0,14}(?:-\\d+)?${e}$`)
  ]
}

const PACKAGE_STEM_SOURCE = "\\d{6,}-[0-9a-f]{32}"
/**
 * Each shape with the extension the copy stands for, appended to what its group captured. An
 * encrypted package's copy has the engine's text before `.tgz.age`, or (engines that take the
 * last extension, as Syncthing does) between `.tgz` and `.age`.
 */
const PACKAGE_CONFLICTS: ReadonlyArray<readonly [RegExp, string]> = [
  ...conflictShapes(PACKAGE_STEM_SOURCE, PLAIN_EXT).map((shape) => [shape, PLAIN_EXT] as const),
  ...conflictShapes(PACKAGE_STEM_SOURCE, ENCRYPTED_EXT).map((shape) => [shape, ENCRYPTED_EXT] as const),
  ...conflictShapes(`${PACKAGE_STEM_SOURCE}\\.tgz`, ".age").map((shape) => [shape, ".age"] as const)
]
const TOP_CONFLICTS: ReadonlyArray<readonly [string, Array<RegExp>]> = [
  [INDEX_FILE, conflictShapes("outbox", ".json")],
  [RECEIPTS_FILE, conflictShapes("receipts", ".json")],
  [README_FILE, conflictShapes("README", ".txt")]
]

/**
 * The file a conflict copy stands for (`packages/<name>.tgz`, `….tgz.age`, `outbox.json`, …), when
 * `relativePath` (inside an outbox) is one.
 */
export const conflictOf = (relativePath: string): string | undefined => {
  const parts = segments(relativePath)
  if (parts.length === 2 && parts[0] === PACKAGES_DIR) {
    for (const [shape, ext] of PACKAGE_CONFLICTS) {
      const match = shape.exec(parts[1]!)
      if (match !== null) return `${PACKAGES_DIR}/${match[1]}${ext}`
    }
  }
  if (parts.length === 1) {
    for (const [file, shapes] of TOP_CONFLICTS) {
      if (shapes.some((shape) => shape.test(parts[0]!))) return file
    }
  }
  return undefined
}

/** See {@link Kind}; `relativePath` is a path inside an outbox, `/` or `\` separated. */
export const classify = (relativePath: string): Kind => {
  const parts = segments(relativePath)
  const name = parts[parts.length - 1]
  if (name === undefined) return "other"
  // engines' files first: their temp of `outbox.json` must not pass for anything of ours
  if (isEngineFile(name)) return "engine_temp"
  if (parts[0] === TMP_DIR || isOwnTemp(name)) return "own_temp"
  if (parts.length === 1) {
    if (name === INDEX_FILE) return "index"
    if (name === RECEIPTS_FILE) return "receipts"
    if (name === README_FILE) return "readme"
  }
  if (parts.length === 2 && parts[0] === PACKAGES_DIR && PACKAGE_NAME.test(name)) return "package"
  return conflictOf(relativePath) === undefined ? "other" : "conflict_copy"
}
