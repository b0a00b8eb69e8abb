/**
 * Whether OpenCode has a database open, and may be writing it while sessionport would: install
 * and sync refuse then, with one line naming the process. OpenCode keeps its database open for
 * as long as it runs (the TUI, `run`, `serve`), so an open file descriptor is the sign:
 *
 * - Linux: `/proc/<pid>/fd/*` links to the database or its `-wal`;
 * - elsewhere: `lsof -t` on those files, when `lsof` is there.
 *
 * An idle OpenCode holds no SQLite lock, so a lock probe would not see it.
 *
 * @since 0.2.0
 */
import { Processes } from "@sessionport/package-format"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"

/** A process holding the database open. @since 0.2.0 @category models */
export interface Holder {
  readonly pid: number
  /** its command name, when known */
  readonly command: string | undefined
}

const real = (path: string): string => {
  try {
    return fs.realpathSync(path)
  } catch {
    return path
  }
}

const readText = (path: string): string | undefined => {
  try {
    return fs.readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

const fromProc = (targets: ReadonlySet<string>): Array<Holder> => {
  const out: Array<Holder> = []
  for (const pid of Processes.otherPids()) {
    let fds: Array<string>
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      let link: string
      try {
        link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue
      }
      if (targets.has(link)) {
        out.push({ pid, command: readText(`/proc/${pid}/comm`)?.trim() })
        break
      }
    }
  }
  return out
}

const fromLsof = (files: ReadonlyArray<string>): Array<Holder> => {
  let text: string
  try {
    text = execFileSync("lsof", ["-t", "--", ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 })
  } catch (error) {
    // lsof answers 1 when no process has the files open
    text = String((error as { stdout?: unknown }).stdout ?? "")
  }
  return [...new Set(text.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number))]
    .filter((pid) => pid !== process.pid)
    .map((pid) => ({ pid, command: undefined }))
}

/**
 * The processes (other than this one) that have `database` open.
 *
 * @since 0.2.0
 * @category queries
 */
export const holders = (database: string): ReadonlyArray<Holder> => {
  const files = [database, `${database}-wal`].filter((file) => fs.existsSync(file)).map(real)
  if (files.length === 0) return []
  return process.platform === "linux" ? fromProc(new Set(files)) : fromLsof(files)
}
