import { assert, describe, it } from "@effect/vitest"
import { UserPrompt } from "@sessionport/schema"
import { RolloutReader } from "@sessionport/schema"
import { Effect, Option, Stream } from "effect"
import { assistant, sessionMeta, userItem, userMessage, userResponseItem } from "@sessionport/codex-oracle/SyntheticRollout"

const first = (lines: ReadonlyArray<unknown>) =>
  UserPrompt.firstUserMessage(
    RolloutReader.lenient(RolloutReader.decodeText(Stream.make(lines.map((l) => JSON.stringify(l)).join("\n"))))
  )

describe("UserPrompt", () => {
  it.effect("item_completed UserMessage (0.169 paginated threads): text parts joined", () =>
    Effect.gen(function*() {
      const found = yield* first([
        sessionMeta({ id: "a", cwd: "/p" }),
        userResponseItem("<environment_context>…</environment_context>"),
        userItem([{ type: "text", text: "Look around, ", text_elements: [] }, { type: "text", text: "then fix it." }])
      ])
      assert.deepStrictEqual(found, Option.some("Look around, then fix it."))
    }))

  it.effect("image-only prompts read [Image]", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* first([userItem([{ type: "local_image", path: "/tmp/a.png" }])]),
        Option.some(UserPrompt.IMAGE_PLACEHOLDER)
      )
      assert.deepStrictEqual(
        yield* first([userMessage("", { images: ["data:image/png;base64,AAAA"] })]),
        Option.some("[Image]")
      )
      // no text, no image: not a prompt
      assert.deepStrictEqual(yield* first([userMessage("  "), userMessage("real")]), Option.some("real"))
    }))

  it.effect("response_item user messages and other events never count", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* first([
          userResponseItem("typed but only as a response item"),
          assistant("hello"),
          { timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: "hi" } },
          {
            timestamp: "t",
            type: "event_msg",
            payload: { type: "item_completed", thread_id: "a", turn_id: "b", item: { type: "Plan", id: "p", text: "x" } }
          }
        ]),
        Option.none()
      )
    }))

  it.effect("a user_message whose fields changed shape still counts", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* first([userMessage("new shape", { text_elements: "not an array", client_id: 7 })]),
        Option.some("new shape")
      )
    }))

  it("strips everything up to the request marker", () => {
    assert.strictEqual(
      UserPrompt.stripUserMessagePrefix("<ctx/>\n## My request for Codex:\n do it \n"),
      "do it"
    )
    assert.strictEqual(UserPrompt.stripUserMessagePrefix("  plain  "), "plain")
  })
})
