import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { AppServer, CodexCli, ResponsesServer } from "@sessionport/codex-oracle"
import { Effect } from "effect"
import * as Fs from "node:fs"

// The committed fixture home, checked against the real Codex that made it.
const fixturesDir = new URL("../../../fixtures/codex/", import.meta.url).pathname
const inventoryFile = `${fixturesDir}fixtures.json`

interface Session {
  readonly threadId: string
  readonly rollout: string
  readonly prompts: ReadonlyArray<string>
  readonly archived: boolean
  readonly compressed: boolean
  readonly parentId?: string
  readonly name?: string
}

const roles = ["multi_turn_tools", "resumed", "beta_cwd", "forked", "forked_parent", "archived", "named", "zst"]

describe.skipIf(!Fs.existsSync(inventoryFile))("fixtures/codex", () => {
  const inventory = JSON.parse(Fs.readFileSync(inventoryFile, "utf8")) as {
    readonly codexVersion: string
    readonly sessions: Record<string, Session>
  }
  const session = (role: string) => inventory.sessions[role]!

  it("has every role, each with its rollout", () => {
    assert.deepStrictEqual(Object.keys(inventory.sessions).sort(), [...roles].sort())
    for (const role of roles) {
      const { compressed, rollout, threadId } = session(role)
      const bytes = Fs.readFileSync(`${fixturesDir}home/${rollout}`)
      if (compressed) {
        assert.deepStrictEqual([...bytes.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], `${role}: zstd magic`)
      } else {
        const first = JSON.parse(bytes.toString("utf8").split("\n")[0]!)
        assert.strictEqual(first.type, "session_meta", role)
        assert.strictEqual(first.payload.id, threadId, role)
      }
    }
    assert.isTrue(session("archived").archived)
    assert.isTrue(session("zst").compressed)
    assert.strictEqual(session("forked").parentId, session("forked_parent").threadId)
    assert.isFalse(Fs.existsSync(`${fixturesDir}home/auth.json`))
  })

  // The SQLite rows name the source home, so a moved copy lists fine but `thread/resume`
  // fails ("no rollout found") until those rows are fixed: checked on the whole home for what
  // needs no resume, and on the rollouts alone (Codex rebuilds its state) for turns.
  const copyHome = (entries: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const root = yield* fs.makeTempDirectoryScoped({ prefix: "codex-oracle-fixture-" })
      const codexHome = path.join(root, "home")
      yield* fs.makeDirectory(codexHome)
      for (const entry of entries) yield* fs.copy(`${fixturesDir}home/${entry}`, path.join(codexHome, entry))
      const server = yield* ResponsesServer.make()
      const cli = yield* CodexCli.make({ codexHome, home: root })
      assert.strictEqual(yield* cli.version, inventory.codexVersion)
      yield* cli.writeConfig({ baseUrl: server.baseUrl })
      return yield* AppServer.make({ cwd: root }).pipe(Effect.provideService(CodexCli.CodexCli, cli))
    })

  it.scoped("whole home: real Codex lists every thread, the name and the archive", () =>
    Effect.gen(function*() {
      const app = yield* copyHome(Fs.readdirSync(`${fixturesDir}home`))
      const live = yield* app.threadList({ sourceKinds: AppServer.allSourceKinds })
      const liveIds = live.data.map((t) => t.id)
      for (const role of roles.filter((r) => r !== "archived")) {
        assert.include(liveIds, session(role).threadId, role)
      }
      assert.notInclude(liveIds, session("archived").threadId)
      const archived = yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, archived: true })
      assert.include(archived.data.map((t) => t.id), session("archived").threadId)
      assert.strictEqual(live.data.find((t) => t.id === session("named").threadId)?.name, session("named").name)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("rollouts alone: real Codex resumes them with every turn, fork and zst included", () =>
    Effect.gen(function*() {
      const app = yield* copyHome(["sessions", "archived_sessions", "session_index.jsonl"])
      // Codex rebuilds its rows from the rollouts (names from session_index.jsonl are not shown).
      const listed = yield* app.threadList({ sourceKinds: AppServer.allSourceKinds })
      assert.include(listed.data.map((t) => t.id), session("zst").threadId)
      for (const role of ["multi_turn_tools", "beta_cwd", "forked", "zst"]) {
        const { prompts, threadId } = session(role)
        yield* app.threadResume({ threadId, excludeTurns: true })
        const turns = yield* app.threadTurnsList({ threadId, sortDirection: "asc" })
        const userTexts = turns.data.map((turn) => {
          const user = turn.items.find((item) => item.type === "userMessage")
          const content = user?.["content"] as ReadonlyArray<{ readonly text?: string }> | undefined
          return content?.[0]?.text
        })
        assert.deepStrictEqual(userTexts, [...prompts], role)
      }
    }).pipe(Effect.provide(NodeContext.layer)))
})
