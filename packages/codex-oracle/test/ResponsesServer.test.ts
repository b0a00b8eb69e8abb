import { assert, describe, it } from "@effect/vitest"
import { OutputItem, ResponsesServer } from "@sessionport/codex-oracle"
import { Effect } from "effect"

const post = (url: string, body: unknown) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(async (res) => ({ status: res.status, text: await res.text() }))
  )

const dataLines = (sse: string) =>
  sse.split("\n").filter((line) => line.startsWith("data: ")).map((line) => JSON.parse(line.slice(6)))

describe("ResponsesServer", () => {
  it.scoped("serves the queue in order, then the fallback, and records each body", () =>
    Effect.gen(function*() {
      const server = yield* ResponsesServer.make({
        replies: [[OutputItem.reasoning("think"), OutputItem.execCommand("ls")]],
        fallback: [OutputItem.message("fallback")]
      })
      assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)

      const first = yield* post(`${server.baseUrl}/responses`, { input: ["one"] })
      assert.strictEqual(first.status, 200)
      const events = dataLines(first.text)
      assert.deepStrictEqual(events.map((e) => e.type), [
        "response.created",
        "response.output_item.done",
        "response.output_item.done",
        "response.completed"
      ])
      const call = events[2].item
      assert.strictEqual(call.type, "function_call")
      assert.strictEqual(call.name, "exec_command")
      assert.deepStrictEqual(JSON.parse(call.arguments), { cmd: "ls" })
      assert.isString(call.call_id)
      assert.notStrictEqual(events[1].item.id, call.id)

      const second = yield* post(`${server.baseUrl}/responses`, { input: ["two"] })
      assert.strictEqual(dataLines(second.text)[1].item.content[0].text, "fallback")

      const requests = yield* server.requests
      assert.deepStrictEqual(requests.map((r) => r.body), [{ input: ["one"] }, { input: ["two"] }])
    }))

  it.scoped("answers anything else harmlessly", () =>
    Effect.gen(function*() {
      const server = yield* ResponsesServer.make()
      const models = yield* Effect.promise(() => fetch(`${server.baseUrl}/models`))
      assert.strictEqual(models.status, 200)
      const other = yield* Effect.promise(() => fetch(`${server.baseUrl}/chat/completions`, { method: "POST" }))
      assert.strictEqual(other.status, 404)
      assert.strictEqual((yield* server.otherRequests).length, 2)
      assert.strictEqual((yield* server.requests).length, 0)
    }))
})
