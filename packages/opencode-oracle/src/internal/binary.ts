import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

const isMusl = (): boolean => {
  if (process.platform !== "linux") return false
  const report = process.report?.getReport() as { readonly header?: { readonly glibcVersionRuntime?: string } } | undefined
  return report !== undefined && report.header?.glibcVersionRuntime === undefined
}

/** Whether the CPU has AVX2 (Linux: /proc/cpuinfo); without it OpenCode needs its `-baseline` build. */
const hasAvx2 = (): boolean => {
  if (process.arch !== "x64") return false
  if (process.platform !== "linux") return true
  try {
    return /(^|\s)avx2(\s|$)/i.test(Fs.readFileSync("/proc/cpuinfo", "utf8"))
  } catch {
    return false
  }
}

/**
 * The platform packages to try, best first, as `opencode-ai`'s own postinstall.mjs orders them:
 * `opencode-<os>-<arch>[-baseline][-musl]` (`os` is `windows` for win32).
 */
export const platformPackages = (): ReadonlyArray<string> => {
  const os = process.platform === "win32" ? "windows" : process.platform
  const base = `opencode-${os}-${process.arch}`
  if (process.arch !== "x64") return isMusl() ? [`${base}-musl`, base] : [base, `${base}-musl`]
  const avx2 = hasAvx2()
  const plain = isMusl() ? [`${base}-musl`, `${base}-baseline-musl`, base, `${base}-baseline`] : [
    base,
    `${base}-baseline`,
    `${base}-musl`,
    `${base}-baseline-musl`
  ]
  // Without AVX2 the baseline builds come first (the plain ones crash with SIGILL).
  return avx2 ? plain : [...plain.filter((n) => n.includes("baseline")), ...plain.filter((n) => !n.includes("baseline"))]
}

/**
 * The native OpenCode binary pinned in this package's dependencies, never the one on PATH.
 *
 * `opencode-ai` ships only a placeholder `bin/opencode.exe`; its postinstall would hard-link the
 * platform binary over it, but pnpm does not run that script (the package is in
 * `ignoredBuiltDependencies`). So the binary is resolved from the platform package, an optional
 * dependency of `opencode-ai`: `opencode-<platform>/bin/opencode`.
 */
export const resolveBinary = (): string => {
  const require = createRequire(import.meta.url)
  const mainJson = Fs.realpathSync(require.resolve("opencode-ai/package.json"))
  const fromMain = createRequire(mainJson)
  const names = platformPackages()
  for (const name of names) {
    let platformJson: string
    try {
      platformJson = fromMain.resolve(`${name}/package.json`)
    } catch {
      continue
    }
    const exe = Path.join(Path.dirname(platformJson), "bin", process.platform === "win32" ? "opencode.exe" : "opencode")
    if (Fs.existsSync(exe)) return exe
  }
  throw new Error(
    `none of ${names.join(", ")} is installed with a binary (optional dependencies of opencode-ai; ` +
      "were optional dependencies omitted?)"
  )
}
