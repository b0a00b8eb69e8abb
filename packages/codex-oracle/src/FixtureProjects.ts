/**
 * The two project folders the fixture generators (`scripts/generate-fixtures.ts` of this package
 * and of `@sessionport/claude-oracle`) run their CLI in: `alpha`, a git repository (branch `main`,
 * origin `https://example.com/sessionport/alpha.git`, one commit by a fixed author at a fixed
 * date) holding `README.md` and `app.py`, and `beta`, a plain folder holding `notes.txt`.
 *
 * @since 0.1.0
 */
import { Command, FileSystem, Path } from "@effect/platform"
import { Data, Effect } from "effect"

/** @since 0.1.0 @category errors */
export class FixtureProjectsError extends Data.TaggedError("FixtureProjectsError")<{ readonly detail: string }> {
  override get message() {
    return this.detail
  }
}

/** @since 0.1.0 @category models */
export interface Options {
  /** An existing, empty folder: becomes the git repository. */
  readonly alpha: string
  /** An existing, empty folder. */
  readonly beta: string
  /** HOME of git: the user home of the machine the fixtures come from. */
  readonly home: string
  /** The text of alpha's `README.md`. */
  readonly readme: string
}

/**
 * Fills `alpha` and `beta` and commits alpha's files.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("FixtureProjects.make")(function*(options: Options) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* fs.writeFileString(path.join(options.alpha, "README.md"), options.readme)
  yield* fs.writeFileString(path.join(options.alpha, "app.py"), "print('hello from alpha')\n")
  const gitEnv = {
    HOME: options.home,
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    GIT_AUTHOR_NAME: "Fixture Author",
    GIT_AUTHOR_EMAIL: "fixture@example.com",
    GIT_COMMITTER_NAME: "Fixture Author",
    GIT_COMMITTER_EMAIL: "fixture@example.com",
    GIT_AUTHOR_DATE: "2026-01-02T03:04:05Z",
    GIT_COMMITTER_DATE: "2026-01-02T03:04:05Z"
  }
  const git = (...args: Array<string>) =>
    Command.make("git", ...args).pipe(
      Command.workingDirectory(options.alpha),
      Command.env(gitEnv, { extendEnv: false }),
      Command.exitCode,
      Effect.filterOrFail((code) => code === 0, () => new FixtureProjectsError({ detail: `git ${args.join(" ")} failed` }))
    )
  yield* git("init", "-q", "-b", "main")
  yield* git("remote", "add", "origin", "https://example.com/sessionport/alpha.git")
  yield* git("add", "-A")
  yield* git("commit", "-q", "-m", "Initial commit")
  yield* fs.writeFileString(path.join(options.beta, "notes.txt"), "beta: a second working directory\n")
})
