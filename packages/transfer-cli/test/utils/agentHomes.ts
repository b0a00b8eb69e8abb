/**
 * A machine where all three agents ran: copies of the Codex, Claude Code and OpenCode fixture
 * homes side by side under one HOME, the options that name them, their sessions as `list --json`
 * shows them, and their state for "exactly as before" (Codex: `homeState`, every file's hash and
 * every database's rows; Claude Code: every file's hash; OpenCode: `dataState`, the database's rows
 * and every other file).
 */
import { assert } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { fixtureHome as codexFixtureHome, openDatabase, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { dataState } from "@sessionport/opencode-oracle/DataState"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { sessionTransfer } from "./cli.js"

export interface AgentHomes {
  /** HOME of the machine (`<temp>/user`) */
  readonly home: string
  readonly codex: string
  readonly claude: string
  readonly opencode: string
  /** `--codex-home … --claude-home … --opencode-data …` */
  readonly options: ReadonlyArray<string>
  /** the environment of every command on them */
  readonly env: Record<string, string>
  readonly state: () => unknown
  /** removes the copies (a loop making many) */
  readonly dispose: () => void
}

const copy = (from: string, to: string) => fs.cpSync(from, to, { recursive: true, preserveTimestamps: true })

/**
 * Fresh copies of the three fixture homes. `opencodeWal`: the OpenCode database in WAL mode, as
 * OpenCode keeps its own (the fixture's is one file, in DELETE mode: a process killed inside a
 * write transaction of it leaves an inert `opencode.db-journal` beside it, which `dataState`
 * counts as a difference).
 */
export const copyAgentHomes = (options: { readonly opencodeWal?: boolean } = {}): AgentHomes => {
  const root = tempDir("agents")
  const home = path.join(root, "user")
  const codex = path.join(home, ".codex")
  const claude = path.join(home, ".claude")
  const opencode = path.join(home, ".local", "share", "opencode")
  copy(codexFixtureHome, codex)
  copy(ClaudeFixtures.fixtureHome, claude)
  copy(OpencodeFixtures.fixtureData, opencode)
  if (options.opencodeWal === true) {
    const db = openDatabase(path.join(opencode, "opencode.db"))
    try {
      db.exec("PRAGMA journal_mode = WAL")
    } finally {
      db.close()
    }
  }
  return {
    home,
    codex,
    claude,
    opencode,
    options: ["--codex-home", codex, "--claude-home", claude, "--opencode-data", opencode],
    env: { HOME: home },
    state: () => ({ codex: homeState(codex), claude: homeState(claude), opencode: dataState(opencode) }),
    dispose: () => fs.rmSync(root, { recursive: true, force: true })
  }
}

/** A session as `list --json` shows it. */
export interface Listed {
  readonly agent: string
  readonly id: string
  readonly [key: string]: unknown
}

/** Every session of the homes (`list --json`, archived ones included), by `agent id`. */
export const listed = (homes: AgentHomes) =>
  Effect.gen(function*() {
    const run = yield* sessionTransfer(["list", ...homes.options, "--json"], { env: homes.env })
    assert.strictEqual(run.code, 0, run.stderr)
    const sessions = JSON.parse(run.stdout).sessions as Array<Listed>
    return new Map(sessions.map((s) => [`${s.agent} ${s.id}`, s]))
  })
