// The README's main job, on the bundled fixtures (a Codex home made by the real Codex CLI):
// export every session into a package, inspect it, and validate the home line by line.
// Works on a copy in a temp folder; the fixtures are never written.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const bin = path.join(root, "packages", "transfer-cli", "bin", "session-transfer.mjs")
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sessionport-demo-"))
const home = path.join(work, "codex-home")
fs.cpSync(path.join(root, "fixtures", "codex", "home"), home, { recursive: true })
const pkg = path.join(work, "sessions.tgz")

const run = (...args: Array<string>) => {
  console.log(`\n$ session-transfer ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`)
  execFileSync(process.execPath, [bin, ...args], { stdio: "inherit" })
}

try {
  run("export", "--all", "--include-archived", "--codex-home", home, "--out", pkg)
  run("inspect", pkg)
  run("validate", home)
  console.log(`\nThe package is at ${pkg}; carry it to another machine and install it there.`)
} catch {
  process.exitCode = 1
}
