import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

/** How to start Codex: `command` followed by `args`, then Codex's own arguments. */
export interface Launcher {
  readonly command: string
  readonly args: ReadonlyArray<string>
}

const targetTriples: Record<string, string> = {
  "linux-x64": "x86_64-unknown-linux-musl",
  "linux-arm64": "aarch64-unknown-linux-musl",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
  "win32-x64": "x86_64-pc-windows-msvc",
  "win32-arm64": "aarch64-pc-windows-msvc"
}

/**
 * Resolves the Codex pinned in this package's dependencies, never the one on PATH.
 *
 * Prefers the native binary of the platform package (what `bin/codex.js` would exec): on
 * Node 20 the JS launcher stays alive as a parent process, which complicates killing.
 */
export const resolveLauncher = (): Launcher => {
  const require = createRequire(import.meta.url)
  const packageJson = Fs.realpathSync(require.resolve("@openai/codex/package.json"))
  const packageRoot = Path.dirname(packageJson)
  const key = `${process.platform}-${process.arch}`
  const triple = targetTriples[key]
  if (triple !== undefined) {
    try {
      const platformJson = createRequire(packageJson).resolve(`@openai/codex-${key}/package.json`)
      const exe = Path.join(
        Path.dirname(platformJson),
        "vendor",
        triple,
        "bin",
        process.platform === "win32" ? "codex.exe" : "codex"
      )
      if (Fs.existsSync(exe)) return { command: exe, args: [] }
    } catch {
      // fall through to the JS launcher
    }
  }
  const manifest = JSON.parse(Fs.readFileSync(packageJson, "utf8")) as { readonly bin?: Record<string, string> }
  const bin = manifest.bin?.["codex"] ?? "bin/codex.js"
  return { command: process.execPath, args: [Path.join(packageRoot, bin)] }
}
