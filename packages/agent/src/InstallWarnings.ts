/**
 * Warnings every agent's install gives the same way.
 *
 * @since 0.2.0
 */

/**
 * One warning per working directory that does not exist on this machine, however many sessions
 * use it, with advice that fits: a folder the source path was mapped or localized to is to be
 * created, or its source mapped elsewhere; a folder taken as it was is to be mapped.
 *
 * @since 0.2.0
 * @category warnings
 */
export const missingFolders = (
  planned: ReadonlyArray<{ readonly cwd: string; readonly sourceCwd: string; readonly cwdExists: boolean; readonly localId: string }>
): Array<string> => {
  const missing = new Map<string, { readonly sourceCwd: string; readonly ids: Array<string> }>()
  for (const p of planned) {
    if (p.cwdExists) continue
    const known = missing.get(p.cwd)
    if (known === undefined) missing.set(p.cwd, { sourceCwd: p.sourceCwd, ids: [p.localId] })
    else known.ids.push(p.localId)
  }
  return [...missing].map(([cwd, { ids, sourceCwd }]) => {
    const whose = `working directory of ${ids.length === 1 ? ids[0] : `${ids.length} sessions`}`
    return sourceCwd === cwd
      ? `${cwd} (${whose}) does not exist on this machine; map it to a folder here with --map ${quoted(cwd)}=FOLDER`
      : `${cwd} (${whose}, from ${sourceCwd}) does not exist on this machine; create it, or map ${quoted(sourceCwd)} to another folder with --map ${quoted(sourceCwd)}=FOLDER`
  })
}

/** A path as a shell takes it (single-quoted when it holds anything but plain characters). */
const quoted = (path: string): string => /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`
