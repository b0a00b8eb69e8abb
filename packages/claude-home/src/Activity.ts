/**
 * Whether Claude Code is running on a home, and may be writing a transcript while sessionport
 * would: install and sync refuse then, with one line naming the process.
 *
 * Two signs, either enough:
 * - `sessions/<pid>.json`, which an interactive Claude keeps while it runs, names a live process;
 * - (Linux) a running `claude` process whose configuration folder is this home (its
 *   `CLAUDE_CONFIG_DIR`, else `$HOME/.claude`), read from `/proc`.
 *
 * @since 0.2.0
 */
import { Processes } from "@sessionport/package-format"
import * as fs from "node:fs"
import * as Path from "node:path"

/** A Claude process found running on the home. @since 0.2.0 @category models */
export interface Running {
  readonly pid: number
  /** how it was found */
  readonly via: "session-file" | "process"
}

const readText = (path: string): string | undefined => {
  try {
    return fs.readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

const same = (a: string, b: string): boolean => {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p)
    } catch {
      return Path.resolve(p)
    }
  }
  return real(a) === real(b)
}

const fromSessionFiles = (runningDir: string): Array<Running> => {
  let names: Array<string>
  try {
    names = fs.readdirSync(runningDir)
  } catch {
    return []
  }
  const out: Array<Running> = []
  for (const name of names) {
    if (!name.endsWith(".json")) continue
    let pid = Number(name.slice(0, -5))
    if (!Number.isInteger(pid)) {
      try {
        pid = Number((JSON.parse(readText(Path.join(runningDir, name)) ?? "{}") as { pid?: unknown }).pid)
      } catch {
        continue
      }
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && Processes.pidAlive(pid)) out.push({ pid, via: "session-file" })
  }
  return out
}

const isClaude = (cmdline: string): boolean => {
  const args = cmdline.split("\0")
  const base = (arg: string | undefined) => (arg ?? "").split("/").pop() ?? ""
  return ["claude", "claude.exe"].includes(base(args[0])) ||
    // `node …/@anthropic-ai/claude-code/cli.js`
    (base(args[0]) === "node" && (args[1] ?? "").includes("@anthropic-ai/claude-code"))
}

const fromProcesses = (home: string): Array<Running> => {
  if (process.platform !== "linux") return []
  const out: Array<Running> = []
  for (const pid of Processes.otherPids()) {
    const cmdline = readText(`/proc/${pid}/cmdline`)
    if (cmdline === undefined || !isClaude(cmdline)) continue
    const environ = readText(`/proc/${pid}/environ`)
    if (environ === undefined) continue
    const env = new Map(environ.split("\0").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]))
    const config = env.get("CLAUDE_CONFIG_DIR") || (env.get("HOME") ? Path.join(env.get("HOME")!, ".claude") : undefined)
    if (config !== undefined && same(config, home)) out.push({ pid, via: "process" })
  }
  return out
}

/**
 * The Claude processes running on `home` (its `sessions/` folder is `runningDir`).
 *
 * @since 0.2.0
 * @category queries
 */
export const running = (home: string, runningDir: string): ReadonlyArray<Running> => {
  const found = new Map<number, Running>()
  for (const r of [...fromSessionFiles(runningDir), ...fromProcesses(home)]) if (!found.has(r.pid)) found.set(r.pid, r)
  return [...found.values()]
}
