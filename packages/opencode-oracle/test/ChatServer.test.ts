import { assert, describe, it } from "@effect/vitest"
import { ChatServer } from "@sessionport/opencode-oracle"
import { Effect } from "effect"

const post = (url: string, body: unknown) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(async (res) => ({ status: res.status, type: res.headers.get("content-type"), text: await res.text() }))
  )

/** The `data:` payloads of an SSE body; `[DONE]` kept as is. */
const sse = (text: string): Array<any> =>
  text.split("\n\n").filter((chunk) => chunk.trim() !== "").map((chunk) => {
    assert.isTrue(chunk.startsWith("data: "), chunk)
    const data = chunk.slice("data: ".length)
    return data === "[DONE]" ? data : JSON.parse(data)
  })

const tools = ["bash", "edit", "glob", "grep", "read", "write"].map((name) => ({
  type: "function",
  function: { name, parameters: { type: "object" } }
}))
const system = { role: "system", content: "You are opencode.\n<env>\n  Working directory: /work/my project\n</env>" }

// Shaped like OpenCode 1.18.33 through @ai-sdk/openai-compatible.
const request = (...messages: ReadonlyArray<unknown>) => ({
  model: "mock-model",
  stream: true,
  tools,
  messages: [system, ...messages]
})
const titleRequest = (prompt: string) => ({
  model: "mock-model",
  stream: true,
  messages: [{ role: "system", content: "You are a title generator. You output ONLY a thread title." }, {
    role: "user",
    content: prompt
  }]
})

/** Text and tool calls put back together from the deltas, as the AI SDK does. */
const assemble = (chunks: Array<any>) => {
  let text = ""
  const calls: Array<{ id?: string; name?: string; arguments: string }> = []
  let finish: string | null = null
  for (const c of chunks) {
    if (c === "[DONE]") continue
    for (const choice of c.choices) {
      if (typeof choice.delta.content === "string") text += choice.delta.content
      for (const d of choice.delta.tool_calls ?? []) {
        const call = (calls[d.index] ??= { arguments: "" })
        if (d.id !== undefined) call.id = d.id
        if (d.function?.name !== undefined) call.name = d.function.name
        call.arguments += d.function?.arguments ?? ""
      }
      finish = choice.finish_reason ?? finish
    }
  }
  return { text, calls, finish }
}

describe("ChatServer", () => {
  it.scoped("streams `use-tool` as chat.completion.chunk SSE: text, bash tool-call deltas, finish, usage, [DONE]", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      const res = yield* post(`${server.baseUrl}/chat/completions`, request({ role: "user", content: "please use-tool" }))
      assert.strictEqual(res.status, 200)
      assert.strictEqual(res.type, "text/event-stream")
      assert.isTrue(res.text.endsWith("data: [DONE]\n\n"))
      const chunks = sse(res.text)
      assert.strictEqual(chunks.at(-1), "[DONE]")
      const json = chunks.slice(0, -1)
      assert.isTrue(json.every((c) => c.object === "chat.completion.chunk" && c.id === json[0].id && c.model === "mock-model"))
      assert.deepStrictEqual(json[0].choices[0].delta, { role: "assistant", content: "" })
      // The tool call comes as a delta with id and name, then one with the arguments.
      const deltas = json.flatMap((c) => c.choices.flatMap((ch: any) => ch.delta.tool_calls ?? []))
      assert.strictEqual(deltas.length, 2)
      assert.deepStrictEqual(deltas[0], {
        index: 0,
        id: `call_${server.runId}_1`,
        type: "function",
        function: { name: "bash", arguments: "" }
      })
      assert.deepStrictEqual(deltas[1], { index: 0, function: { arguments: "{\"command\":\"ls\",\"description\":\"List files\"}" } })
      // Usage in a last chunk without choices.
      assert.deepStrictEqual(json.at(-1).choices, [])
      assert.strictEqual(json.at(-1).usage.total_tokens, 15)
      const { calls, finish, text } = assemble(chunks)
      assert.strictEqual(text, "Listing.")
      assert.strictEqual(finish, "tool_calls")
      assert.deepStrictEqual(JSON.parse(calls[0]!.arguments), { command: "ls", description: "List files" })

      const recorded = yield* server.requests
      assert.strictEqual(recorded.length, 1)
      assert.strictEqual(recorded[0]!.kind, "chat")
      assert.deepStrictEqual(recorded[0]!.reply.toolCalls?.[0]?.id, `call_${server.runId}_1`)
    }))

  it.scoped("`write-file` writes <cwd>/notes-<n>.txt; a tool result gets Done; else a plain answer", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const url = `${server.baseUrl}/chat/completions`
      const plain = assemble(sse((yield* post(url, request({ role: "user", content: "hello" }))).text))
      assert.deepStrictEqual(plain, { text: "Plain answer 1.", calls: [], finish: "stop" })

      const write = assemble(sse((yield* post(url, request({ role: "user", content: [{ type: "text", text: "write-file now" }] }))).text))
      assert.strictEqual(write.text, "")
      assert.strictEqual(write.calls[0]!.name, "write")
      assert.deepStrictEqual(JSON.parse(write.calls[0]!.arguments), {
        filePath: "/work/my project/notes-2.txt",
        content: "note 2\n"
      })

      const done = yield* post(
        url,
        request(
          { role: "user", content: "write-file now" },
          { role: "assistant", content: null, tool_calls: [{ id: write.calls[0]!.id, type: "function", function: { name: "write", arguments: write.calls[0]!.arguments } }] },
          { role: "tool", tool_call_id: write.calls[0]!.id, content: "Wrote file successfully." }
        )
      )
      assert.strictEqual(assemble(sse(done.text)).text, "Done (reply 3).")
      const sent = ChatServer.conversation((yield* server.requests)[2]!)
      assert.deepStrictEqual(sent.map((m) => m.role), ["system", "user", "assistant", "tool"])
      assert.match(sent[2]!.text, /^tool_call write \{"filePath":"\/work\/my project\/notes-2\.txt"/)

      // Without the tool on offer, `use-tool` is just text.
      const noTools = yield* post(url, { ...request({ role: "user", content: "use-tool" }), tools: [] })
      assert.strictEqual(assemble(sse(noTools.text)).text, "Plain answer 4.")
    }))

  it.scoped("title requests take no queued reply and are counted apart; the queue comes before the fallback", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ replies: [ChatServer.text("first scripted")] })
      const url = `${server.baseUrl}/chat/completions`
      yield* server.enqueue({ text: "second", toolCalls: [ChatServer.bash("pwd"), ChatServer.write("/x/y.txt", "y")] })
      assert.strictEqual(yield* server.pending, 2)
      const title = assemble(sse((yield* post(url, titleRequest("turn one: use-tool"))).text))
      assert.strictEqual(title.text, "Mock title 1")
      assert.strictEqual(yield* server.pending, 2)
      assert.strictEqual(assemble(sse((yield* post(url, request({ role: "user", content: "x" }))).text)).text, "first scripted")
      const second = assemble(sse((yield* post(url, request({ role: "user", content: "x" }))).text))
      assert.deepStrictEqual(second.calls.map((c) => [c.id, c.name]), [
        [`call_${server.runId}_2`, "bash"],
        [`call_${server.runId}_2_1`, "write"]
      ])
      yield* server.setFallback((turn) => ChatServer.text(`fallback ${turn.n} ${turn.lastUserText}`))
      assert.strictEqual(assemble(sse((yield* post(url, request({ role: "user", content: "z" }))).text)).text, "fallback 3 z")
      assert.deepStrictEqual((yield* server.requests).map((r) => r.kind), ["title", "chat", "chat", "chat"])
      assert.strictEqual((yield* server.chatRequests).length, 3)
    }))

  it.scoped("answers a non-streamed request with one chat.completion; models list; 404 elsewhere", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const res = yield* post(`${server.baseUrl}/chat/completions`, { ...request({ role: "user", content: "use-tool" }), stream: false })
      const body = JSON.parse(res.text)
      assert.strictEqual(body.object, "chat.completion")
      assert.strictEqual(body.choices[0].finish_reason, "tool_calls")
      assert.strictEqual(body.choices[0].message.content, "Listing.")
      assert.strictEqual(body.choices[0].message.tool_calls[0].function.name, "bash")

      const models = yield* Effect.promise(() => fetch(`${server.baseUrl}/models`).then((r) => r.json()))
      assert.deepStrictEqual((models as any).data.map((m: any) => m.id), ["mock-model"])
      const missing = yield* Effect.promise(() => fetch(`${server.baseUrl}/embeddings`, { method: "POST" }))
      assert.strictEqual(missing.status, 404)
      assert.deepStrictEqual((yield* server.otherRequests).map((r) => `${r.method} ${r.path}`), [
        "GET /v1/models",
        "POST /v1/embeddings"
      ])
    }))

  it.scoped("tool-call ids differ between two servers", () =>
    Effect.gen(function*() {
      const a = yield* ChatServer.make()
      const b = yield* ChatServer.make()
      assert.notStrictEqual(a.runId, b.runId)
    }))
})
