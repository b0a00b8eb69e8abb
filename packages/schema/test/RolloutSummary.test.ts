import { assert, describe, it } from "@effect/vitest"
import { RolloutReader, RolloutSummary } from "@sessionport/schema"
import { Effect, Stream } from "effect"

describe("RolloutSummary", () => {
  it.effect("counts lines by kind and type, and lists lines that are not JSON", () =>
    Effect.gen(function*() {
      const text = [
        JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: "a" } }),
        JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: "b" } }),
        JSON.stringify({ timestamp: "t", type: "hologram", payload: {} }),
        JSON.stringify({ record_type: "state" }),
        "",
        "{broken",
        ""
      ].join("\n")
      const summary = yield* RolloutSummary.fromLines(RolloutReader.decodeText(Stream.make(text)))
      assert.deepStrictEqual(summary, {
        lines: 6,
        known: 2,
        legacy: 1,
        unknown: 1,
        blank: 1,
        invalid: 1,
        byType: { "event_msg/agent_message": 2, "legacy/state": 1 },
        unknownByType: { "hologram (unknown_type)": 1 },
        invalidLines: [{ lineNumber: 6, reason: summary.invalidLines[0]!.reason }]
      })
    }))
})
