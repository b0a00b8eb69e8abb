// Codex sync and start-up benchmark, with the bundled CLIs as a user runs them (`npm run build:bin`
// first). Sessions made on Windows (cwds `C:\Users\alice\…`, a `state_5.sqlite`: ./Child.ts),
// every install and sync with `--map C:\Users\alice=<target HOME>`.
//   1. Mixed sync: a package of N generated sessions (default 1,000 of ~100 KB) synced with
//      `session-sync sync --yes` into a Codex home that has some of them, in four quarters (as
//      `bench:opencode-sync` builds them): unchanged; fast-forward (the home has the first half of
//      each); diverged (that too, and the home's copy went on with a line of its own); new. The
//      home is made by installing a package of the source as it was (the first half of the middle
//      quarters, without the new one), then appending the line to the diverged quarter's
//      installed copies; a fresh home each run. Floor: `sha256sum` of the package's session files.
//   2. Repeat sync: a package of M sessions (`--repeat M`, default 10,000 of ~4 KB) synced into an
//      empty home (its first sync, once), then again, unchanged, R times (target < 1 s). Floor:
//      `sha256sum` of the same session files.
//   3. Start-up (target ≤ 0.25 s above `node -e 0`, the floor, and constant as the journal grows):
//      `--help` of both CLIs; on an empty home `session-sync list-transactions` and
//      `session-transfer install one.tgz --dry-run` (a package of one session; export has nothing
//      to select in an empty home); the same two on the repeat sync's home once its journal holds
//      100 transactions (its first sync and 1-session installs, made in process: 99 CLI runs
//      would take minutes). 3×R runs: each is short.
// Each command with nothing dirty in the page cache first (`sync`); command and floor runs
// alternate; the table shows medians and the children's peak RSS (/usr/bin/time).
// `pnpm bench:codex-sync [N] [--repeat M] [--runs R]` (default R = 2). SPBENCH_KEEP=1 keeps the
// folder; SPBENCH_CPU_PROF=<dir> writes a CPU profile of every CLI run. Prints figures; asserts nothing.
import { NodeContext } from "@effect/platform-node"
import { Installer } from "@sessionport/codex-home"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  argNumber,
  bench,
  cli,
  exportRun,
  FROM,
  hashFloor,
  installRun,
  mb,
  type Measured,
  medianMs,
  perRun,
  run,
  settled,
  sourceMachine,
  type Store,
  syncBin,
  syncCounts,
  syncRun,
  targetMachines,
  transferBin
} from "./Child.js"

interface InstallResult {
  readonly sessions?: ReadonlyArray<{ readonly source_id: string; readonly rollout: string }>
}

/** The Codex home of a machine (its store's folder is the home's `sessions/`). */
const codexHome = (machine: Store): string => path.dirname(machine.folder)

/** The journal of a home grown by `times` installs of `pkg` (through the installer in this process: one transaction each). */
const installTimes = (pkg: string, target: Store, times: number) =>
  Effect.runPromise(
    Effect.flatMap(Installer.Installer, (installer) =>
      Effect.forEach(
        Array.from({ length: times }),
        () => installer.install({ package: pkg, maps: [{ from: FROM, to: target.home }], dryRun: false }),
        { discard: true }
      )).pipe(
        Effect.provide(Installer.layerHome({ root: codexHome(target) }).pipe(Layer.provide(Layer.mergeAll(Progress.none, NodeContext.layer)))),
        Effect.provide(NodeContext.layer)
      )
  )

const listTransactions = (machine: Store) => cli(syncBin, ["list-transactions", "--codex-home", codexHome(machine), "--json"], { HOME: machine.home })

bench("codex-sync", { count: 1000, runs: 2 }, async ({ count, dir, runs }) => {
  const repeat = argNumber("--repeat", 10_000)
  const target = await targetMachines(path.join(dir, "empty", ".codex"))

  // 1. mixed: the package, then the source as the home had it, in quarters
  const started = performance.now()
  const { sessions, store: source } = await sourceMachine(path.join(dir, "src"), count, 100 * 1024)
  const pkg = path.join(dir, "pkg.tgz")
  exportRun("codex", source, pkg)
  const quarter = Math.floor(count / 4)
  for (const [i, s] of sessions.entries()) {
    if (i >= 3 * quarter) fs.rmSync(s.path)
    else if (i >= quarter) {
      const lines = fs.readFileSync(s.path, "utf8").split("\n").filter((l) => l !== "")
      fs.writeFileSync(s.path, lines.slice(0, Math.ceil(lines.length / 2)).join("\n") + "\n")
    }
  }
  const old = path.join(dir, "pkg-old.tgz")
  exportRun("codex", source, old)
  const diverging = new Set(sessions.slice(2 * quarter, 3 * quarter).map((s) => s.id))
  const hash = hashFloor(pkg, path.join(dir, "hashed"))
  console.log(
    `${count} sessions (${quarter} unchanged, ${quarter} fast-forward, ${diverging.size} diverged, ${count - 3 * quarter} new): ` +
      `package ${mb(fs.statSync(pkg).size)}, its session files ${mb(hash.bytes)}; the home's package ${mb(fs.statSync(old).size)}; ` +
      `generated and exported in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  const mixed = perRun(runs, (i) => {
    const home = target(path.join(dir, `dst-${i}`))
    const installed = (JSON.parse(settled(() => installRun(old, home)).stdout) as InstallResult).sessions ?? []
    // the home's copies of the diverged quarter go on with a line of their own
    const local = installed.filter((s) => diverging.has(s.source_id))
    if (local.length !== diverging.size) throw new Error(`installed ${local.length} of the ${diverging.size} sessions to diverge`)
    const line = { timestamp: "2026-12-01T00:00:00.000Z", type: "event_msg", payload: { type: "agent_message", message: "went on here" } }
    for (const s of local) fs.appendFileSync(s.rollout, JSON.stringify(line) + "\n")
    const measured = { floor: hash.run(), sync: settled(() => syncRun(pkg, home)) }
    fs.rmSync(home.home, { recursive: true, force: true })
    return measured
  })
  console.log(`mixed sync: ${syncCounts(mixed.sync[0]!)}`)

  // 2. repeat: M small sessions synced into an empty home once, then again unchanged
  const { sessions: small, store: smallSource } = await sourceMachine(path.join(dir, "src-repeat"), repeat, 4 * 1024)
  const smallPkg = path.join(dir, "pkg-repeat.tgz")
  exportRun("codex", smallSource, smallPkg)
  const smallHash = hashFloor(smallPkg, path.join(dir, "hashed-repeat"))
  const grown = target(path.join(dir, "dst-repeat"))
  const first = settled(() => syncRun(smallPkg, grown))
  const again = perRun(runs, () => ({ floor: smallHash.run(), sync: settled(() => syncRun(smallPkg, grown)) }))
  console.log(
    `repeat: ${repeat} sessions, package ${mb(fs.statSync(smallPkg).size)}, its session files ${mb(smallHash.bytes)}; ` +
      `first sync ${syncCounts(first)}; repeat sync ${syncCounts(again.sync[0]!)}`
  )

  // 3. start-up: the repeat sync's home grown to 100 transactions, and an empty one
  const one = path.join(dir, "one.tgz")
  cli(transferBin, ["export", "--agent", "codex", ...smallSource.options, "--thread", small[0]!.id, "--out", one, "--json"], { HOME: smallSource.home })
  const transactions = () => (JSON.parse(listTransactions(grown).stdout) as ReadonlyArray<unknown>).length
  const grownAt = performance.now()
  const installs = 100 - transactions()
  await installTimes(one, grown, installs)
  const journaled = transactions()
  console.log(`journal: ${journaled} transactions after the syncs and ${installs} installs of one.tgz (made in ${((performance.now() - grownAt) / 1000).toFixed(1)} s)`)
  const empty = target(path.join(dir, "dst-empty"))
  const on = (home: Store) => ({
    list: () => listTransactions(home),
    install: () => cli(transferBin, ["install", one, ...home.options, "--dry-run", "--json"], { HOME: home.home })
  })
  const startup = perRun(3 * runs, () => ({
    node: settled(() => run(process.execPath, ["-e", "0"])),
    transferHelp: settled(() => cli(transferBin, ["--help"], { HOME: empty.home })),
    syncHelp: settled(() => cli(syncBin, ["--help"], { HOME: empty.home })),
    listEmpty: settled(on(empty).list),
    installEmpty: settled(on(empty).install),
    listJournaled: settled(on(grown).list),
    installJournaled: settled(on(grown).install)
  }))

  const hashRow: Measured = { label: hash.label, runs: mixed.floor }
  const smallHashRow: Measured = { label: smallHash.label, runs: again.floor, count: repeat }
  const nodeRow: Measured = { label: "floor: node -e 0", runs: startup.node, count: 0 }
  const inHome = repeat + installs
  const inJournaled = `(journal of ${journaled} transactions, ${inHome} sessions)`
  const startupRows: ReadonlyArray<Measured> = [
    { label: "session-transfer --help", runs: startup.transferHelp, floor: nodeRow, count: 0 },
    { label: "session-sync --help", runs: startup.syncHelp, floor: nodeRow, count: 0 },
    { label: "session-sync list-transactions (empty home)", runs: startup.listEmpty, floor: nodeRow, count: 0 },
    { label: "session-transfer install one.tgz --dry-run (empty home)", runs: startup.installEmpty, floor: nodeRow, count: 0 },
    { label: `session-sync list-transactions ${inJournaled}`, runs: startup.listJournaled, floor: nodeRow, count: inHome },
    { label: `session-transfer install one.tgz --dry-run ${inJournaled}`, runs: startup.installJournaled, floor: nodeRow, count: inHome }
  ]
  const above = (m: Measured) => `${((medianMs(m) - medianMs(nodeRow)) / 1000).toFixed(2)} s`
  console.log(`start-up above node -e 0 (target ≤ 0.25 s): ${startupRows.map((m) => `${m.label} ${above(m)}`).join("; ")}`)
  return [
    hashRow,
    { label: "session-sync sync pkg.tgz (mixed: ¼ each class)", runs: mixed.sync, floor: hashRow },
    smallHashRow,
    { label: `(setup) session-sync sync pkg-repeat.tgz, first (${repeat} new)`, runs: [first], floor: smallHashRow, count: repeat },
    { label: "session-sync sync pkg-repeat.tgz, repeat (unchanged; target < 1 s)", runs: again.sync, floor: smallHashRow, count: repeat },
    nodeRow,
    ...startupRows
  ]
})
