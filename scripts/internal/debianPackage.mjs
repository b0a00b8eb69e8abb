// Makes sure a command from a Debian package is on PATH for the tests that run the real tool:
// installs the package when missing. Quiet when it is already there. When it cannot install (not
// root, no apt, apt failed) it prints one line saying how, and the caller still exits 0: the
// tests that need the tool then skip with that reason.
import { execFileSync, spawnSync } from "node:child_process"

/**
 * @param {{ script: string, command: string, pkg: string, howTo: string }} tool
 *   `script` names the caller in its messages; `command --version` proves the tool is there
 */
export const ensureDebianPackage = ({ script, command, pkg, howTo }) => {
  const onPath = () => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0
  const install = () => {
    if (typeof process.getuid === "function" && process.getuid() !== 0) return "not root"
    if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) return "no apt-get"
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
    try {
      // `update` may complain about unsigned side repositories; the main one is enough
      spawnSync("apt-get", ["update"], { stdio: "ignore", env, timeout: 300_000 })
      execFileSync("apt-get", ["install", "-y", pkg], { stdio: "ignore", env, timeout: 600_000 })
    } catch (error) {
      return `apt-get install failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`
    }
    return onPath() ? undefined : "installed, but still not on PATH"
  }
  if (onPath()) return
  process.stderr.write(`${script}: ${command} is missing; installing Debian's package…\n`)
  const failure = install()
  if (failure === undefined) {
    const version = spawnSync(command, ["--version"], { encoding: "utf8" }).stdout.trim()
    process.stderr.write(`${script}: installed ${command} ${version}\n`)
  } else {
    process.stderr.write(`${script}: ${command} not installed (${failure}); ${howTo}\n`)
  }
}
