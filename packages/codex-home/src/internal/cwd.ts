/** @internal `/` always, `\` too on Windows, where Codex writes either. */
export const isSeparator = (char: string, windows: boolean): boolean => char === "/" || (windows && char === "\\")

/** @internal trailing separators dropped, except the one of a root (`/`, `C:\`). */
export const trimTrailingSeparators = (path: string, windows: boolean): string => {
  let end = path.length
  while (end > 1 && isSeparator(path[end - 1]!, windows)) {
    // keep `C:\`
    if (windows && end === 3 && path[1] === ":") break
    end--
  }
  return path.slice(0, end)
}

/**
 * @internal
 * `cwd` equals `folder` or lies inside it, at a path boundary (`/a/bc` is not inside `/a/b`).
 * Both sides are already normalized.
 */
export const isSameOrInside = (cwd: string, folder: string, windows: boolean): boolean => {
  if (cwd === folder) return true
  if (!cwd.startsWith(folder)) return false
  // a root like `/` or `C:\` already ends with a separator
  if (isSeparator(folder[folder.length - 1]!, windows)) return true
  return isSeparator(cwd[folder.length]!, windows)
}
