/**
 * Which OpenCode project a directory belongs to on this machine, derived as OpenCode derives it,
 * so that an installed session lists with the project's other sessions:
 *
 * - in a git repository: its id is the repository's root commit (the oldest of
 *   `git rev-list --max-parents=0 --all`, or the id OpenCode cached in `.git/opencode`), its
 *   worktree the repository's top folder, `vcs` `git`;
 * - elsewhere (or where git is missing): `global`, worktree `/`, no vcs.
 *
 * `session.path` is the directory relative to the worktree (`""` at its top). Nothing is
 * written into the repository: `.git/opencode` stays OpenCode's business.
 *
 * @since 0.2.0
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as Path from "node:path"

/** @since 0.2.0 @category constants */
export const GLOBAL = "global"

/** @since 0.2.0 @category models */
export interface ProjectFacts {
  readonly id: string
  readonly worktree: string
  readonly vcs: "git" | null
}

const git = (cwd: string, args: ReadonlyArray<string>): string | undefined => {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim()
  } catch {
    return undefined
  }
}

const isDirectory = (path: string): boolean => {
  try {
    return fs.statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** The id OpenCode cached in the repository, when it did. */
const cachedId = (gitDir: string): string | undefined => {
  try {
    const text = fs.readFileSync(Path.join(gitDir, "opencode"), "utf8").trim()
    return text === "" ? undefined : text
  } catch {
    return undefined
  }
}

/**
 * The project of `directory` (which need not exist: then it is `global`).
 *
 * @since 0.2.0
 * @category queries
 */
export const of = (directory: string): ProjectFacts => {
  const global: ProjectFacts = { id: GLOBAL, worktree: "/", vcs: null }
  if (!isDirectory(directory)) return global
  const top = git(directory, ["rev-parse", "--show-toplevel"])
  const commonDir = git(directory, ["rev-parse", "--path-format=absolute", "--git-common-dir"])
  if (top === undefined || top === "" || commonDir === undefined) return global
  const cached = cachedId(commonDir)
  const roots = cached === undefined ? git(directory, ["rev-list", "--max-parents=0", "--all"]) : undefined
  const id = cached ?? roots?.split("\n").map((s) => s.trim()).filter((s) => s !== "").sort()[0]
  if (id === undefined) return global
  return { id, worktree: top, vcs: "git" }
}

/**
 * `session.path`: the directory relative to the project's worktree, with `/` separators.
 *
 * @since 0.2.0
 * @category queries
 */
export const sessionPath = (project: ProjectFacts, directory: string): string =>
  Path.relative(project.worktree, directory).split(Path.sep).join("/")
