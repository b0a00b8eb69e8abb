import { describe, expect, it } from "@effect/vitest"
import { ShownChanges } from "@sessionport/agent"

const OLD = "019a0000-0000-7000-8000-000000000001"
const NEW = "01a1fd65-37a4-727d-b78a-399be2b94386"
const path = (line: number) => ({ line, field: "payload.cwd", old: "C:\\a", new: "/a" })
const id = (line: number) => ({ line, field: "payload.thread_id", old: OLD, new: NEW })
const paths = (n: number) => Array.from({ length: n }, (_, i) => path(i + 1))

describe("ShownChanges", () => {
  it("a session's id swaps are one entry counting them, never burying its paths (20 of those per session, across its files)", () => {
    const shown = new ShownChanges.ShownChanges()
    // an id swap on every line, a path on every other one: 30 ids, 15 paths
    shown.add("s0", Array.from({ length: 30 }, (_, i) => i % 2 === 0 ? [id(i + 1), path(i + 1)] : [id(i + 1)]).flat())
    // a second file of the same session: 10 more paths (5 of them shown) and 10 more ids
    shown.add("s0", [...paths(10), ...Array.from({ length: 10 }, (_, i) => id(i + 1))])
    const mine = shown.changes.filter((c) => c.session === "s0")
    const summaries = mine.filter((c) => ShownChanges.idsOf(c) !== undefined)
    expect(summaries).toHaveLength(1)
    expect(ShownChanges.idsOf(summaries[0]!)).toBe(40)
    // the first swap stands for them all
    expect(summaries[0]).toMatchObject({ line: 1, field: "payload.thread_id", old: OLD, new: NEW })
    const rest = mine.filter((c) => ShownChanges.idsOf(c) === undefined)
    expect(rest).toHaveLength(20)
    expect(rest.slice(0, 15).map((c) => c.line)).toEqual(Array.from({ length: 15 }, (_, i) => 2 * i + 1))
    expect(rest.slice(15).map((c) => c.line)).toEqual([1, 2, 3, 4, 5])
  })

  it("200 entries in all: later sessions are only counted", () => {
    const shown = new ShownChanges.ShownChanges()
    for (let i = 0; i < 30; i++) shown.add(`s${i}`, [id(1), ...paths(50)])
    expect(shown.changes).toHaveLength(ShownChanges.TOTAL)
    // each session shows its id line and 20 paths: 21 entries, 9 sessions and 11 entries of the 10th
    expect(new Set(shown.changes.map((c) => c.session))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `s${i}`)))
    expect(shown.changes[21]).toEqual({ ...id(1), session: "s1", ids: 1 })
    expect(shown.changes[22]).toEqual({ ...path(1), session: "s1" })
  })

  it("an id is told by its shape: no path separator, space or colon", () => {
    expect(ShownChanges.isIdSwap(id(1))).toBe(true)
    expect(ShownChanges.isIdSwap({ line: 1, field: "id", old: "ses_db0c9b6fbffeWeRfbm5QU9Wup6", new: "ses_db0c9b6fbffe1aRPshe4TVovk8" })).toBe(true)
    expect(ShownChanges.isIdSwap(path(1))).toBe(false)
    expect(ShownChanges.isIdSwap({ line: 1, field: "payload.cwd", old: "/home/alice/p", new: "/home/bob/p" })).toBe(false)
    expect(ShownChanges.isIdSwap({ line: 1, field: "timestamp", old: "2026-01-01T00:00:00.000Z", new: "2026-01-01T00:00:01.000Z" })).toBe(false)
    expect(ShownChanges.isIdSwap({ line: 1, field: "payload.history_base.end_byte_offset", old: 78352, new: 77136 })).toBe(false)
    expect(ShownChanges.isIdSwap({ line: 1, field: "text<text>", old: "see C:\\a", new: "see /a" })).toBe(false)
  })
})
