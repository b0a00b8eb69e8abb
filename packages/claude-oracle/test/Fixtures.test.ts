import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ClaudeCli, ClaudeHome, Fixtures, MessagesServer, SdkSessions } from "@sessionport/claude-oracle"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"

const roles = ["tools", "interactive", "beta_plain", "named"]

// The committed fixture home (fixtures/claude), checked against the real Claude that made it.
describe.skipIf(!Fixtures.available)("fixtures/claude", () => {
  it("has every role, each with its transcript", () => {
    const inventory = Fixtures.load()
    assert.deepStrictEqual(Object.keys(inventory.sessions).sort(), [...roles].sort())
    for (const role of roles) {
      const session = Fixtures.byRole(role)
      const file = Path.join(Fixtures.fixtureHome, session.transcript)
      assert.strictEqual(Path.basename(file), `${session.sessionId}.jsonl`, role)
      assert.strictEqual(Path.basename(Path.dirname(file)), ClaudeHome.projectDirName(session.cwd), role)
      const lines = Fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l))
      const users = lines.filter((l) => l.type === "user" && typeof l.message?.content === "string")
      assert.deepStrictEqual(users.map((l) => l.message.content), [...session.prompts], role)
      assert.isTrue(users.every((l) => l.entrypoint === session.entrypoint && l.sessionId === session.sessionId), role)
    }
    assert.strictEqual(Fixtures.byRole("interactive").entrypoint, "cli")
    assert.strictEqual(Fixtures.byRole("named").customTitle, "fixture named session")
    assert.isFalse(Fs.existsSync(Path.join(Fixtures.fixtureHome, ".credentials.json")))
    assert.isFalse(Fs.existsSync(Path.join(Fixtures.fixtureHome, "backups")))
  })

  // One real run: a copied home at another path still lists (SDK) and resumes by id with the
  // whole history.
  it.scoped("a copy: the SDK lists all four, and `claude -p --resume` sends the tools session's turns", () =>
    Effect.gen(function*() {
      const copy = yield* Fixtures.copyHome()
      const server = yield* MessagesServer.make()
      const cwd = Path.join(copy.root, "elsewhere")
      Fs.mkdirSync(cwd)
      const cli = yield* ClaudeCli.make({ home: copy.home, configDir: copy.configDir, cwd, baseUrl: server.baseUrl })

      const listed = yield* SdkSessions.listSessions(cli)
      assert.deepStrictEqual(
        listed.map((s) => s.sessionId).sort(),
        roles.map((r) => Fixtures.byRole(r).sessionId).sort()
      )
      assert.strictEqual(
        listed.find((s) => s.sessionId === Fixtures.byRole("named").sessionId)?.customTitle,
        "fixture named session"
      )

      const tools = Fixtures.byRole("tools")
      const resumed = yield* cli.print("after the move", { resume: tools.sessionId })
      assert.strictEqual(resumed.sessionId, tools.sessionId)
      const sent = MessagesServer.conversation((yield* server.requests)[0]!).map((m) => m.text).join("\n")
      for (const prompt of [...tools.prompts, "after the move"]) assert.include(sent, prompt)
      assert.include(sent, "tool_use Bash")
      assert.include(sent, "tool_use Write")
    }).pipe(Effect.provide(NodeContext.layer)))
})
