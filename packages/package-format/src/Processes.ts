/**
 * Whether the process that left something behind (a lock, a temp file) still runs: shared by
 * the package writer's temps and the journal's lock.
 *
 * @since 0.1.0
 */

/**
 * Whether a process with this pid runs on this machine (another user's counts).
 *
 * @since 0.1.0
 * @category predicates
 */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive, another user's
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
