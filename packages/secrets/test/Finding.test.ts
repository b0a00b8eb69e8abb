import { assert, describe, it } from "@effect/vitest"
import { Finding } from "@sessionport/secrets"

const finding = (kind: string, record: number, kept?: string): Finding.Finding => ({
  kind,
  record,
  path: [],
  start: 0,
  end: 4,
  secret: "abcd",
  ...(kept === undefined ? {} : { kept })
})

describe("Finding.summarize", () => {
  it("per kind: count, records (ascending, each once, the first 100), redacted and kept; most found first", () => {
    const many = Array.from({ length: 150 }, (_, i) => finding("aws", 150 - i))
    const findings = [
      finding("openai", 40),
      finding("openai", 12),
      finding("openai", 12, "signed thinking"),
      ...many,
      finding("github", 3)
    ]
    const summary = Finding.summarize(findings, true)
    assert.deepStrictEqual(summary.map((entry) => [entry.kind, entry.count, entry.redacted, entry.kept]), [
      ["aws", 150, 150, 0],
      ["openai", 3, 2, 1],
      ["github", 1, 1, 0]
    ])
    assert.deepStrictEqual(summary[0]!.records, Array.from({ length: 100 }, (_, i) => i + 1))
    assert.deepStrictEqual(summary[1]!.records, [12, 40])
    // not redacted: nothing counts as redacted, kept ones are still kept
    assert.deepStrictEqual(Finding.summarize(findings, false).map((entry) => [entry.redacted, entry.kept]), [[0, 0], [0, 1], [0, 0]])
    assert.deepStrictEqual(Finding.summarize([], true), [])
  })

  it("kinds found equally often come by name", () => {
    assert.deepStrictEqual(Finding.summarize([finding("stripe", 1), finding("jwt", 2)], false).map((entry) => entry.kind), ["jwt", "stripe"])
  })
})
