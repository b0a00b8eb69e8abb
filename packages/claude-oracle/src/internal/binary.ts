import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

/** glibc or musl, as `@anthropic-ai/claude-code`'s own install.cjs decides it. */
const isMusl = (): boolean => {
  if (process.platform !== "linux") return false
  const report = process.report?.getReport() as { readonly header?: { readonly glibcVersionRuntime?: string } } | undefined
  return report !== undefined && report.header?.glibcVersionRuntime === undefined
}

/** The suffix of the platform package, e.g. `linux-x64`, `linux-x64-musl`, `darwin-arm64`. */
export const platformKey = (): string =>
  `${process.platform}-${process.arch}${isMusl() ? "-musl" : ""}`

/**
 * The native Claude Code binary pinned in this package's dependencies, never the one on PATH.
 *
 * `@anthropic-ai/claude-code` ships only a placeholder `bin/claude.exe`; its postinstall would
 * hard-link the platform binary over it, but pnpm does not run that script (the package is in
 * `ignoredBuiltDependencies`). So the binary is resolved from the platform package, an optional
 * dependency of the main package: `@anthropic-ai/claude-code-<platform>/claude`.
 */
export const resolveBinary = (): string => {
  const require = createRequire(import.meta.url)
  const mainJson = Fs.realpathSync(require.resolve("@anthropic-ai/claude-code/package.json"))
  const key = platformKey()
  const name = `@anthropic-ai/claude-code-${key}`
  let platformJson: string
  try {
    platformJson = createRequire(mainJson).resolve(`${name}/package.json`)
  } catch (cause) {
    throw new Error(
      `${name} is not installed (an optional dependency of @anthropic-ai/claude-code; ` +
        "were optional dependencies omitted?)",
      { cause }
    )
  }
  const exe = Path.join(Path.dirname(platformJson), process.platform === "win32" ? "claude.exe" : "claude")
  if (!Fs.existsSync(exe)) throw new Error(`${name} has no binary at ${exe}`)
  return exe
}

/** The resolved `@anthropic-ai/claude-agent-sdk` entry module, for a child `node` to import. */
export const resolveSdkModule = (): string =>
  // The SDK's exports map has no `./package.json`; its "." entry has a plain `default` condition.
  Fs.realpathSync(createRequire(import.meta.url).resolve("@anthropic-ai/claude-agent-sdk"))
