// Claude install benchmark, with the bundled CLI as a user runs it (`npm run build:bin` first):
// a Claude config dir of N generated sessions (default 1,000 of ~100 KB, lines of the real
// Claude Code 2.1.332 fixtures: `@sessionport/claude-oracle/SyntheticClaude`), exported with
// `session-transfer export --agent claude --all` (HOME the source home) and installed into an
// empty config dir of another home with `session-transfer install --map <src projects>=<dst
// projects>`. Each against its floor, measured in the same run: export against `tar czf` of the
// config dir + `sync` (export fsyncs its package), install against `tar xzf` of the package +
// `sync`. Every run starts with nothing dirty in the page cache (`sync` first); command and floor
// runs alternate; the table shows medians and the children's peak RSS (/usr/bin/time).
// `pnpm bench:claude-install [N] [--runs R]` (default R = 3). SPBENCH_KEEP=1 keeps the folder;
// SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { argCount, argRuns, cli, load, duBytes, machine, mb, type Measured, packFloor, type Run, settle, table, transferBin, unpackFloor, PROJECTS, sourceMachine } from "./Child.js"


const main = async () => {
  const count = argCount(1000)
  const runs = argRuns(3)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-claude-install-"))
  console.log(machine())
  try {
    const started = performance.now()
    const { sessions, srcConfig, srcHome, srcProjects } = await sourceMachine(dir, count)
    const transcripts = sessions.reduce((n, s) => n + s.bytes, 0)
    console.log(
      `${count} sessions in ${PROJECTS} projects, transcripts ${mb(transcripts)} (${(transcripts / count / 1024).toFixed(0)} KB each, ` +
        `${sessions.reduce((n, s) => n + s.turns, 0) / count} turns), config dir ${mb(duBytes(srcConfig))}; generated in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )

    // export, against tar czf + sync of the config dir
    const exportFloor: Array<Run> = []
    const exports: Array<Run> = []
    const pkg = path.join(dir, "pkg.tgz")
    for (let i = 0; i < runs; i++) {
      const floorOut = path.join(dir, `floor-${i}.tgz`)
      settle()
      exportFloor.push(packFloor(srcConfig, floorOut))
      fs.rmSync(floorOut)
      const out = i === 0 ? pkg : path.join(dir, `pkg-${i}.tgz`)
      settle()
      exports.push(cli(transferBin, ["export", "--agent", "claude", "--claude-home", srcConfig, "--all", "--out", out, "--json"], { HOME: srcHome }))
      if (i > 0) fs.rmSync(out)
    }
    const exported = JSON.parse(exports[0]!.stdout) as { sessions?: ReadonlyArray<unknown> }
    console.log(`package ${mb(fs.statSync(pkg).size)}, ${exported.sessions?.length ?? "?"} sessions`)

    // install into a fresh home each run, against tar xzf + sync of the package
    const installFloor: Array<Run> = []
    const installs: Array<Run> = []
    let installed = ""
    for (let i = 0; i < runs; i++) {
      const unpacked = path.join(dir, `unpacked-${i}`)
      settle()
      installFloor.push(unpackFloor(pkg, unpacked))
      fs.rmSync(unpacked, { recursive: true, force: true })
      const dstHome = path.join(dir, `dst-${i}`)
      const dstConfig = path.join(dstHome, ".claude")
      const dstProjects = path.join(dstHome, "projects")
      fs.mkdirSync(dstConfig, { recursive: true })
      for (let k = 0; k < PROJECTS; k++) fs.mkdirSync(path.join(dstProjects, `p${k}`), { recursive: true })
      settle()
      installs.push(cli(transferBin, ["install", pkg, "--claude-home", dstConfig, "--map", `${srcProjects}=${dstProjects}`, "--json"], { HOME: dstHome }))
      if (i === 0) {
        const result = JSON.parse(installs[0]!.stdout) as { sessions?: ReadonlyArray<unknown> }
        installed = `installed ${result.sessions?.length ?? "?"} sessions, config dir ${mb(duBytes(dstConfig))}`
      }
      fs.rmSync(dstHome, { recursive: true, force: true })
    }
    console.log(installed)

    const packRow: Measured = { label: "floor: tar czf <config dir> + sync", runs: exportFloor }
    const unpackRow: Measured = { label: "floor: tar xzf pkg.tgz + sync", runs: installFloor }
    console.log()
    console.log(table([
      packRow,
      { label: "session-transfer export --agent claude --all", runs: exports, floor: packRow },
      unpackRow,
      { label: "session-transfer install pkg.tgz --map …", runs: installs, floor: unpackRow }
    ]))
    console.log(`\nat the end: ${load()}`)
  } finally {
    if (process.env.SPBENCH_KEEP === undefined) fs.rmSync(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}

main()
