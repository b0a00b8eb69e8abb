import { assert, describe, it } from "@effect/vitest"
import { OpencodePart } from "@sessionport/schema"
import { Effect, Schema } from "effect"
import { opencodeFacts, opencodeRows } from "./utils/opencodeDb.js"

const decode = Schema.decodeUnknown(OpencodePart.Part)
const encode = Schema.encode(OpencodePart.Part)
const isPart = Schema.is(OpencodePart.Part)

/** The members of the Part union that accept a value: exactly one for a modelled or unknown part. */
const variantsOf = (part: unknown) =>
  OpencodePart.Part.members.filter((member) => Schema.is(member as Schema.Schema<any>)(part))

const fixtureParts = () =>
  opencodeRows().part.map((row) => ({ row, data: JSON.parse(String(row.data)) as Record<string, any> }))

describe("fixture parts", () => {
  it("every part is exactly its type's variant", () => {
    const parts = fixtureParts()
    assert.strictEqual(parts.length, opencodeFacts.tableRows.part)
    const seen = new Set<string>()
    for (const { data, row } of parts) {
      const variants = variantsOf(data)
      assert.strictEqual(variants.length, 1, String(row.id))
      const variant = variants[0]! as unknown as { fields: { type: { literals: ReadonlyArray<unknown> } } }
      assert.deepStrictEqual(variant.fields.type.literals, [data.type], String(row.id))
      seen.add(data.type)
    }
    assert.deepStrictEqual([...seen].sort(), ["patch", "step-finish", "step-start", "text", "tool"])
  })

  it("each session's parts: its count, its prompts as text, its tools as completed calls", () => {
    for (const facts of Object.values(opencodeFacts.sessions)) {
      const own = fixtureParts().filter(({ row }) => row.session_id === facts.sessionId).map(({ data }) => data)
      assert.strictEqual(own.length, facts.parts, facts.sessionId)
      const texts = own.filter(Schema.is(OpencodePart.Text)).map((part) => part.text)
      // `opencode run "a b"` stores the prompt with its quotes
      for (const prompt of facts.prompts) assert.include(texts, JSON.stringify(prompt))
      const tools = own.filter(Schema.is(OpencodePart.Tool))
      assert.deepStrictEqual(tools.map((part) => part.tool), [...facts.tools])
      for (const part of tools) assert.isTrue(Schema.is(OpencodePart.ToolCompleted)(part.state))
      const patches = own.filter(Schema.is(OpencodePart.Patch))
      for (const patch of patches) for (const file of patch.files) assert.isTrue(file.startsWith(`${facts.directory}/`))
    }
  })

  it.effect("decode then encode gives every part back", () =>
    Effect.gen(function*() {
      for (const { data } of fixtureParts()) assert.deepStrictEqual(yield* encode(yield* decode(data)), data)
    }))
})

describe("kinds not seen in the fixture, in the shape OpenCode 1.18.33 writes them", () => {
  const samples: ReadonlyArray<Record<string, unknown>> = [
    { type: "reasoning", text: "think", time: { start: 1, end: 2 }, metadata: { anthropic: { signature: "s" } } },
    { type: "file", mime: "text/plain", filename: "a.txt", url: "file:///p/a.txt", source: { type: "file", path: "a.txt" } },
    { type: "agent", name: "general", source: { value: "@general", start: 0, end: 8 } },
    { type: "subtask", prompt: "p", description: "d", agent: "general", model: { providerID: "m", modelID: "x" } },
    { type: "compaction", auto: true },
    { type: "retry", attempt: 1, error: { name: "APIError", data: { message: "busy" } }, time: { created: 1 } },
    { type: "snapshot", snapshot: "27bb3d5d2644634681e050aa65ffe9e47f117527" },
    { type: "tool", tool: "bash", callID: "c", state: { status: "pending", input: {}, raw: "" } },
    { type: "tool", tool: "bash", callID: "c", state: { status: "running", input: { command: "ls" }, time: { start: 1 } } },
    { type: "tool", tool: "bash", callID: "c", state: { status: "error", input: {}, error: "denied", time: { start: 1, end: 2 } } },
    { type: "text", text: "x", synthetic: true }
  ]

  it("each is its variant", () => {
    for (const sample of samples) {
      const variants = variantsOf(sample)
      assert.strictEqual(variants.length, 1, JSON.stringify(sample))
      assert.notStrictEqual(variants[0], OpencodePart.Unknown, String(sample.type))
    }
    assert.deepStrictEqual(
      [...OpencodePart.partTypes].sort(),
      ["agent", "compaction", "file", "patch", "reasoning", "retry", "snapshot", "step-finish", "step-start", "subtask", "text", "tool"]
    )
  })
})

describe("passthrough", () => {
  it.effect("an unknown part type is kept as it is", () =>
    Effect.gen(function*() {
      const future = { type: "diagram", svg: "<svg/>", nested: { a: [1, null] } }
      assert.deepStrictEqual(variantsOf(future), [OpencodePart.Unknown])
      assert.deepStrictEqual(yield* encode(yield* decode(future)), future)
    }))

  it.effect("unknown fields of a known part, and a tool state of another status, pass through", () =>
    Effect.gen(function*() {
      const text = { type: "text", text: "hi", time: { start: 1, end: 2, paused: 0 }, lang: "en" }
      assert.deepStrictEqual(yield* encode(yield* decode(text)), text)
      const tool = { type: "tool", tool: "bash", callID: "c", state: { status: "queued", input: {}, position: 2 }, extra: 1 }
      assert.isTrue(Schema.is(OpencodePart.OtherToolState)(tool.state))
      assert.deepStrictEqual(yield* encode(yield* decode(tool)), tool)
    }))

  it("a known type whose fields do not match is rejected, not taken for an unknown one", () => {
    assert.isFalse(isPart({ type: "text" }))
    assert.isFalse(isPart({ type: "patch", hash: "h", files: [1] }))
    assert.isFalse(isPart({ type: "step-finish", reason: "stop", cost: 0 }))
    assert.isFalse(isPart({ type: "tool", tool: "bash", callID: "c", state: { status: "completed", input: {} } }))
    assert.isFalse(isPart({ text: "no type" }))
  })
})
