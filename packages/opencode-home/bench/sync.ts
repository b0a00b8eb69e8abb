// OpenCode sync benchmark, with the bundled CLIs as a user runs them (`npm run build:bin` first):
// an OpenCode data folder A of N generated sessions (default 1,000 clones of the real OpenCode
// 1.18.33 fixture `tools` session, 6 messages and 16 parts each: ./Generate.ts) and a data
// folder B of another home that holds some of them, in four quarters (as `pnpm bench:sync` builds
// them for Codex):
//   - unchanged: B has the session as the package has it;
//   - fast-forward: the package's copy has one more message and part (a user turn) than B's;
//   - diverged: that too, and B's copy went on with a message and part of its own;
//   - new: B does not have it.
// B is made by installing (`session-transfer install --map /tmp/bench-src/projects=<dst
// projects>`) a package of A's first three quarters as they were before the fast-forward and
// diverged quarters went on, then appending B's own turn to the diverged quarter's installed
// copies. Then, timed, with `session-sync sync --map … --yes`: the package of all of A (the mixed
// sync), and the same package again (a repeat: all unchanged). Floors measured in the same run:
// `tar xzf` of the package + `sync`. Each measured step runs on R homes made alike (R runs), with
// nothing dirty in the page cache first (`sync`); the table shows medians and the children's peak
// RSS (/usr/bin/time).
// `pnpm bench:opencode-sync [N] [--runs R]` (default R = 2). SPBENCH_KEEP=1 keeps the folder;
// SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { argCount, argRuns, cli, load, machine, mb, type Measured, type Run, settle, syncBin, table, transferBin, unpackFloor } from "@sessionport/codex-oracle/BenchChild"
import { appendTurn, copyWithout, PROJECTS, sourceData, SRC_PROJECTS, targetData } from "./Generate.js"

interface SyncResult {
  readonly counts?: Record<string, number>
}

interface InstallResult {
  readonly sessions?: ReadonlyArray<{ readonly sourceId: string; readonly localId: string }>
}

const main = () => {
  const count = argCount(1000)
  const runs = argRuns(2)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-opencode-sync-"))
  console.log(machine())
  try {
    const started = performance.now()
    const srcHome = path.join(dir, "src")
    const src = sourceData(path.join(srcHome, ".local", "share", "opencode"), count)
    const quarter = Math.floor(count / 4)
    const ids = src.sessions.map((s) => s.id)
    const forwarded = ids.slice(quarter, 2 * quarter)
    const diverging = new Set(ids.slice(2 * quarter, 3 * quarter))
    const fresh = ids.slice(3 * quarter)
    const exportAll = (data: string, out: string) =>
      cli(transferBin, ["export", "--agent", "opencode", "--opencode-data", data, "--all", "--out", out, "--json"], { HOME: srcHome })

    // B's past: A without the new quarter, before the fast-forward and diverged quarters went on
    const old = path.join(dir, "pkg-old.tgz")
    exportAll(copyWithout(src, path.join(dir, "old", ".local", "share", "opencode"), fresh), old)
    // A goes on by one turn in the fast-forward and diverged quarters
    const index = new Map(src.sessions.map((s) => [s.id, s.index]))
    appendTurn(src.database, [...forwarded, ...diverging], (id) => `turn three (session ${index.get(id)})`, 1000)
    const pkg = path.join(dir, "pkg.tgz")
    exportAll(src.dataDir, pkg)
    console.log(
      `${count} sessions (${quarter} unchanged, ${forwarded.length} fast-forward, ${diverging.size} diverged, ${fresh.length} new) ` +
        `in ${PROJECTS} projects under ${SRC_PROJECTS}; package ${mb(fs.statSync(pkg).size)}, B's package ${mb(fs.statSync(old).size)}; ` +
        `generated and exported in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )

    const homes = Array.from({ length: runs }, (_, i) => {
      const home = path.join(dir, `dst-${i}`)
      return { home, data: path.join(home, ".local", "share", "opencode"), projects: path.join(home, "projects") }
    })
    const map = (h: (typeof homes)[number]) => `${SRC_PROJECTS}=${h.projects}`
    const syncInto = (h: (typeof homes)[number], p: string): Run =>
      cli(syncBin, ["sync", p, "--opencode-data", h.data, "--map", map(h), "--yes", "--json"], { HOME: h.home })
    const counts = (r: Run) => JSON.stringify((JSON.parse(r.stdout) as SyncResult).counts ?? {})

    const installs: Array<Run> = []
    const oldFloor: Array<Run> = []
    const floor: Array<Run> = []
    const mixed: Array<Run> = []
    const repeats: Array<Run> = []
    for (const [i, h] of homes.entries()) {
      targetData(h.data)
      for (let k = 0; k < PROJECTS; k++) fs.mkdirSync(path.join(h.projects, `p${k}`), { recursive: true })
      const oldUnpacked = path.join(dir, `unpacked-old-${i}`)
      settle()
      oldFloor.push(unpackFloor(old, oldUnpacked))
      fs.rmSync(oldUnpacked, { recursive: true, force: true })
      settle()
      const install = cli(transferBin, ["install", old, "--opencode-data", h.data, "--map", map(h), "--json"], { HOME: h.home })
      installs.push(install)
      // B's copies of the diverged quarter go on with a turn of their own
      const local = ((JSON.parse(install.stdout) as InstallResult).sessions ?? []).filter((s) => diverging.has(s.sourceId)).map((s) => s.localId)
      if (local.length !== diverging.size) throw new Error(`installed ${local.length} of the ${diverging.size} sessions to diverge`)
      appendTurn(path.join(h.data, "opencode.db"), local, () => "went on here", 2000)

      const unpacked = path.join(dir, `unpacked-${i}`)
      settle()
      floor.push(unpackFloor(pkg, unpacked))
      fs.rmSync(unpacked, { recursive: true, force: true })
      settle()
      mixed.push(syncInto(h, pkg))
      settle()
      repeats.push(syncInto(h, pkg))
    }
    console.log(`mixed sync: ${counts(mixed[0]!)}; repeat sync: ${counts(repeats[0]!)}`)

    const oldRow: Measured = { label: "floor: tar xzf pkg-old.tgz + sync", runs: oldFloor }
    const floorRow: Measured = { label: "floor: tar xzf pkg.tgz + sync", runs: floor }
    console.log()
    console.log(table([
      oldRow,
      { label: `(setup) session-transfer install pkg-old.tgz (${3 * quarter} sessions)`, runs: installs, floor: oldRow },
      floorRow,
      { label: "session-sync sync pkg.tgz (mixed: ¼ each class)", runs: mixed, floor: floorRow },
      { label: "session-sync sync pkg.tgz, repeat (unchanged)", runs: repeats, floor: floorRow }
    ]))
    console.log(`\nat the end: ${load()}`)
  } finally {
    if (process.env.SPBENCH_KEEP === undefined) fs.rmSync(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}

main()
