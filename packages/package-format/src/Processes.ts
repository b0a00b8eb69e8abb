/**
 * Whether the process that left something behind (a lock, a temp file) still runs: shared by
 * the package writer's temps and the journal's lock; and the other processes of this machine,
 * for the agent stores that tell whether their agent runs.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"

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

/**
 * The pids of the other processes of this machine, as Linux's `/proc` lists them (empty where
 * there is no `/proc`).
 *
 * @since 0.2.0
 * @category queries
 */
export const otherPids = (): Array<number> => {
  try {
    return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid)
  } catch {
    return []
  }
}
