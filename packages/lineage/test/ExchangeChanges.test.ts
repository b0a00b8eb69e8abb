import { assert, describe, it } from "@effect/vitest"
import { changedSince } from "../src/internal/exchangeChanges.js"

const T1 = "2026-03-01T10:00:00.000Z"
const T2 = "2026-03-01T11:30:00.000Z"

const session = (agent: string, id: string, size: number, updatedAt: string) => ({ agent, id, size, updatedAt })

// the outbox's key of a session, written out by hand: `agent:id`
const pushed = (entries: ReadonlyArray<[string, number, string]>) =>
  new Map(entries.map(([key, size, updated_at]) => [key, { size, updated_at }]))

const ids = (result: ReturnType<typeof changedSince>) =>
  Object.fromEntries([...result.changed].map(([agent, list]) => [agent, list.map((s) => s.id)]))

describe("changedSince", () => {
  it("a session never pushed nor pulled is changed", () => {
    const result = changedSince([session("codex", "c-new", 500, T1)], new Map(), new Map())
    assert.deepStrictEqual(ids(result), { codex: ["c-new"] })
    assert.strictEqual(result.unchanged, 0)
  })

  it("a session that grew since its push is changed; one equal to its push is not", () => {
    const result = changedSince(
      [session("codex", "c-grown", 900, T2), session("codex", "c-same", 400, T1), session("claude", "k-same", 70, T1)],
      pushed([["codex:c-grown", 500, T1], ["codex:c-same", 400, T1], ["claude:k-same", 70, T1]]),
      new Map()
    )
    assert.deepStrictEqual(ids(result), { codex: ["c-grown"] })
    assert.strictEqual(result.unchanged, 2)
  })

  it("a session pulled here and not continued is not pushed back; continued, it is", () => {
    const marks = new Map([["codex", new Map([["c-pulled", { size: 800, updatedAt: T1 }], ["c-continued", { size: 800, updatedAt: T1 }]])]])
    const result = changedSince(
      [session("codex", "c-pulled", 800, T1), session("codex", "c-continued", 1200, T2)],
      new Map(),
      marks
    )
    assert.deepStrictEqual(ids(result), { codex: ["c-continued"] })
    assert.strictEqual(result.unchanged, 1)
  })

  it("a mark counts for its own agent only", () => {
    const marks = new Map([["claude", new Map([["same-id", { size: 10, updatedAt: T1 }]])]])
    const result = changedSince([session("opencode", "same-id", 10, T1)], new Map(), marks)
    assert.deepStrictEqual(ids(result), { opencode: ["same-id"] })
  })

  it("an OpenCode session of equal size whose updatedAt moved is changed (against its push and its mark)", () => {
    const result = changedSince(
      [session("opencode", "ses_pushed", 3000, T2), session("opencode", "ses_pulled", 3000, T2)],
      pushed([["opencode:ses_pushed", 3000, T1]]),
      new Map([["opencode", new Map([["ses_pulled", { size: 3000, updatedAt: T1 }]])]])
    )
    assert.deepStrictEqual(ids(result), { opencode: ["ses_pushed", "ses_pulled"] })
    assert.strictEqual(result.unchanged, 0)
  })

  it("equal to either its push or its mark is enough; the same instant written another way is equal", () => {
    const result = changedSince(
      [session("codex", "c-both", 600, T2), session("claude", "k-z", 50, "2026-03-01T10:00:00Z")],
      pushed([["codex:c-both", 500, T1], ["claude:k-z", 50, T1]]),
      new Map([["codex", new Map([["c-both", { size: 600, updatedAt: T2 }]])]])
    )
    assert.deepStrictEqual(ids(result), {})
    assert.strictEqual(result.unchanged, 2)
  })

  it("changed sessions keep the listing's order and objects, grouped by agent", () => {
    const a = { ...session("claude", "k1", 1, T1), path: "/k1.jsonl" }
    const b = { ...session("codex", "c1", 1, T1), path: "/c1.jsonl" }
    const c = { ...session("claude", "k2", 1, T1), path: "/k2.jsonl" }
    const result = changedSince([a, b, c], new Map(), new Map())
    assert.deepStrictEqual([...result.changed.keys()], ["claude", "codex"])
    assert.strictEqual(result.changed.get("claude")![1], c)
    assert.strictEqual(result.changed.get("codex")![0]!.path, "/c1.jsonl")
  })
})
