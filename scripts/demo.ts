// The README's main job, on the bundled fixtures (a Codex home made by the real Codex CLI):
// export every session into a package, inspect it, validate the home line by line, install the
// package into a second Codex home (machine B) with its projects mapped, and sync the same package
// there again (every session is then recognised as unchanged). Works on copies in a temp folder;
// the fixtures are never written.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const bins = {
  "session-transfer": path.join(root, "packages", "transfer-cli", "bin", "session-transfer.mjs"),
  "session-sync": path.join(root, "packages", "sync-cli", "bin", "session-sync.mjs")
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sessionport-demo-"))
const home = path.join(work, "codex-home")
fs.cpSync(path.join(root, "fixtures", "codex", "home"), home, { recursive: true })
const pkg = path.join(work, "sessions.tgz")
// machine B: its own Codex home and its own project folder
const homeB = path.join(work, "codex-home-b")
const projects = path.join(work, "projects-b")
fs.mkdirSync(homeB)
fs.mkdirSync(projects)
const source = JSON.parse(fs.readFileSync(path.join(root, "fixtures", "codex", "fixtures.json"), "utf8")).source as { root: string }

const run = (bin: keyof typeof bins, ...args: Array<string>) => {
  console.log(`\n$ ${bin} ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`)
  execFileSync(process.execPath, [bins[bin], ...args], { stdio: "inherit" })
}

try {
  run("session-transfer", "export", "--all", "--include-archived", "--codex-home", home, "--out", pkg)
  run("session-transfer", "inspect", pkg)
  run("session-transfer", "validate", home)
  run("session-transfer", "install", pkg, "--codex-home", homeB, "--map", `${source.root}=${projects}`)
  run("session-sync", "sync", pkg, "--codex-home", homeB, "--map", `${source.root}=${projects}`, "--yes")
  console.log(`\nThe package is at ${pkg}; machine B's Codex home is ${homeB}.`)
} catch {
  process.exitCode = 1
}
