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
import { bench, exportInstall, mb } from "@sessionport/codex-oracle/BenchChild"
import * as fs from "node:fs"
import * as path from "node:path"
import { PROJECTS, sourceData, SRC_PROJECTS, targetMachine } from "./Generate.js"

bench("opencode-install", { count: 1000, runs: 3 }, ({ count, dir, runs }) => {
  const started = performance.now()
  const srcHome = path.join(dir, "src")
  const src = sourceData(path.join(srcHome, ".local", "share", "opencode"), count)
  console.log(
    `${count} sessions in ${PROJECTS} projects under ${SRC_PROJECTS} (${src.messages} messages, ${src.parts} parts), ` +
      `opencode.db ${mb(fs.statSync(src.database).size)}; generated in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  return exportInstall({
    dir,
    runs,
    agent: "opencode",
    folderName: "data folder",
    source: { home: srcHome, options: ["--opencode-data", src.dataDir], folder: src.dataDir },
    // an empty data folder (the fixture database without sessions) in another home
    target: targetMachine
  })
})
