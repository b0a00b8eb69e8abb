/**
 * The real OpenCode CLI (the version pinned in this package) for one "machine": its own `HOME`
 * and XDG folders (data, config, state, cache), a config file whose only provider is `mock`
 * (OpenAI-compatible, pointing at a scripted server on loopback), and a project folder as cwd.
 *
 * OpenCode keeps everything in `<XDG_DATA_HOME>/opencode/opencode.db` (SQLite, WAL). Traps:
 * `run --session <id>` started from another project's folder sends the request and then hangs,
 * so resume from the session's directory; OpenCode writes `.git/opencode` (the project id) into
 * a git repository it runs in; each `run` takes 10–25 s, `session list` 3–6 s.
 *
 * @since 0.1.0
 */
import { Command, FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as ChildRun from "@sessionport/codex-oracle/ChildRun"
import { Context, Duration, Effect, Layer } from "effect"
import * as Path from "node:path"
import { resolveBinary } from "./internal/binary.js"
import { defaultShell, isLoopbackUrl, mockApiKey, quietEnv } from "./internal/env.js"

/** @since 0.1.0 @category errors */
export class OpencodeCliError extends ChildRun.CliError<"OpencodeCliError", "Binary" | "Spawn" | "ExitCode" | "Timeout" | "Output" | "NotLoopback" | "Config">("OpencodeCliError", "OpencodeCli") {}

/** @since 0.1.0 @category models */
export interface Options {
  /** `HOME` of OpenCode and the commands it runs. */
  readonly home: string
  /** `XDG_DATA_HOME`; default `<home>/.local/share`. OpenCode's data dir is `<dataHome>/opencode`. */
  readonly dataHome?: string
  /** `XDG_CONFIG_HOME`; default `<home>/.config`. */
  readonly configHome?: string
  /** `XDG_STATE_HOME`; default `<home>/.local/state`. */
  readonly stateHome?: string
  /** `XDG_CACHE_HOME`; default `<home>/.cache`. */
  readonly cacheHome?: string
  /** The `mock` provider's `baseURL`, e.g. `ChatServer.baseUrl`; must be loopback. */
  readonly baseUrl: string
  /** Default cwd of every run: the project folder. */
  readonly cwd: string
  /** Extra environment variables (cannot override the ones that keep OpenCode offline). */
  readonly env?: Readonly<Record<string, string>>
  /** Per-run timeout; default 120 s. */
  readonly timeout?: Duration.DurationInput
}

/** @since 0.1.0 @category models */
export type RunResult = ChildRun.Output

/** @since 0.1.0 @category models */
export interface PromptOptions {
  /** `--session <id>`: continue that session (run it from the session's directory). */
  readonly session?: string
  /** `--continue`: the most recent session of the cwd's project. */
  readonly continue?: boolean
  /** Default: the machine's project folder. */
  readonly cwd?: string
  /** Extra flags, placed after the others. */
  readonly args?: ReadonlyArray<string>
}

/**
 * One `--format json` event of `opencode run` (`step_start`, `text`, `tool_use`, `step_finish`, …).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunEvent {
  readonly type: string
  readonly sessionID?: string
  readonly part?: Readonly<Record<string, unknown>>
  readonly [key: string]: unknown
}

/** @since 0.1.0 @category models */
export interface PromptResult extends RunResult {
  readonly sessionId: string
  readonly events: ReadonlyArray<RunEvent>
  /** The text parts of the events, in order. */
  readonly texts: ReadonlyArray<string>
  /** The tools that ran (`tool_use` events), in order. */
  readonly tools: ReadonlyArray<string>
}

/**
 * A row of `opencode session list --format json` (only the sessions of the cwd's project).
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionListEntry {
  readonly id: string
  readonly title: string
  readonly updated: number
  readonly created: number
  readonly projectId: string
  readonly directory: string
}

/** `opencode export <id>`: `{ info, messages: [{ info, parts }] }`. @since 0.1.0 @category models */
export interface Export {
  readonly info: Readonly<Record<string, unknown>>
  readonly messages: ReadonlyArray<{
    readonly info: Readonly<Record<string, unknown>>
    readonly parts: ReadonlyArray<Readonly<Record<string, unknown>>>
  }>
}

/** @since 0.1.0 @category models */
export interface OpencodeCliShape {
  /** The native binary that runs. */
  readonly binary: string
  readonly home: string
  /** `XDG_DATA_HOME`. */
  readonly dataHome: string
  /** OpenCode's data dir, `<dataHome>/opencode` (holds `opencode.db`). */
  readonly dataDir: string
  /** The config file written: `<configHome>/opencode/opencode.json`. */
  readonly configFile: string
  readonly cwd: string
  /** The full environment OpenCode runs with. */
  readonly env: Readonly<Record<string, string>>
  /** An `opencode <args>` command with this machine's environment, for long-running processes. */
  readonly command: (args: ReadonlyArray<string>, options?: { readonly cwd?: string }) => Command.Command
  /** Runs `opencode <args>` to completion (stdin closed); a non-zero exit is a result, not an error. */
  readonly exec: (
    args: ReadonlyArray<string>,
    options?: { readonly cwd?: string }
  ) => Effect.Effect<RunResult, OpencodeCliError>
  /** `opencode --version`, e.g. `"1.18.33"`. */
  readonly version: Effect.Effect<string, OpencodeCliError>
  /** `opencode run <prompt> --format json …`; fails on a non-zero exit or when no event names the session. */
  readonly run: (prompt: string, options?: PromptOptions) => Effect.Effect<PromptResult, OpencodeCliError>
  /** `opencode session list --format json` in `cwd` (default the project folder). */
  readonly sessionList: (
    options?: { readonly cwd?: string }
  ) => Effect.Effect<ReadonlyArray<SessionListEntry>, OpencodeCliError>
  /** `opencode export <id>`. */
  readonly export: (id: string, options?: { readonly cwd?: string }) => Effect.Effect<Export, OpencodeCliError>
}

/** @since 0.1.0 @category tags */
export class OpencodeCli extends Context.Tag("@sessionport/opencode-oracle/OpencodeCli")<OpencodeCli, OpencodeCliShape>() {}

const tail = (text: string) => text.length > 4000 ? `…${text.slice(-4000)}` : text

/**
 * `opencode.json`: the only provider is `mock` (OpenAI-compatible at `baseUrl`, model
 * `mock-model` with tool calls), used for chat and titles; bash and edits allowed, webfetch
 * denied; no autoupdate, no sharing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config = (baseUrl: string): Readonly<Record<string, unknown>> => ({
  $schema: "https://opencode.ai/config.json",
  autoupdate: false,
  share: "disabled",
  model: "mock/mock-model",
  small_model: "mock/mock-model",
  permission: { bash: "allow", edit: "allow", webfetch: "deny" },
  provider: {
    mock: {
      npm: "@ai-sdk/openai-compatible",
      name: "Mock (loopback)",
      options: { baseURL: baseUrl, apiKey: mockApiKey },
      models: {
        "mock-model": { name: "Mock Model", tool_call: true, limit: { context: 100000, output: 4096 } }
      }
    }
  }
})

/**
 * The XDG folders of a machine, defaults filled in.
 *
 * @since 0.1.0
 * @category constructors
 */
export const folders = (options: Pick<Options, "home" | "dataHome" | "configHome" | "stateHome" | "cacheHome">) => {
  const home = Path.resolve(options.home)
  return {
    home,
    dataHome: Path.resolve(options.dataHome ?? Path.join(home, ".local", "share")),
    configHome: Path.resolve(options.configHome ?? Path.join(home, ".config")),
    stateHome: Path.resolve(options.stateHome ?? Path.join(home, ".local", "state")),
    cacheHome: Path.resolve(options.cacheHome ?? Path.join(home, ".cache"))
  }
}

/**
 * The environment for one machine: nothing of the parent's but PATH, LANG and TZ.
 *
 * @since 0.1.0
 * @category constructors
 */
export const machineEnv = (
  dirs: ReturnType<typeof folders>,
  env: Readonly<Record<string, string>> = {}
): Readonly<Record<string, string>> => ({
  PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
  LANG: process.env["LANG"] ?? "C.UTF-8",
  ...(process.env["TZ"] === undefined ? {} : { TZ: process.env["TZ"] }),
  SHELL: defaultShell(),
  ...env,
  HOME: dirs.home,
  XDG_DATA_HOME: dirs.dataHome,
  XDG_CONFIG_HOME: dirs.configHome,
  XDG_STATE_HOME: dirs.stateHome,
  XDG_CACHE_HOME: dirs.cacheHome,
  ...quietEnv
})

const parseEvents = (stdout: string): ReadonlyArray<RunEvent> =>
  stdout.split("\n").flatMap((line) => {
    if (!line.trim().startsWith("{")) return []
    try {
      const value = JSON.parse(line) as unknown
      return typeof value === "object" && value !== null && typeof (value as RunEvent).type === "string"
        ? [value as RunEvent]
        : []
    } catch {
      return []
    }
  })

/**
 * Creates the machine's folders and writes its config file (replacing one that is there).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("OpencodeCli.make")(function*(options: Options) {
  const executor = yield* Effect.context<CommandExecutor>()
  const fs = yield* FileSystem.FileSystem
  if (!isLoopbackUrl(options.baseUrl)) {
    return yield* new OpencodeCliError({ reason: "NotLoopback", detail: `refusing base URL ${options.baseUrl}` })
  }
  const binary = yield* Effect.try({
    try: resolveBinary,
    catch: (cause) => new OpencodeCliError({ reason: "Binary", detail: String(cause), cause })
  })
  const timeout = options.timeout ?? Duration.seconds(120)
  const dirs = folders(options)
  const cwd = Path.resolve(options.cwd)
  const env = machineEnv(dirs, options.env)
  const dataDir = Path.join(dirs.dataHome, "opencode")
  const configFile = Path.join(dirs.configHome, "opencode", "opencode.json")
  yield* Effect.gen(function*() {
    for (const dir of [dirs.home, dirs.dataHome, dirs.stateHome, dirs.cacheHome, Path.dirname(configFile)]) {
      yield* fs.makeDirectory(dir, { recursive: true })
    }
    yield* fs.writeFileString(configFile, `${JSON.stringify(config(options.baseUrl), null, 2)}\n`)
  }).pipe(Effect.mapError((cause) => new OpencodeCliError({ reason: "Config", detail: String(cause), cause })))

  // only the machine's variables: the parent's secrets and proxies must not reach OpenCode
  const child = ChildRun.cli({
    name: "opencode",
    binary,
    env,
    cwd,
    timeout,
    fail: (reason, detail, cause) => new OpencodeCliError({ reason, detail, ...(cause === undefined ? {} : { cause }) })
  })
  const command = child.command
  const exec = (args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }) =>
    child.run(args, runOptions).pipe(Effect.provide(executor), Effect.withSpan("OpencodeCli.exec"))

  const checked = (args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }) =>
    exec(args, runOptions).pipe(
      Effect.filterOrFail(
        (result) => result.exitCode === 0,
        (result) =>
          new OpencodeCliError({
            reason: "ExitCode",
            detail: `opencode ${args.join(" ")} exited ${result.exitCode}${
              result.stdout.trim() === "" ? "" : `; stdout: ${tail(result.stdout)}`
            }`,
            stderr: tail(result.stderr)
          })
      )
    )

  const parseJson = <A>(label: string, result: RunResult) =>
    Effect.try({
      try: () => JSON.parse(result.stdout) as A,
      catch: (cause) =>
        new OpencodeCliError({
          reason: "Output",
          detail: `${label}: stdout is not JSON: ${tail(result.stdout)}`,
          stderr: tail(result.stderr),
          cause
        })
    })

  const cwdOf = (o: { readonly cwd?: string } | undefined) => o?.cwd === undefined ? undefined : { cwd: o.cwd }

  const version = exec(["--version"]).pipe(Effect.map(ChildRun.versionOf))

  const run = Effect.fn("OpencodeCli.run")(function*(prompt: string, promptOptions: PromptOptions = {}) {
    // The prompt first, as the research runs did (a prompt starting with `-` would be a flag).
    const args = [
      "run",
      prompt,
      ...(promptOptions.session === undefined ? [] : ["--session", promptOptions.session]),
      ...(promptOptions.continue === true ? ["--continue"] : []),
      "--format",
      "json",
      ...(promptOptions.args ?? [])
    ]
    const result = yield* checked(args, cwdOf(promptOptions))
    const events = parseEvents(result.stdout)
    const sessionId = events.find((e) => typeof e.sessionID === "string")?.sessionID
    if (sessionId === undefined) {
      return yield* new OpencodeCliError({
        reason: "Output",
        detail: `opencode ${args.join(" ")}: no event names a session: ${tail(result.stdout)}`,
        stderr: tail(result.stderr)
      })
    }
    const partOf = (type: string) =>
      events.filter((e) => e.type === type && e.part !== undefined).map((e) => e.part as Record<string, unknown>)
    return {
      ...result,
      sessionId,
      events,
      texts: partOf("text").map((p) => String(p["text"] ?? "")),
      tools: partOf("tool_use").map((p) => String(p["tool"] ?? ""))
    } satisfies PromptResult
  })

  const sessionList = Effect.fn("OpencodeCli.sessionList")(function*(listOptions?: { readonly cwd?: string }) {
    const result = yield* checked(["session", "list", "--format", "json"], cwdOf(listOptions))
    // An empty list prints nothing.
    if (result.stdout.trim() === "") return []
    return yield* parseJson<ReadonlyArray<SessionListEntry>>("opencode session list", result)
  })

  const exportSession = Effect.fn("OpencodeCli.export")(function*(id: string, exportOptions?: { readonly cwd?: string }) {
    const result = yield* checked(["export", id], cwdOf(exportOptions))
    return yield* parseJson<Export>(`opencode export ${id}`, result)
  })

  return OpencodeCli.of({
    binary,
    home: dirs.home,
    dataHome: dirs.dataHome,
    dataDir,
    configFile,
    cwd,
    env,
    command,
    exec,
    version,
    run,
    sessionList,
    export: exportSession
  })
})

/** @since 0.1.0 @category layers */
export const layer = (
  options: Options
): Layer.Layer<OpencodeCli, OpencodeCliError, CommandExecutor | FileSystem.FileSystem> =>
  Layer.effect(OpencodeCli, make(options))
