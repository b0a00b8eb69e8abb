/**
 * A program under a real pseudo-terminal: a private tmux server running it in one detached
 * session, its screen read and keys typed (Ctrl-C as a terminal sends it: SIGINT to the
 * foreground process group). Drives the interactive flows of the real agents' pickers and of
 * the CLIs' prompts.
 *
 * @since 0.3.0
 */
import { Command, FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Data, Duration, Effect, Schedule } from "effect"
import * as Path from "node:path"
import * as ChildRun from "./ChildRun.js"
import { realTime } from "./ChildRun.js"

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
  /** The pane's program still runs (with `keepAfterExit`, its pane stays, dead, once it ended). */
  readonly alive: Effect.Effect<boolean>
  /** With `keepAfterExit`: waits (up to `timeout`) for the program to end; its exit status. */
  readonly exitStatus: (timeout: Duration.DurationInput) => Effect.Effect<number, TmuxError>
  /** Waits (up to `timeout`) until the screen shows `text`; the screen then. */
  readonly waitFor: (text: string | RegExp, timeout: Duration.DurationInput) => Effect.Effect<string, TmuxError>
}

export interface StartOptions {
  readonly cwd: string
  /** The pane's whole environment (run under `env -i`). */
  readonly env: Readonly<Record<string, string>>
  readonly argv: ReadonlyArray<string>
  readonly width: number
  readonly height: number
  /** keep the pane once its program ended (`remain-on-exit`), for {@link Tmux.exitStatus} */
  readonly keepAfterExit?: boolean
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
    // read once, as the server starts: set before the program can end
    const config = Path.join(dir, "tmux.conf")
    yield* fs.writeFileString(config, options.keepAfterExit === true ? "set -g remain-on-exit on\n" : "").pipe(
      Effect.mapError((cause) => new TmuxError({ detail: `config: ${String(cause)}`, cause }))
    )
    const session = "claude"
    const tmuxEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, TERM: "xterm-256color" }

    const tmux = (...args: ReadonlyArray<string>) =>
      ChildRun.run(
        Command.make("tmux", "-S", socket, "-f", config, ...args).pipe(Command.env(tmuxEnv, { extendEnv: false })),
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
    // tmux's own record of a dead pane's status is empty for some programs (node): a shell
    // around the program writes it to a file. Its trap is a handler, not an ignore, so the
    // program gets Ctrl-C as usual; the shell runs it once the program ended.
    const statusFile = Path.join(dir, "status")
    const argv = options.keepAfterExit === true
      ? ["/bin/sh", "-c", `trap : INT TERM; "$@"; echo $? > '${statusFile}'`, "sh", ...options.argv]
      : options.argv
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
        ...argv
      ),
      () => tmux("kill-server").pipe(Effect.ignore)
    )

    const capture = ok("capture-pane", "-p", "-t", session).pipe(Effect.map((r) => r.stdout))
    const polled = <A>(what: string, timeout: Duration.DurationInput, poll: Effect.Effect<A | undefined, TmuxError>) =>
      poll.pipe(
        Effect.filterOrFail((a): a is A => a !== undefined, () => new TmuxError({ detail: `not yet: ${what}` })),
        Effect.retry(Schedule.spaced(Duration.millis(100))),
        Effect.timeoutFail({ duration: timeout, onTimeout: () => new TmuxError({ detail: `timed out waiting for ${what}` }) }),
        realTime
      )
    return {
      capture,
      waitFor: (text, timeout) =>
        Effect.catchTag(
          polled(`${String(text)} on the screen`, timeout, Effect.map(capture, (screen) => (typeof text === "string" ? screen.includes(text) : text.test(screen)) ? screen : undefined)),
          "TmuxError",
          (error) => Effect.flatMap(capture.pipe(Effect.orElseSucceed(() => "")), (screen) => Effect.fail(new TmuxError({ detail: `${error.detail}; the screen:\n${screen}` })))
        ),
      exitStatus: (timeout) =>
        polled("the program to end", timeout, Effect.map(fs.readFileString(statusFile).pipe(Effect.option), (text) => {
          // written whole by `echo` (killed by a signal: 128 + its number, as a shell says)
          const status = text._tag === "Some" && /^\d+\n$/.test(text.value) ? Number(text.value) : undefined
          return status
        })),
      sendText: (text) => ok("send-keys", "-t", session, "-l", text).pipe(Effect.asVoid),
      sendKeys: (...keys) => ok("send-keys", "-t", session, ...keys).pipe(Effect.asVoid),
      alive: tmux("has-session", "-t", session).pipe(
        Effect.map((r) => r.exitCode === 0),
        Effect.orElseSucceed(() => false)
      )
    } satisfies Tmux
  })
