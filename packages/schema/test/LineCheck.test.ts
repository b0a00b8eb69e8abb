import { assert, describe, it } from "@effect/vitest"
import { LineCheck } from "@sessionport/schema"
import * as fs from "node:fs"
import { fixtureRollouts } from "./utils/files.js"

/** Bytes cut into pieces of `size`. */
const pieces = (bytes: Uint8Array, size: number): Array<Uint8Array> =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))

const check = (bytes: Uint8Array, size: number, lineOffset?: number) => {
  const lines = new LineCheck.LineCheck({ lineOffset })
  for (const piece of pieces(bytes, size)) lines.push(piece)
  return lines.end()
}

const ok = (n: number) => JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: `ok ${n} ✓` } })

describe("LineCheck", () => {
  it("finds lines that are not JSON objects and lines with NUL bytes, by number, at any chunking", () => {
    const lines = [
      `\ufeff${ok(1)}`, // a byte order mark opens the file
      ok(2),
      "",
      `  ${ok(4)}\r`, // blanks and a carriage return around it
      "this is not json",
      ok(6).slice(0, 30), // a torn write
      `${ok(7).slice(0, -1)}\u0000}`, // a NUL inside
      "\u0000\u0000\u0000", // what a crash leaves
      "   ",
      "[1,2]",
      ok(11),
      "{\"cut\":" // an unterminated last line is read too
    ]
    const bytes = Buffer.from(lines.join("\n"))
    for (const size of [1, 2, 5, 64, 1 << 20]) {
      assert.deepStrictEqual(check(bytes, size), { count: 6, lines: [5, 6, 7, 8, 10, 12], nulCount: 2, nul: [7, 8] }, `size ${size}`)
    }
    // a suffix of a file is numbered as in the file
    assert.deepStrictEqual(check(Buffer.from(`${ok(1)}\nnope\n`), 7, 40).lines, [42])
  })

  it("finds nothing in real Codex rollouts, plain or zstd", () => {
    const files = fixtureRollouts()
    assert.isTrue(files.some((file) => file.endsWith(".zst")))
    for (const file of files) {
      assert.deepStrictEqual(check(fs.readFileSync(file), 4096), { count: 0, lines: [], nulCount: 0, nul: [] }, file)
    }
  })

  it("keeps the first line numbers and counts the rest", () => {
    const bytes = Buffer.from(Array.from({ length: LineCheck.KEPT + 50 }, () => "x\u0000").join("\n"))
    const found = check(bytes, 1000)
    assert.strictEqual(found.count, LineCheck.KEPT + 50)
    assert.strictEqual(found.nulCount, LineCheck.KEPT + 50)
    assert.deepStrictEqual(found.lines, Array.from({ length: LineCheck.KEPT }, (_, i) => i + 1))
  })

  it("describe: the count and the first line numbers", () => {
    assert.isUndefined(LineCheck.describe({ count: 0, lines: [], nulCount: 0, nul: [] }))
    assert.strictEqual(LineCheck.describe({ count: 1, lines: [5], nulCount: 0, nul: [] }), "line 5 is not JSON")
    assert.strictEqual(
      LineCheck.describe({ count: 2, lines: [5, 7], nulCount: 1, nul: [7] }),
      "2 lines are not JSON: 5, 7 (line 7 holds NUL bytes)"
    )
    assert.strictEqual(
      LineCheck.describe({ count: 9, lines: [1, 2, 3, 4, 5, 6, 7, 8, 9], nulCount: 2, nul: [3, 4] }),
      "9 lines are not JSON: 1, 2, 3, 4, 5, … (lines 3, 4 hold NUL bytes)"
    )
  })
})
