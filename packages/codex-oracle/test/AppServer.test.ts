import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { AppServer, CodexCli, OutputItem } from "@sessionport/codex-oracle"
import { Effect } from "effect"
import { sandbox } from "./utils/sandbox.js"

describe("AppServer", () => {
  it.scoped("lists an exec thread and returns its turns after thread/resume", () =>
    Effect.gen(function*() {
      const { cli, project } = yield* sandbox({
        replies: [[OutputItem.reasoning("look first"), OutputItem.execCommand("true")], [OutputItem.message("First.")]]
      })
      const { threadId } = yield* cli.exec({ cwd: project, prompt: "app-server prompt" })

      const app = yield* AppServer.make({ cwd: project }).pipe(Effect.provideService(CodexCli.CodexCli, cli))

      const hidden = yield* app.threadList({})
      assert.isFalse(hidden.data.some((t) => t.id === threadId), "exec threads are hidden by default")

      const listed = yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, cwd: project })
      const thread = listed.data.find((t) => t.id === threadId)
      assert.isDefined(thread)
      assert.strictEqual(thread!.preview, "app-server prompt")
      assert.strictEqual(thread!.source, "exec")

      const resumed = yield* app.threadResume({ threadId })
      assert.strictEqual(resumed.thread.id, threadId)
      const turns = yield* app.threadTurnsList({ threadId })
      assert.strictEqual(turns.data.length, 1)
      assert.strictEqual(turns.data[0]!.status, "completed")
      const types = turns.data[0]!.items.map((item) => item.type)
      assert.include(types, "userMessage")
      assert.include(types, "agentMessage")

      // A turn through the app-server lands in the same thread.
      const turn = yield* app.turnRun({ threadId, input: [{ type: "text", text: "via app-server" }] })
      assert.strictEqual(turn.status, "completed")
      const after = yield* app.threadTurnsList({ threadId })
      assert.strictEqual(after.data.length, 2)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("reports JSON-RPC errors as AppServerError", () =>
    Effect.gen(function*() {
      const { cli } = yield* sandbox()
      const app = yield* AppServer.make().pipe(Effect.provideService(CodexCli.CodexCli, cli))
      const error = yield* Effect.flip(app.threadRead({ threadId: "00000000-0000-7000-8000-000000000000" }))
      assert.strictEqual(error._tag, "AppServerError")
      assert.strictEqual(error.method, "thread/read")
      assert.oneOf(error.reason, ["Rpc"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
