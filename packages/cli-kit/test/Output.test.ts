import { describe, expect, it } from "@effect/vitest"
import { Output } from "@sessionport/cli-kit"

describe("Output.cell", () => {
  it("pads and cuts by the columns a terminal shows, never inside a character", () => {
    // ASCII as before
    expect(Output.cell("abc", 5)).toBe("abc  ")
    expect(Output.cell("abcdefgh", 5)).toBe("abcd…")
    // CJK: two columns each
    expect(Output.cell("修复登录", 10)).toBe("修复登录  ")
    expect(Output.cell("修复登录问题", 8)).toBe("修复登… ")
    // an emoji (a surrogate pair, two columns) is kept whole or left out whole
    expect(Output.cell("fix 🐛 now", 6)).toBe("fix … ")
    expect(Output.cell("🐛🐛🐛", 5)).toBe("🐛🐛…")
    // a letter and its combining accent stay together, one column
    expect(Output.cell("cafe\u0301s", 4)).toBe("caf…")
    expect(Output.cell("cafe\u0301", 4)).toBe("cafe\u0301")
    for (const [text, width] of [["修复登录问题", 8], ["fix 🐛 now", 6], ["🐛🐛🐛", 5]] as const) {
      expect(Output.displayWidth(Output.cell(text, width))).toBe(width)
    }
  })
})
