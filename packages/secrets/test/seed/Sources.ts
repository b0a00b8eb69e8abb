/**
 * The real transcripts the corpus is made of: the fixture homes of the three agents (OpenCode's
 * as its package carries them: exported with the bundled CLI from a copy of the fixture data
 * folder) and, when present, the shared corpus of public Codex rollouts next to the repository.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export type Agent = "codex" | "claude" | "opencode"
export type Format = "jsonl" | "text"

export interface Source {
  readonly agent: Agent
  readonly format: Format
  /** where it is read from */
  readonly abs: string
  /** its name in a corpus folder: `<agent>/<path in the agent's home or package>` */
  readonly rel: string
}

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
export const fixturesDir = path.join(repoRoot, "fixtures")
/**
 * The shared corpus of public transcripts: `$SESSIONPORT_SHARED_CORPUS`, else `../shared/corpus`
 * next to the repository, else the workplace's `/work/shared/corpus` (a clean clone elsewhere);
 * absent in some checkouts.
 */
export const sharedCorpusDir = [
  process.env["SESSIONPORT_SHARED_CORPUS"],
  path.join(repoRoot, "..", "shared", "corpus"),
  "/work/shared/corpus"
].find((dir): dir is string => dir !== undefined && dir !== "" && fs.existsSync(dir)) ?? path.join(repoRoot, "..", "shared", "corpus")

const walk = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name)
      return e.isDirectory() ? walk(p) : e.isFile() ? [p] : []
    }).sort()
    : []

const under = (agent: Agent, home: string, abs: string, format: Format = "jsonl"): Source => ({
  agent,
  format,
  abs,
  rel: `${agent}/${path.relative(home, abs).split(path.sep).join("/")}`
})

/** Codex: rollouts (live and archived; `.jsonl.zst` left out: Node 20 has no zstd) and the session index. */
export const codexSources = (): Array<Source> => {
  const home = path.join(fixturesDir, "codex", "home")
  return [
    ...walk(path.join(home, "sessions")).filter((f) => f.endsWith(".jsonl")).map((f) => under("codex", home, f)),
    ...walk(path.join(home, "archived_sessions")).filter((f) => f.endsWith(".jsonl")).map((f) => under("codex", home, f)),
    under("codex", home, path.join(home, "session_index.jsonl"))
  ]
}

/** Claude Code: transcripts, the prompt history, and file-history backups (plain text). */
export const claudeSources = (): Array<Source> => {
  const home = path.join(fixturesDir, "claude", "home")
  return [
    ...walk(path.join(home, "projects")).filter((f) => f.endsWith(".jsonl")).map((f) => under("claude", home, f)),
    under("claude", home, path.join(home, "history.jsonl")),
    ...walk(path.join(home, "file-history")).map((f) => under("claude", home, f, "text"))
  ]
}

const transferBin = path.join(repoRoot, "packages", "transfer-cli", "bin", "session-transfer.mjs")

/**
 * OpenCode keeps sessions in SQLite; a package carries them as `transcript.jsonl` rows and a
 * `sessions.jsonl` index. Exports a copy of the fixture data folder with the bundled CLI (built
 * first when it is missing, as the CLI tests' global setup does) into `work`.
 */
export const opencodeSources = (work: string): Array<Source> => {
  if (!fs.existsSync(path.join(repoRoot, "packages", "transfer-cli", "dist", "launch.mjs"))) {
    execFileSync(process.execPath, [path.join(repoRoot, "packages", "transfer-cli", "scripts", "build-bin.mjs")], { stdio: "ignore" })
  }
  const data = path.join(work, "opencode-data")
  const pkg = path.join(work, "opencode-package")
  fs.rmSync(data, { recursive: true, force: true })
  fs.rmSync(pkg, { recursive: true, force: true })
  fs.cpSync(path.join(fixturesDir, "opencode", "data"), data, { recursive: true })
  fs.mkdirSync(path.join(work, "home"), { recursive: true })
  execFileSync(process.execPath, [transferBin, "export", "--agent", "opencode", "--opencode-data", data, "--all", "--out", pkg], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, HOME: path.join(work, "home") }
  })
  const home = path.join(pkg, "agents", "opencode")
  return [
    ...walk(path.join(home, "sessions")).filter((f) => f.endsWith(".jsonl")).map((f) => under("opencode", home, f)),
    under("opencode", home, path.join(home, "sessions.jsonl"))
  ]
}

/** Every fixture file export scans, for the three agents (`work`: a scratch folder for OpenCode's export). */
export const fixtureSources = (work: string): Array<Source> => [...codexSources(), ...claudeSources(), ...opencodeSources(work)]

/** The shared corpus's transcripts (Codex rollouts; none when the folder is absent). */
export const sharedSources = (): Array<Source> =>
  walk(sharedCorpusDir).filter((f) => f.endsWith(".jsonl")).map((f) => ({
    agent: (path.relative(sharedCorpusDir, f).split(path.sep)[0] ?? "codex") as Agent,
    format: "jsonl" as const,
    abs: f,
    rel: `shared/${path.relative(sharedCorpusDir, f).split(path.sep).join("/")}`
  }))
