import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as FixtureProjects from "@sessionport/codex-oracle/FixtureProjects"
import { ChatServer, Fixtures, OpencodeCli } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as Path from "node:path"

/**
 * The fixture's alpha repository at its source path (the session's directory: `run --session`
 * must start there). Made again, with the same root commit, when it is missing, and then removed
 * when the scope closes; an existing one (left by the generator) is used as is.
 */
const sourceAlpha = Effect.fn("sourceAlpha")(function*(scratch: string) {
  const fs = yield* FileSystem.FileSystem
  const { alpha, root } = Fixtures.load().source
  if (yield* fs.exists(alpha)) return alpha
  const created = (yield* fs.exists(root)) ? alpha : root
  yield* Effect.acquireRelease(
    Effect.gen(function*() {
      const beta = Path.join(scratch, "beta")
      for (const dir of [alpha, beta]) yield* fs.makeDirectory(dir, { recursive: true })
      yield* FixtureProjects.make({
        alpha,
        beta,
        home: scratch,
        readme: "# alpha\n\nA tiny project used to make OpenCode fixtures.\n"
      })
    }),
    () => fs.remove(created, { recursive: true }).pipe(Effect.ignore)
  )
  return alpha
})

// The real OpenCode CLI on a copy of the fixture data dir: two `session list` and one
// `run --session` (about 10 s here; 30 s or more on a busy machine).
describe.skipIf(!Fixtures.available)("OpencodeCli", () => {
  it.scoped("lists both fixture sessions; `run --session` from alpha sends the earlier turns", () =>
    Effect.gen(function*() {
      const tools = Fixtures.byRole("tools")
      const betaPlain = Fixtures.byRole("beta_plain")
      const copy = yield* Fixtures.copyData()
      const alpha = yield* sourceAlpha(copy.root)
      assert.strictEqual(tools.directory, alpha)
      const server = yield* ChatServer.make()
      const cli = yield* OpencodeCli.make({ home: copy.home, dataHome: copy.dataHome, cwd: alpha, baseUrl: server.baseUrl })
      assert.strictEqual(cli.dataDir, copy.dataDir)

      // `session list` shows the cwd's project only: alpha's sessions there, `global` ones elsewhere.
      const inAlpha = yield* cli.sessionList()
      assert.deepStrictEqual(inAlpha.map((s) => [s.id, s.projectId, s.directory, s.title]), [
        [tools.sessionId, tools.projectId, alpha, tools.title]
      ])
      const elsewhere = yield* cli.sessionList({ cwd: copy.root })
      assert.deepStrictEqual(elsewhere.map((s) => [s.id, s.projectId, s.directory]), [
        [betaPlain.sessionId, "global", betaPlain.directory]
      ])

      const resumed = yield* cli.run("turn three: plain", { session: tools.sessionId })
      assert.strictEqual(resumed.sessionId, tools.sessionId)
      assert.deepStrictEqual(resumed.texts, ["Plain answer 1."])
      assert.deepStrictEqual(resumed.tools, [])
      // One chat request, no title request (the session has its title), nothing else asked.
      const requests = yield* server.requests
      assert.deepStrictEqual(requests.map((r) => r.kind), ["chat"])
      assert.deepStrictEqual(yield* server.otherRequests, [])
      const sent = ChatServer.conversation(requests[0]!).filter((m) => m.role !== "system")
      assert.deepStrictEqual(sent.map((m) => m.role), ["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant", "user"])
      assert.include(sent[0]!.text, "turn one: use-tool")
      assert.match(sent[1]!.text, /^Listing\.\ntool_call bash \{"command":"ls"/)
      assert.include(sent[2]!.text, "README.md")
      assert.match(sent[3]!.text, /^Done \(reply \d+\)\.$/)
      assert.include(sent[4]!.text, "turn two: write-file")
      assert.match(sent[5]!.text, new RegExp(`^tool_call write \\{"filePath":"${alpha}/notes-\\d+\\.txt"`))
      assert.include(sent[8]!.text, "turn three: plain")
      const system = ChatServer.conversation(requests[0]!).filter((m) => m.role === "system").map((m) => m.text).join("\n")
      assert.include(system, `Working directory: ${alpha}`)
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 300_000 })
})
