import { FileSystem, Path } from "@effect/platform"
import { ClaudeCli, MessagesServer } from "@sessionport/claude-oracle"
import { Effect } from "effect"

/** A scripted server, an empty HOME (config dir `<home>/.claude`) and a project folder, all scoped. */
export const sandbox = (script: MessagesServer.Script = {}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* fs.makeTempDirectoryScoped({ prefix: "claude-oracle-" })
    const home = path.join(root, "user")
    const project = path.join(root, "project")
    yield* Effect.forEach([home, project], (dir) => fs.makeDirectory(dir, { recursive: true }))
    const server = yield* MessagesServer.make(script)
    const cli = yield* ClaudeCli.make({ home, cwd: project, baseUrl: server.baseUrl })
    return { root, home, project, server, cli }
  })
