/**
 * The real Codex CLI (the version pinned in this package), run against an isolated
 * `CODEX_HOME` and a scripted model provider.
 *
 * @since 0.1.0
 */
import { Command, FileSystem, Path } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Context, Data, Duration, Effect, Layer, Option } from "effect"
import * as ChildRun from "./ChildRun.js"
import * as CodexHome from "./CodexHome.js"
import { type Launcher, resolveLauncher } from "./internal/binary.js"
import { renderToml, sessionIdPattern, type TomlTable } from "./internal/config.js"

/** @since 0.1.0 @category errors */
export class CodexCliError extends Data.TaggedError("CodexCliError")<{
  readonly reason: "Spawn" | "ExitCode" | "Timeout" | "ThreadIdNotFound" | "Catalog" | "FileSystem"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message() {
    return `CodexCli ${this.reason}: ${this.detail}`
  }
}

/** @since 0.1.0 @category models */
export interface Options {
  readonly codexHome: string
  /**
   * `HOME` for Codex and the commands it runs. Defaults to the parent's; set it to keep the
   * user's dotfiles (and their output) out of fixtures.
   */
  readonly home?: string
  /** Extra environment variables. Codex otherwise gets only PATH, HOME, CODEX_HOME, LANG, TZ. */
  readonly env?: Readonly<Record<string, string>>
  /** Per-run timeout of `run` / `exec` / `resume`; default 120 s. */
  readonly timeout?: Duration.DurationInput
}

/** @since 0.1.0 @category models */
export interface ConfigOptions {
  /** The provider's base URL, e.g. `ResponsesServer.baseUrl`. */
  readonly baseUrl: string
  /** Default `"mock-model"`. */
  readonly model?: string
  /** Default `"workspace-write"`. */
  readonly sandboxMode?: "read-only" | "workspace-write" | "danger-full-access"
  /** Default `"never"`. */
  readonly approvalPolicy?: "never" | "on-request" | "on-failure" | "untrusted"
  /** The `[features]` table, e.g. `{ local_thread_store_compression: true }`. */
  readonly features?: Readonly<Record<string, boolean>>
  /**
   * Write `model-catalog.json` into the home and point `model_catalog_json` at it (default
   * true). Without metadata Codex treats the model as unknown and offers no `apply_patch`.
   */
  readonly modelCatalog?: boolean
  /** Appended verbatim after the generated TOML. */
  readonly extraToml?: string
}

/** @since 0.1.0 @category models */
export type RunResult = ChildRun.Output

/** @since 0.1.0 @category models */
export interface ExecResult extends RunResult {
  readonly threadId: string
}

/** @since 0.1.0 @category models */
export interface ExecOptions {
  /** The project folder; becomes the session's cwd. */
  readonly cwd: string
  readonly prompt: string
  /** Extra `codex exec` flags, placed before the prompt. */
  readonly args?: ReadonlyArray<string>
}

/** @since 0.1.0 @category models */
export interface ResumeOptions extends ExecOptions {
  readonly threadId: string
}

/** @since 0.1.0 @category models */
export interface CodexCliShape {
  readonly codexHome: string
  readonly launcher: Launcher
  /** The full environment Codex runs with. */
  readonly env: Readonly<Record<string, string>>
  /** A `codex <args>` command with this home's environment, for long-running processes. */
  readonly command: (args: ReadonlyArray<string>, options?: { readonly cwd?: string }) => Command.Command
  /** Runs `codex <args>` to completion; a non-zero exit is a result, not an error. */
  readonly run: (
    args: ReadonlyArray<string>,
    options?: { readonly cwd?: string }
  ) => Effect.Effect<RunResult, CodexCliError>
  /** `codex --version`, e.g. `"0.169.0"`. */
  readonly version: Effect.Effect<string, CodexCliError>
  /** Writes `config.toml` (and the model catalog) into the home. */
  readonly writeConfig: (options: ConfigOptions) => Effect.Effect<void, CodexCliError>
  /** `codex exec --skip-git-repo-check <prompt>`: a new thread. Fails on a non-zero exit. */
  readonly exec: (options: ExecOptions) => Effect.Effect<ExecResult, CodexCliError>
  /** `codex exec --skip-git-repo-check resume <id> <prompt>`: more turns on a thread. */
  readonly resume: (options: ResumeOptions) => Effect.Effect<ExecResult, CodexCliError>
}

/** @since 0.1.0 @category tags */
export class CodexCli extends Context.Tag("@sessionport/codex-oracle/CodexCli")<CodexCli, CodexCliShape>() {}

/** @since 0.1.0 @category constants */
export const mockModel = "mock-model"

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fn("CodexCli.make")(function*(options: Options) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const executor = yield* Effect.context<CommandExecutor>()
  const launcher = resolveLauncher()
  const timeout = options.timeout ?? Duration.seconds(120)
  const codexHome = path.resolve(options.codexHome)

  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: options.home ?? process.env["HOME"] ?? codexHome,
    LANG: process.env["LANG"] ?? "C.UTF-8",
    ...(process.env["TZ"] === undefined ? {} : { TZ: process.env["TZ"] }),
    ...options.env,
    CODEX_HOME: codexHome
  }

  const fsError = (detail: string) => (cause: unknown) => new CodexCliError({ reason: "FileSystem", detail, cause })

  const command = (args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }) => {
    // Only the variables above: the parent's secrets must not reach Codex or its shell snapshots.
    const base = Command.make(launcher.command, ...launcher.args, ...args).pipe(Command.env(env, { extendEnv: false }))
    return runOptions?.cwd === undefined ? base : Command.workingDirectory(base, runOptions.cwd)
  }

  const run = Effect.fn("CodexCli.run")(
    function*(args: ReadonlyArray<string>, runOptions?: { readonly cwd?: string }) {
      // ChildRun closes stdin at once: `codex exec` otherwise waits for "additional input".
      return yield* ChildRun.run(command(args, runOptions), {
        timeout,
        onError: (cause) =>
          new CodexCliError({ reason: "Spawn", detail: `codex ${args.join(" ")}: ${String(cause)}`, cause }),
        onTimeout: () => new CodexCliError({ reason: "Timeout", detail: `codex ${args.join(" ")}` })
      })
    },
    Effect.provide(executor)
  )

  const version = run(["--version"]).pipe(Effect.map(ChildRun.versionOf))

  // A copy of a bundled model's metadata under the mock name, so Codex offers the same tools
  // (notably the freeform `apply_patch`) as for a real model.
  const writeModelCatalog = Effect.fn("CodexCli.writeModelCatalog")(function*(model: string) {
    const result = yield* run(["debug", "models", "--bundled"])
    const catalog = yield* Effect.try({
      try: () => JSON.parse(result.stdout) as { readonly models: ReadonlyArray<Record<string, unknown>> },
      catch: (cause) => new CodexCliError({ reason: "Catalog", detail: "codex debug models: not JSON", cause })
    })
    const template = catalog.models.find((m) => m["slug"] === "gpt-5.5") ??
      catalog.models.find((m) => m["apply_patch_tool_type"] === "freeform" && m["tool_mode"] === undefined)
    if (template === undefined) {
      return yield* new CodexCliError({ reason: "Catalog", detail: "no bundled model with a freeform apply_patch" })
    }
    const entry = {
      ...template,
      slug: model,
      display_name: model,
      description: "Scripted offline model (codex-oracle)",
      upgrade: null,
      supports_search_tool: false
    }
    const file = path.join(codexHome, "model-catalog.json")
    yield* fs.writeFileString(file, `${JSON.stringify({ models: [entry] }, null, 2)}\n`).pipe(
      Effect.mapError(fsError(file))
    )
    return file
  })

  const writeConfig = Effect.fn("CodexCli.writeConfig")(function*(config: ConfigOptions) {
    yield* fs.makeDirectory(codexHome, { recursive: true }).pipe(Effect.mapError(fsError(codexHome)))
    const model = config.model ?? mockModel
    const catalog = config.modelCatalog === false ? undefined : yield* writeModelCatalog(model)
    const root: TomlTable = {
      model,
      model_provider: "mock",
      approval_policy: config.approvalPolicy ?? "never",
      sandbox_mode: config.sandboxMode ?? "workspace-write",
      ...(catalog === undefined ? {} : { model_catalog_json: catalog })
    }
    const tables: Array<readonly [string, TomlTable]> = []
    if (config.features !== undefined && Object.keys(config.features).length > 0) {
      tables.push(["features", config.features])
    }
    tables.push(["model_providers.mock", { name: "mock", base_url: config.baseUrl, wire_api: "responses" }])
    const file = path.join(codexHome, "config.toml")
    yield* fs.writeFileString(file, renderToml(root, tables, config.extraToml)).pipe(Effect.mapError(fsError(file)))
  })

  const newestRollout = CodexHome.listRollouts(codexHome).pipe(
    Effect.map((all) => Option.fromNullable(all[0]?.threadId)),
    Effect.provideService(FileSystem.FileSystem, fs),
    Effect.provideService(Path.Path, path),
    Effect.orElseSucceed(() => Option.none<string>())
  )

  const finish = (args: ReadonlyArray<string>, expectedId: string | undefined) => (result: RunResult) =>
    Effect.gen(function*() {
      if (result.exitCode !== 0) {
        return yield* new CodexCliError({
          reason: "ExitCode",
          detail: `codex ${args.join(" ")} exited ${result.exitCode}\n${result.stderr.slice(-4000)}`
        })
      }
      const printed = sessionIdPattern.exec(result.stderr) ?? sessionIdPattern.exec(result.stdout)
      const threadId = printed?.[1] ?? expectedId ?? Option.getOrUndefined(yield* newestRollout)
      if (threadId === undefined) {
        return yield* new CodexCliError({ reason: "ThreadIdNotFound", detail: `codex ${args.join(" ")}` })
      }
      return { ...result, threadId: threadId.toLowerCase() } satisfies ExecResult
    })

  const exec = Effect.fn("CodexCli.exec")(function*(execOptions: ExecOptions) {
    const args = ["exec", "--skip-git-repo-check", ...(execOptions.args ?? []), execOptions.prompt]
    return yield* run(args, { cwd: execOptions.cwd }).pipe(Effect.flatMap(finish(args, undefined)))
  })

  const resume = Effect.fn("CodexCli.resume")(function*(resumeOptions: ResumeOptions) {
    const args = [
      "exec",
      "--skip-git-repo-check",
      ...(resumeOptions.args ?? []),
      "resume",
      resumeOptions.threadId,
      resumeOptions.prompt
    ]
    return yield* run(args, { cwd: resumeOptions.cwd }).pipe(Effect.flatMap(finish(args, resumeOptions.threadId)))
  })

  return CodexCli.of({ codexHome, launcher, env, command, run, version, writeConfig, exec, resume })
})

/** @since 0.1.0 @category layers */
export const layer = (
  options: Options
): Layer.Layer<CodexCli, never, FileSystem.FileSystem | Path.Path | CommandExecutor> =>
  Layer.effect(CodexCli, make(options))
