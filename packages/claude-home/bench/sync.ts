// Claude sync benchmark, with the bundled CLIs as a user runs them (`npm run build:bin` first):
// a Claude config dir A of N generated sessions (default 1,000 of ~100 KB, lines of the real
// Claude Code 2.1.332 fixtures: `@sessionport/claude-oracle/SyntheticClaude`), exported
// (`session-transfer export --agent claude --all`, HOME the source home) and installed
// (`session-transfer install --map <src projects>=<dst projects>`) into a config dir B of
// another home; then, timed, with `session-sync sync --map … --yes`:
//   1. the same package, all unchanged: the first sync (it records the installed copies'
//      lineages) and a repeat one;
//   2. a package where every session of A grew by one turn (a prompt, a Bash and a Write call,
//      the answer: ~15 KB appended to each, re-exported): a fast-forward of all N sessions.
// Floors measured in the same run: `tar xzf` of the package + `sync`. Each measured step runs on
// R homes installed alike (R runs), with nothing dirty in the page cache first (`sync`); the
// table shows medians and the children's peak RSS (/usr/bin/time).
// `pnpm bench:claude-sync [N] [--runs R]` (default R = 2). SPBENCH_KEEP=1 keeps the folder;
// SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import { appendTurn } from "@sessionport/claude-oracle/SyntheticClaude"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { argCount, argRuns, cli, load, machine, mb, type Measured, type Run, settle, syncBin, table, transferBin, unpackFloor, PROJECTS, sourceMachine } from "./Child.js"


interface SyncResult {
  readonly counts?: Record<string, number>
  readonly transactionId?: string
}

const main = async () => {
  const count = argCount(1000)
  const runs = argRuns(2)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-claude-sync-"))
  console.log(machine())
  try {
    const { sessions, srcConfig, srcHome, srcProjects } = await sourceMachine(dir, count)
    const exportAll = (out: string) =>
      cli(transferBin, ["export", "--agent", "claude", "--claude-home", srcConfig, "--all", "--out", out, "--json"], { HOME: srcHome })
    const pkg = path.join(dir, "pkg.tgz")
    exportAll(pkg)
    console.log(`${count} sessions, transcripts ${mb(sessions.reduce((n, s) => n + s.bytes, 0))}, package ${mb(fs.statSync(pkg).size)}`)

    const homes = Array.from({ length: runs }, (_, i) => {
      const home = path.join(dir, `dst-${i}`)
      return { home, config: path.join(home, ".claude"), projects: path.join(home, "projects") }
    })
    const syncInto = (h: (typeof homes)[number], p: string): Run =>
      cli(syncBin, ["sync", p, "--claude-home", h.config, "--map", `${srcProjects}=${h.projects}`, "--yes", "--json"], { HOME: h.home })
    const counts = (r: Run) => JSON.stringify((JSON.parse(r.stdout) as SyncResult).counts ?? {})

    const installs: Array<Run> = []
    const firsts: Array<Run> = []
    const repeats: Array<Run> = []
    const floor: Array<Run> = []
    for (const [i, h] of homes.entries()) {
      fs.mkdirSync(h.config, { recursive: true })
      for (let k = 0; k < PROJECTS; k++) fs.mkdirSync(path.join(h.projects, `p${k}`), { recursive: true })
      settle()
      installs.push(cli(transferBin, ["install", pkg, "--claude-home", h.config, "--map", `${srcProjects}=${h.projects}`, "--json"], { HOME: h.home }))
      const unpacked = path.join(dir, `unpacked-${i}`)
      settle()
      floor.push(unpackFloor(pkg, unpacked))
      fs.rmSync(unpacked, { recursive: true, force: true })
      settle()
      firsts.push(syncInto(h, pkg))
      settle()
      repeats.push(syncInto(h, pkg))
    }
    console.log(`first sync: ${counts(firsts[0]!)}; repeat sync: ${counts(repeats[0]!)}`)

    // every session of A goes on by one turn
    const grownAt = performance.now()
    for (const s of sessions) appendTurn(s)
    const grown = path.join(dir, "pkg-grown.tgz")
    exportAll(grown)
    console.log(`grew ${count} sessions by one turn and re-exported in ${((performance.now() - grownAt) / 1000).toFixed(1)} s: package ${mb(fs.statSync(grown).size)}`)
    const forwards: Array<Run> = []
    const grownFloor: Array<Run> = []
    for (const [i, h] of homes.entries()) {
      const unpacked = path.join(dir, `unpacked-grown-${i}`)
      settle()
      grownFloor.push(unpackFloor(grown, unpacked))
      fs.rmSync(unpacked, { recursive: true, force: true })
      settle()
      forwards.push(syncInto(h, grown))
    }
    console.log(`fast-forward sync: ${counts(forwards[0]!)}`)

    const floorRow: Measured = { label: "floor: tar xzf pkg.tgz + sync", runs: floor }
    const grownRow: Measured = { label: "floor: tar xzf pkg-grown.tgz + sync", runs: grownFloor }
    console.log()
    console.log(table([
      floorRow,
      { label: "(setup) session-transfer install pkg.tgz", runs: installs, floor: floorRow },
      { label: "session-sync sync pkg.tgz, first (unchanged)", runs: firsts, floor: floorRow },
      { label: "session-sync sync pkg.tgz, repeat (unchanged)", runs: repeats, floor: floorRow },
      grownRow,
      { label: "session-sync sync pkg-grown.tgz (fast-forward)", runs: forwards, floor: grownRow }
    ]))
    console.log(`\nat the end: ${load()}`)
  } finally {
    if (process.env.SPBENCH_KEEP === undefined) fs.rmSync(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}

main()
