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
// Floors measured in the same run: of sync, `sha256sum` of the package's session files (reading
// and hashing the bytes sync reads); of install, `tar xzf` of the package + `sync`. Each measured
// step runs on R homes installed alike (R runs), with nothing dirty in the page cache first
// (`sync`); the table shows medians and the children's peak RSS (/usr/bin/time).
// `pnpm bench:claude-sync [N] [--runs R]` (default R = 2). SPBENCH_KEEP=1 keeps the folder;
// SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import { appendTurn } from "@sessionport/claude-oracle/SyntheticClaude"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  bench,
  exportRun,
  hashFloor,
  installRun,
  mb,
  type Measured,
  perRun,
  settled,
  sourceMachine,
  type Store,
  syncCounts,
  syncRun,
  targetMachine,
  unpackFloorRun
} from "./Child.js"

bench("claude-sync", { count: 1000, runs: 2 }, async ({ count, dir, runs }) => {
  const { sessions, srcConfig, srcHome, srcProjects } = await sourceMachine(dir, count)
  const source: Store = { home: srcHome, options: ["--claude-home", srcConfig], folder: srcConfig }
  const pkg = path.join(dir, "pkg.tgz")
  exportRun("claude", source, pkg)
  console.log(`${count} sessions, transcripts ${mb(sessions.reduce((n, s) => n + s.bytes, 0))}, package ${mb(fs.statSync(pkg).size)}`)

  // R config dirs of other homes, each with the package installed, then synced with it twice
  const hash = hashFloor(pkg, path.join(dir, "hashed"))
  const homes: Array<Store> = []
  const unchanged = perRun(runs, (i) => {
    const h = targetMachine(path.join(dir, `dst-${i}`), srcProjects)
    homes.push(h)
    return {
      floor: unpackFloorRun(pkg, path.join(dir, `unpacked-${i}`)),
      install: settled(() => installRun(pkg, h)),
      hash: hash.run(),
      first: settled(() => syncRun(pkg, h)),
      repeat: settled(() => syncRun(pkg, h))
    }
  })
  console.log(`first sync: ${syncCounts(unchanged.first[0]!)}; repeat sync: ${syncCounts(unchanged.repeat[0]!)}`)

  // every session of A goes on by one turn
  const grownAt = performance.now()
  for (const s of sessions) appendTurn(s)
  const grown = path.join(dir, "pkg-grown.tgz")
  exportRun("claude", source, grown)
  console.log(`grew ${count} sessions by one turn and re-exported in ${((performance.now() - grownAt) / 1000).toFixed(1)} s: package ${mb(fs.statSync(grown).size)}`)
  const grownHash = hashFloor(grown, path.join(dir, "hashed-grown"))
  const forward = perRun(runs, (i) => ({
    hash: grownHash.run(),
    sync: settled(() => syncRun(grown, homes[i]!))
  }))
  console.log(`fast-forward sync: ${syncCounts(forward.sync[0]!)}`)

  const floorRow: Measured = { label: "floor: tar xzf pkg.tgz + sync", runs: unchanged.floor }
  const hashRow: Measured = { label: hash.label, runs: unchanged.hash }
  const grownRow: Measured = { label: grownHash.label, runs: forward.hash }
  return [
    floorRow,
    { label: "(setup) session-transfer install pkg.tgz", runs: unchanged.install, floor: floorRow },
    hashRow,
    { label: "session-sync sync pkg.tgz, first (unchanged)", runs: unchanged.first, floor: hashRow },
    { label: "session-sync sync pkg.tgz, repeat (unchanged)", runs: unchanged.repeat, floor: hashRow },
    grownRow,
    { label: "session-sync sync pkg-grown.tgz (fast-forward)", runs: forward.sync, floor: grownRow }
  ]
})
