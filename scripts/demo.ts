// The README's main job, on the bundled fixtures (a Codex home, a Claude Code home and an OpenCode
// data folder, each made by the real agent): list machine A's sessions, export every session of
// the three into one package, inspect it, validate the Codex home line by line, list the package's
// sessions with their status on machine B, install the package into machine B's three homes with
// their projects mapped (one transaction), list B's sessions, and sync the same package there
// again with the remembered maps (every session is then recognised as unchanged). Works on copies in a temp folder; the fixtures
// are never written.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { emptyData } from "../packages/opencode-oracle/src/Fixtures.js"

const root = path.resolve(import.meta.dirname, "..")
const bins = {
  "session-transfer": path.join(root, "packages", "transfer-cli", "bin", "session-transfer.mjs"),
  "session-sync": path.join(root, "packages", "sync-cli", "bin", "session-sync.mjs")
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sessionport-demo-"))
const fixture = (agent: string, ...rest: Array<string>) => path.join(root, "fixtures", agent, ...rest)
const sourceOf = (agent: string) => JSON.parse(fs.readFileSync(fixture(agent, "fixtures.json"), "utf8")).source as { root: string }
// machine A: copies of the three fixture homes
const home = path.join(work, "codex-home")
const claude = path.join(work, "claude-home")
const opencode = path.join(work, "opencode-data")
fs.cpSync(fixture("codex", "home"), home, { recursive: true })
fs.cpSync(fixture("claude", "home"), claude, { recursive: true })
fs.cpSync(fixture("opencode", "data"), opencode, { recursive: true })
const pkg = path.join(work, "sessions.tgz")
// machine B: its own homes (an OpenCode database with no sessions yet) and project folders
const homeB = path.join(work, "codex-home-b")
const claudeB = path.join(work, "claude-home-b")
const opencodeB = path.join(work, "opencode-data-b")
const projects = path.join(work, "projects-b")
for (const dir of [homeB, claudeB, projects]) fs.mkdirSync(dir)
emptyData(opencodeB)
const homesA = ["--codex-home", home, "--claude-home", claude, "--opencode-data", opencode]
const homesB = ["--codex-home", homeB, "--claude-home", claudeB, "--opencode-data", opencodeB]
const maps = ["codex", "claude", "opencode"].flatMap((agent) => ["--map", `${sourceOf(agent).root}=${path.join(projects, agent)}`])

const run = (bin: keyof typeof bins, ...args: Array<string>) => {
  console.log(`\n$ ${bin} ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`)
  execFileSync(process.execPath, [bins[bin], ...args], { stdio: "inherit" })
}

try {
  run("session-transfer", "list", ...homesA)
  run("session-transfer", "export", "--all", "--include-archived", ...homesA, "--out", pkg)
  run("session-transfer", "inspect", pkg)
  run("session-transfer", "validate", home)
  run("session-transfer", "list", pkg, ...homesB)
  // --yes: every session, without the picker a terminal would open
  run("session-transfer", "install", pkg, ...homesB, ...maps, "--yes")
  run("session-transfer", "list", ...homesB)
  // the maps the install used are remembered for machine B's homes
  run("session-sync", "sync", pkg, ...homesB, "--yes")
  console.log(`\nThe package is at ${pkg}; machine B's homes are ${homeB}, ${claudeB} and ${opencodeB}.`)
} catch {
  process.exitCode = 1
}
