import { assert, describe, it } from "@effect/vitest"
import { SessionIndex } from "@sessionport/schema"
import { Schema } from "effect"

describe("SessionIndex", () => {
  it("the newest line per id wins and blank names are skipped", () => {
    const decode = Schema.decodeUnknownSync(SessionIndex.SessionIndexLine)
    const lines = [
      { id: "a", thread_name: "first", updated_at: "2026-02-01T10:11:12.1Z" },
      { id: "b", thread_name: "other", updated_at: "2026-02-01T10:11:13.1Z" },
      { id: "a", thread_name: "renamed", updated_at: "2026-02-02T10:11:12.1Z" },
      { id: "a", thread_name: "  ", updated_at: "2026-02-03T10:11:12.1Z", extra: true }
    ].map((line) => decode(line))
    assert.deepStrictEqual([...SessionIndex.latestNames(lines)], [["a", "renamed"], ["b", "other"]])
  })
})
