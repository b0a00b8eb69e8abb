/**
 * When a process started, as a string compared for equality: it tells the process a lock names
 * from a later one that was given the same pid (pids are reused, quickly in containers).
 *
 * - Linux: field 22 of `/proc/<pid>/stat` (clock ticks since boot), after the boot id.
 * - macOS and the BSDs: `ps -o lstart=` (to the second), in UTC and the C locale, so every
 *   process reads the same text whatever its environment.
 * - Elsewhere (Windows), or when it cannot be read: `undefined`.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"

let bootId: Promise<string> | undefined

const linux = async (pid: number): Promise<string | undefined> => {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8")
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, the fields after it do not
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = fields[22 - 3]
  if (ticks === undefined || !/^\d+$/.test(ticks)) return undefined
  bootId ??= fs.readFile("/proc/sys/kernel/random/boot_id", "utf8").then((text) => text.trim(), () => "")
  return `linux:${await bootId}:${ticks}`
}

const ps = (pid: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile(
      "ps",
      ["-o", "lstart=", "-p", String(pid)],
      { env: { ...process.env, LC_ALL: "C", TZ: "UTC" }, timeout: 5_000 },
      (error, stdout) => {
        const text = stdout.trim().replace(/\s+/g, " ")
        resolve(error === null && text !== "" ? `ps:${text}` : undefined)
      }
    )
  })

/**
 * @internal
 * `pid`'s start, or `undefined` when it cannot be read (no such process, no way to tell).
 * `platform` is for tests (`ps` runs on Linux too).
 */
export const processStart = (pid: number, platform: NodeJS.Platform = process.platform): Promise<string | undefined> =>
  (platform === "linux" || platform === "android" ? linux(pid) : platform === "win32" ? Promise.resolve(undefined) : ps(pid)).catch(() =>
    undefined
  )
