/**
 * The home folder of the machine sessions were made on, inferred from their working
 * directories, for a package made here from another tool's archive (which does not say): the
 * `/home/<user>`, `/Users/<user>`, `C:\Users\<user>` (any drive letter case, either slash) or
 * `/root` that every one of them is in, as the first one writes it. Mixed homes, or a cwd in
 * none, infer nothing: then only `--map` and the `\Documents\` rule localize, and the
 * missing-folder warnings say which `--map` to add.
 */

const POSIX_HOME = /^(\/home\/[^/]+|\/Users\/[^/]+|\/root)(?=\/|$)/
const WINDOWS_HOME = /^([A-Za-z]:[\\/]Users[\\/][^\\/]+)(?=[\\/]|$)/i

/** A home prefix and the key it compares by (Windows: any case, either slash). */
const homeOf = (cwd: string): { readonly home: string; readonly key: string } | undefined => {
  const posix = POSIX_HOME.exec(cwd)?.[1]
  if (posix !== undefined) return { home: posix, key: posix }
  const windows = WINDOWS_HOME.exec(cwd)?.[1]
  return windows === undefined ? undefined : { home: windows, key: windows.replace(/\//g, "\\").toLowerCase() }
}

/** @internal */
export const inferHome = (cwds: ReadonlyArray<string>): string | undefined => {
  const homes = cwds.map(homeOf)
  const first = homes[0]
  if (first === undefined || homes.some((home) => home?.key !== first.key)) return undefined
  return first.home
}

/** The Codex home under an inferred home, in its own slash style. @internal */
export const codexHomeUnder = (home: string): string => `${home}${home.includes("\\") ? "\\" : "/"}.codex`

/** The platform a home's form tells (for `source.platform`): `win32`, `darwin`, or `linux`. @internal */
export const platformOf = (home: string | undefined): string =>
  home === undefined ? "unknown" : /^[A-Za-z]:/.test(home) ? "win32" : home.startsWith("/Users/") ? "darwin" : "linux"
