import { assert, describe, it } from "@effect/vitest"
import { Dates } from "@sessionport/cli-kit"

// local times are built with the local-time constructor, so these hold in any time zone
const NOW = new Date(2026, 11, 7, 13, 40, 30)
const before = (ms: number) => new Date(NOW.getTime() - ms)
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

describe("Dates.ago", () => {
  it("the largest whole unit, rounded down", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [0, "just now"],
      [59_999, "just now"],
      [MIN, "1m ago"],
      [59 * MIN + 59_000, "59m ago"],
      [HOUR, "1h ago"],
      [3 * HOUR + 59 * MIN, "3h ago"],
      [23 * HOUR, "23h ago"],
      [DAY, "1d ago"],
      [6 * DAY + 23 * HOUR, "6d ago"],
      [7 * DAY, "1w ago"],
      [29 * DAY, "4w ago"],
      [30 * DAY, "1mo ago"],
      [364 * DAY, "12mo ago"],
      [365 * DAY, "1y ago"],
      [3 * 365 * DAY + 5 * DAY, "3y ago"]
    ]
    for (const [ms, text] of cases) assert.strictEqual(Dates.ago(before(ms), NOW), text, `${ms} ms`)
  })

  it("a time ahead of this clock reads as `in …`", () => {
    assert.strictEqual(Dates.ago(before(-2 * HOUR - 5 * MIN), NOW), "in 2h")
    assert.strictEqual(Dates.ago(before(-3 * DAY), NOW), "in 3d")
    assert.strictEqual(Dates.ago(before(-30_000), NOW), "just now")
  })
})

describe("Dates.local", () => {
  it("YYYY-MM-DD HH:MM in local time, zero-padded, seconds left out", () => {
    assert.strictEqual(Dates.local(NOW), "2026-12-07 13:40")
    assert.strictEqual(Dates.local(new Date(2027, 0, 5, 3, 4, 59)), "2027-01-05 03:04")
    assert.strictEqual(Dates.local(new Date(2026, 9, 31, 0, 0)), "2026-10-31 00:00")
  })
})

describe("Dates.both", () => {
  it("how long ago, then when", () => {
    assert.strictEqual(Dates.both(new Date(2026, 11, 7, 10, 40), NOW), "3h ago (2026-12-07 10:40)")
    assert.strictEqual(Dates.both(new Date(2026, 10, 30, 9, 5), NOW), "1w ago (2026-11-30 09:05)")
    assert.strictEqual(Dates.both(NOW, NOW), "just now (2026-12-07 13:40)")
  })
})
