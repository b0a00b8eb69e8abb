import { FileSystem, Path } from "@effect/platform"
import { CodexCli, ResponsesServer } from "@sessionport/codex-oracle"
import { Effect } from "effect"

/** A scripted server, an empty Codex home, a project folder and an isolated HOME, all scoped. */
export const sandbox = (script: ResponsesServer.Script = {}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* fs.makeTempDirectoryScoped({ prefix: "codex-oracle-" })
    const codexHome = path.join(root, "home")
    const project = path.join(root, "project")
    const userHome = path.join(root, "user")
    yield* Effect.forEach([codexHome, project, userHome], (dir) => fs.makeDirectory(dir, { recursive: true }))
    const server = yield* ResponsesServer.make(script)
    const cli = yield* CodexCli.make({ codexHome, home: userHome })
    yield* cli.writeConfig({ baseUrl: server.baseUrl })
    return { root, codexHome, project, server, cli }
  })
