// Install benchmark: a package of generated sessions installed into a home where Codex has run
// (its real 0.169 database), against `cp -r` of the same session files, in this process; peak
// memory; the bundled CLI's max RSS; and, with --big, one 1 GB session (memory must not rise).
// Install fsyncs every file it writes, so `cp -r` then `sync -f` (the copy made durable) is shown
// too. Every run starts with nothing dirty in the page cache (`sync` first).
// `pnpm bench:install [SESSIONS] [--big]` (default 1000 of ~100 KB). Prints figures; asserts nothing.
import { NodeContext } from "@effect/platform-node"
import { measure } from "@sessionport/codex-oracle/Bench"
import { writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import { Exporter, Installer } from "@sessionport/codex-home"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const BYTES_PER_SESSION = 100 * 1024
const bin = path.resolve(import.meta.dirname, "..", "..", "transfer-cli", "bin", "session-transfer.mjs")
const services = Layer.mergeAll(Progress.none, NodeContext.layer)

const exportAll = (home: string, out: string) =>
  Effect.runPromise(
    Effect.flatMap(Exporter.Exporter, (e) =>
      e.export({ out, threadIds: [], cwds: [], since: undefined, all: true, includeArchived: true, includeSkills: false, skipUnreadable: false, dryRun: false })).pipe(
        Effect.provide(Exporter.layerHome({ root: home }).pipe(Layer.provide(services))),
        Effect.provide(NodeContext.layer)
      )
  )

const install = (pkg: string, home: string) =>
  Effect.runPromise(
    Effect.flatMap(Installer.Installer, (i) => i.install({ package: pkg, maps: [], dryRun: false })).pipe(
      Effect.provide(Installer.layerHome({ root: home }).pipe(Layer.provide(services))),
      Effect.provide(NodeContext.layer)
    )
  )

/** A package of `count` sessions of `bytes` each, as a folder, and an empty home with a database. */
const prepare = async (dir: string, count: number, bytes: number) => {
  const source = path.join(dir, `source-${count}`)
  const sessions = await writeHome(source, { sessions: count, bytesPerSession: bytes, cwds: ["/Users/u/repos/app", "/Users/u/repos/lib"], database: true })
  const pkg = path.join(dir, `pkg-${count}`)
  await exportAll(source, pkg)
  fs.rmSync(source, { recursive: true, force: true })
  const target = path.join(dir, `target-${count}`)
  await writeHome(target, { sessions: 0, bytesPerSession: 0, cwds: ["/"], database: true })
  return { pkg, target, bytes: sessions.reduce((n, s) => n + s.bytes, 0) }
}

/** Nothing dirty left in the page cache by earlier steps: each run pays for its own writes only. */
const settle = () => execFileSync("sync")

/** `cp -r` of the package's session files, and the same made durable, best of two each. */
const references = async (pkg: string, dir: string) => {
  const copy = async (durable: boolean) => {
    const times: Array<number> = []
    for (let i = 0; i < 2; i++) {
      const target = path.join(dir, `cp-${durable ? "sync-" : ""}${i}`)
      settle()
      const run = await measure(async () => {
        execFileSync("cp", ["-r", path.join(pkg, "sessions"), target])
        if (durable) execFileSync("sync", ["-f", target])
      })
      times.push(run.ms)
      fs.rmSync(target, { recursive: true, force: true })
    }
    return Math.min(...times)
  }
  return { cp: await copy(false), cpSync: await copy(true) }
}

const line = (label: string, bytes: number, ref: { readonly cp: number; readonly cpSync: number }, ms: number) =>
  `${label}, ${(bytes / 2 ** 20).toFixed(0)} MB: cp -r ${ref.cp.toFixed(0)} ms, cp -r + sync ${ref.cpSync.toFixed(0)} ms, ` +
  `install ${ms.toFixed(0)} ms, ratio ${(ms / ref.cp).toFixed(2)} to cp -r (target <= 2), ${(ms / ref.cpSync).toFixed(2)} to cp -r + sync`

const cliRss = (pkg: string, home: string): string => {
  if (!fs.existsSync("/usr/bin/time")) return "n/a (no /usr/bin/time)"
  const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, bin, "install", pkg, "--codex-home", home, "--json"], { encoding: "utf8" })
  if (run.status !== 0) return `n/a (exit ${run.status}: ${run.stderr.trim().split("\n")[0]})`
  return `${(Number(run.stderr.trim().split("\n").pop()) / 1024).toFixed(0)} MB`
}

const main = async () => {
  const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1000)
  const big = process.argv.includes("--big")
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-install-"))
  console.log(`node ${process.version}, ${os.cpus().length} cores, sessions of ~${BYTES_PER_SESSION / 1024} KB`)
  try {
    for (const n of [count / 4, count / 2, count].map(Math.round)) {
      const { bytes, pkg, target } = await prepare(dir, n, BYTES_PER_SESSION)
      const reference = await references(pkg, dir)
      settle()
      const ours = await measure(() => install(pkg, target))
      const cliTarget = path.join(dir, `cli-${n}`)
      await writeHome(cliTarget, { sessions: 0, bytesPerSession: 0, cwds: ["/"], database: true })
      settle()
      console.log(
        `${line(`${String(n).padStart(5)} sessions`, bytes, reference, ours.ms)}; ` +
          `peak memory +${ours.peakMb.toFixed(0)} MB in process; CLI max RSS ${cliRss(pkg, cliTarget)} (target < 200 MB)`
      )
      for (const p of [pkg, target, cliTarget]) fs.rmSync(p, { recursive: true, force: true })
    }
    if (big) {
      const { bytes, pkg, target } = await prepare(dir, 1, 1024 ** 3)
      const reference = await references(pkg, dir)
      settle()
      const ours = await measure(() => install(pkg, target))
      const cliTarget = path.join(dir, "cli-big")
      await writeHome(cliTarget, { sessions: 0, bytesPerSession: 0, cwds: ["/"], database: true })
      settle()
      console.log(
        `${line("    1 session", bytes, reference, ours.ms)}; ` +
          `peak memory +${ours.peakMb.toFixed(0)} MB in process; CLI max RSS ${cliRss(pkg, cliTarget)}`
      )
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
