/**
 * The project id of a directory, as OpenCode 1.18.33 derives it (`Project.resolve`): the origin
 * remote's hash, else the id cached in `.git/opencode`, else the smallest root commit of HEAD,
 * else `global`. Expected ids are computed here (sha1 of `git-remote:<host>/<path>`), and the
 * repositories made with git.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import * as FixtureProjects from "@sessionport/codex-oracle/FixtureProjects"
import { Project } from "@sessionport/opencode-home"
import { Harness } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"

const temps: Array<string> = []
const tempDir = (label: string) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `opencode-project-${label}-`)))
  temps.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
})

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex")
const remote = (hostAndPath: string) => sha1(`git-remote:${hostAndPath}`)

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1"
}
const git = (cwd: string, ...args: Array<string>) =>
  execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim()

/** A repository with one commit (and no remote); answers its root commit. */
const repo = (dir: string): string => {
  fs.mkdirSync(dir, { recursive: true })
  git(dir, "init", "-q", "-b", "main")
  fs.writeFileSync(path.join(dir, "a.txt"), "a\n")
  git(dir, "add", "-A")
  git(dir, "commit", "-q", "-m", "first")
  return git(dir, "rev-parse", "HEAD")
}

/** Everything in a folder, `.git` included, byte for byte with mtimes. */
const untouched = <A>(dir: string, f: () => A): A => {
  const before = fileState(dir)
  const result = f()
  assert.deepStrictEqual(fileState(dir), before, `Project.of wrote nothing into ${dir}`)
  return result
}

describe("Project.remoteId", () => {
  it("https, ssh and scp forms of one remote, with or without .git and trailing slashes: the same id", () => {
    const expected = remote("github.com/acme/widgets")
    for (
      const url of [
        "https://github.com/acme/widgets",
        "https://github.com/acme/widgets.git",
        "https://github.com/acme/widgets/",
        "https://github.com/acme/widgets.git/",
        "https://github.com/acme/widgets///",
        "https://user:token@github.com/acme/widgets.git",
        "https://GitHub.COM/acme/widgets",
        "http://github.com:8080/acme/widgets.git",
        "ssh://git@github.com/acme/widgets.git",
        "ssh://git@github.com:22/acme/widgets.git",
        "ssh://git@GitHub.com/acme/widgets",
        "git+ssh://git@github.com/acme/widgets.git",
        "git://github.com/acme/widgets.git",
        "git@github.com:acme/widgets.git",
        "git@github.com:acme/widgets.git/",
        "git@github.com:acme/widgets/",
        "git@GITHUB.com:acme/widgets",
        "git@github.com:/acme/widgets.git"
      ]
    ) assert.strictEqual(Project.remoteId(url), expected, url)
  })

  it("the path keeps its case and its inner segments; only one .git and the trailing slashes go", () => {
    assert.strictEqual(Project.remoteId("https://gitlab.example.org/Group/Sub/Repo.git"), remote("gitlab.example.org/Group/Sub/Repo"))
    assert.strictEqual(Project.remoteId("https://github.com/a/b.git.git"), remote("github.com/a/b.git"))
    // `.git` then `/`: only `.git` or `.git/` at the very end goes, then the slashes
    assert.strictEqual(Project.remoteId("https://github.com/a/b.git//"), remote("github.com/a/b.git"))
    assert.strictEqual(Project.remoteId("git@host.example:team/project"), remote("host.example/team/project"))
    assert.strictEqual(Project.remoteId("https://example.com/sessionport/alpha.git"), "ad243cfc821ddf02ba8efc1e5d58a4550a9f65de")
  })

  it("no id for a file URL, or one without a host", () => {
    assert.isUndefined(Project.remoteId("file:///srv/git/widgets.git"))
    assert.isUndefined(Project.remoteId("/srv/git/widgets.git"))
    assert.isUndefined(Project.remoteId("../widgets"))
  })

  // OpenCode's W(host, path): `if (!host || !path) return` after cleaning the path
  it("no id for a remote whose path is empty once cleaned (OpenCode falls through to the cache and root commit)", () => {
    for (const url of ["https://github.com", "https://github.com/", "https://github.com/.git", "git@github.com:/"]) {
      assert.isUndefined(Project.remoteId(url), url)
    }
  })
})

describe("Project.of", () => {
  it.effect("a clone of the fixtures' alpha (its origin): the remote's id, at the top and in a subfolder", () =>
    Effect.gen(function*() {
      const root = tempDir("alpha")
      const alpha = path.join(root, "alpha")
      const beta = path.join(root, "beta")
      fs.mkdirSync(alpha)
      fs.mkdirSync(beta)
      yield* FixtureProjects.make({ alpha, beta, home: root, readme: Harness.ALPHA_README })
      const sub = path.join(alpha, "src", "deep")
      fs.mkdirSync(sub, { recursive: true })
      const expected: Project.ProjectFacts = { id: "ad243cfc821ddf02ba8efc1e5d58a4550a9f65de", worktree: alpha, vcs: "git" }
      assert.deepStrictEqual(untouched(alpha, () => Project.of(alpha)), expected)
      assert.deepStrictEqual(untouched(alpha, () => Project.of(sub)), expected)
      assert.strictEqual(Project.sessionPath(expected, alpha), "")
      assert.strictEqual(Project.sessionPath(expected, sub), "src/deep")
      // the origin wins over an id OpenCode cached before the remote was added
      fs.writeFileSync(path.join(alpha, ".git", "opencode"), "0123456789abcdef0123456789abcdef01234567")
      assert.strictEqual(untouched(alpha, () => Project.of(alpha)).id, expected.id)
      // a folder reached through a symlink: the repository's real path
      const link = path.join(root, "link")
      fs.symlinkSync(sub, link)
      assert.deepStrictEqual(Project.of(link), expected)
    }).pipe(Effect.provide(NodeContext.layer)), 30_000)

  it("no origin: the smallest root commit of HEAD (not of another branch)", () => {
    const dir = path.join(tempDir("roots"), "repo")
    const first = repo(dir)
    // a second history merged into HEAD: two root commits
    git(dir, "checkout", "-q", "--orphan", "other")
    git(dir, "rm", "-rq", "--cached", ".")
    fs.writeFileSync(path.join(dir, "b.txt"), "b\n")
    git(dir, "add", "b.txt")
    git(dir, "commit", "-q", "-m", "second root")
    const second = git(dir, "rev-parse", "HEAD")
    git(dir, "checkout", "-q", "-f", "main")
    git(dir, "merge", "-q", "--allow-unrelated-histories", "-m", "merge", "other")
    const smallest = [first, second].sort()[0]!
    // a root commit on a branch HEAD does not reach, smaller than both: not counted
    let stray = "g"
    for (let i = 0; stray >= smallest && i < 200; i++) {
      git(dir, "checkout", "-q", "--orphan", `stray-${i}`)
      git(dir, "rm", "-rq", "--cached", "--ignore-unmatch", ".")
      git(dir, "commit", "-q", "--allow-empty", "-m", `stray ${i}`)
      stray = git(dir, "rev-parse", "HEAD")
      git(dir, "checkout", "-q", "-f", "main")
    }
    assert.isBelow(stray.localeCompare(smallest), 0, "a stray root smaller than HEAD's")
    assert.deepStrictEqual(
      untouched(dir, () => Project.of(dir)),
      { id: smallest, worktree: dir, vcs: "git" }
    )
    assert.deepStrictEqual(git(dir, "rev-list", "--max-parents=0", "HEAD").split("\n").sort(), [first, second].sort())
  })

  it("no origin, an id cached in .git/opencode: the cached id (trimmed), before the root commit", () => {
    const dir = path.join(tempDir("cached"), "repo")
    repo(dir)
    fs.writeFileSync(path.join(dir, ".git", "opencode"), "cafe0000000000000000000000000000000000ff\n")
    assert.deepStrictEqual(
      untouched(dir, () => Project.of(path.join(dir))),
      { id: "cafe0000000000000000000000000000000000ff", worktree: dir, vcs: "git" }
    )
    // an empty cache is no id
    fs.writeFileSync(path.join(dir, ".git", "opencode"), " \n")
    assert.strictEqual(untouched(dir, () => Project.of(dir)).id, git(dir, "rev-parse", "HEAD"))
  })

  it("an origin with no path (a bare host): no remote id, so the root commit", () => {
    const dir = path.join(tempDir("bare-origin"), "repo")
    const root = repo(dir)
    git(dir, "remote", "add", "origin", "https://git.example.com/")
    assert.deepStrictEqual(untouched(dir, () => Project.of(dir)), { id: root, worktree: dir, vcs: "git" })
  })

  it("a linked worktree: the main repository's id and cache, its own folder as worktree", () => {
    const root = tempDir("worktree")
    const main = path.join(root, "main")
    repo(main)
    fs.writeFileSync(path.join(main, ".git", "opencode"), "feed000000000000000000000000000000000000")
    const linked = path.join(root, "linked")
    git(main, "worktree", "add", "-q", linked)
    assert.deepStrictEqual(untouched(linked, () => Project.of(linked)), {
      id: "feed000000000000000000000000000000000000",
      worktree: linked,
      vcs: "git"
    })
  })

  it("a plain folder, or one that does not exist: global, worktree /, no vcs", () => {
    const dir = tempDir("plain")
    fs.writeFileSync(path.join(dir, "notes.txt"), "x\n")
    const global: Project.ProjectFacts = { id: "global", worktree: "/", vcs: null }
    assert.deepStrictEqual(untouched(dir, () => Project.of(dir)), global)
    assert.deepStrictEqual(Project.of(path.join(dir, "missing", "folder")), global)
    // session.path of a global session: the absolute path without its leading slash
    assert.strictEqual(Project.sessionPath(global, dir), dir.slice(1))
  })
})
