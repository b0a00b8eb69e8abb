import { assert, describe, it } from "@effect/vitest"
import { OpencodeMessage } from "@sessionport/schema"
import { Effect, Schema } from "effect"
import { opencodeFacts, opencodeRows } from "./utils/opencodeDb.js"

const isUser = Schema.is(OpencodeMessage.User)
const isAssistant = Schema.is(OpencodeMessage.Assistant)
const isOther = Schema.is(OpencodeMessage.Other)
const isMessage = Schema.is(OpencodeMessage.Message)
const decode = Schema.decodeUnknown(OpencodeMessage.Message)
const encode = Schema.encode(OpencodeMessage.Message)

const fixtureMessages = () =>
  opencodeRows().message.map((row) => ({ row, data: JSON.parse(String(row.data)) as Record<string, unknown> }))

describe("fixture messages", () => {
  it("every message is a user or an assistant message, by its role", () => {
    const messages = fixtureMessages()
    assert.strictEqual(messages.length, opencodeFacts.tableRows.message)
    for (const { data, row } of messages) {
      const where = String(row.id)
      if (data.role === "user") {
        assert.isTrue(isUser(data), where)
        assert.isFalse(isAssistant(data), where)
      } else {
        assert.strictEqual(data.role, "assistant", where)
        assert.isTrue(isAssistant(data), where)
        assert.isFalse(isUser(data), where)
      }
      assert.isFalse(isOther(data), where)
    }
  })

  it("one user message per prompt, each session's count as recorded", () => {
    for (const facts of Object.values(opencodeFacts.sessions)) {
      const own = fixtureMessages().filter(({ row }) => row.session_id === facts.sessionId)
      assert.strictEqual(own.length, facts.messages, facts.sessionId)
      assert.strictEqual(own.filter(({ data }) => isUser(data)).length, facts.prompts.length, facts.sessionId)
      for (const { data } of own) {
        if (!isAssistant(data)) continue
        assert.strictEqual(data.path.cwd, facts.directory)
        assert.isTrue(own.some(({ row }) => row.id === data.parentID), "parentID names a user message of the session")
      }
    }
  })

  it.effect("decode then encode gives every message back", () =>
    Effect.gen(function*() {
      for (const { data } of fixtureMessages()) {
        assert.deepStrictEqual(yield* encode(yield* decode(data)), data)
      }
    }))
})

describe("passthrough", () => {
  const user = {
    role: "user",
    time: { created: 1796625295409 },
    agent: "build",
    model: { providerID: "mock", modelID: "mock-model" },
    summary: { diffs: [] }
  }
  const assistant = {
    parentID: "msg_24f366831001m13npYfpftmGQX",
    role: "assistant",
    mode: "build",
    agent: "build",
    path: { cwd: "/p", root: "/" },
    cost: 0,
    tokens: { total: 15, input: 10, output: 5, reasoning: 0, cache: { write: 0, read: 0 } },
    modelID: "mock-model",
    providerID: "mock",
    time: { created: 1796625296272 }
  }

  it.effect("unknown fields, at the top and nested, pass through unchanged", () =>
    Effect.gen(function*() {
      const newer = {
        ...user,
        format: { type: "json_schema" },
        model: { ...user.model, variant: "high" },
        time: { ...user.time, queued: 1 }
      }
      assert.deepStrictEqual(yield* encode(yield* decode(newer)), newer)
      const reply = {
        ...assistant,
        structured: { a: [1] },
        error: { name: "APIError", data: { message: "boom", statusCode: 500 } },
        tokens: { ...assistant.tokens, cache: { write: 0, read: 0, hit: 3 } }
      }
      assert.isTrue(isAssistant(reply))
      assert.deepStrictEqual(yield* encode(yield* decode(reply)), reply)
    }))

  it.effect("a message of another role is kept as it is", () =>
    Effect.gen(function*() {
      const other = { role: "system", text: "x", time: { created: 1 } }
      assert.isTrue(isOther(other))
      assert.deepStrictEqual(yield* encode(yield* decode(other)), other)
    }))

  it("a user or assistant message whose fields do not match is rejected, not taken for another role", () => {
    const { agent: _agent, ...noAgent } = user
    assert.isFalse(isMessage(noAgent))
    assert.isFalse(isMessage({ ...user, model: { providerID: "mock" } }))
    assert.isFalse(isMessage({ ...assistant, parentID: "prt_24f366831001m13npYfpftmGQX" }))
    assert.isFalse(isMessage({ ...assistant, tokens: { input: 1 } }))
    assert.isFalse(isMessage({ ...assistant, time: { created: 1, completed: "later" } }))
    assert.isFalse(isMessage({ text: "no role" }))
    assert.deepStrictEqual(OpencodeMessage.roles, ["user", "assistant"])
  })
})
