/**
 * A "machine" for a test: a temp user home with its XDG folders, project folders, a scripted
 * Chat Completions server and the real OpenCode on it, all scoped.
 *
 * Projects are made as the fixtures' were (`FixtureProjects`): `alpha` a git repository with the
 * same commit and `origin` (so the same OpenCode project id: a clone of the fixtures' alpha),
 * any other name a plain folder.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import * as FixtureProjects from "@sessionport/codex-oracle/FixtureProjects"
import { Effect } from "effect"
import * as ChatServer from "./ChatServer.js"
import * as Fixtures from "./Fixtures.js"
import * as OpencodeCli from "./OpencodeCli.js"

/** What the fixtures' alpha README says (its commit, and so its id, depends on it). @since 0.1.0 @category constants */
export const ALPHA_README = "# alpha\n\nA tiny project used to make OpenCode fixtures.\n"

/** @since 0.1.0 @category models */
export interface Machine {
  readonly root: string
  /** HOME: `<root>/user`. */
  readonly home: string
  /** OpenCode's data folder: `<root>/user/.local/share/opencode` (holds `opencode.db`). */
  readonly dataDir: string
  /** `<root>/work/<name>` for each requested project; the first is the CLI's cwd. */
  readonly projects: ReadonlyArray<string>
  readonly server: ChatServer.ChatServerShape
  readonly cli: OpencodeCli.OpencodeCliShape
}

/** @since 0.1.0 @category models */
export interface MachineOptions {
  /** Project folder names; `alpha` becomes the fixtures' repository; default `["alpha", "beta"]`. */
  readonly projects?: ReadonlyArray<string>
  /** Start from a copy of the committed fixture data folder. */
  readonly fixtureData?: boolean
  /** Create the database as OpenCode does when it first runs (`session list` in a plain folder). */
  readonly initDatabase?: boolean
  /** Share a server (two machines, one model); default: a new one with `script`. */
  readonly server?: ChatServer.ChatServerShape
  readonly script?: ChatServer.Script
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const machine = Effect.fn("Harness.machine")(function*(options: MachineOptions = {}) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const { dataDir, home, root } = options.fixtureData === true
    ? yield* Fixtures.copyData({ prefix: "opencode-machine-" })
    : yield* Effect.gen(function*() {
      const root = yield* fs.makeTempDirectoryScoped({ prefix: "opencode-machine-" })
      const home = path.join(root, "user")
      const dataDir = path.join(home, ".local", "share", "opencode")
      yield* fs.makeDirectory(home, { recursive: true })
      return { root, home, dataDir }
    })
  const names = options.projects ?? ["alpha", "beta"]
  const projects = names.map((name) => path.join(root, "work", name))
  for (const dir of projects) yield* fs.makeDirectory(dir, { recursive: true })
  const alpha = names.indexOf("alpha")
  if (alpha >= 0) {
    const plain = path.join(root, "work", ".plain")
    yield* fs.makeDirectory(plain, { recursive: true })
    yield* FixtureProjects.make({ alpha: projects[alpha]!, beta: plain, home, readme: ALPHA_README })
  }
  const server = options.server ?? (yield* ChatServer.make(options.script))
  const cli = yield* OpencodeCli.make({
    home,
    dataHome: path.dirname(dataDir),
    cwd: projects[0] ?? root,
    baseUrl: server.baseUrl,
    env: { TZ: "UTC" }
  })
  if (options.initDatabase === true) {
    const plain = path.join(root, "work", ".init")
    yield* fs.makeDirectory(plain, { recursive: true })
    yield* cli.sessionList({ cwd: plain })
  }
  return { root, home, dataDir, projects, server, cli } satisfies Machine
})
