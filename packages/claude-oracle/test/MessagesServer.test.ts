import { assert, describe, it } from "@effect/vitest"
import { Block, MessagesServer } from "@sessionport/claude-oracle"
import { Effect } from "effect"

const post = (url: string, body: unknown) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(async (res) => ({ status: res.status, type: res.headers.get("content-type"), text: await res.text() }))
  )

const sse = (text: string) =>
  text.split("\n\n").filter((chunk) => chunk.trim() !== "").map((chunk) => {
    const [event, data] = chunk.split("\n")
    const parsed = JSON.parse(data!.slice("data: ".length))
    assert.strictEqual(event, `event: ${parsed.type}`)
    return parsed
  })

const tools = [{ name: "Bash" }, { name: "Write" }, { name: "Read" }]
const environment = { role: "system", content: "# Environment\n - Primary working directory: /work/my project\n" }

// Shaped like Claude Code 2.1.332: the environment block is a role:"system" message, last.
const request = (...messages: ReadonlyArray<unknown>) => ({
  model: "claude-opus-5-5",
  stream: true,
  system: [{ type: "text", text: "You are Claude Code" }],
  tools,
  messages: [...messages, environment]
})

describe("MessagesServer", () => {
  it.scoped("streams a text + Bash tool_use reply as SSE for `use-tool`", () =>
    Effect.gen(function*() {
      const server = yield* MessagesServer.make()
      assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      const res = yield* post(`${server.baseUrl}/v1/messages?beta=true`, request({ role: "user", content: "please use-tool" }))
      assert.strictEqual(res.status, 200)
      assert.strictEqual(res.type, "text/event-stream")
      const events = sse(res.text)
      assert.deepStrictEqual(events.map((e) => e.type), [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop"
      ])
      assert.strictEqual(events[0].message.role, "assistant")
      assert.strictEqual(events[0].message.model, "claude-opus-5-5")
      assert.deepStrictEqual(events[0].message.content, [])
      assert.deepStrictEqual(events[1].content_block, { type: "text", text: "" })
      assert.deepStrictEqual(events[2].delta, { type: "text_delta", text: "Listing." })
      const tool = events[4].content_block
      assert.strictEqual(tool.type, "tool_use")
      assert.strictEqual(tool.name, "Bash")
      assert.deepStrictEqual(tool.input, {})
      assert.include(tool.id, `toolu_${server.runId}_`)
      assert.strictEqual(events[5].delta.type, "input_json_delta")
      assert.deepStrictEqual(JSON.parse(events[5].delta.partial_json), { command: "ls", description: "List files" })
      assert.strictEqual(events[7].delta.stop_reason, "tool_use")

      const [recorded] = yield* server.requests
      assert.strictEqual(recorded!.path, "/v1/messages?beta=true")
      assert.deepStrictEqual(recorded!.reply, [Block.text("Listing."), { ...Block.bash("ls", "List files"), id: tool.id }])
    }))

  it.scoped("scripts on the last user message: write-file in the cwd, tool results, plain answers", () =>
    Effect.gen(function*() {
      const server = yield* MessagesServer.make()
      const url = `${server.baseUrl}/v1/messages?beta=true`
      const reply = (body: unknown) => Effect.map(post(url, body), (r) => sse(r.text))

      const write = yield* reply(request({ role: "user", content: [{ type: "text", text: "now write-file" }] }))
      const block = write[1].content_block
      assert.strictEqual(block.name, "Write")
      assert.deepStrictEqual(JSON.parse(write[2].delta.partial_json), {
        file_path: "/work/my project/notes-1.txt",
        content: "note 1\n"
      })

      const done = yield* reply(request(
        { role: "user", content: "now write-file" },
        { role: "assistant", content: [{ type: "tool_use", id: block.id, name: "Write", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: block.id, content: "File created" }] }
      ))
      assert.deepStrictEqual(done[2].delta, { type: "text_delta", text: "Done (reply 2)." })
      assert.strictEqual(done.at(-2).delta.stop_reason, "end_turn")

      const plain = yield* reply(request({ role: "user", content: "hello" }))
      assert.strictEqual(plain[2].delta.text, "Plain answer 3.")

      // No tools offered (e.g. a side request): no tool_use either.
      const noTools = yield* reply({ stream: true, messages: [{ role: "user", content: "use-tool" }] })
      assert.strictEqual(noTools[2].delta.text, "Plain answer 4.")

      const conversation = MessagesServer.conversation((yield* server.requests)[1]!)
      assert.deepStrictEqual(conversation.map((m) => m.role), ["user", "assistant", "user", "system"])
      assert.strictEqual(conversation[1]!.text, `tool_use Write {}`)
      assert.strictEqual(conversation[2]!.text, "tool_result File created")
    }))

  it.scoped("serves the queue in order (replies and responders), then the fallback; JSON when not streamed", () =>
    Effect.gen(function*() {
      const server = yield* MessagesServer.make({
        replies: [[Block.text("first")], (turn) => [Block.text(`second saw ${turn.lastUserText}`)]],
        fallback: (turn) => [Block.text(`fallback ${turn.n}`)]
      })
      const url = `${server.baseUrl}/v1/messages`
      const first = yield* post(url, { messages: [{ role: "user", content: "a" }] })
      assert.strictEqual(first.type, "application/json")
      const message = JSON.parse(first.text)
      assert.strictEqual(message.type, "message")
      assert.deepStrictEqual(message.content, [{ type: "text", text: "first" }])
      assert.strictEqual(message.stop_reason, "end_turn")
      assert.strictEqual(yield* server.pending, 1)
      const second = JSON.parse((yield* post(url, { messages: [{ role: "user", content: "b" }] })).text)
      assert.strictEqual(second.content[0].text, "second saw b")
      yield* server.enqueue([Block.write("/x/y.txt", "y")])
      const third = JSON.parse((yield* post(url, { messages: [] })).text)
      assert.strictEqual(third.stop_reason, "tool_use")
      assert.match(third.content[0].id, new RegExp(`^toolu_${server.runId}_3$`))
      const fourth = JSON.parse((yield* post(url, { messages: [] })).text)
      assert.strictEqual(fourth.content[0].text, "fallback 4")
      assert.strictEqual((yield* server.requests).length, 4)
    }))

  it.scoped("records and harmlessly answers everything else; run ids differ between servers", () =>
    Effect.gen(function*() {
      const server = yield* MessagesServer.make()
      const other = yield* MessagesServer.make()
      assert.notStrictEqual(server.runId, other.runId)
      const head = yield* Effect.promise(() => fetch(`${server.baseUrl}/api/hello`, { method: "HEAD" }))
      assert.strictEqual(head.status, 200)
      const count = yield* post(`${server.baseUrl}/v1/messages/count_tokens`, { messages: [] })
      assert.deepStrictEqual(JSON.parse(count.text), { input_tokens: 42 })
      const missing = yield* Effect.promise(() => fetch(`${server.baseUrl}/v1/other`))
      assert.strictEqual(missing.status, 404)
      const others = yield* server.otherRequests
      assert.deepStrictEqual(others.map((r) => `${r.method} ${r.path}`), [
        "HEAD /api/hello",
        "POST /v1/messages/count_tokens",
        "GET /v1/other"
      ])
      assert.deepStrictEqual(others[1]!.body, { messages: [] })
      assert.strictEqual((yield* server.requests).length, 0)
      yield* server.clearRequests
      assert.strictEqual((yield* server.otherRequests).length, 0)
    }))
})
