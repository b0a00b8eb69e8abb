/**
 * Machines for the exchange's CLI tests (`session-sync push` / `pull` / `compact` over a plain
 * folder): each has its own homes for Codex, Claude Code and OpenCode under one temp folder, and
 * its own sessionport config dir (`SESSIONPORT_CONFIG_DIR`: its machine id, its remembered folder).
 *
 * - A machine made `from: "fixtures"` holds the Codex fixture home (every fixture thread), one
 *   Claude Code session (the fixture's `tools` transcript, unless told another) and one OpenCode
 *   session (the fixture's `tools` session: the data folder with the other session's rows deleted).
 * - A fresh machine (`from: "empty"`) has a Codex home Codex has run in with no session, an empty
 *   Claude Code home, and an OpenCode data folder whose `opencode.db` has OpenCode's schema and no
 *   rows (`Fixtures.emptyData`).
 *
 * What a home holds is read here with plain file reads and SQL, never through the code under test.
 */
import { assert } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { openDatabase, sqlThreads, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { fileState, homeState as codexHomeState } from "@sessionport/codex-oracle/HomeState"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { dataState } from "@sessionport/opencode-oracle/DataState"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { type CliResult, sessionSync } from "./cli.js"
import { codexMachine, rolloutFiles, rolloutText } from "./scenarios.js"

export { fileState }

export type Agent = "codex" | "claude" | "opencode"

export const AGENTS: ReadonlyArray<Agent> = ["codex", "claude", "opencode"]

/** The Claude Code and OpenCode sessions a fixtures machine holds (the fixtures' `tools` sessions). */
export const CLAUDE_SESSION = ClaudeFixtures.byRole("tools").sessionId
export const OPENCODE_SESSION = OpencodeFixtures.byRole("tools").sessionId

export interface ExchangeMachine {
  readonly name: string
  readonly root: string
  /** HOME of every command on the machine */
  readonly user: string
  readonly codex: string
  readonly claude: string
  readonly opencode: string
  /** SESSIONPORT_CONFIG_DIR */
  readonly config: string
  /** the agents whose homes exist here */
  readonly agents: ReadonlyArray<Agent>
  /** `--codex-home … --claude-home … --opencode-data …` of the homes that exist (the others: under HOME, absent) */
  readonly homeOptions: ReadonlyArray<string>
  readonly env: Record<string, string>
}

/** `fixtures`: the Codex fixture home, one Claude Code and one OpenCode session; `empty`: homes with no session. */
export const machine = (
  name: string,
  options: {
    readonly agents?: ReadonlyArray<Agent>
    readonly from?: "fixtures" | "empty"
    /** the Claude Code fixture session a fixtures machine holds (`tools` unless told) */
    readonly claudeRole?: string
  } = {}
): ExchangeMachine => {
  const claudeRole = options.claudeRole ?? "tools"
  const agents = options.agents ?? AGENTS
  const from = options.from ?? "empty"
  const codexB = codexMachine(from === "fixtures" ? "fixture" : "empty")
  const root = codexB.root
  const user = path.join(root, "user")
  fs.mkdirSync(user)
  const claude = path.join(user, ".claude")
  const opencode = path.join(user, ".local", "share", "opencode")
  let codex = codexB.home
  if (!agents.includes("codex")) {
    fs.rmSync(codex, { recursive: true, force: true })
    codex = path.join(user, ".codex")
  }
  if (agents.includes("claude")) {
    if (from === "fixtures") {
      fs.cpSync(ClaudeFixtures.fixtureHome, claude, { recursive: true, preserveTimestamps: true })
      // one session (`claudeRole`'s transcript); the other transcripts (and their file history) go
      for (const role of Object.keys(ClaudeFixtures.load().sessions).filter((r) => r !== claudeRole)) {
        const session = ClaudeFixtures.byRole(role)
        fs.rmSync(path.join(claude, session.transcript))
        fs.rmSync(path.join(claude, "file-history", session.sessionId), { recursive: true, force: true })
      }
    } else {
      fs.mkdirSync(claude, { recursive: true })
    }
  }
  if (agents.includes("opencode")) {
    if (from === "fixtures") {
      fs.mkdirSync(path.dirname(opencode), { recursive: true })
      fs.cpSync(OpencodeFixtures.fixtureData, opencode, { recursive: true, preserveTimestamps: true })
      // one session: `tools`; every row of the others deleted, as if OpenCode had run only that one
      const db = openDatabase(path.join(opencode, "opencode.db"))
      try {
        const others = db.prepare("SELECT id FROM session WHERE id <> ?").all(OPENCODE_SESSION).map((r) => String(r.id))
        for (const id of others) {
          db.prepare("DELETE FROM part WHERE session_id = ?").run(id)
          db.prepare("DELETE FROM message WHERE session_id = ?").run(id)
          db.prepare("DELETE FROM event WHERE aggregate_id = ?").run(id)
          db.prepare("DELETE FROM event_sequence WHERE aggregate_id = ?").run(id)
          db.prepare("DELETE FROM session WHERE id = ?").run(id)
        }
      } finally {
        db.close()
      }
    } else {
      OpencodeFixtures.emptyData(opencode)
    }
  }
  const config = path.join(root, "config")
  return {
    name,
    root,
    user,
    codex,
    claude,
    opencode,
    config,
    agents,
    homeOptions: [
      ...(agents.includes("codex") ? ["--codex-home", codex] : []),
      ...(agents.includes("claude") ? ["--claude-home", claude] : []),
      ...(agents.includes("opencode") ? ["--opencode-data", opencode] : [])
    ],
    env: { HOME: user, SESSIONPORT_CONFIG_DIR: config }
  }
}

/** The machine once an agent is installed on it: an empty home for `agent` (Claude Code or OpenCode). */
export const withHome = (m: ExchangeMachine, agent: "claude" | "opencode"): ExchangeMachine => {
  if (agent === "claude") fs.mkdirSync(m.claude, { recursive: true })
  else OpencodeFixtures.emptyData(m.opencode)
  const agents = AGENTS.filter((a) => a === agent || m.agents.includes(a))
  return { ...m, agents, homeOptions: [...m.homeOptions, agent === "claude" ? "--claude-home" : "--opencode-data", agent === "claude" ? m.claude : m.opencode] }
}

/** An exchange folder: a plain folder (the sync engine's job is not part of these tests). */
export const exchangeFolder = (): string => tempDir("exchange")

// ---------------------------------------------------------------------------------------------
// Running the commands

/** `session-sync <command> …` on the machine (its homes named, for push and pull), as is. */
export const run = (m: ExchangeMachine, command: "push" | "pull" | "compact", args: ReadonlyArray<string> = []) => {
  const argv = [command, ...args, ...(command === "compact" ? [] : m.homeOptions)]
  return sessionSync(argv, { env: m.env })
}

const parsed = (what: string, result: CliResult): any => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** `push --json …`, expecting exit 0; its JSON and its stderr. */
export const push = (m: ExchangeMachine, args: ReadonlyArray<string> = []) =>
  Effect.map(run(m, "push", ["--json", ...args]), (result) => ({ ...parsed(`${m.name}: push`, result), stderr: result.stderr }) as PushJson)

/** `pull --json …`, expecting exit 0; its JSON and its stderr. */
export const pull = (m: ExchangeMachine, args: ReadonlyArray<string> = []) =>
  Effect.map(run(m, "pull", ["--json", ...args]), (result) => ({ ...parsed(`${m.name}: pull`, result), stderr: result.stderr }) as PullJson)

/** `compact --json`, expecting exit 0. */
export const compact = (m: ExchangeMachine, args: ReadonlyArray<string> = []) =>
  Effect.map(run(m, "compact", ["--json", ...args]), (result) => parsed(`${m.name}: compact`, result))

export interface PushedSessionJson {
  readonly agent: string
  readonly id: string
  readonly size: number
  readonly updated_at: string
  readonly parent_of?: string
}

export interface PushJson {
  readonly folder: string
  readonly machine_id: string
  readonly package: {
    readonly file: string
    readonly seq: number
    readonly size: number
    readonly sha256: string
    readonly encrypted: boolean
    readonly sessions: ReadonlyArray<PushedSessionJson>
  } | null
  readonly sessions: ReadonlyArray<PushedSessionJson>
  readonly unchanged: number
  readonly removed: ReadonlyArray<string>
  readonly encryption: "recipients" | "passphrase" | null
  readonly secrets?: {
    readonly redacted: boolean
    readonly findings: ReadonlyArray<
      { readonly agent?: string; readonly session?: string; readonly kind: string; readonly count: number; readonly records: ReadonlyArray<number>; readonly redacted: number; readonly kept: number }
    >
  }
  readonly stderr: string
}

export interface PulledSessionJson {
  readonly agent: string
  readonly source_id: string
  readonly class: string
  readonly action: string
  readonly local_id?: string
  readonly new_local_id?: string
  readonly appended?: number
}

export interface PulledPackageJson {
  readonly machine_id: string
  readonly seq: number
  readonly file: string
  readonly status: "applied" | "superseded" | "skipped"
  readonly kind?: string
  readonly why?: string
  readonly sync?: { readonly sessions: ReadonlyArray<PulledSessionJson>; readonly counts: Record<string, number> }
}

export interface PullJson {
  readonly folder: string
  readonly machine_id: string
  readonly machines: ReadonlyArray<string>
  readonly transaction_id?: string
  readonly packages: ReadonlyArray<PulledPackageJson>
  readonly notes: ReadonlyArray<string>
  readonly receipts_written: boolean
  readonly removed: ReadonlyArray<string>
  readonly stderr: string
}

/** Every session decision of a pull, over its applied packages. */
export const decisions = (result: PullJson): Array<PulledSessionJson & { readonly machine_id: string; readonly seq: number }> =>
  result.packages.flatMap((p) => (p.sync?.sessions ?? []).map((s) => ({ ...s, machine_id: p.machine_id, seq: p.seq })))

// ---------------------------------------------------------------------------------------------
// What a machine holds (plain reads)

/** Every home "exactly": Codex files and databases (`homeState`), Claude Code files, OpenCode rows and files; sessionport/ left out. */
export const homeState = (m: ExchangeMachine) => ({
  codex: m.agents.includes("codex") ? codexHomeState(m.codex) : undefined,
  claude: m.agents.includes("claude") ? codexHomeState(m.claude) : undefined,
  opencode: m.agents.includes("opencode") ? dataState(m.opencode) : undefined
})

/** Claude Code transcripts of a home: `projects/<dir>/<id>.jsonl` (subagents' files not counted). */
export const claudeTranscripts = (claude: string): Array<string> => {
  const projects = path.join(claude, "projects")
  if (!fs.existsSync(projects)) return []
  return fs.readdirSync(projects, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) =>
    fs.readdirSync(path.join(projects, d.name)).filter((f) => f.endsWith(".jsonl")).map((f) => path.join(projects, d.name, f))
  ).sort()
}

const opencodeRows = <A>(m: ExchangeMachine, f: (db: ReturnType<typeof openDatabase>) => A): A => {
  const db = openDatabase(path.join(m.opencode, "opencode.db"), { readonly: true })
  try {
    return f(db)
  } finally {
    db.close()
  }
}

/** OpenCode `session` rows: id → its messages and parts (ids). */
export const opencodeSessions = (m: ExchangeMachine): Map<string, { readonly messages: Array<string>; readonly parts: Array<string> }> =>
  opencodeRows(m, (db) =>
    new Map(db.prepare("SELECT id FROM session ORDER BY id").all().map((row) => {
      const id = String(row.id)
      return [id, {
        messages: db.prepare("SELECT id FROM message WHERE session_id = ? ORDER BY id").all(id).map((r) => String(r.id)),
        parts: db.prepare("SELECT id FROM part WHERE session_id = ? ORDER BY id").all(id).map((r) => String(r.id))
      }] as const
    })))

/** How many sessions each home holds, counted from its files and rows. */
export const sessionCounts = (m: ExchangeMachine) => ({
  codexRollouts: m.agents.includes("codex") ? rolloutFiles(m.codex).length : 0,
  codexThreads: m.agents.includes("codex") ? sqlThreads(m.codex).length : 0,
  claude: m.agents.includes("claude") ? claudeTranscripts(m.claude).length : 0,
  opencode: m.agents.includes("opencode") ? opencodeSessions(m).size : 0
})

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex")

/** What "nothing lost" compares: every session file's text, every Codex thread id, every OpenCode row id. */
export interface Sessions {
  readonly files: ReadonlyMap<string, string>
  readonly threads: ReadonlySet<string>
  readonly opencode: ReadonlySet<string>
}

/** The session content of a machine (files by path: Codex rollouts decompressed, Claude transcripts; rows by id). */
export const sessions = (m: ExchangeMachine): Sessions => {
  const files = new Map<string, string>()
  if (m.agents.includes("codex")) for (const f of rolloutFiles(m.codex)) files.set(f, rolloutText(f))
  if (m.agents.includes("claude")) for (const f of claudeTranscripts(m.claude)) files.set(f, fs.readFileSync(f, "utf8"))
  const opencode = new Set<string>()
  if (m.agents.includes("opencode")) {
    for (const [id, s] of opencodeSessions(m)) {
      opencode.add(`session ${id}`)
      for (const mid of s.messages) opencode.add(`message ${id} ${mid}`)
      for (const pid of s.parts) opencode.add(`part ${id} ${pid}`)
    }
  }
  return { files, threads: new Set(m.agents.includes("codex") ? sqlThreads(m.codex).map((r) => String(r.id)) : []), opencode }
}

/** No session file shrank, changed its earlier bytes or vanished; no thread row and no OpenCode row vanished. */
export const assertNothingLost = (before: Sessions, after: Sessions, at: string): void => {
  for (const [file, text] of before.files) {
    const now = after.files.get(file)
    assert.isDefined(now, `${at}: ${file} vanished`)
    assert.isTrue(now!.startsWith(text), `${at}: ${file} shrank or changed (${text.length} -> ${now!.length} chars, ${sha256(text)})`)
  }
  for (const id of before.threads) assert.isTrue(after.threads.has(id), `${at}: thread row ${id} vanished`)
  for (const row of before.opencode) assert.isTrue(after.opencode.has(row), `${at}: OpenCode ${row} vanished`)
}

/** The rows of a home's `sessionport/exchange.sqlite` per table (0 when there is none). */
export const exchangeRows = (home: string): Record<string, number> => {
  const file = path.join(home, "sessionport", "exchange.sqlite")
  if (!fs.existsSync(file)) return { applied: 0, marks: 0 }
  const db = openDatabase(file, { readonly: true })
  try {
    const count = (table: string) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) === undefined
        ? 0
        : Number(db.prepare(`SELECT count(*) AS n FROM "${table}"`).get().n)
    return { applied: count("applied"), marks: count("marks") }
  } finally {
    db.close()
  }
}

/** The homes of the machine that exist, by agent. */
export const homesOf = (m: ExchangeMachine): Array<readonly [Agent, string]> =>
  ([["codex", m.codex], ["claude", m.claude], ["opencode", m.opencode]] as const).filter(([agent]) => m.agents.includes(agent))

/** The machine's id (its config, as push or pull made it). */
export const machineId = (m: ExchangeMachine): string =>
  JSON.parse(fs.readFileSync(path.join(m.config, "exchange.json"), "utf8")).machine_id

/** A machine's outbox in the folder. */
export const outboxOf = (dir: string, m: ExchangeMachine): string => path.join(dir, machineId(m))

/** An outbox's index, parsed (plain JSON). */
export const indexOf = (outbox: string): { readonly packages: ReadonlyArray<{ readonly seq: number; readonly file: string; readonly sha256: string; readonly size: number; readonly sessions: ReadonlyArray<{ agent: string; id: string }> }> } =>
  JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8"))
