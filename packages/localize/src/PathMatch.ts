/**
 * Path matching for the options that select by folder (`--cwd`) and name a source folder
 * (`--map FROM`): two paths name the same folder when their {@link keyOf keys} are equal, and a
 * session's cwd lies in a folder when its key is the folder's or continues it after a separator.
 *
 * Paths are compared as the source machine wrote them. A Windows path (`C:\…`, `C:/…`, `\\server\
 * share`, `\\?\…`) is a Windows path on any host: `/` and `\` alike, separator runs and `.`/`..`
 * resolved, in any case (NTFS is case-insensitive, the drive letter too). A POSIX path stays
 * case-sensitive. A POSIX path never matches a Windows one.
 *
 * A folder given in the other platform's style (`C:\Users\alice` on Linux) names a folder of
 * another machine: it is taken as written, never resolved against this one. A folder in this
 * host's style, or relative, is resolved here, and matches by its resolved path and by its
 * target when it is a symbolic link (agents record the canonical cwd).
 *
 * @since 0.5.0
 */
import * as fs from "node:fs"
import * as nodePath from "node:path"
import * as Paths from "./internal/paths.js"
import type { Platform } from "./PathRules.js"

/**
 * What this machine is, for {@link folders}: its path style and how it reads a path given here.
 *
 * @since 0.5.0
 * @category models
 */
export interface Host {
  readonly platform: Platform
  /** an absolute path of a relative one (the working directory's) */
  readonly resolve: (path: string) => string
  /** the target of a symbolic link, `undefined` when the path cannot be resolved (missing) */
  readonly realpath: (path: string) => string | undefined
}

/**
 * This process's machine.
 *
 * @since 0.5.0
 * @category constructors
 */
export const host: Host = {
  platform: process.platform === "win32" ? "windows" : "posix",
  resolve: (path) => nodePath.resolve(path),
  realpath: (path) => {
    try {
      return fs.realpathSync(path)
    } catch {
      return undefined
    }
  }
}

/**
 * The key of an absolute path, `undefined` for anything else (relative, empty, `~`).
 *
 * - `\\?\` and `\\?\UNC\` are stripped;
 * - Windows (`X:`, `X:\`, `X:/`, `\\`): `/` read as `\`, separator runs collapsed (the UNC `\\`
 *   kept), `.` and `..` resolved, trailing separators trimmed (a drive's root keeps its own:
 *   `c:\`), lower case;
 * - POSIX (`/`): `//` read as `/`, `.` and `..` resolved, trailing `/` trimmed (the root stays `/`).
 *
 * @since 0.5.0
 * @category keys
 */
export const keyOf = (path: string): string | undefined => {
  const stripped = Paths.stripLongPrefix(path)
  const style = Paths.styleOf(stripped)
  if (style === undefined) return undefined
  // a UNC path's leading `\\` is a root of its own: collapsed to `\` with the rest, then given back
  const collapsed = style === "posix"
    ? stripped.replace(/\/{2,}/g, "/")
    : `${stripped.startsWith("\\\\") ? "\\" : ""}${stripped.replace(/[\\/]+/g, "\\")}`
  const trimmed = Paths.trimTrailing(Paths.normalize(collapsed, style), style)
  return style === "windows" ? Paths.foldWindows(trimmed) : trimmed
}

/**
 * The keys of folders given on this host's command line (`--cwd`). An argument in the other
 * platform's style is one key, as written; any other is resolved here (relative to the working
 * directory), and also stands for its symbolic link's target. Arguments that give no key are
 * dropped; the keys come once each.
 *
 * @since 0.5.0
 * @category keys
 */
export const folders = (args: ReadonlyArray<string>, on: Host = host): ReadonlyArray<string> => {
  const keys = new Set<string>()
  const add = (path: string | undefined) => {
    const key = path === undefined ? undefined : keyOf(path)
    if (key !== undefined) keys.add(key)
  }
  for (const arg of args) {
    const style = Paths.styleOf(Paths.stripLongPrefix(arg))
    if (style !== undefined && style !== on.platform) {
      add(arg)
      continue
    }
    const resolved = on.resolve(arg)
    add(resolved)
    add(on.realpath(resolved))
  }
  return [...keys]
}

/**
 * Whether a session's cwd is one of the folders ({@link keyOf keys}, e.g. of {@link folders}) or
 * lies inside one, at a separator (`C:\a\bc` is not inside `C:\a\b`; a root holds everything on
 * its drive). A cwd that is not absolute matches nothing.
 *
 * @since 0.5.0
 * @category matching
 */
export const matches = (cwd: string, keys: ReadonlyArray<string>): boolean => {
  const key = keyOf(cwd)
  if (key === undefined) return false
  for (const folder of keys) {
    if (key === folder) return true
    if (!key.startsWith(folder)) continue
    const separator = Paths.styleOf(folder) === "windows" ? 92 /* \ */ : 47 /* / */
    // a root (`/`, `c:\`) ends with its separator already
    if (folder.charCodeAt(folder.length - 1) === separator || key.charCodeAt(folder.length) === separator) return true
  }
  return false
}
