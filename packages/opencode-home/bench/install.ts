// OpenCode install benchmark, with the bundled CLI as a user runs it (`npm run build:bin` first):
// an OpenCode data folder of N generated sessions (default 1,000 clones of the real OpenCode
// 1.18.33 fixture `tools` session, 6 messages and 16 parts each: ./Generate.ts) in 50 project
// folders under /tmp/bench-src/projects, exported with `session-transfer export --agent opencode
// --all --opencode-data <src>` and installed into an empty data folder (the fixture database
// without sessions) of another home with `session-transfer install --map
// /tmp/bench-src/projects=<dst projects>`. Each against its floor, measured in the same run:
// export against `tar czf` of the data folder + `sync` (export fsyncs its package), install
// against `tar xzf` of the package + `sync`. Every run starts with nothing dirty in the page cache
// (`sync` first); command and floor runs alternate; the table shows medians and the children's
// peak RSS (/usr/bin/time).
// `pnpm bench:opencode-install [N] [--runs R]` (default R = 3). SPBENCH_KEEP=1 keeps the folder;
// SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { argCount, argRuns, cli, duBytes, load, machine, mb, type Measured, packFloor, type Run, settle, table, transferBin, unpackFloor } from "@sessionport/codex-oracle/BenchChild"
import { PROJECTS, sourceData, SRC_PROJECTS, targetData } from "./Generate.js"

const main = () => {
  const count = argCount(1000)
  const runs = argRuns(3)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-opencode-install-"))
  console.log(machine())
  try {
    const started = performance.now()
    const srcHome = path.join(dir, "src")
    const src = sourceData(path.join(srcHome, ".local", "share", "opencode"), count)
    console.log(
      `${count} sessions in ${PROJECTS} projects under ${SRC_PROJECTS} (${src.messages} messages, ${src.parts} parts), ` +
        `opencode.db ${mb(fs.statSync(src.database).size)}; generated in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )

    // export, against tar czf + sync of the data folder
    const exportFloor: Array<Run> = []
    const exports: Array<Run> = []
    const pkg = path.join(dir, "pkg.tgz")
    for (let i = 0; i < runs; i++) {
      const floorOut = path.join(dir, `floor-${i}.tgz`)
      settle()
      exportFloor.push(packFloor(src.dataDir, floorOut))
      fs.rmSync(floorOut)
      const out = i === 0 ? pkg : path.join(dir, `pkg-${i}.tgz`)
      settle()
      exports.push(cli(transferBin, ["export", "--agent", "opencode", "--opencode-data", src.dataDir, "--all", "--out", out, "--json"], { HOME: srcHome }))
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
      const dstData = targetData(path.join(dstHome, ".local", "share", "opencode"))
      const dstProjects = path.join(dstHome, "projects")
      for (let k = 0; k < PROJECTS; k++) fs.mkdirSync(path.join(dstProjects, `p${k}`), { recursive: true })
      settle()
      installs.push(cli(transferBin, ["install", pkg, "--opencode-data", dstData, "--map", `${SRC_PROJECTS}=${dstProjects}`, "--json"], { HOME: dstHome }))
      if (i === 0) {
        const result = JSON.parse(installs[0]!.stdout) as { sessions?: ReadonlyArray<unknown> }
        installed = `installed ${result.sessions?.length ?? "?"} sessions, data folder ${mb(duBytes(dstData))}`
      }
      fs.rmSync(dstHome, { recursive: true, force: true })
    }
    console.log(installed)

    const packRow: Measured = { label: "floor: tar czf <data folder> + sync", runs: exportFloor }
    const unpackRow: Measured = { label: "floor: tar xzf pkg.tgz + sync", runs: installFloor }
    console.log()
    console.log(table([
      packRow,
      { label: "session-transfer export --agent opencode --all", runs: exports, floor: packRow },
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
