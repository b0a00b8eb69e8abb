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
import { type Duration, Effect, Stream } from "effect"

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
