/**
 * Every registered agent, through the one interface: each store lists its home's sessions and
 * reads a transcript line by line, byte for byte. Expected values are the fixture inventories.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Agents } from "@sessionport/agent"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { AgentHomes, TerminalProgress } from "@sessionport/cli-kit"
import { copyFixtureHome, fixtureThreads, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Effect, Either, Layer, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"

afterAll(removeTemps)

/** What every store must do, checked on the stores in context. */
const check = Effect.gen(function*() {
  const { stores } = yield* Agents.Agents
  assert.deepStrictEqual(stores.map((s) => s.agent), AgentHomes.AGENTS)
  const expected: Record<string, ReadonlyArray<string>> = {
    codex: [...new Set(fixtureThreads.filter((s) => !s.archived).map((s) => s.threadId))].sort(),
    claude: Object.values(ClaudeFixtures.load().sessions).map((s) => s.sessionId).sort()
  }
  for (const store of stores) {
    assert.isTrue(store.present, store.agent)
    const listed = yield* store.list({ ids: [], cwds: [], since: undefined, all: true, includeArchived: false })
    assert.deepStrictEqual(listed.sessions.map((s) => s.id).sort(), expected[store.agent], store.agent)
    const session = listed.sessions.find((s) => !s.path.endsWith(".zst"))!
    const records = yield* Stream.runCollect(store.read(session.id))
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
      const homes = { codexHome: Option.some(copyFixtureHome()), claudeHome: Option.some(claude.configDir), opencodeData: Option.none() }
      // the stores live as long as their layer: the whole check runs inside it
      yield* check.pipe(Effect.provide(AgentHomes.agentsLayer(homes).pipe(
        Layer.provideMerge(AgentHomes.journalsLayer(homes)),
        Layer.provideMerge(TerminalProgress.layer({ quiet: true }))
      )))
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
