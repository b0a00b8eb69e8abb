/**
 * Warnings every agent's install gives the same way.
 *
 * @since 0.2.0
 */

/**
 * One warning per working directory that does not exist on this machine, however many sessions
 * use it.
 *
 * @since 0.2.0
 * @category warnings
 */
export const missingFolders = (
  planned: ReadonlyArray<{ readonly cwd: string; readonly cwdExists: boolean; readonly localId: string }>
): Array<string> => {
  const missing = new Map<string, Array<string>>()
  for (const p of planned) {
    if (p.cwdExists) continue
    const ids = missing.get(p.cwd)
    if (ids === undefined) missing.set(p.cwd, [p.localId])
    else ids.push(p.localId)
  }
  return [...missing].map(([cwd, ids]) =>
    `${cwd} (working directory of ${ids.length === 1 ? ids[0] : `${ids.length} sessions`}) does not exist on this machine; map it with --map FROM=TO`
  )
}
