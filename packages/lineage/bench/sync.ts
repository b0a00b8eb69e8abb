// Sync benchmark, with the bundled CLIs as a user runs them (`pnpm build:bin` first):
// 1. a home and a package of N generated sessions each (default 1,000 of ~100 KB), mixed: a
//    quarter unchanged, a quarter fast-forward (the home has the first half of each), a quarter
//    diverged (the home's copy went on with a line of its own), a quarter new. Sync time as a
//    ratio to `sha256sum` of the package's session files (reading and hashing the same bytes);
//    the CLI's max RSS.
// 2. a repeat sync of an unchanged package of M sessions (default 10,000 of ~4 KB): wall time of
//    the CLI (target < 2 s).
// `pnpm bench:sync [N] [--repeat M]`. Prints figures; asserts nothing.
import { writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const repo = path.resolve(import.meta.dirname, "..", "..", "..")
const transfer = path.join(repo, "packages", "transfer-cli", "bin", "session-transfer.mjs")
const sync = path.join(repo, "packages", "sync-cli", "bin", "session-sync.mjs")

const args = process.argv.slice(2)
const count = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--repeat") ?? 1000)
const repeat = args.includes("--repeat") ? Number(args[args.indexOf("--repeat") + 1]) : 10_000

/** Runs a bin under /usr/bin/time: wall ms and max RSS MB; throws with its stderr on failure. */
const run = (bin: string, argv: ReadonlyArray<string>) => {
  const timed = fs.existsSync("/usr/bin/time")
  const start = performance.now()
  const child = timed
    ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, bin, ...argv], { encoding: "utf8", maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8", maxBuffer: 1 << 30 })
  const ms = performance.now() - start
  if (child.status !== 0) throw new Error(`${path.basename(bin)} ${argv[0]} failed: ${child.stderr.trim().split("\n").slice(-2).join(" ")}`)
  const rssMb = timed ? Number(child.stderr.trim().split("\n").pop()) / 1024 : NaN
  return { ms, rssMb, stdout: child.stdout }
}

const sessionFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.startsWith("rollout-"))
    .map((e) => path.join(e.parentPath, e.name))

const exportAll = (home: string, out: string) => run(transfer, ["export", "--all", "--include-archived", "--out", out, "--codex-home", home, "--json"])

const mixed = async (dir: string, n: number) => {
  const source = path.join(dir, "source")
  const sessions = await writeHome(source, { sessions: n, bytesPerSession: 100 * 1024, cwds: ["/Users/u/repos/app", "/Users/u/repos/lib"], database: true })
  const pkg = path.join(dir, "pkg")
  exportAll(source, pkg)
  // the home's past: a quarter as they are, half cut in half (of them, a quarter then goes on
  // locally: diverged), a quarter absent
  const quarter = Math.floor(n / 4)
  for (const [i, s] of sessions.entries()) {
    if (i >= 3 * quarter) fs.rmSync(s.path)
    else if (i >= quarter && i < 3 * quarter) {
      const lines = fs.readFileSync(s.path, "utf8").split("\n").filter((l) => l !== "")
      fs.writeFileSync(s.path, lines.slice(0, Math.ceil(lines.length / 2)).join("\n") + "\n")
    }
  }
  const old = path.join(dir, "old")
  exportAll(source, old)
  const target = path.join(dir, "target")
  await writeHome(target, { sessions: 0, bytesPerSession: 0, cwds: ["/"], database: true })
  const installed = JSON.parse(run(transfer, ["install", old, "--codex-home", target, "--json"]).stdout) as {
    sessions: ReadonlyArray<{ sourceId: string; rollout: string }>
  }
  const diverging = new Set(sessions.slice(2 * quarter, 3 * quarter).map((s) => s.id))
  for (const s of installed.sessions) {
    if (!diverging.has(s.sourceId)) continue
    fs.appendFileSync(s.rollout, JSON.stringify({ timestamp: "2026-12-01T00:00:00.000Z", type: "event_msg", payload: { type: "agent_message", message: "went on here" } }) + "\n")
  }
  const files = sessionFiles(path.join(pkg, "sessions"))
  const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0)
  const reference = performance.now()
  execFileSync("sha256sum", files, { maxBuffer: 1 << 30 })
  const shaMs = performance.now() - reference
  const ours = run(sync, ["sync", pkg, "--codex-home", target, "--yes", "--json"])
  const result = JSON.parse(ours.stdout) as { counts: Record<string, number> }
  console.log(
    `${n} sessions, ${(bytes / 2 ** 20).toFixed(0)} MB (${JSON.stringify(result.counts)}): sha256sum ${shaMs.toFixed(0)} ms, ` +
      `sync ${ours.ms.toFixed(0)} ms, ratio ${(ours.ms / shaMs).toFixed(2)}; CLI max RSS ${ours.rssMb.toFixed(0)} MB`
  )
}

const repeated = async (dir: string, m: number) => {
  const source = path.join(dir, "source-repeat")
  await writeHome(source, { sessions: m, bytesPerSession: 4 * 1024, cwds: ["/Users/u/repos/app"], database: true })
  const pkg = path.join(dir, "pkg-repeat")
  exportAll(source, pkg)
  const target = path.join(dir, "target-repeat")
  await writeHome(target, { sessions: 0, bytesPerSession: 0, cwds: ["/"], database: true })
  const first = run(sync, ["sync", pkg, "--codex-home", target, "--yes", "--json"])
  const again = run(sync, ["sync", pkg, "--codex-home", target, "--yes", "--json"])
  const result = JSON.parse(again.stdout) as { counts: Record<string, number>; transactionId?: string }
  console.log(
    `repeat sync of ${m} unchanged sessions: ${again.ms.toFixed(0)} ms (target < 2000 ms), ${JSON.stringify(result.counts)}, ` +
      `transaction ${result.transactionId ?? "none"}; CLI max RSS ${again.rssMb.toFixed(0)} MB (first sync ${first.ms.toFixed(0)} ms)`
  )
}

const main = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-sync-"))
  console.log(`node ${process.version}, ${os.cpus().length} cores`)
  try {
    await mixed(dir, count)
    await repeated(dir, repeat)
  } finally {
    if (process.env.SPBENCH_KEEP === undefined) fs.rmSync(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}

main()
