/**
 * Which OpenCode project a directory belongs to on this machine, derived as OpenCode 1.18.33
 * derives it, so that an installed session lists with the project's other sessions:
 *
 * - the nearest `.git` above the directory (a folder or a file) makes it a repository, when git
 *   answers for it; its worktree is `git rev-parse --show-toplevel`, `vcs` `git`;
 * - its id is, first found: the `origin` remote's (`sha1("git-remote:<host>/<path>")`), the id
 *   OpenCode cached in `<git common dir>/opencode`, the smallest root commit of `HEAD`;
 * - elsewhere (no repository, or git cannot read it): `global`, worktree `/`, no vcs; a repository
 *   with no commit and no origin is `global` too, with its top folder as worktree.
 *
 * `session.path` is the directory relative to the worktree (`""` at its top; for `global` the
 * absolute path without its leading `/`). Nothing is written into the repository:
 * `.git/opencode` stays OpenCode's business.
 *
 * @since 0.2.0
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
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

const GLOBAL_PROJECT: ProjectFacts = { id: GLOBAL, worktree: "/", vcs: null }

const git = (cwd: string, args: ReadonlyArray<string>): string | undefined => {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim()
  } catch {
    return undefined
  }
}

/** The nearest folder at or above `start` holding an entry `.git`. */
const repositoryAbove = (start: string): string | undefined => {
  for (let dir = start; ; dir = Path.dirname(dir)) {
    if (fs.existsSync(Path.join(dir, ".git"))) return dir
    if (Path.dirname(dir) === dir) return undefined
  }
}

const SCP = /^([^@/:]+@)?([^/:]+):(.+)$/

/**
 * The project id of a remote URL, as OpenCode makes it: host (lower case, no port) and path (no
 * leading `/`, no trailing `.git` or `/`), hashed.
 *
 * @since 0.2.0
 * @category queries
 */
export const remoteId = (url: string): string | undefined => {
  let host: string | undefined
  let path: string | undefined
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== "file:" && parsed.hostname !== "") {
      host = parsed.hostname
      path = parsed.pathname
    }
  } catch {
    const match = SCP.exec(url)
    if (match !== null) {
      host = match[2]
      path = match[3]
    }
  }
  if (host === undefined || path === undefined) return undefined
  const clean = path.replace(/^\/+/, "").replace(/\.git\/?$/, "").replace(/\/+$/, "")
  // a bare host names no repository: OpenCode looks further (the cache, the root commit)
  if (host === "" || clean === "") return undefined
  return createHash("sha1").update(`git-remote:${host.toLowerCase()}/${clean}`).digest("hex")
}

const cachedId = (commonDir: string): string | undefined => {
  try {
    const text = fs.readFileSync(Path.join(commonDir, "opencode"), "utf8").trim()
    return text === "" ? undefined : text
  } catch {
    return undefined
  }
}

const realpathOr = (path: string): string => {
  try {
    return fs.realpathSync(path)
  } catch {
    return path
  }
}

/**
 * The project of `directory` (which need not exist: then it is `global`).
 *
 * @since 0.2.0
 * @category queries
 */
export const of = (directory: string): ProjectFacts => {
  const start = realpathOr(directory)
  const repo = fs.existsSync(start) ? repositoryAbove(start) : undefined
  if (repo === undefined) return GLOBAL_PROJECT
  const top = git(repo, ["rev-parse", "--show-toplevel"])
  const gitDir = git(repo, ["rev-parse", "--git-dir"])
  const commonDir = git(repo, ["rev-parse", "--git-common-dir"])
  if (gitDir === undefined || commonDir === undefined) return GLOBAL_PROJECT
  const worktree = realpathOr(top === undefined || top === "" ? repo : top)
  const origin = git(repo, ["remote", "get-url", "origin"])
  const roots = () =>
    git(repo, ["rev-list", "--max-parents=0", "HEAD"])?.split("\n").map((s) => s.trim()).filter((s) => s !== "").sort()[0]
  const id = (origin === undefined || origin === "" ? undefined : remoteId(origin)) ??
    cachedId(Path.resolve(repo, commonDir)) ?? roots()
  // a repository with no commit and no origin is `global`, but its sessions are still placed
  // relative to its top folder, as OpenCode does
  return { id: id ?? GLOBAL, worktree, vcs: "git" }
}

/**
 * `session.path`: the directory relative to the project's worktree, with `/` separators.
 *
 * @since 0.2.0
 * @category queries
 */
export const sessionPath = (project: ProjectFacts, directory: string): string =>
  Path.relative(project.worktree, directory).split(Path.sep).join("/")
