/**
 * A real Codex on a home, with its scripted model and its app-server: what end-to-end tests use
 * to ask Codex what it sees.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as AppServer from "./AppServer.js"
import * as CodexCli from "./CodexCli.js"
import { fixtureHome, tempDir } from "./Fixtures.js"
import * as ResponsesServer from "./ResponsesServer.js"

/** One turn as Codex shows it: the user's text and the agent's messages. @since 0.1.0 @category models */
export interface Turn {
  readonly user: string | undefined
  readonly agent: ReadonlyArray<string>
}

/**
 * The conversation Codex shows for a thread (`thread/resume`, then `thread/turns/list`).
 *
 * @since 0.1.0
 * @category queries
 */
export const conversation = (app: AppServer.AppServerShape, threadId: string) =>
  Effect.gen(function*() {
    yield* app.threadResume({ threadId, excludeTurns: true })
    const turns = yield* app.threadTurnsList({ threadId, sortDirection: "asc" })
    return turns.data.map((turn): Turn => {
      const items = turn.items as ReadonlyArray<Record<string, any>>
      const user = items.find((item) => item.type === "userMessage")
      return {
        user: user?.content?.[0]?.text,
        agent: items.filter((item) => item.type === "agentMessage").map((item) => String(item.text))
      }
    })
  })

/**
 * A real Codex on `codexHome` (its user home `root`), with its scripted model.
 *
 * @since 0.1.0
 * @category constructors
 */
export const codexOn = (codexHome: string, root: string) =>
  Effect.gen(function*() {
    const server = yield* ResponsesServer.make()
    const cli = yield* CodexCli.make({ codexHome, home: root })
    yield* cli.writeConfig({ baseUrl: server.baseUrl })
    return { server, cli }
  })

/**
 * Its app-server, for the scope of `use` (a resumed thread has one writer: close it before
 * `codex exec resume`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const withAppServer = <A, E, R>(
  cli: CodexCli.CodexCliShape,
  root: string,
  use: (app: AppServer.AppServerShape) => Effect.Effect<A, E, R>
) => Effect.scoped(Effect.flatMap(AppServer.make({ cwd: root }).pipe(Effect.provideService(CodexCli.CodexCli, cli)), use))

/** A machine for a test: a temp user home `root`, its Codex home, project folders. @since 0.1.0 @category models */
export interface Machine {
  readonly root: string
  readonly home: string
  /** `root/work/<name>`, created */
  readonly projects: ReadonlyArray<string>
}

/**
 * A temp machine; with `fixtureRollouts`, its Codex home holds the fixture home's rollouts and
 * names (no database: Codex builds its rows from the files, as on a machine where it made them).
 *
 * @since 0.1.0
 * @category constructors
 */
export const machine = (
  label: string,
  options: { readonly projects?: ReadonlyArray<string>; readonly fixtureRollouts?: boolean } = {}
): Machine => {
  const root = tempDir(label)
  const home = path.join(root, "home")
  fs.mkdirSync(home)
  if (options.fixtureRollouts === true) {
    for (const entry of ["sessions", "archived_sessions", "session_index.jsonl"]) {
      fs.cpSync(path.join(fixtureHome, entry), path.join(home, entry), { recursive: true })
    }
  }
  const projects = (options.projects ?? []).map((name) => path.join(root, "work", name))
  for (const dir of projects) fs.mkdirSync(dir, { recursive: true })
  return { root, home, projects }
}
