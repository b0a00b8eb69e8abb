import { describe, expect, it } from "@effect/vitest"
import { TerminalProgress } from "@sessionport/cli-kit"

const MiB = 2 ** 20

describe("TerminalProgress.render", () => {
  it("a known total: bar, share, amounts, the rate so far and the time left", () => {
    // 50 MiB of 100 in 2 s: 25 MiB/s, 50 MiB left, 2 s
    expect(TerminalProgress.render({ label: "export", done: 50 * MiB, total: 100 * MiB, unit: "bytes", elapsedMs: 2000 })).toBe(
      "export [############------------] 50% 50.0 MiB/100.0 MiB 25.0 MiB/s ETA 2s"
    )
    // 300 of 3,000 items in 15 s: 20/s, 2,700 left, 135 s
    expect(TerminalProgress.render({ label: "fingerprint", done: 300, total: 3000, unit: "items", elapsedMs: 15_000 })).toBe(
      "fingerprint [##----------------------] 10% 300/3000 20/s ETA 2m15s"
    )
    // 1 MiB of 4 GiB in 1 s: 4095 s left
    expect(TerminalProgress.render({ label: "verifying", done: MiB, total: 4 * 2 ** 30, unit: "bytes", elapsedMs: 1000 }, 200)).toBe(
      "verifying [------------------------] 0% 1.0 MiB/4.0 GiB 1.0 MiB/s ETA 1h08m"
    )
  })

  it("an unknown total: the amount and the rate, no bar and no time left", () => {
    // 1,200 sessions in 3 s
    expect(TerminalProgress.render({ label: "listing sessions", done: 1200, total: 0, unit: "items", elapsedMs: 3000 })).toBe(
      "listing sessions 1200 400/s"
    )
  })

  it("nothing done yet: no rate and no time left", () => {
    expect(TerminalProgress.render({ label: "export", done: 0, total: 100 * MiB, unit: "bytes", elapsedMs: 500 })).toBe(
      "export [------------------------] 0% 0.0 MiB/100.0 MiB"
    )
  })

  it("a narrow terminal loses the bar, then the end of the line: a line never wraps", () => {
    const frame = { label: "export", done: 50 * MiB, total: 100 * MiB, unit: "bytes", elapsedMs: 2000 } as const
    expect(TerminalProgress.render(frame, 60)).toBe("export 50% 50.0 MiB/100.0 MiB 25.0 MiB/s ETA 2s")
    expect(TerminalProgress.render(frame, 20)).toBe("export 50% 50.0 MiB")
  })
})
