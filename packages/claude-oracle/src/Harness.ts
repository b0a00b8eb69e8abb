/**
 * A "machine" for a test: a temp user home with its Claude config dir, project folders, a
 * scripted Messages API and the real Claude on it, all scoped.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import * as ClaudeCli from "./ClaudeCli.js"
import * as Fixtures from "./Fixtures.js"
import * as MessagesServer from "./MessagesServer.js"

/** @since 0.1.0 @category models */
export interface Machine {
  readonly root: string
  /** HOME: `<root>/user`. */
  readonly home: string
  /** CLAUDE_CONFIG_DIR: `<root>/user/.claude`. */
  readonly configDir: string
  /** `<root>/work/<name>` for each requested project, created; the first is the CLI's cwd. */
  readonly projects: ReadonlyArray<string>
  readonly server: MessagesServer.MessagesServerShape
  readonly cli: ClaudeCli.ClaudeCliShape
}

/** @since 0.1.0 @category models */
export interface MachineOptions {
  /** Project folder names; default `["project"]`. */
  readonly projects?: ReadonlyArray<string>
  /** Start from a copy of the committed fixture config dir. */
  readonly fixtureHome?: boolean
  /** Share a server (two machines, one model); default: a new one with `script`. */
  readonly server?: MessagesServer.MessagesServerShape
  readonly script?: MessagesServer.Script
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const machine = Effect.fn("Harness.machine")(function*(options: MachineOptions = {}) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const { configDir, home, root } = options.fixtureHome === true
    ? yield* Fixtures.copyHome({ prefix: "claude-machine-" })
    : yield* Effect.gen(function*() {
      const root = yield* fs.makeTempDirectoryScoped({ prefix: "claude-machine-" })
      const home = path.join(root, "user")
      const configDir = path.join(home, ".claude")
      yield* fs.makeDirectory(configDir, { recursive: true })
      return { root, home, configDir }
    })
  const projects = (options.projects ?? ["project"]).map((name) => path.join(root, "work", name))
  for (const dir of projects) yield* fs.makeDirectory(dir, { recursive: true })
  const server = options.server ?? (yield* MessagesServer.make(options.script))
  const cli = yield* ClaudeCli.make({ home, configDir, cwd: projects[0] ?? root, baseUrl: server.baseUrl })
  return { root, home, configDir, projects, server, cli } satisfies Machine
})
