// One command, one table: every agent's CLI benchmarks (`bench:codex-*`, `bench:claude-*`,
// `bench:opencode-*`, and the exchange's push and pull, `bench:exchange`, a group of its own
// whose labels name the agent) run one after another as child processes, each appending its measured rows
// (`SPBENCH_ROWS`, see `@sessionport/codex-oracle/BenchChild`), then printed together: work,
// agent, sessions, sessionport, floor, ratio, peak RSS. Each benchmark still prints its own table
// as it goes (on stderr here).
//
//   npm run bench -- [N] [--runs R] [--repeat M] [--only AGENT]
//     N sessions per benchmark (default 1,000); M sessions of the Codex repeat sync and start-up
//     home (default 10,000); every argument goes to every benchmark. `--only codex` (claude,
//     opencode, exchange) runs one agent's benchmarks.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Row } from "../packages/codex-oracle/src/BenchChild.js"

const root = path.resolve(import.meta.dirname, "..")
// `name`: what the benchmark calls itself (default `<agent folder>-<script>`: codex-sync)
const BENCHES: ReadonlyArray<{ readonly agent: string; readonly script: string; readonly name?: string }> = [
  { agent: "Codex", script: "packages/codex-home/bench/install.ts" },
  { agent: "Codex", script: "packages/codex-home/bench/sync.ts" },
  { agent: "Claude Code", script: "packages/claude-home/bench/install.ts" },
  { agent: "Claude Code", script: "packages/claude-home/bench/sync.ts" },
  { agent: "OpenCode", script: "packages/opencode-home/bench/install.ts" },
  { agent: "OpenCode", script: "packages/opencode-home/bench/sync.ts" },
  { agent: "Exchange", script: "packages/sync-cli/bench/exchange.ts", name: "exchange" }
]

const args = process.argv.slice(2)
const only = args.includes("--only") ? args[args.indexOf("--only") + 1]?.toLowerCase() : undefined
const chosen = BENCHES.filter((b) => only === undefined || b.agent.toLowerCase().startsWith(only))
if (chosen.length === 0) throw new Error(`--only ${only}: no agent of ${[...new Set(BENCHES.map((b) => b.agent))].join(", ")}`)

const rowsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sp-bench-all-")), "rows.jsonl")
const tsx = path.join(root, "node_modules", ".bin", "tsx")
const agentOf = new Map<string, string>()
for (const { agent, name: named, script } of chosen) {
  const name = named ?? path.basename(path.dirname(path.dirname(script))).replace(/-home$/, "") + "-" + path.basename(script, ".ts")
  agentOf.set(name, agent)
  console.error(`\n== ${script}`)
  const child = spawnSync(tsx, [path.join(root, script), ...args], {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
    env: { ...process.env, SPBENCH_ROWS: rowsFile }
  })
  if (child.status !== 0) {
    console.error(`${script} failed (exit ${child.status})`)
    process.exitCode = 1
  }
}

const rows = fs.existsSync(rowsFile)
  ? fs.readFileSync(rowsFile, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Row)
  : []
const cells = [
  ["work", "agent", "sessions", "sessionport", "floor", "ratio", "peak RSS"],
  ...rows.map((r) => [
    r.label,
    agentOf.get(r.bench) ?? r.bench,
    String(r.count),
    `${r.seconds.toFixed(2)} s`,
    r.floorSeconds === undefined ? "–" : `${r.floorLabel?.replace(/^floor: /, "")} ${r.floorSeconds.toFixed(2)} s`,
    r.floorSeconds === undefined ? "–" : `${(r.seconds / r.floorSeconds).toFixed(2)}×`,
    Number.isFinite(r.rssMb) ? `${r.rssMb.toFixed(0)} MB` : "n/a"
  ])
]
const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)))
const line = (row: ReadonlyArray<string>) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
console.log([line(cells[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n"))
console.log(`\n${os.cpus().length} cores, node ${process.version}, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`)
