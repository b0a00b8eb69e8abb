// Exchange benchmark (`session-sync push` / `pull` through a plain folder), with the bundled CLI as
// a user runs it (`npm run build:bin` first). Each machine is a HOME with its own homes and its own
// sessionport config dir (SESSIONPORT_CONFIG_DIR); sessions are generated, their working folders
// under the benchmark's folder (real on every machine: no --map).
//   1. Setup: a Codex home of N generated sessions (default 1,000 of ~100 KB, `--kb K`), its first
//      `push` (size, time, peak RSS). Floor: `tar czf` of its `sessions/` + `sync`.
//   2. One session grows by a turn, then `push`, R times (a different session each run): exactly
//      one new package file, its manifest listing that one session, smaller than 2 × gzip of the
//      transcript; the index grew by one entry. Floor: `node -e 0`.
//   3. `push` again, unchanged, R times: no new file, `outbox.json` byte-identical. Floor: `node -e 0`.
//   4. Three outboxes m1, m2, m3, each pushed from its own copy of the N-session home (same
//      sessions; own config dirs) into a second folder; machine X (an empty Codex home) pulls once
//      (setup), then the repeat `pull` R times (target < 2 s; nothing pending, no transaction), and
//      `pull --recheck` R times (every package verified again; no target). Floor: `node -e 0`, then
//      `cat` of the three `outbox.json` (a CLI start and the index reads).
//   5. The same as 1–2 for Claude Code (`@sessionport/claude-oracle/SyntheticClaude`) and OpenCode
//      (packages/opencode-home/bench/Generate.ts, clones of the fixture's `tools` session).
// Each run with nothing dirty in the page cache first (`sync`); the table shows medians and the
// children's peak RSS (/usr/bin/time). `pnpm bench:exchange [N] [--runs R] [--kb K]` (default R = 3).
// SPBENCH_KEEP=1 keeps the folder. Prints figures and checks the statements above: a failed check
// is a `CHECK FAILED` line and exit code 1.
import { appendTurn as appendClaudeTurn, writeConfigDir } from "@sessionport/claude-oracle/SyntheticClaude"
import {
  argNumber,
  bench,
  cli,
  mb,
  type Measured,
  medianMs,
  packFloor,
  perRun,
  run,
  type Run,
  settled,
  shell,
  syncBin
} from "@sessionport/codex-oracle/BenchChild"
import { writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { gzipSync } from "node:zlib"

/** A machine: HOME, its sessionport config dir, the options naming its homes. */
interface Machine {
  readonly name: string
  readonly home: string
  readonly config: string
  readonly options: ReadonlyArray<string>
}

const machineAt = (dir: string, name: string, options: (home: string) => ReadonlyArray<string>): Machine => {
  const home = path.join(dir, name)
  fs.mkdirSync(home, { recursive: true })
  return { name, home, config: path.join(home, "sessionport-config"), options: options(home) }
}

const on = (m: Machine, args: ReadonlyArray<string>): Run => cli(syncBin, args, { HOME: m.home, SESSIONPORT_CONFIG_DIR: m.config })
const pushRun = (m: Machine, folder: string) => settled(() => on(m, ["push", "--to", folder, ...m.options, "--json"]))
const pullRun = (m: Machine, folder: string, extra: ReadonlyArray<string> = []) =>
  settled(() => on(m, ["pull", "--from", folder, ...m.options, "--json", ...extra]))

interface PushJson {
  readonly machine_id: string
  readonly package: { readonly file: string; readonly size: number; readonly sessions: ReadonlyArray<{ readonly id: string }> } | null
}
interface PullJson {
  readonly transaction_id?: string
  readonly packages: ReadonlyArray<{ readonly status: string; readonly sync?: { readonly counts?: Record<string, number> } }>
}
const pushed = (r: Run) => JSON.parse(r.stdout) as PushJson
const pulled = (r: Run) => JSON.parse(r.stdout) as PullJson

const failures: Array<string> = []
const check = (ok: boolean, what: string): void => {
  if (ok) return
  failures.push(what)
  console.log(`CHECK FAILED: ${what}`)
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** The sessions a package's manifest lists (Codex's `thread_ids` and the other agents' `agent_sessions`), read with `tar`. */
const manifestSessions = (pkg: string): Array<string> => {
  const manifest = JSON.parse(execFileSync("tar", ["xzf", pkg, "-O", "package_manifest.json"], { encoding: "utf8" })) as {
    readonly thread_ids: ReadonlyArray<string>
    readonly agent_sessions?: ReadonlyArray<{ readonly agent: string; readonly id: string }>
  }
  return [...manifest.thread_ids, ...(manifest.agent_sessions ?? []).map((s) => s.id)]
}

const outboxOf = (folder: string, m: Machine): string => {
  const config = JSON.parse(fs.readFileSync(path.join(m.config, "exchange.json"), "utf8")) as { readonly machine_id: string }
  return path.join(folder, config.machine_id)
}
const packagesIn = (outbox: string): Array<string> => fs.readdirSync(path.join(outbox, "packages")).sort()

/**
 * Steps 1–2 for one agent: the first push of every session of `m` (setup), then R runs where one
 * session grows (`grow(i)` appends a turn to the i-th and answers its id and, when it is one
 * file, its transcript) and `push` publishes it; the checks of step 2 on every run.
 */
const firstAndIncremental = (b: {
  readonly agent: string
  readonly m: Machine
  readonly folder: string
  readonly runs: number
  readonly count: number
  readonly grow: (i: number) => { readonly id: string; readonly transcript?: string }
  readonly node: () => Run
}) => {
  const first = pushRun(b.m, b.folder)
  const firstJson = pushed(first)
  check(firstJson.package?.sessions.length === b.count, `${b.agent}: the first push publishes all ${b.count} sessions (${firstJson.package?.sessions.length})`)
  const outbox = outboxOf(b.folder, b.m)
  console.log(`${b.agent}: first push of ${b.count} sessions: package ${mb(firstJson.package?.size ?? 0)} in ${(first.ms / 1000).toFixed(2)} s`)
  const sizes: Array<string> = []
  const grown = perRun(b.runs, (i) => {
    const before = packagesIn(outbox)
    const entries = (JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8")).packages as Array<unknown>).length
    const { id, transcript } = b.grow(i)
    const node = settled(b.node)
    const push = pushRun(b.m, b.folder)
    const added = packagesIn(outbox).filter((f) => !before.includes(f))
    check(added.length === 1, `${b.agent}: one new package file (${added.join(", ")})`)
    const file = path.join(outbox, "packages", added[0] ?? "missing")
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0
    const listed = fs.existsSync(file) ? manifestSessions(file) : []
    check(listed.length === 1 && listed[0] === id, `${b.agent}: its manifest lists the one grown session (${listed.join(", ")})`)
    check((JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8")).packages as Array<unknown>).length === entries + 1, `${b.agent}: the index grew by one entry`)
    if (transcript !== undefined) {
      const gzip = gzipSync(fs.readFileSync(transcript)).length
      check(size < 2 * gzip, `${b.agent}: package ${size} B < 2 × gzip of the transcript (${gzip} B)`)
      sizes.push(`${kb(size)} (transcript ${kb(fs.statSync(transcript).size)}, gzip ${kb(gzip)})`)
    } else sizes.push(kb(size))
    return { node, push }
  })
  console.log(`${b.agent}: push after one session grew: packages ${sizes.join("; ")}`)
  return { first, grown, outbox }
}

bench("exchange", { count: 1000, runs: 3 }, async ({ count, dir, runs }) => {
  const bytes = argNumber("--kb", 100) * 1024
  const projects = ["proj-main", "proj-lib", "site"].map((p) => path.join(dir, "projects", p))
  for (const p of projects) fs.mkdirSync(p, { recursive: true })
  const codexMachine = async (name: string, sessions: number) => {
    const m = machineAt(dir, name, (home) => ["--codex-home", path.join(home, ".codex")])
    const written = await writeHome(path.join(m.home, ".codex"), { sessions, bytesPerSession: bytes, cwds: projects, database: true })
    return { m, sessions: written }
  }
  const node = () => run(process.execPath, ["-e", "0"])

  // 1-3. Codex: first push, one session grown, unchanged
  const started = performance.now()
  const { m: a, sessions } = await codexMachine("a", count)
  const transcripts = sessions.reduce((n, s) => n + s.bytes, 0)
  console.log(`Codex: ${count} sessions, transcripts ${mb(transcripts)}, generated in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  // the exchange folders exist (push never makes one: a typo must not make an unsynced folder)
  const [folder, three, claudeFolder, opencodeFolder] = ["exchange", "exchange-3", "exchange-claude", "exchange-opencode"].map((f) => path.join(dir, f))
  for (const f of [folder, three, claudeFolder, opencodeFolder]) fs.mkdirSync(f)
  const tarOut = path.join(dir, "floor.tgz")
  const tar = settled(() => packFloor(path.join(a.home, ".codex", "sessions"), tarOut))
  fs.rmSync(tarOut)
  const codexTurn = (i: number) => {
    const s = sessions[(i * 97) % sessions.length]!
    fs.appendFileSync(s.path, turnLines(s.cwd, i).map((line) => JSON.stringify(line) + "\n").join(""))
    return { id: s.id, transcript: s.path }
  }
  const codex = firstAndIncremental({ agent: "Codex", m: a, folder, runs, count, grow: codexTurn, node })
  const unchanged = perRun(runs, () => {
    const files = packagesIn(codex.outbox)
    const index = fs.readFileSync(path.join(codex.outbox, "outbox.json"))
    const nodeRun = settled(node)
    const push = pushRun(a, folder)
    check(pushed(push).package === null, "Codex: an unchanged push writes no package")
    check(packagesIn(codex.outbox).join() === files.join(), "Codex: an unchanged push adds no file")
    check(fs.readFileSync(path.join(codex.outbox, "outbox.json")).equals(index), "Codex: an unchanged push leaves outbox.json byte-identical")
    return { node: nodeRun, push }
  })

  // 4. three outboxes of the same N sessions, machine X pulls
  const senders = []
  for (const name of ["m1", "m2", "m3"]) {
    const { m } = await codexMachine(name, count)
    const r = pushRun(m, three)
    check(pushed(r).package?.sessions.length === count, `${name}: pushes all ${count} sessions`)
    senders.push(m)
  }
  const x = machineAt(dir, "x", (home) => ["--codex-home", path.join(home, ".codex")])
  await writeHome(path.join(x.home, ".codex"), { sessions: 0, bytesPerSession: 0, cwds: projects, database: true })
  const indexes = senders.map((m) => path.join(outboxOf(three, m), "outbox.json"))
  console.log(`three outboxes: outbox.json ${indexes.map((f) => kb(fs.statSync(f).size)).join(", ")}`)
  const floor = () => shell(`"$1" -e 0 && cat "$2" "$3" "$4" > /dev/null`, [process.execPath, ...indexes])
  const firstFloor = settled(floor)
  const firstPull = pullRun(x, three)
  const counts = pulled(firstPull).packages.map((p) => JSON.stringify(p.sync?.counts ?? p.status))
  console.log(`X's first pull (3 packages): ${counts.join("; ")}`)
  check(pulled(firstPull).packages.filter((p) => p.status === "applied").length === 3, "X's first pull applies the three packages")
  const repeat = perRun(runs, () => {
    const f = settled(floor)
    const pull = pullRun(x, three)
    const json = pulled(pull)
    check(json.transaction_id === undefined && json.packages.length === 0, "a repeat pull: nothing pending, no transaction")
    return { floor: f, pull }
  })
  let recorded = 0
  const recheck = perRun(runs, () => {
    const f = settled(floor)
    const pull = pullRun(x, three, ["--recheck"])
    const json = pulled(pull)
    check(json.packages.every((p) => p.status !== "applied" || Object.entries(p.sync?.counts ?? {}).every(([k, n]) => k === "unchanged" || n === 0)), "pull --recheck: every session unchanged")
    if (json.transaction_id !== undefined) recorded++
    return { floor: f, pull }
  })
  console.log(`pull --recheck: every session unchanged; ${recorded} of ${runs} runs recorded a transaction (the receipts and marks again)`)

  // 5. Claude Code and OpenCode: first push and one session grown
  const claude = machineAt(dir, "claude", (home) => ["--claude-home", path.join(home, ".claude")])
  const claudeSessions = [
    ...(await writeConfigDir(path.join(claude.home, ".claude"), { sessions: count, bytesPerSession: bytes, cwds: projects, home: claude.home }))
  ]
  const claudeRun = firstAndIncremental({
    agent: "Claude Code",
    m: claude,
    folder: claudeFolder,
    runs,
    count,
    node,
    grow: (i) => {
      const at = (i * 97) % claudeSessions.length
      claudeSessions[at] = appendClaudeTurn(claudeSessions[at]!)
      return { id: claudeSessions[at]!.id, transcript: claudeSessions[at]!.path }
    }
  })

  // OpenCode's generator lives with its own benchmarks (loaded at run time: it is not a module of this package)
  const opencodeGenerator = pathToFileURL(path.join(import.meta.dirname, "..", "..", "opencode-home", "bench", "Generate.ts")).href
  const oc = await import(opencodeGenerator) as {
    readonly sourceData: (dataDir: string, count: number) => { readonly database: string; readonly sessions: ReadonlyArray<{ readonly id: string }> }
    readonly appendTurn: (database: string, sessions: ReadonlyArray<string>, text: (id: string) => string, afterMs: number) => void
  }
  const opencode = machineAt(dir, "opencode", (home) => ["--opencode-data", path.join(home, ".local", "share", "opencode")])
  const generated = oc.sourceData(path.join(opencode.home, ".local", "share", "opencode"), count)
  const opencodeRun = firstAndIncremental({
    agent: "OpenCode",
    m: opencode,
    folder: opencodeFolder,
    runs,
    count,
    node,
    grow: (i) => {
      const id = generated.sessions[(i * 97) % generated.sessions.length]!.id
      oc.appendTurn(generated.database, [id], () => `one more turn (${i})`, 1000)
      return { id }
    }
  })
  const tarRow: Measured = { label: "floor: tar czf <sessions/> + sync", runs: [tar] }
  const nodeRow = (runs: ReadonlyArray<Run>): Measured => ({ label: "floor: node -e 0", runs, count: 0 })
  const codexNode = nodeRow(codex.grown.node)
  const pullFloor: Measured = { label: "floor: node -e 0; cat 3 × outbox.json", runs: repeat.floor, count: 3 * count }
  const recheckFloor: Measured = { label: "floor: node -e 0; cat 3 × outbox.json", runs: recheck.floor, count: 3 * count }
  const repeatRow: Measured = { label: "session-sync pull, repeat (3 outboxes, unchanged; target < 2 s)", runs: repeat.pull, floor: pullFloor, count: 3 * count }
  check(medianMs(repeatRow) < 2000, `the repeat pull takes < 2 s (median ${(medianMs(repeatRow) / 1000).toFixed(2)} s)`)
  console.log(`repeat pull: ${(medianMs(repeatRow) / 1000).toFixed(2)} s, ${(medianMs(repeatRow) / medianMs(pullFloor)).toFixed(2)}× the floor`)
  if (failures.length > 0) {
    console.log(`\n${failures.length} check(s) failed`)
    process.exitCode = 1
  } else console.log("\nevery check passed")
  const claudeNode = nodeRow(claudeRun.grown.node)
  const opencodeNode = nodeRow(opencodeRun.grown.node)
  return [
    tarRow,
    { label: "(setup) Codex: session-sync push, first", runs: [codex.first], floor: tarRow },
    codexNode,
    { label: "Codex: session-sync push, one session grew by a turn", runs: codex.grown.push, floor: codexNode },
    { label: "Codex: session-sync push, unchanged", runs: unchanged.push, floor: nodeRow(unchanged.node) },
    { label: "(setup) Codex: session-sync pull, first (3 outboxes)", runs: [firstPull], floor: { label: pullFloor.label, runs: [firstFloor] }, count: 3 * count },
    pullFloor,
    repeatRow,
    { label: "Codex: session-sync pull --recheck (3 outboxes, unchanged)", runs: recheck.pull, floor: recheckFloor, count: 3 * count },
    { label: "(setup) Claude Code: session-sync push, first", runs: [claudeRun.first], floor: claudeNode },
    { label: "Claude Code: session-sync push, one session grew by a turn", runs: claudeRun.grown.push, floor: claudeNode },
    { label: "(setup) OpenCode: session-sync push, first", runs: [opencodeRun.first], floor: opencodeNode },
    { label: "OpenCode: session-sync push, one session grew by a turn", runs: opencodeRun.grown.push, floor: opencodeNode }
  ]
})

/** One more Codex turn (a prompt and the answer), as Codex appends it: ~1 KB. */
const turnLines = (cwd: string, i: number): Array<object> => {
  const at = new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString()
  const turnId = `019e1625-d031-75e3-a85f-${String(900_000 + i).padStart(12, "0")}`
  const wrap = (type: string, payload: object) => ({ timestamp: at, type, payload })
  const prompt = `one more thing, run ${i}: tidy the notes`
  return [
    wrap("event_msg", { type: "task_started", turn_id: turnId, model_context_window: 258400, collaboration_mode_kind: "default" }),
    wrap("turn_context", { turn_id: turnId, cwd, approval_policy: "on-request", sandbox_policy: { type: "workspace-write", writable_roots: [cwd] }, model: "gpt-5.5", effort: "medium", summary: "none" }),
    wrap("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: prompt }] }),
    wrap("event_msg", { type: "user_message", message: prompt, images: [], local_images: [], text_elements: [] }),
    wrap("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: `tidied (${i})` }], phase: "final_answer" }),
    wrap("event_msg", { type: "agent_message", message: `tidied (${i})`, phase: "final_answer" }),
    wrap("event_msg", { type: "task_complete", turn_id: turnId, last_agent_message: `tidied (${i})` })
  ]
}
