/**
 * The real Claude Code CLI (the version pinned in this package) for one "machine": its own
 * `HOME` and `CLAUDE_CONFIG_DIR`, a project folder as cwd, and a scripted Messages API on
 * loopback as its only network peer.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as ChildRun from "@sessionport/codex-oracle/ChildRun"
import { Context, Duration, Effect, Layer } from "effect"
import * as Path from "node:path"
import { resolveBinary } from "./internal/binary.js"
import { defaultShell, isLoopbackUrl, mockApiKey, quietEnv } from "./internal/env.js"

/** @since 0.1.0 @category errors */
export class ClaudeCliError extends ChildRun.CliError<"ClaudeCliError", "Binary" | "Spawn" | "ExitCode" | "Timeout" | "Output" | "NotLoopback">("ClaudeCliError", "ClaudeCli") {}

/** @since 0.1.0 @category models */
export interface Options {
  /** `HOME` of Claude and the commands it runs. */
  readonly home: string
  /** Default `<home>/.claude`. */
  readonly configDir?: string
  /** `ANTHROPIC_BASE_URL`, e.g. `MessagesServer.baseUrl`; must be loopback. */
  readonly baseUrl: string
  /** Default cwd of every run: the project folder. */
  readonly cwd: string
  /** Default `sk-ant-mock-key`. */
  readonly apiKey?: string
  /** Extra environment variables (cannot override the ones that keep Claude offline). */
  readonly env?: Readonly<Record<string, string>>
  /** Per-run timeout; default 120 s. */
  readonly timeout?: Duration.DurationInput
}

/** @since 0.1.0 @category models */
export type RunResult = ChildRun.Output

/** @since 0.1.0 @category models */
export interface PrintOptions {
  /** `--resume <id or custom title>`. */
  readonly resume?: string
  /** `--continue`: the most recent session of the cwd. */
  readonly continue?: boolean
  /** `--allowedTools`, e.g. `["Bash", "Write"]`, so tools run without asking. */
  readonly allowedTools?: ReadonlyArray<string>
  /** `-n <name>`: a custom title (a `custom-title` line). */
  readonly name?: string
  /** Default: the machine's project folder. */
  readonly cwd?: string
  /** Extra flags, placed after the others. */
  readonly args?: ReadonlyArray<string>
}

/**
 * The `--output-format json` result of `claude -p`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrintResult extends RunResult {
  readonly sessionId: string
  readonly result: string
  readonly isError: boolean
  /** The whole JSON object Claude printed. */
  readonly json: Readonly<Record<string, unknown>>
}

/** @since 0.1.0 @category models */
export interface ClaudeCliShape {
  /** The native binary that runs. */
  readonly binary: string
  readonly home: string
  readonly configDir: string
  readonly cwd: string
  /** The full environment Claude runs with. */
  readonly env: Readonly<Record<string, string>>
  /** A `claude <args>` command with this machine's environment, for long-running processes. */
  readonly command: (args: ReadonlyArray<string>, options?: { readonly cwd?: string }) => Command.Command
  /** Runs `claude <args>` to completion (stdin closed); a non-zero exit is a result, not an error. */
  readonly run: (
    args: ReadonlyArray<string>,
    options?: { readonly cwd?: string }
  ) => Effect.Effect<RunResult, ClaudeCliError>
  /** `claude --version`, e.g. `"2.1.332"`. */
  readonly version: Effect.Effect<string, ClaudeCliError>
  /** The arguments {@link ClaudeCliShape.print} passes. */
  readonly printArgs: (prompt: string, options?: PrintOptions) => ReadonlyArray<string>
  /** `claude -p <prompt> --output-format json …`; fails on a non-zero exit or output that is not the result. */
  readonly print: (prompt: string, options?: PrintOptions) => Effect.Effect<PrintResult, ClaudeCliError>
}

/** @since 0.1.0 @category tags */
export class ClaudeCli extends Context.Tag("@sessionport/claude-oracle/ClaudeCli")<ClaudeCli, ClaudeCliShape>() {}

const tail = (text: string) => text.length > 4000 ? `…${text.slice(-4000)}` : text

/**
 * The environment for one machine: nothing of the parent's but PATH, LANG and TZ.
 *
 * @since 0.1.0
 * @category constructors
 */
export const machineEnv = (options: {
  readonly home: string
  readonly configDir: string
  readonly baseUrl: string
  readonly apiKey?: string
  readonly env?: Readonly<Record<string, string>>
}): Readonly<Record<string, string>> => ({
  PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
  LANG: process.env["LANG"] ?? "C.UTF-8",
  ...(process.env["TZ"] === undefined ? {} : { TZ: process.env["TZ"] }),
  SHELL: defaultShell(),
  ...options.env,
  HOME: options.home,
  CLAUDE_CONFIG_DIR: options.configDir,
  ANTHROPIC_BASE_URL: options.baseUrl,
  ANTHROPIC_API_KEY: options.apiKey ?? mockApiKey,
  ...quietEnv
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("ClaudeCli.make")(function*(options: Options) {
  const executor = yield* Effect.context<CommandExecutor>()
  if (!isLoopbackUrl(options.baseUrl)) {
    return yield* new ClaudeCliError({ reason: "NotLoopback", detail: `refusing base URL ${options.baseUrl}` })
  }
  const binary = yield* Effect.try({
    try: resolveBinary,
    catch: (cause) => new ClaudeCliError({ reason: "Binary", detail: String(cause), cause })
  })
  const timeout = options.timeout ?? Duration.seconds(120)
  const home = Path.resolve(options.home)
  const configDir = Path.resolve(options.configDir ?? Path.join(home, ".claude"))
  const cwd = Path.resolve(options.cwd)
  const env = machineEnv({
    home,
    configDir,
    baseUrl: options.baseUrl,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.env === undefined ? {} : { env: options.env })
  })

  // only the machine's variables: the parent's secrets and proxies must not reach Claude
  const child = ChildRun.cli({
    name: "claude",
    binary,
    env,
    cwd,
    timeout,
    fail: (reason, detail, cause) => new ClaudeCliError({ reason, detail, ...(cause === undefined ? {} : { cause }) })
  })
  const command = child.command
  const run = (args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }) =>
    child.run(args, runOptions).pipe(Effect.provide(executor), Effect.withSpan("ClaudeCli.run"))

  const version = run(["--version"]).pipe(Effect.map(ChildRun.versionOf))

  const printArgs = (prompt: string, printOptions: PrintOptions = {}): ReadonlyArray<string> => [
    "-p",
    prompt,
    "--output-format",
    "json",
    ...(printOptions.resume === undefined ? [] : ["--resume", printOptions.resume]),
    ...(printOptions.continue === true ? ["--continue"] : []),
    ...(printOptions.name === undefined ? [] : ["--name", printOptions.name]),
    ...(printOptions.args ?? []),
    // Variadic: last, and as one comma-separated value.
    ...(printOptions.allowedTools === undefined || printOptions.allowedTools.length === 0
      ? []
      : ["--allowedTools", printOptions.allowedTools.join(",")])
  ]

  const print = Effect.fn("ClaudeCli.print")(function*(prompt: string, printOptions: PrintOptions = {}) {
    const args = printArgs(prompt, printOptions)
    const label = `claude ${args.join(" ")}`
    const result = yield* run(args, printOptions.cwd === undefined ? undefined : { cwd: printOptions.cwd })
    if (result.exitCode !== 0) {
      return yield* new ClaudeCliError({
        reason: "ExitCode",
        detail: `${label} exited ${result.exitCode}${result.stdout.trim() === "" ? "" : `; stdout: ${tail(result.stdout)}`}`,
        stderr: tail(result.stderr)
      })
    }
    const json = yield* Effect.try({
      try: () => JSON.parse(result.stdout) as Record<string, unknown>,
      catch: (cause) =>
        new ClaudeCliError({
          reason: "Output",
          detail: `${label}: stdout is not JSON: ${tail(result.stdout)}`,
          stderr: tail(result.stderr),
          cause
        })
    })
    const sessionId = json["session_id"]
    if (typeof sessionId !== "string") {
      return yield* new ClaudeCliError({ reason: "Output", detail: `${label}: no session_id in ${result.stdout}` })
    }
    const isError = json["is_error"] === true
    return {
      ...result,
      sessionId,
      result: typeof json["result"] === "string" ? json["result"] : "",
      isError,
      json
    } satisfies PrintResult
  })

  return ClaudeCli.of({ binary, home, configDir, cwd, env, command, run, version, printArgs, print })
})

/** @since 0.1.0 @category layers */
export const layer = (options: Options): Layer.Layer<ClaudeCli, ClaudeCliError, CommandExecutor> =>
  Layer.effect(ClaudeCli, make(options))
