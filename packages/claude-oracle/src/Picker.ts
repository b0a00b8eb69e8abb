/**
 * The interactive Claude Code TUI under tmux: the `/resume` session picker as a user sees it,
 * and a driver that types prompts into a real interactive session (so its transcript has
 * `entrypoint: "cli"`, history.jsonl lines and file-history backups, which `claude -p` does
 * not write).
 *
 * The TUI runs as `timeout --foreground <budget> claude …` in a private tmux server: plain
 * `timeout` would put Claude in a background process group, where it stops on SIGTTIN and the
 * screen stays blank.
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import { Data, Duration, Effect, Option, Schedule } from "effect"
import * as ChildProcess from "node:child_process"
import type { ClaudeCliShape } from "./ClaudeCli.js"
import * as ClaudeHome from "./ClaudeHome.js"
import { realTime } from "@sessionport/codex-oracle/ChildRun"
import { seedConfig as seedConfigJson } from "./internal/config.js"
import { mockApiKey } from "./internal/env.js"
import * as Tmux from "@sessionport/codex-oracle/Tmux"

/** @since 0.1.0 @category errors */
export class PickerError extends Data.TaggedError("PickerError")<{
  readonly reason: "Tmux" | "Timeout" | "Exited" | "Config" | "NoSession"
  readonly detail: string
  /** The last screen, when there was one. */
  readonly screen?: string
  readonly cause?: unknown
}> {
  override get message() {
    return `Picker ${this.reason}: ${this.detail}${this.screen === undefined ? "" : `\nscreen:\n${this.screen}`}`
  }
}

/** @since 0.1.0 @category models */
export interface TuiOptions {
  /** Default: the CLI's project folder. */
  readonly cwd?: string
  /** Claude's arguments, e.g. `["--resume"]`. */
  readonly args?: ReadonlyArray<string>
  /** The `timeout --foreground` budget of the whole TUI process; default 120 s. */
  readonly budget?: Duration.DurationInput
  readonly width?: number
  readonly height?: number
}

/** @since 0.1.0 @category models */
export interface Tui {
  /** The visible screen as text. */
  readonly screen: Effect.Effect<string, PickerError>
  /** Types literal text (no Enter). */
  readonly type: (text: string) => Effect.Effect<void, PickerError>
  /** Presses tmux keys: `Enter`, `Escape`, `C-a`, `Down`… */
  readonly press: (...keys: ReadonlyArray<string>) => Effect.Effect<void, PickerError>
  /** Polls the screen (every 200 ms) until it matches; returns that screen. Default 30 s. */
  readonly waitFor: (
    pattern: string | RegExp,
    within?: Duration.DurationInput
  ) => Effect.Effect<string, PickerError>
  /** Polls until two captures 300 ms apart are equal; returns that screen. Default 10 s. */
  readonly settle: (within?: Duration.DurationInput) => Effect.Effect<string, PickerError>
  /** Polls until Claude has exited. Default 15 s. */
  readonly waitForExit: (within?: Duration.DurationInput) => Effect.Effect<void, PickerError>
  readonly alive: Effect.Effect<boolean>
}

/** The empty input line of the TUI: Claude is ready for a prompt. @since 0.1.0 @category constants */
export const promptReady = /^❯\s*$/m

/** The picker's heading. @since 0.1.0 @category constants */
export const pickerHeading = /Resume session|No sessions/

const tmuxError = (cause: Tmux.TmuxError) => new PickerError({ reason: "Tmux", detail: cause.detail, cause })

/**
 * Writes the `.claude.json` entries that skip onboarding, the theme picker, the custom API key
 * question and the trust dialog of `projects` (merged into what is there).
 *
 * @since 0.1.0
 * @category constructors
 */
export const seedConfig = Effect.fn("Picker.seedConfig")(function*(
  configDir: string,
  options: { readonly projects: ReadonlyArray<string>; readonly apiKey?: string; readonly theme?: string }
) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const file = path.join(configDir, ".claude.json")
  const configError = (cause: unknown) => new PickerError({ reason: "Config", detail: `${file}: ${String(cause)}`, cause })
  yield* fs.makeDirectory(configDir, { recursive: true }).pipe(Effect.mapError(configError))
  const current = (yield* fs.exists(file).pipe(Effect.mapError(configError)))
    ? yield* fs.readFileString(file).pipe(
      Effect.flatMap((text) => Effect.try(() => JSON.parse(text) as Record<string, unknown>)),
      Effect.mapError(configError)
    )
    : {}
  const seeded = seedConfigJson(current, {
    apiKey: options.apiKey ?? mockApiKey,
    projects: options.projects,
    ...(options.theme === undefined ? {} : { theme: options.theme })
  })
  yield* fs.writeFileString(file, `${JSON.stringify(seeded, null, 2)}\n`).pipe(Effect.mapError(configError))
})

/**
 * Starts the interactive TUI of `cli` (its environment, the seeded config) under tmux; the tmux
 * server, and Claude with it, is killed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tui = Effect.fn("Picker.tui")(function*(cli: ClaudeCliShape, options: TuiOptions = {}) {
  const cwd = options.cwd ?? cli.cwd
  const budget = Duration.decode(options.budget ?? Duration.seconds(120))
  yield* seedConfig(cli.configDir, { projects: [cwd], apiKey: cli.env["ANTHROPIC_API_KEY"] ?? mockApiKey })
  const tmux = yield* Tmux.start({
    cwd,
    env: { ...cli.env, TERM: "xterm-256color" },
    argv: [
      "timeout",
      "--foreground",
      `${Math.ceil(Duration.toSeconds(budget))}s`,
      cli.binary,
      ...(options.args ?? [])
    ],
    width: options.width ?? 160,
    height: options.height ?? 45
  }).pipe(Effect.mapError(tmuxError))

  const screen = tmux.capture.pipe(Effect.mapError(tmuxError))
  let last = ""
  const lastScreen = () => last === "" ? {} : { screen: last }
  const capture = Effect.tap(screen, (text) => Effect.sync(() => void (last = text)))

  const bounded = <A>(
    effect: Effect.Effect<A, PickerError>,
    within: Duration.DurationInput,
    detail: string
  ): Effect.Effect<A, PickerError> =>
    effect.pipe(
      Effect.timeoutFail({
        duration: within,
        onTimeout: () => new PickerError({ reason: "Timeout", detail, ...lastScreen() })
      }),
      realTime
    )

  const matches = (pattern: string | RegExp) => (text: string) =>
    typeof pattern === "string" ? text.includes(pattern) : pattern.test(text)

  const exitedEarly = new PickerError({ reason: "Exited", detail: "Claude exited" })

  const waitFor = (pattern: string | RegExp, within: Duration.DurationInput = Duration.seconds(30)) =>
    bounded(
      Effect.gen(function*() {
        while (true) {
          const text = yield* capture.pipe(
            Effect.catchAll((e) => tmux.alive.pipe(Effect.flatMap((up) => up ? Effect.fail(e) : Effect.fail(exitedEarly))))
          )
          if (matches(pattern)(text)) return text
          yield* Effect.sleep(Duration.millis(200))
        }
      }),
      within,
      `waiting for ${String(pattern)}`
    )

  const settle = (within: Duration.DurationInput = Duration.seconds(10)) =>
    bounded(
      Effect.gen(function*() {
        let previous = yield* capture
        while (true) {
          yield* Effect.sleep(Duration.millis(300))
          const text = yield* capture
          if (text === previous) return text
          previous = text
        }
      }),
      within,
      "waiting for the screen to settle"
    )

  const waitForExit = (within: Duration.DurationInput = Duration.seconds(15)) =>
    bounded(
      tmux.alive.pipe(
        Effect.repeat({ schedule: Schedule.spaced(Duration.millis(200)), until: (up) => !up }),
        Effect.asVoid
      ),
      within,
      "waiting for Claude to exit"
    )

  return {
    screen: capture,
    type: (text) => tmux.sendText(text).pipe(Effect.mapError(tmuxError)),
    press: (...keys) => tmux.sendKeys(...keys).pipe(Effect.mapError(tmuxError)),
    waitFor,
    settle,
    waitForExit,
    alive: tmux.alive
  } satisfies Tui
})

/**
 * The screen of the `/resume` picker (`claude --resume` in `cwd`), once its list has settled.
 * With `allProjects`, Ctrl+A first switches to every project's sessions. `-p` sessions
 * (entrypoint `sdk-cli`) are not shown by the picker.
 *
 * @since 0.1.0
 * @category queries
 */
export const resumePicker = Effect.fn("Picker.resumePicker")(function*(
  cli: ClaudeCliShape,
  options: {
    readonly cwd?: string
    readonly allProjects?: boolean
    readonly within?: Duration.DurationInput
  } = {}
) {
  const within = options.within ?? Duration.seconds(30)
  return yield* realTime(Effect.scoped(Effect.gen(function*() {
    const ui = yield* tui(cli, {
      args: ["--resume"],
      budget: Duration.seconds(60),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd })
    })
    yield* ui.waitFor(pickerHeading, within)
    if (options.allProjects === true) {
      yield* ui.press("C-a")
      yield* Effect.sleep(Duration.millis(300))
    }
    return yield* ui.settle()
  })))
})

/** @since 0.1.0 @category models */
export interface InteractiveTurn {
  readonly prompt: string
  /** What the screen shows once the turn is answered, e.g. `"Done (reply"`. */
  readonly expect: string | RegExp
}

/** @since 0.1.0 @category models */
export interface InteractiveResult {
  readonly sessionId: string
  /** The settled screen after each turn. */
  readonly screens: ReadonlyArray<string>
}

/**
 * Drives a real interactive session in `cwd`: waits for the prompt, types each turn's prompt and
 * Enter, waits for its answer, then `/exit`s and waits for Claude to exit. The session id is read
 * from `history.jsonl` (the TUI's up-arrow history), or else the newest transcript.
 *
 * @since 0.1.0
 * @category constructors
 */
export const interactiveSession = Effect.fn("Picker.interactiveSession")(function*(
  cli: ClaudeCliShape,
  options: {
    readonly turns: ReadonlyArray<InteractiveTurn>
    readonly cwd?: string
    /** Passed as `--allowedTools`, so tools run without a permission prompt. */
    readonly allowedTools?: ReadonlyArray<string>
    /** Per wait; default 30 s. */
    readonly within?: Duration.DurationInput
  }
) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const cwd = options.cwd ?? cli.cwd
  const within = options.within ?? Duration.seconds(30)
  const args = options.allowedTools === undefined || options.allowedTools.length === 0
    ? []
    : ["--allowedTools", options.allowedTools.join(",")]
  const screens = yield* realTime(Effect.scoped(Effect.gen(function*() {
    const ui = yield* tui(cli, { cwd, args, budget: Duration.seconds(60 + 30 * options.turns.length) })
    yield* ui.waitFor(promptReady, within)
    yield* ui.settle()
    const screens: Array<string> = []
    for (const turn of options.turns) {
      yield* ui.type(turn.prompt)
      // A pause, so the Enter is a key press and not part of a paste.
      yield* Effect.sleep(Duration.millis(300))
      yield* ui.press("Enter")
      yield* ui.waitFor(turn.expect, within)
      yield* ui.waitFor(promptReady, within)
      screens.push(yield* ui.settle())
    }
    yield* ui.type("/exit")
    yield* Effect.sleep(Duration.millis(300))
    yield* ui.press("Enter")
    yield* ui.waitForExit()
    return screens
  })))

  const historyFile = path.join(cli.configDir, "history.jsonl")
  const fromHistory = (yield* fs.exists(historyFile).pipe(Effect.orElseSucceed(() => false)))
    ? (yield* fs.readFileString(historyFile).pipe(Effect.orElseSucceed(() => "")))
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          return JSON.parse(line) as { readonly project?: string; readonly sessionId?: string }
        } catch {
          return {}
        }
      })
      .filter((entry) => entry.project === cwd && typeof entry.sessionId === "string")
      .at(-1)?.sessionId
    : undefined
  const sessionId = fromHistory ?? Option.getOrUndefined(
    yield* ClaudeHome.listTranscripts(cli.configDir).pipe(
      Effect.map((all) => Option.fromNullable(all[0]?.sessionId)),
      Effect.orElseSucceed(() => Option.none<string>())
    )
  )
  if (sessionId === undefined) {
    return yield* new PickerError({ reason: "NoSession", detail: `no session found in ${cli.configDir}` })
  }
  return { sessionId, screens } satisfies InteractiveResult
})

/**
 * Whether `tmux` and `timeout` (coreutils) can be run here: the TUI needs both.
 *
 * @since 0.1.0
 * @category getters
 */
export const available = (): boolean =>
  ["tmux -V", "timeout --version"].every((line) => {
    const [command, ...args] = line.split(" ")
    return ChildProcess.spawnSync(command!, args, { stdio: "ignore", timeout: 5_000 }).status === 0
  })
