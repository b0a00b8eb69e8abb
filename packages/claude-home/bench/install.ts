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
import { bench, duBytes, exportInstall, mb, PROJECTS, sourceMachine, targetMachine } from "./Child.js"

bench("claude-install", { count: 1000, runs: 3 }, async ({ count, dir, runs }) => {
  const started = performance.now()
  const { sessions, srcConfig, srcHome, srcProjects } = await sourceMachine(dir, count)
  const transcripts = sessions.reduce((n, s) => n + s.bytes, 0)
  console.log(
    `${count} sessions in ${PROJECTS} projects, transcripts ${mb(transcripts)} (${(transcripts / count / 1024).toFixed(0)} KB each, ` +
      `${sessions.reduce((n, s) => n + s.turns, 0) / count} turns), config dir ${mb(duBytes(srcConfig))}; generated in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  return exportInstall({
    dir,
    runs,
    agent: "claude",
    folderName: "config dir",
    source: { home: srcHome, options: ["--claude-home", srcConfig], folder: srcConfig },
    // an empty config dir in another home
    target: (home) => targetMachine(home, srcProjects)
  })
})
