import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ClaudeHome, Harness, MessagesServer, SdkSessions } from "@sessionport/claude-oracle"
import { Effect, Option } from "effect"
import * as Fs from "node:fs"

// The real Claude Code CLI against the scripted server: ~1–3 s for the whole test.
describe("ClaudeCli", () => {
  it.scoped("a tool turn, resumed: the second run sends the first turn; the SDK lists and reads it", () =>
    Effect.gen(function*() {
      const { cli, configDir, projects, server } = yield* Harness.machine()
      const project = projects[0]!
      assert.strictEqual(yield* cli.version, "2.1.332")
      Fs.writeFileSync(`${project}/a.txt`, "hello\n")

      const first = yield* cli.print("turn one: use-tool", { allowedTools: ["Bash", "Write"] })
      assert.isFalse(first.isError)
      assert.strictEqual(first.result, "Done (reply 2).")
      // Claude really ran `ls`: the second request carries its output.
      const afterFirst = yield* server.requests
      assert.strictEqual(afterFirst.length, 2)
      assert.strictEqual(afterFirst[0]!.headers["user-agent"], "claude-cli/2.1.332 (external, sdk-cli)")
      assert.strictEqual(afterFirst[0]!.headers["x-api-key"], "sk-ant-mock-key")
      assert.include(MessagesServer.conversation(afterFirst[1]!).map((m) => m.text).join("\n"), "tool_result a.txt")

      const second = yield* cli.print("turn two: write-file", { resume: first.sessionId, allowedTools: ["Bash", "Write"] })
      assert.strictEqual(second.sessionId, first.sessionId)
      assert.strictEqual(Fs.readFileSync(`${project}/notes-3.txt`, "utf8"), "note 3\n")
      const resumed = (yield* server.requests)[2]!
      const sent = MessagesServer.conversation(resumed).filter((m) => m.role !== "system").map((m) => m.text)
      assert.include(sent[0], "turn one: use-tool")
      assert.match(sent[1]!, /^Listing\.\ntool_use Bash \{"command":"ls"/)
      assert.include(sent[2], "tool_result a.txt")
      assert.strictEqual(sent[3], "Done (reply 2).")
      assert.include(sent[4], "turn two: write-file")
      assert.deepStrictEqual(yield* server.otherRequests, [], "nothing but Messages requests")

      const transcript = Option.getOrThrow(yield* ClaudeHome.findTranscript(configDir, first.sessionId))
      assert.strictEqual(transcript.projectDir, ClaudeHome.projectDirName(project))
      const lines = yield* ClaudeHome.readTranscript(transcript.path)
      const counts = ClaudeHome.lineTypeCounts(lines)
      assert.strictEqual(counts["user"], 4)
      assert.isTrue(lines.filter((l) => l["type"] === "user").every((l) => l["entrypoint"] === "sdk-cli"))

      const listed = yield* SdkSessions.listSessions(cli, { dir: project })
      assert.deepStrictEqual(listed.map((s) => s.sessionId), [first.sessionId])
      assert.strictEqual(listed[0]!.cwd, project)
      assert.strictEqual(listed[0]!.firstPrompt, "turn one: use-tool")
      // The terminal picker's view hides -p sessions.
      assert.deepStrictEqual(yield* SdkSessions.listSessions(cli, { dir: project, includeProgrammatic: false }), [])
      const messages = yield* SdkSessions.getSessionMessages(cli, first.sessionId, { dir: project })
      const texts = messages.map(SdkSessions.messageText)
      assert.include(texts[0], "turn one: use-tool")
      assert.isTrue(texts.some((t) => t.startsWith("assistant:") && t.includes("tool_use Write")))
      assert.strictEqual(texts.at(-1), "assistant: Done (reply 4).")

      const unknown = yield* cli.run(["-p", "hello", "--resume", "00000000-0000-4000-8000-000000000000"])
      assert.strictEqual(unknown.exitCode, 1)
      assert.include(unknown.stderr, "No conversation found with session ID: 00000000-0000-4000-8000-000000000000")
      const failed = yield* Effect.flip(cli.print("hello", { resume: "00000000-0000-4000-8000-000000000000" }))
      assert.strictEqual(failed.reason, "ExitCode")
      assert.include(failed.message, "No conversation found")
    }).pipe(Effect.provide(NodeContext.layer)))
})
