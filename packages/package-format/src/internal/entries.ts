/**
 * Rules every entry name obeys, shared by the writer (last guard) and the reader (first guard),
 * so a package the writer accepts is one the reader accepts.
 */
import { nameRule } from "../Credentials.js"
import { isAgentFolder, isSessionEntry, isSkillEntry, knownFiles, parseAgentEntry, SESSIONS_DIR, SKILLS_DIR } from "../Layout.js"

const WINDOWS_DRIVE = /^[A-Za-z]:/

/**
 * Why a name could reach outside the folder it is unpacked into (NUL, backslash, absolute, a `..`
 * segment), or `undefined`. Judged on an archive's raw names, before any prefix is stripped.
 */
export const escapeReason = (name: string): string | undefined => {
  if (name.includes("\0")) return "name contains NUL"
  if (name.includes("\\")) return "name contains a backslash"
  if (name.startsWith("/") || WINDOWS_DRIVE.test(name)) return "absolute path"
  if (name.split("/").includes("..")) return "path contains a '..' segment"
  return undefined
}

/** Why a (file or folder) entry name is unsafe, or `undefined` when it is a normalized relative POSIX path. */
export const unsafeReason = (name: string): string | undefined => {
  if (name.length === 0) return "empty name"
  const escape = escapeReason(name)
  if (escape !== undefined) return escape
  // "./a", "a//b", "a/" and "a/./b" are all refused: one spelling per file
  if (name.split("/").some((segment) => segment === "" || segment === ".")) return "path is not normalized"
  return undefined
}

const knownFileSet: ReadonlySet<string> = new Set(knownFiles)

/** The folders above an entry, outermost first: `a/b/c` gives `a`, `a/b`. */
export const parents = (entry: string): Array<string> => {
  const segments = entry.split("/")
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join("/"))
}

const layoutDirs: ReadonlySet<string> = new Set([SESSIONS_DIR, SKILLS_DIR, ...knownFiles.flatMap(parents)])

/**
 * What a file entry is, by the layout: `session` is a transcript (Codex's `sessions/*`, another
 * agent's `transcript.jsonl`); `session-file` another file of an agent's session, hashed only.
 */
export type FileKind = "metadata" | "session" | "skill" | "session-file"

export type Classified =
  | { readonly kind: FileKind }
  | { readonly refused: "credential_file" | "unexpected_file"; readonly detail: string }

/** Why a file that looks like a credential is refused (a skill file could have been allowed). */
export const credentialDetail = (rule: string, entry: string): string =>
  `looks like a credential (${rule}): credential files never travel in a package` +
  (isSkillEntry(entry) ? " unless export's --allow-file names them" : "")

/**
 * The kind of a (safe) file entry, or why it does not belong in a package. A skill file named
 * like a credential is a skill here: its sender may have allowed it, which the reader learns from
 * the manifest and the writer from its options.
 */
export const classifyFile = (entry: string): Classified => {
  if (isSkillEntry(entry)) return { kind: "skill" }
  const credential = nameRule(entry)
  if (credential !== undefined) return { refused: "credential_file", detail: credentialDetail(credential, entry) }
  if (knownFileSet.has(entry)) return { kind: "metadata" }
  if (isSessionEntry(entry)) return { kind: "session" }
  if (entry.startsWith(`${SESSIONS_DIR}/`)) {
    return { refused: "unexpected_file", detail: "sessions/ is flat: nested folders are not part of the layout" }
  }
  const agent = parseAgentEntry(entry)
  if (agent !== undefined) {
    return { kind: agent.kind === "metadata" ? "metadata" : agent.kind === "transcript" ? "session" : "session-file" }
  }
  return { refused: "unexpected_file", detail: "not part of the package layout" }
}

/** Why a (safe) folder entry does not belong in a package, or `undefined`. */
export const folderRefusal = (entry: string): string | undefined => {
  if (layoutDirs.has(entry) || isSkillEntry(entry) || isAgentFolder(entry)) return undefined
  if (parseAgentEntry(`${entry}/x`)?.kind === "session-file") return undefined
  if (entry.startsWith(`${SESSIONS_DIR}/`)) return "sessions/ is flat: nested folders are not part of the layout"
  return "not part of the package layout"
}

/** Two names that differ only by case or Unicode normalization land on one file on macOS and Windows. */
export const collisionKey = (entry: string): string => entry.normalize("NFC").toLowerCase()

/**
 * Tracks names already taken, files and folders (explicit or implied by a file below them), by
 * collision key. `add` answers the earlier name a new one collides with.
 */
export class NameSet {
  private readonly files = new Map<string, string>()
  private readonly folders = new Map<string, string>()
  private readonly explicitFolders = new Set<string>()

  addFile(entry: string): string | undefined {
    const key = collisionKey(entry)
    const clash = this.files.get(key) ?? this.folders.get(key)
    if (clash !== undefined) return clash
    for (const parent of parents(entry)) {
      const parentClash = this.files.get(collisionKey(parent))
      if (parentClash !== undefined) return parentClash
    }
    this.files.set(key, entry)
    for (const parent of parents(entry)) {
      const parentKey = collisionKey(parent)
      if (!this.folders.has(parentKey)) this.folders.set(parentKey, parent)
    }
    return undefined
  }

  addFolder(entry: string): string | undefined {
    const key = collisionKey(entry)
    const clash = this.files.get(key)
    if (clash !== undefined) return clash
    if (this.explicitFolders.has(key)) return this.folders.get(key) ?? entry
    for (const parent of [...parents(entry), entry]) {
      const parentKey = collisionKey(parent)
      const fileClash = this.files.get(parentKey)
      if (fileClash !== undefined) return fileClash
      if (!this.folders.has(parentKey)) this.folders.set(parentKey, parent)
    }
    this.explicitFolders.add(key)
    return undefined
  }
}

/** `a clashes with b` detail for a duplicate. */
export const duplicateDetail = (entry: string, earlier: string): string =>
  earlier === entry
    ? "appears twice"
    : `collides with ${earlier} on case-insensitive file systems`
