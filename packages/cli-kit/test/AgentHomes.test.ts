/**
 * Every registered agent, through the one interface: each store lists its home's sessions and
 * reads a transcript line by line, byte for byte. Expected values are the fixture inventories.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Agents } from "@sessionport/agent"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { AgentHomes, TerminalProgress } from "@sessionport/cli-kit"
import { copyFixtureHome, fixtureThreads, openDatabase, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Effect, Either, Layer, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"

afterAll(removeTemps)

/**
 * An OpenCode session's rows as its transcript lines say them (parsed): the session, each message
 * (by time, then id) followed by its parts (by id), then its todos; `data` parsed.
 */
const opencodeRows = (database: string, id: string): Array<unknown> => {
  const db = openDatabase(database, { readonly: true })
  try {
    const withData = (type: string) => (row: Record<string, unknown>) => ({ type, ...row, data: JSON.parse(row.data as string) })
    const out: Array<unknown> = [{ type: "session", ...db.prepare("SELECT * FROM session WHERE id = ?").get(id) }]
    for (const message of db.prepare("SELECT * FROM message WHERE session_id = ? ORDER BY time_created, id").all(id)) {
      out.push(withData("message")(message))
      for (const part of db.prepare("SELECT * FROM part WHERE message_id = ? ORDER BY id").all(message.id)) out.push(withData("part")(part))
    }
    for (const todo of db.prepare("SELECT * FROM todo WHERE session_id = ? ORDER BY position").all(id)) out.push({ type: "todo", ...todo })
    return out
  } finally {
    db.close()
  }
}

/** What every store must do, checked on the stores in context. */
const check = (opencodeDatabase: string) => Effect.gen(function*() {
  const { stores } = yield* Agents.Agents
  assert.deepStrictEqual(stores.map((s) => s.agent), AgentHomes.AGENTS)
  const expected: Record<string, ReadonlyArray<string>> = {
    codex: [...new Set(fixtureThreads.filter((s) => !s.archived).map((s) => s.threadId))].sort(),
    claude: Object.values(ClaudeFixtures.load().sessions).map((s) => s.sessionId).sort(),
    opencode: Object.values(OpencodeFixtures.load().sessions).map((s) => s.sessionId).sort()
  }
  for (const store of stores) {
    assert.isTrue(store.present, store.agent)
    const listed = yield* store.list({ ids: [], cwds: [], since: undefined, all: true, includeArchived: false })
    assert.deepStrictEqual(listed.sessions.map((s) => s.id).sort(), expected[store.agent], store.agent)
    const session = listed.sessions.find((s) => !s.path.endsWith(".zst"))!
    const records = yield* Stream.runCollect(store.read(session.id))
    if (store.agent === "opencode") {
      // its sessions are rows: its transcript says each row, value for value
      assert.deepStrictEqual([...records].map((r) => Either.isRight(r) ? JSON.parse(r.right.raw) : r.left.raw), opencodeRows(opencodeDatabase, session.id))
      assert.strictEqual(session.path, `${opencodeDatabase}#${session.id}`)
      continue
    }
    const lines = fs.readFileSync(session.path, "utf8").split("\n")
    if (lines[lines.length - 1] === "") lines.pop()
    assert.deepStrictEqual([...records].map((r) => Either.isRight(r) ? r.right.raw : r.left.raw), lines, store.agent)
    assert.isTrue(session.size > 0 && path.isAbsolute(session.path), store.agent)
  }
})

describe("AgentHomes: every agent through the AgentStore interface", () => {
  it.scoped("lists each home's sessions and reads a transcript byte for byte", () =>
    Effect.gen(function*() {
      const claude = yield* ClaudeFixtures.copyHome()
      const opencode = yield* OpencodeFixtures.copyData()
      const homes = {
        codexHome: Option.some(copyFixtureHome()),
        claudeHome: Option.some(claude.configDir),
        opencodeData: Option.some(opencode.dataDir)
      }
      // the stores live as long as their layer: the whole check runs inside it
      yield* check(path.join(opencode.dataDir, "opencode.db")).pipe(Effect.provide(AgentHomes.agentsLayer(homes).pipe(
        Layer.provideMerge(AgentHomes.journalsLayer(homes)),
        Layer.provideMerge(TerminalProgress.layer({ quiet: true }))
      )))
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
