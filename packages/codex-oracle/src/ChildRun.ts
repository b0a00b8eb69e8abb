/**
 * A child process run to its end, the way the harnesses run their CLIs and helpers (`codex`,
 * `claude`, `tmux`, a child `node`): stdin closed at once, stdout and stderr read to the end as
 * text, the exit code a result rather than an error, all under a timeout. The process belongs
 * to a scope closed when the run ends, so a process still running (on a timeout, say) is killed.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import { type Cause, Clock, Data, Duration, Effect, Stream } from "effect"
import * as Fs from "node:fs"

/** @since 0.1.0 @category models */
export interface Output {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** @since 0.1.0 @category models */
export interface Options<E1, E2> {
  readonly timeout: Duration.DurationInput
  /** The process could not be started or read. */
  readonly onError: (cause: PlatformError) => E1
  readonly onTimeout: () => E2
}

const collectText = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/**
 * Runs `command` to its end. The timeout runs on the caller's clock: a test under TestClock that
 * wants it to fire runs this on the wall clock.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = <E1, E2>(
  command: Command.Command,
  options: Options<E1, E2>
): Effect.Effect<Output, E1 | E2, CommandExecutor> =>
  Effect.gen(function*() {
    // stdin closed at once: a CLI would otherwise wait for piped input.
    const proc = yield* Command.start(Command.feed(command, ""))
    const [stdout, stderr, exitCode] = yield* Effect.all(
      [collectText(proc.stdout), collectText(proc.stderr), proc.exitCode],
      { concurrency: "unbounded" }
    )
    return { exitCode: Number(exitCode), stdout, stderr } satisfies Output
  }).pipe(
    Effect.scoped,
    Effect.mapError(options.onError),
    Effect.timeoutFail({ duration: options.timeout, onTimeout: options.onTimeout })
  )

/**
 * The version a `--version` run printed: the first `x.y.z…` of its stdout, else all of it, trimmed.
 *
 * @since 0.1.0
 * @category getters
 */
export const versionOf = (output: Output): string => /(\d+\.\d+\.\d+\S*)/.exec(output.stdout)?.[1] ?? output.stdout.trim()

/**
 * An agent CLI on one machine: its `command` (the binary, only the machine's environment (the
 * parent's secrets and proxies never reach it), the working directory) and its `run` to the end
 * under a timeout on the wall clock, failing with the harness's own error.
 *
 * @since 0.2.0
 * @category constructors
 */
export const cli = <E>(options: {
  /** what errors call it, e.g. `claude` */
  readonly name: string
  readonly binary: string
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly timeout: Duration.DurationInput
  readonly fail: (reason: "Spawn" | "Timeout", detail: string, cause?: unknown) => E
}) => {
  const command = (args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }) =>
    Command.make(options.binary, ...args).pipe(
      Command.env(options.env, { extendEnv: false }),
      Command.workingDirectory(runOptions?.cwd ?? options.cwd)
    )
  const runArgs = (args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }): Effect.Effect<Output, E, CommandExecutor> =>
    realTime(run(command(args, runOptions), {
      timeout: options.timeout,
      onError: (cause) => options.fail("Spawn", `${options.name} ${args.join(" ")}: ${String(cause)}`, cause),
      onTimeout: () => options.fail("Timeout", `${options.name} ${args.join(" ")} (${Duration.format(options.timeout)})`)
    }))
  return { command, run: runArgs }
}

const liveClock = Clock.make()

/**
 * Runs `effect` on the wall clock, so waits and timeouts around child processes are real even
 * under `@effect/vitest`'s TestClock (where `Effect.sleep` would never wake up).
 *
 * @since 0.2.0
 * @category combinators
 */
export const realTime = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => Effect.withClock(effect, liveClock)

/**
 * Only loopback base URLs: an agent CLI under test must never reach a real API.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isLoopbackUrl = (url: string): boolean => {
  try {
    const { hostname, protocol } = new URL(url)
    return protocol === "http:" && (hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]")
  } catch {
    return false
  }
}

/**
 * The shell an agent's shell tool runs (the parent's SHELL is not passed on).
 *
 * @since 0.2.0
 * @category getters
 */
export const defaultShell = (): string => ["/bin/bash", "/usr/bin/bash", "/bin/sh"].find((s) => Fs.existsSync(s)) ?? "/bin/sh"

/** What every harness's CLI error carries. @since 0.1.0 @category errors */
export interface CliErrorFields<Reason extends string> {
  readonly reason: Reason
  readonly detail: string
  /** The CLI's stderr (tail), when it ran. */
  readonly stderr?: string
  readonly cause?: unknown
}

/**
 * The tagged error of a harness's CLI (`ClaudeCliError`, `OpencodeCliError`): one message shape,
 * `<name> <reason>: <detail>` and the CLI's stderr below.
 *
 * @since 0.1.0
 * @category errors
 */
export const CliError = <Tag extends string, Reason extends string>(
  tag: Tag,
  name: string
): new(args: CliErrorFields<Reason>) => Cause.YieldableError & { readonly _tag: Tag } & CliErrorFields<Reason> =>
  class extends Data.TaggedError(tag)<CliErrorFields<Reason>> {
    override get message() {
      const stderr = this.stderr === undefined || this.stderr.trim() === "" ? "" : `\nstderr:\n${this.stderr}`
      return `${name} ${this.reason}: ${this.detail}${stderr}`
    }
  }
