import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { CodexHome, OutputItem } from "@sessionport/codex-oracle"
import { Effect, Option } from "effect"
import { sandbox } from "./utils/sandbox.js"

describe("CodexCli", () => {
  it.scoped("codex exec writes a rollout and sends the prompt to the scripted server", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { cli, codexHome, project, server } = yield* sandbox({
        replies: [[OutputItem.execCommand("echo oracle-smoke")], [OutputItem.message("Smoke done.")]]
      })
      assert.strictEqual(yield* cli.version, "0.169.0")

      const result = yield* cli.exec({ cwd: project, prompt: "smoke prompt 7f3a" })
      assert.strictEqual(result.exitCode, 0)
      assert.include(result.stdout, "Smoke done.")

      const rollout = Option.getOrThrow(yield* CodexHome.findRollout(codexHome, result.threadId))
      const first = JSON.parse((yield* fs.readFileString(rollout.path)).split("\n")[0]!)
      assert.strictEqual(first.type, "session_meta")
      assert.strictEqual(first.payload.id, result.threadId)
      assert.strictEqual(first.payload.cwd, project)

      const requests = yield* server.requests
      assert.strictEqual(requests.length, 2)
      assert.include(requests[0]!.text, "smoke prompt 7f3a")
      // The second request carries the command's output back to the model.
      assert.include(requests[1]!.text, "oracle-smoke")

      const resumed = yield* cli.resume({ cwd: project, threadId: result.threadId, prompt: "second prompt 9c1d" })
      assert.strictEqual(resumed.threadId, result.threadId)
      const last = (yield* server.requests).at(-1)!
      assert.include(last.text, "smoke prompt 7f3a")
      assert.include(last.text, "second prompt 9c1d")
    }).pipe(Effect.provide(NodeContext.layer)))
})
