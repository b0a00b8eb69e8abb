/**
 * Helpers of the agent benchmarks that measure the CLIs as a user runs them: each CLI and floor
 * runs as a child process under /usr/bin/time for its peak RSS; medians of repeated runs; the
 * table. (`Bench` measures a run in this process; these measure children.)
 *
 * @since 0.1.0
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const repo = path.resolve(import.meta.dirname, "..", "..", "..")
export const transferBin = path.join(repo, "packages", "transfer-cli", "bin", "session-transfer.mjs")
export const syncBin = path.join(repo, "packages", "sync-cli", "bin", "session-sync.mjs")

export interface Run {
  readonly ms: number
  /** peak RSS of the child (the largest of it and the children it waited for), MiB; NaN without /usr/bin/time */
  readonly rssMb: number
  readonly stdout: string
}

const TIME = "/usr/bin/time"
const MARK = "__bench_maxrss_kb__"
const hasTime = fs.existsSync(TIME)

/** The environment of a child: this one's, without the agent homes it may point at, plus `env`. */
export const childEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = { ...process.env, ...env }
  for (const key of ["CLAUDE_CONFIG_DIR", "CODEX_HOME", "NODE_OPTIONS", "OPENCODE_DB", "XDG_DATA_HOME"]) if (!(key in env)) delete out[key]
  return out
}

/** Runs `command` to its end: wall time, peak RSS, stdout; throws with its stderr on failure. */
export const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Run => {
  const argv = hasTime ? ["-f", `${MARK} %M`, command, ...args] : [...args]
  const start = performance.now()
  const child = spawnSync(hasTime ? TIME : command, argv, { encoding: "utf8", maxBuffer: 1 << 30, env: childEnv(env) })
  const ms = performance.now() - start
  const stderr = child.stderr ?? ""
  if (child.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.slice(0, 2).join(" ")} failed (${child.status ?? child.signal}): ${stderr.trim().split("\n").slice(-4).join(" | ")}`)
  }
  const mark = stderr.split("\n").reverse().find((l) => l.startsWith(MARK))
  return { ms, rssMb: mark === undefined ? NaN : Number(mark.slice(MARK.length).trim()) / 1024, stdout: child.stdout }
}

/**
 * A bundled CLI (`bin/*.mjs`) under node. With `SPBENCH_CPU_PROF=<dir>` every such run writes a
 * V8 CPU profile (`node --cpu-prof`) there.
 */
export const cli = (bin: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Run => {
  const prof = process.env.SPBENCH_CPU_PROF
  const flags = prof === undefined || prof === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${path.resolve(prof)}`]
  return run(process.execPath, [...flags, bin, ...args], env)
}

/** A shell line (a floor: `tar … && sync`), `$1`… bound to `args`. */
export const shell = (script: string, args: ReadonlyArray<string>): Run => run("/bin/sh", ["-c", script, "sh", ...args])

/** A folder package (else a `.tgz`). */
const isFolder = (pkg: string): boolean => fs.statSync(pkg).isDirectory()

/** Floor of install and sync: the package unpacked (`tar xzf`) or, a folder, copied (`cp -r`), made durable. */
export const unpackFloor = (pkg: string, into: string): Run => {
  if (isFolder(pkg)) return shell(`cp -r "$1" "$2" && sync`, [pkg, into])
  fs.mkdirSync(into, { recursive: true })
  return shell(`tar xzf "$1" -C "$2" && sync`, [pkg, into])
}

/**
 * Floor of export: the store's folder packed (`tar czf`, `out` a FILE.tgz) or copied (`cp -r`,
 * `out` a folder), made durable (export fsyncs its package).
 */
export const packFloor = (dir: string, out: string): Run =>
  out.endsWith(".tgz") ? shell(`tar czf "$2" -C "$1" . && sync`, [dir, out]) : shell(`cp -r "$1" "$2" && sync`, [dir, out])

/**
 * The session files of an unpacked package (Codex's `sessions/*`, other agents'
 * `agents/<agent>/sessions/**`): what sync reads and hashes.
 */
export const packageSessionFiles = (pkgDir: string): ReadonlyArray<string> => {
  const agents = path.join(pkgDir, "agents")
  const roots = [
    path.join(pkgDir, "sessions"),
    ...(fs.existsSync(agents) ? fs.readdirSync(agents).map((agent) => path.join(agents, agent, "sessions")) : [])
  ]
  return roots.filter((root) => fs.existsSync(root)).flatMap((root) =>
    fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
  )
}

/**
 * The floor of sync (the issue's): `sha256sum` of the package's session files, reading and hashing
 * the bytes sync reads and hashes. The package is unpacked into `into` (a `.tgz`; a folder is read
 * in place) and its files listed once, untimed; `run` hashes them with nothing dirty first.
 */
export const hashFloor = (pkg: string, into: string): { readonly label: string; readonly files: number; readonly bytes: number; readonly run: () => Run } => {
  let dir = pkg
  if (!isFolder(pkg)) {
    fs.mkdirSync(into, { recursive: true })
    execFileSync("tar", ["xzf", pkg, "-C", into])
    dir = into
  }
  const files = packageSessionFiles(dir)
  // a NUL-separated list for xargs: 10,000 paths do not fit one command line
  const list = `${into}.files`
  fs.writeFileSync(list, files.map((f) => f + "\0").join(""))
  return {
    label: `floor: sha256sum <session files of ${path.basename(pkg)}>`,
    files: files.length,
    bytes: files.reduce((n, f) => n + fs.statSync(f).size, 0),
    run: () => settled(() => shell(`xargs -0 -r -a "$1" sha256sum > /dev/null`, [list]))
  }
}

/** Nothing dirty left in the page cache by earlier steps: each run pays for its own writes only. */
export const settle = () => execFileSync("sync")

export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface Measured {
  readonly label: string
  readonly runs: ReadonlyArray<Run>
  /** the row whose median is this row's floor */
  readonly floor?: Measured
  /** the sessions this row worked on, when not the benchmark's N */
  readonly count?: number
}

export const medianMs = (m: Measured) => median(m.runs.map((r) => r.ms))
export const peakRss = (m: Measured) => Math.max(...m.runs.map((r) => r.rssMb))

/** The rows as a Markdown table: wall time (median, and every run), ratio of medians to the floor, peak RSS. */
export const table = (rows: ReadonlyArray<Measured>): string => {
  const cells = [
    ["command", "runs", "wall (median)", "each run", "ratio to floor", "peak RSS"],
    ...rows.map((m) => [
      m.label,
      String(m.runs.length),
      `${(medianMs(m) / 1000).toFixed(2)} s`,
      m.runs.map((r) => (r.ms / 1000).toFixed(2)).join(", "),
      m.floor === undefined ? "(floor)" : `${(medianMs(m) / medianMs(m.floor)).toFixed(2)}`,
      Number.isNaN(peakRss(m)) ? "n/a" : `${peakRss(m).toFixed(0)} MB`
    ])
  ]
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)))
  const line = (row: ReadonlyArray<string>) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [line(cells[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n")
}

/** Bytes of the files below `dir`. */
export const duBytes = (dir: string): number =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0)

export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`

/** What the numbers ran on. */
export const machine = (): string => {
  const cpu = os.cpus()
  return `node ${process.version}, ${os.type()} ${os.release()}, ${cpu.length} cores (${cpu[0]?.model ?? "?"}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, tmp ${os.tmpdir()}${hasTime ? "" : " (no /usr/bin/time: no RSS)"}; ${load()}`
}

/** The load average: other work on the machine skews wall times. */
export const load = (): string => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`

const args = process.argv.slice(2)
/** The first bare number of the command line (not a flag's value). */
export const argCount = (fallback: number): number =>
  Number(args.find((a, i) => /^\d+$/.test(a) && !(args[i - 1] ?? "").startsWith("--")) ?? fallback)
/** The number after `flag` on the command line (`--repeat 10000`), else `fallback`. */
export const argNumber = (flag: string, fallback: number): number => {
  const at = args.indexOf(flag)
  return at < 0 ? fallback : Number(args[at + 1])
}
export const argRuns = (fallback: number): number => Math.max(1, argNumber("--runs", fallback))

/**
 * A benchmark run: N (the first bare number, default `count`) and R (`--runs`, default `runs`) from
 * the command line, a temp folder `sp-bench-<name>-…` (kept with SPBENCH_KEEP=1), the machine
 * first; then the rows `body` measured, as a table, and the load at the end.
 */
export const bench = async (
  name: string,
  defaults: { readonly count: number; readonly runs: number },
  body: (b: { readonly dir: string; readonly count: number; readonly runs: number }) => ReadonlyArray<Measured> | Promise<ReadonlyArray<Measured>>
): Promise<void> => {
  const count = argCount(defaults.count)
  const runs = argRuns(defaults.runs)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sp-bench-${name}-`))
  console.log(machine())
  try {
    const rows = await body({ dir, count, runs })
    console.log()
    console.log(table(rows))
    emitRows(name, count, rows)
    console.log(`\nat the end: ${load()}`)
  } finally {
    if (process.env.SPBENCH_KEEP === undefined) fs.rmSync(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}

/**
 * One measured command of a benchmark as `scripts/bench.ts` collects them (appended as a JSON line
 * to the file `SPBENCH_ROWS` names, when it names one): the one table of every agent's benchmarks.
 */
export interface Row {
  readonly bench: string
  readonly count: number
  readonly label: string
  readonly seconds: number
  readonly floorLabel: string | undefined
  readonly floorSeconds: number | undefined
  readonly rssMb: number
}

const emitRows = (name: string, count: number, rows: ReadonlyArray<Measured>): void => {
  const file = process.env.SPBENCH_ROWS
  if (file === undefined || file === "") return
  const lines = rows.filter((m) => m.floor !== undefined).map((m): Row => ({
    bench: name,
    count: m.count ?? count,
    label: m.label,
    seconds: medianMs(m) / 1000,
    floorLabel: m.floor?.label,
    floorSeconds: m.floor === undefined ? undefined : medianMs(m.floor) / 1000,
    rssMb: peakRss(m)
  }))
  fs.appendFileSync(file, lines.map((row) => JSON.stringify(row) + "\n").join(""))
}

/** `f`, run with nothing dirty in the page cache first. */
export const settled = <A>(f: () => A): A => {
  settle()
  return f()
}

/** `measure(i)` for each of `runs` runs, its measurements by name; answers each name's runs, in order. */
export const perRun = <K extends string>(runs: number, measure: (i: number) => { readonly [k in K]: Run }): { readonly [k in K]: ReadonlyArray<Run> } => {
  const out = {} as { [k in K]: Array<Run> }
  for (let i = 0; i < runs; i++) for (const [k, r] of Object.entries(measure(i)) as Array<[K, Run]>) (out[k] ??= []).push(r)
  return out
}

/** The floor of install and sync on its own: nothing dirty first, `pkg` unpacked (or copied) into `into` and made durable, `into` removed. */
export const unpackFloorRun = (pkg: string, into: string): Run => {
  const floor = settled(() => unpackFloor(pkg, into))
  fs.rmSync(into, { recursive: true, force: true })
  return floor
}

/** An agent's store on a machine: HOME, the options that name the store (`--claude-home DIR`…), its folder. */
export interface Store {
  readonly home: string
  readonly options: ReadonlyArray<string>
  readonly folder: string
}

/**
 * A fresh target at HOME `home`: its empty store made by `store` (answering the options that name
 * it and its folder), then `projects` project folders `p0`… under `<home>/projects`, where
 * `--map <from>=<home>/projects` (among its options) puts the source's projects.
 */
export const targetHome = (
  home: string,
  store: (home: string) => { readonly options: ReadonlyArray<string>; readonly folder: string },
  projects: number,
  from: string
): Store => {
  const made = store(home)
  const dst = path.join(home, "projects")
  for (let k = 0; k < projects; k++) fs.mkdirSync(path.join(dst, `p${k}`), { recursive: true })
  return { home, options: [...made.options, "--map", `${from}=${dst}`], folder: made.folder }
}

/** `session-transfer export --agent <agent> --all` of a source store into `out`. */
export const exportRun = (agent: string, source: Store, out: string, extra: ReadonlyArray<string> = []): Run =>
  cli(transferBin, ["export", "--agent", agent, ...source.options, "--all", "--out", out, "--json", ...extra], { HOME: source.home })

/** A recipient for the encrypted export rows (its identity is thrown away: nothing is decrypted). */
const BENCH_RECIPIENT = "age1g520hxgytm20q34lqzts4m9eupa7ya6s7ar5yhhf0al3wnyg3pvsy0p7js"

/** The export variants measured besides the plain one: what the secret scan and encryption add. */
const EXPORT_VARIANTS: ReadonlyArray<{ readonly flags: ReadonlyArray<string>; readonly suffix: string }> = [
  { flags: ["--redact"], suffix: "" },
  { flags: ["--encrypt-to", BENCH_RECIPIENT], suffix: ".age" }
]

/** `session-transfer install <pkg>` into a target. */
export const installRun = (pkg: string, target: Store): Run => cli(transferBin, ["install", pkg, ...target.options, "--json"], { HOME: target.home })

/** `session-sync sync <pkg> --yes` into a target. */
export const syncRun = (pkg: string, target: Store): Run => cli(syncBin, ["sync", pkg, ...target.options, "--yes", "--json"], { HOME: target.home })

/** The class counts a sync's JSON reports. */
export const syncCounts = (r: Run): string => JSON.stringify((JSON.parse(r.stdout) as { counts?: Record<string, number> }).counts ?? {})

const sessionsOf = (r: Run) => (JSON.parse(r.stdout) as { sessions?: ReadonlyArray<unknown> }).sessions?.length ?? "?"

/**
 * The export and install benchmark of an agent, each command against its floor, command and floor
 * runs alternating, each run with nothing dirty in the page cache: `session-transfer export
 * --agent <agent> --all` of the source `runs` times against `tar czf` of its store's folder +
 * `sync` (export fsyncs its package), then `session-transfer install pkg.tgz --map …` into a fresh
 * target each run against `tar xzf` of the package + `sync`. With `folders`, the same for a folder
 * package too: export to a folder against `cp -r` of the store's folder + `sync`, install of it
 * against `cp -r` of the package + `sync`. Prints the packages and what the first install wrote;
 * answers the table's rows.
 */
export const exportInstall = (b: {
  readonly dir: string
  readonly runs: number
  /** the agent, as `export --agent` names it */
  readonly agent: string
  /** what the report calls the store's folder ("config dir", "data folder") */
  readonly folderName: string
  readonly source: Store
  /** makes an empty target at a HOME */
  readonly target: (home: string) => Store
  /** a folder package too */
  readonly folders?: boolean
}): ReadonlyArray<Measured> => {
  const { dir, runs } = b
  const forms = b.folders === true ? ["pkg.tgz", "pkg"] : ["pkg.tgz"]
  return forms.flatMap((name) => {
    const folder = !name.endsWith(".tgz")
    // export, against tar czf (cp -r) + sync of the store's folder
    const pkg = path.join(dir, name)
    const exported = perRun(runs, (i) => {
      const floorOut = path.join(dir, `floor-${i}-${name}`)
      const floor = settled(() => packFloor(b.source.folder, floorOut))
      fs.rmSync(floorOut, { recursive: true })
      const out = i === 0 ? pkg : path.join(dir, `${i}-${name}`)
      const command = settled(() => exportRun(b.agent, b.source, out))
      if (i > 0) fs.rmSync(out, { recursive: true })
      return { floor, command }
    })
    console.log(`${name}: ${mb(folder ? duBytes(pkg) : fs.statSync(pkg).size)}, ${sessionsOf(exported.command[0]!)} sessions`)

    // install into a fresh home each run, against tar xzf (cp -r) + sync of the package
    let installed = ""
    const install = perRun(runs, (i) => {
      const floor = unpackFloorRun(pkg, path.join(dir, `unpacked-${i}`))
      const target = b.target(path.join(dir, `dst-${i}`))
      const command = settled(() => installRun(pkg, target))
      if (i === 0) installed = `installed ${sessionsOf(command)} sessions from ${name}, ${b.folderName} ${mb(duBytes(target.folder))}`
      fs.rmSync(target.home, { recursive: true, force: true })
      return { floor, command }
    })
    console.log(installed)

    const [pack, unpack] = folder ? ["cp -r", "cp -r"] : ["tar czf", "tar xzf"]
    const packRow: Measured = { label: `floor: ${pack} <${b.folderName}> + sync`, runs: exported.floor }
    const unpackRow: Measured = { label: `floor: ${unpack} ${folder ? `${name}/` : name} + sync`, runs: install.floor }
    // --redact and --encrypt-to of the archive, against the same floor (fresh runs of it)
    const variants: Array<Measured> = folder ? [] : EXPORT_VARIANTS.flatMap(({ flags, suffix }) => {
      const measured = perRun(runs, (i) => {
        const floorOut = path.join(dir, `floor-v${i}-${name}`)
        const floor = settled(() => packFloor(b.source.folder, floorOut))
        fs.rmSync(floorOut, { recursive: true })
        const out = path.join(dir, `v${i}-${name}${suffix}`)
        const command = settled(() => exportRun(b.agent, b.source, out, flags))
        fs.rmSync(out, { recursive: true })
        return { floor, command }
      })
      const floorRow: Measured = { label: `floor: ${pack} <${b.folderName}> + sync`, runs: measured.floor }
      const shown = flags[0] === "--encrypt-to" ? "--encrypt-to age1…" : flags.join(" ")
      return [floorRow, { label: `session-transfer export --agent ${b.agent} --all ${shown}`, runs: measured.command, floor: floorRow }]
    })
    return [
      packRow,
      { label: `session-transfer export --agent ${b.agent} --all${folder ? ` --out ${name}/` : ""}`, runs: exported.command, floor: packRow },
      ...variants,
      unpackRow,
      { label: `session-transfer install ${folder ? `${name}/` : name} --map …`, runs: install.command, floor: unpackRow }
    ]
  })
}
