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

describe("Output.toJson", () => {
  it("writes field names in snake_case, leaving data keys and documents as written", () => {
    const value = {
      dryRun: false,
      transactionId: "01a2",
      // undefined fields are left out, as JSON.stringify does; a date as its ISO string
      skipped: undefined,
      at: new Date(Date.UTC(2026, 10, 1)),
      sessions: [{ sourceId: "ses_2aFx", localId: "u-1", cwdExists: true, name: "keep myName" }],
      // agents, record types, sync classes, operation kinds: data, not field names
      homes: { codex: "/h/.codex", myAgent: "/h/x" },
      notes: { claude: { historyLines: "3" } },
      files: [{ byType: { "event_msg/task_started": 2, someNewType: 1 }, unknownByType: { fooBar: 1 }, invalidLines: [{ lineNumber: 2 }] }],
      // documents shown as written
      manifest: { format_version: 1, source: { agent_homes: { claude: "/c" } }, oddKey: 1 },
      summary: { package_id: null, someKey: 1 }
    }
    expect(JSON.parse(Output.toJson(value))).toStrictEqual({
      dry_run: false,
      transaction_id: "01a2",
      at: "2026-11-01T00:00:00.000Z",
      sessions: [{ source_id: "ses_2aFx", local_id: "u-1", cwd_exists: true, name: "keep myName" }],
      homes: { codex: "/h/.codex", myAgent: "/h/x" },
      notes: { claude: { history_lines: "3" } },
      files: [{ by_type: { "event_msg/task_started": 2, someNewType: 1 }, unknown_by_type: { fooBar: 1 }, invalid_lines: [{ line_number: 2 }] }],
      manifest: { format_version: 1, source: { agent_homes: { claude: "/c" } }, oddKey: 1 },
      summary: { package_id: null, someKey: 1 }
    })
  })

  it("keeps keys that are not camelCase identifiers, and a key such as __proto__ as a key", () => {
    expect(Output.snakeKey("codexHome")).toBe("codex_home")
    expect(Output.snakeKey("newLocalId")).toBe("new_local_id")
    for (const key of ["_tag", "already_snake", "sha256", "ses_2aFx", "/a/bC", "Upper", "a-bC", "01a2Ff"]) expect(Output.snakeKey(key)).toBe(key)
    const parsed = JSON.parse(Output.toJson(JSON.parse(`{"homes":{"__proto__":"x"},"__proto__":{"aB":1}}`)))
    expect(Object.getPrototypeOf(parsed.homes)).toBe(Object.prototype)
    expect(Object.keys(parsed.homes)).toStrictEqual(["__proto__"])
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toStrictEqual({ a_b: 1 })
  })

  it("indents as asked; nothing becomes null", () => {
    expect(Output.toJson({ aB: [1] }, 2)).toBe(`{\n  "a_b": [\n    1\n  ]\n}`)
    expect(Output.toJson(undefined)).toBe("null")
  })
})
