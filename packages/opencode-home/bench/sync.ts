// OpenCode sync benchmark, with the bundled CLIs as a user runs them (`npm run build:bin` first):
// an OpenCode data folder A of N generated sessions (default 1,000 clones of the real OpenCode
// 1.18.33 fixture `tools` session, 6 messages and 16 parts each: ./Generate.ts) and a data
// folder B of another home that holds some of them, in four quarters (as `pnpm bench:codex-sync`
// builds them for Codex):
//   - unchanged: B has the session as the package has it;
//   - fast-forward: the package's copy has one more message and part (a user turn) than B's;
//   - diverged: that too, and B's copy went on with a message and part of its own;
//   - new: B does not have it.
// B is made by installing (`session-transfer install --map /tmp/bench-src/projects=<dst
// projects>`) a package of A's first three quarters as they were before the fast-forward and
// diverged quarters went on, then appending B's own turn to the diverged quarter's installed
// copies. Then, timed, with `session-sync sync --map … --yes`: the package of all of A (the mixed
// sync), and the same package again (a repeat: all unchanged). Floors measured in the same run:
// of sync, `sha256sum` of the package's session files (reading and hashing the bytes sync reads);
// of the install, `tar xzf` of the package + `sync`. Each measured step runs on R homes made alike
// (R runs), with nothing dirty in the page cache first (`sync`); the table shows medians and the
// children's peak RSS (/usr/bin/time).
// `pnpm bench:opencode-sync [N] [--runs R]` (default R = 2). SPBENCH_KEEP=1 keeps the folder;
// SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import {
  bench,
  exportRun,
  hashFloor,
  installRun,
  mb,
  type Measured,
  perRun,
  settled,
  syncCounts,
  syncRun,
  unpackFloorRun
} from "@sessionport/codex-oracle/BenchChild"
import * as fs from "node:fs"
import * as path from "node:path"
import { appendTurn, copyWithout, PROJECTS, sourceData, SRC_PROJECTS, targetMachine } from "./Generate.js"

interface InstallResult {
  readonly sessions?: ReadonlyArray<{ readonly source_id: string; readonly local_id: string }>
}

bench("opencode-sync", { count: 1000, runs: 2 }, ({ count, dir, runs }) => {
  const started = performance.now()
  const srcHome = path.join(dir, "src")
  const src = sourceData(path.join(srcHome, ".local", "share", "opencode"), count)
  const quarter = Math.floor(count / 4)
  const ids = src.sessions.map((s) => s.id)
  const forwarded = ids.slice(quarter, 2 * quarter)
  const diverging = new Set(ids.slice(2 * quarter, 3 * quarter))
  const fresh = ids.slice(3 * quarter)
  const exportAll = (data: string, out: string) => exportRun("opencode", { home: srcHome, options: ["--opencode-data", data], folder: data }, out)

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

  const hash = hashFloor(pkg, path.join(dir, "hashed"))
  const onB = perRun(runs, (i) => {
    // B: an empty data folder (the fixture database without sessions) in another home
    const h = targetMachine(path.join(dir, `dst-${i}`))
    const oldFloor = unpackFloorRun(old, path.join(dir, `unpacked-old-${i}`))
    const install = settled(() => installRun(old, h))
    // B's copies of the diverged quarter go on with a turn of their own
    const local = ((JSON.parse(install.stdout) as InstallResult).sessions ?? []).filter((s) => diverging.has(s.source_id)).map((s) => s.local_id)
    if (local.length !== diverging.size) throw new Error(`installed ${local.length} of the ${diverging.size} sessions to diverge`)
    appendTurn(path.join(h.folder, "opencode.db"), local, () => "went on here", 2000)
    return {
      oldFloor,
      install,
      hash: hash.run(),
      mixed: settled(() => syncRun(pkg, h)),
      repeat: settled(() => syncRun(pkg, h))
    }
  })
  console.log(`mixed sync: ${syncCounts(onB.mixed[0]!)}; repeat sync: ${syncCounts(onB.repeat[0]!)}`)

  const oldRow: Measured = { label: "floor: tar xzf pkg-old.tgz + sync", runs: onB.oldFloor }
  const hashRow: Measured = { label: hash.label, runs: onB.hash }
  return [
    oldRow,
    { label: `(setup) session-transfer install pkg-old.tgz (${3 * quarter} sessions)`, runs: onB.install, floor: oldRow },
    hashRow,
    { label: "session-sync sync pkg.tgz (mixed: ¼ each class)", runs: onB.mixed, floor: hashRow },
    { label: "session-sync sync pkg.tgz, repeat (unchanged)", runs: onB.repeat, floor: hashRow }
  ]
})
