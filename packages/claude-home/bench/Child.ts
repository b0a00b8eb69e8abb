// Helpers of the Claude benchmarks (install.ts, sync.ts): the shared child-process runner
// (`@sessionport/codex-oracle/BenchChild`) and the generated Claude source machine.
import { writeConfigDir } from "@sessionport/claude-oracle/SyntheticClaude"
import { type Store, targetHome } from "@sessionport/codex-oracle/BenchChild"
import * as fs from "node:fs"
import * as path from "node:path"

export * from "@sessionport/codex-oracle/BenchChild"

/** Sessions per project folder and bytes per session of the generated source machine. */
export const PROJECTS = 4
export const BYTES_PER_SESSION = 100 * 1024

/**
 * The source machine of a benchmark: HOME `<dir>/src`, its Claude config dir with `count`
 * generated sessions in {@link PROJECTS} project folders.
 */
export const sourceMachine = async (dir: string, count: number) => {
  const srcHome = path.join(dir, "src")
  const srcConfig = path.join(srcHome, ".claude")
  const srcProjects = path.join(srcHome, "projects")
  const cwds = Array.from({ length: PROJECTS }, (_, k) => path.join(srcProjects, `p${k}`))
  for (const cwd of cwds) fs.mkdirSync(cwd, { recursive: true })
  const sessions = await writeConfigDir(srcConfig, { sessions: count, bytesPerSession: BYTES_PER_SESSION, cwds, home: srcHome })
  return { srcHome, srcConfig, srcProjects, cwds, sessions }
}

/**
 * A target machine of a benchmark: HOME `home` with an empty config dir `<home>/.claude` and the
 * project folders `<home>/projects/p…`, onto which `--map` puts the source's `srcProjects`.
 */
export const targetMachine = (home: string, srcProjects: string): Store =>
  targetHome(home, (h) => {
    const folder = path.join(h, ".claude")
    fs.mkdirSync(folder, { recursive: true })
    return { options: ["--claude-home", folder], folder }
  }, PROJECTS, srcProjects)
