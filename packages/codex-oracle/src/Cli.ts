/**
 * Running a bundled bin in a child process, as a user would: exit code, signal, stdout, stderr.
 */
import { spawn } from "node:child_process"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"

export interface CliResult {
  readonly code: number
  /** the signal that ended the process, if one did */
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * A Claude Code home that does not exist: the CLIs under test see no Claude sessions of this
 * machine's own `~/.claude` unless a test names a home.
 */
export const NO_CLAUDE_HOME = path.join(os.tmpdir(), "sessionport-tests-no-claude-home")

/**
 * An XDG data folder that does not exist: the CLIs under test see no OpenCode sessions of this
 * machine's own `~/.local/share/opencode` unless a test names a data folder.
 */
export const NO_XDG_DATA_HOME = path.join(os.tmpdir(), "sessionport-tests-no-xdg-data")

/**
 * The bin a CLI test runs and the Node that runs it: the repository's bundle (`repoBin`) with this
 * process's Node; or, when SESSIONPORT_TEST_PREFIX names a prefix where the `sessionport` npm
 * package was installed, its `bin/<name>`, with SESSIONPORT_TEST_NODE if set (the CLI tests on
 * Node 24: packages/sessionport/vitest.node24.config.ts).
 */
export const binUnderTest = (name: string, repoBin: string): { readonly bin: string; readonly node: string } => {
  const prefix = process.env.SESSIONPORT_TEST_PREFIX
  return {
    bin: prefix !== undefined && prefix !== "" ? path.join(prefix, "bin", name) : repoBin,
    node: process.env.SESSIONPORT_TEST_NODE || process.execPath
  }
}

/** Runs `node BIN ...args` (`node`: this process's unless given) with a minimal environment (PATH, HOME, no Claude home, no OpenCode data, then `env`). */
export const runBin = (
  bin: string,
  args: ReadonlyArray<string>,
  options: { env?: Record<string, string>; cwd?: string; node?: string } = {}
) =>
  Effect.async<CliResult>((resume) => {
    const child = spawn(options.node ?? process.execPath, [bin, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME,
        XDG_DATA_HOME: NO_XDG_DATA_HOME,
        ...options.env
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code, signal) => resume(Effect.succeed({ code: code ?? -1, signal, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** stderr without blank lines. */
export const errorLines = (result: CliResult): Array<string> => result.stderr.split("\n").filter((l) => l.trim() !== "")
