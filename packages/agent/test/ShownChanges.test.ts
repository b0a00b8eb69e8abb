import { describe, expect, it } from "@effect/vitest"
import { ShownChanges } from "@sessionport/agent"

const change = (line: number) => ({ line, field: "payload.cwd", old: "C:\\a", new: "/a" })
const changes = (n: number) => Array.from({ length: n }, (_, i) => change(i + 1))

describe("ShownChanges", () => {
  it("keeps the first 20 of each session, also across its files, and 200 in all", () => {
    const shown = new ShownChanges.ShownChanges()
    shown.add("s0", changes(15))
    // a second file of the same session: 5 more of it are shown
    shown.add("s0", changes(15))
    expect(shown.changes.filter((c) => c.session === "s0")).toHaveLength(20)
    expect(shown.changes.slice(15, 20).map((c) => c.line)).toEqual([1, 2, 3, 4, 5])
    for (let i = 1; i < 30; i++) shown.add(`s${i}`, changes(50))
    // 10 sessions of 20 fill the 200
    expect(shown.changes).toHaveLength(200)
    expect(new Set(shown.changes.map((c) => c.session))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `s${i}`)))
    expect(shown.changes[20]).toEqual({ ...change(1), session: "s1" })
  })
})
