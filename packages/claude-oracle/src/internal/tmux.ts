import { Command, FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as ChildRun from "@sessionport/codex-oracle/ChildRun"
import { Data, Duration, Effect } from "effect"
import * as Path from "node:path"
import { realTime } from "@sessionport/codex-oracle/ChildRun"

export class TmuxError extends Data.TaggedError("TmuxError")<{ readonly detail: string; readonly cause?: unknown }> {
  override get message() {
    return `tmux: ${this.detail}`
  }
}

export interface Tmux {
  /** `capture-pane -p`: the visible screen as text. */
  readonly capture: Effect.Effect<string, TmuxError>
  /** Literal text (`send-keys -l`). */
  readonly sendText: (text: string) => Effect.Effect<void, TmuxError>
  /** Key names: `Enter`, `Escape`, `C-a`, `Down`… */
  readonly sendKeys: (...keys: ReadonlyArray<string>) => Effect.Effect<void, TmuxError>
  /** The pane's program still runs (its session ends with it). */
  readonly alive: Effect.Effect<boolean>
}

export interface StartOptions {
  readonly cwd: string
  /** The pane's whole environment (run under `env -i`). */
  readonly env: Readonly<Record<string, string>>
  readonly argv: ReadonlyArray<string>
  readonly width: number
  readonly height: number
}

/**
 * A private tmux server (its own socket in a scoped temp dir, no user config) running one
 * detached session; the server is killed when the scope closes.
 */
export const start = (options: StartOptions) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const executor = yield* Effect.context<CommandExecutor>()
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "claude-tmux-" }).pipe(
      Effect.mapError((cause) => new TmuxError({ detail: `socket dir: ${String(cause)}`, cause }))
    )
    const socket = Path.join(dir, "sock")
    const session = "claude"
    const tmuxEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, TERM: "xterm-256color" }

    const tmux = (...args: ReadonlyArray<string>) =>
      ChildRun.run(
        Command.make("tmux", "-S", socket, "-f", "/dev/null", ...args).pipe(Command.env(tmuxEnv, { extendEnv: false })),
        {
          timeout: Duration.seconds(10),
          onError: (cause) => new TmuxError({ detail: `tmux ${args[0]}: ${String(cause)}`, cause }),
          onTimeout: () => new TmuxError({ detail: `tmux ${args[0]} timed out` })
        }
      ).pipe(realTime, Effect.provide(executor))

    const ok = (...args: ReadonlyArray<string>) =>
      tmux(...args).pipe(
        Effect.filterOrFail(
          (r) => r.exitCode === 0,
          (r) => new TmuxError({ detail: `tmux ${args.join(" ")} exited ${r.exitCode}: ${r.stderr.trim()}` })
        )
      )

    const envArgs = Object.entries(options.env).map(([k, v]) => `${k}=${v}`)
    yield* Effect.acquireRelease(
      ok(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        String(options.width),
        "-y",
        String(options.height),
        "-c",
        options.cwd,
        // Several arguments: tmux execs them directly, no shell in between.
        "env",
        "-i",
        ...envArgs,
        ...options.argv
      ),
      () => tmux("kill-server").pipe(Effect.ignore)
    )

    return {
      capture: ok("capture-pane", "-p", "-t", session).pipe(Effect.map((r) => r.stdout)),
      sendText: (text) => ok("send-keys", "-t", session, "-l", text).pipe(Effect.asVoid),
      sendKeys: (...keys) => ok("send-keys", "-t", session, ...keys).pipe(Effect.asVoid),
      alive: tmux("has-session", "-t", session).pipe(
        Effect.map((r) => r.exitCode === 0),
        Effect.orElseSucceed(() => false)
      )
    } satisfies Tmux
  })
