// Codex export and install benchmark, with the bundled CLI as a user runs it (`npm run build:bin`
// first): a Codex home of N generated sessions (default 1,000 of ~100 KB, `--kb K` for another
// size: `1 --kb 1048576` is one 1 GB session; made on Windows, cwds `C:\Users\alice\…`; a
// `state_5.sqlite` with their rows: ./Child.ts), exported with `session-transfer export --agent
// codex --all` to a .tgz and to a folder, each installed into an empty Codex home with a database
// on another machine with `session-transfer install --map C:\Users\alice=<target HOME>`. Each
// against its floor, measured in the same run: export to .tgz against `tar czf` of the home's
// session files + `sync` (export fsyncs its package), to a folder against `cp -r` of them +
// `sync`; install of the .tgz against `tar xzf` of it + `sync`, of the folder against `cp -r` of
// it + `sync`. Every run starts with nothing dirty in the page cache (`sync` first); command and
// floor runs alternate; the table shows medians and the children's peak RSS (/usr/bin/time).
// `pnpm bench:codex-install [N] [--runs R] [--kb K]` (default R = 3). SPBENCH_KEEP=1 keeps the
// folder; SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import * as path from "node:path"
import { argNumber, bench, duBytes, exportInstall, mb, sourceMachine, targetMachines } from "./Child.js"

bench("codex-install", { count: 1000, runs: 3 }, async ({ count, dir, runs }) => {
  const started = performance.now()
  const { sessions, store } = await sourceMachine(path.join(dir, "src"), count, argNumber("--kb", 100) * 1024)
  const bytes = sessions.reduce((n, s) => n + s.bytes, 0)
  console.log(
    `${count} sessions, rollouts ${mb(bytes)} (${(bytes / count / 1024).toFixed(0)} KB each), sessions folder ${mb(duBytes(store.folder))}; ` +
      `generated in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  return exportInstall({
    dir,
    runs,
    agent: "codex",
    folderName: "sessions folder",
    source: store,
    target: await targetMachines(path.join(dir, "empty", ".codex")),
    folders: true
  })
})
