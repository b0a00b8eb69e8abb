/**
 * `recordsOf`, the reader `Redaction.sharedPrefix` walks two transcripts with (record k of a file
 * is print k, whatever the chunking), and how `sharedPrefix` fails reading. Expected records are
 * split by hand.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Fingerprint from "../src/Fingerprint.js"
import { recordsOf } from "../src/internal/records.js"
import * as Redaction from "../src/Redaction.js"

afterAll(removeTemps)

const write = (text: string): string => {
  const file = path.join(tempDir("records"), "t.jsonl")
  fs.writeFileSync(file, text)
  return file
}

/** Each record as text, taken before the next is asked for (a record may be a view of the read buffer). */
const read = (file: string, ignored: ReadonlyArray<string> = [], max?: number, firstChunk?: number) => {
  const out: Array<string | null> = []
  for (const record of recordsOf(file, ignored, max, firstChunk)) out.push(record === null ? null : record.toString("utf8"))
  return out
}

describe("recordsOf", () => {
  it("non-blank lines ended by a line end; blank lines, ignored prefixes and an unterminated last line are not records", () => {
    const text = `{"a":1}\n\n  \t\n{"type":"custom-title","t":"x"}\n{"b":2}\r\n\u00a0\n{"c":3}`
    assert.deepStrictEqual(read(write(text), ["{\"type\":\"custom-title\""]), ["{\"a\":1}", "{\"b\":2}\r"])
  })

  it("lines across read chunks (1 MiB) come whole; one over the limit comes as null, counted", () => {
    const long = `{"x":"${"y".repeat(1024 * 1024 + 100)}"}`
    const longer = `{"z":"${"w".repeat(3 * 1024 * 1024)}"}`
    const file = write(`${"{\"a\":1}\n".repeat(3)}${long}\n{"b":2}\n${longer}\n{"c":3}\n`)
    const records = read(file)
    assert.deepStrictEqual(records.map((r) => r?.length), [7, 7, 7, long.length, 7, longer.length, 7])
    assert.strictEqual(records[3], long)
    assert.deepStrictEqual(read(file, [], 2 * 1024 * 1024).map((r) => r === null ? null : r.length), [7, 7, 7, long.length, 7, null, 7])
  })

  it("a small first read, grown while reads fill it: the same records", () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, text: "x".repeat(i % 700) }))
    const long = `{"x":"${"y".repeat(1024 * 1024 + 100)}"}`
    const file = write(`${lines.join("\n")}\n${long}\n{"b":2}\n`)
    assert.deepStrictEqual(read(file, [], undefined, 64), [...lines, long, "{\"b\":2}"])
  })

  it("an ignored line across read chunks is still ignored", () => {
    const title = `{"type":"ai-title","t":"${"t".repeat(1024 * 1024)}"}`
    assert.deepStrictEqual(read(write(`{"a":1}\n${title}\n{"b":2}\n`), ["{\"type\":\"ai-title\""]), ["{\"a\":1}", "{\"b\":2}"])
  })
})

describe("Redaction.sharedPrefix reading the files", () => {
  it.effect("a transcript gone since it was printed: read_failed, named by its label", () =>
    Effect.gen(function*() {
      const line = (text: string) => `${JSON.stringify({ type: "event_msg", payload: { type: "agent_message", message: text } })}\n`
      const a = write(line("one") + line("two"))
      const b = write(line("one") + line("three"))
      const printA = yield* Fingerprint.fromFile(a)
      const printB = yield* Fingerprint.fromFile(b)
      // prints that part: the files are read
      fs.rmSync(b)
      const error = yield* Effect.flip(Redaction.sharedPrefix({ path: a, print: printA }, { path: b, print: printB, label: "session X" }))
      assert.deepStrictEqual([error.reason, error.path], ["read_failed", "session X"])
      // prints that do not part before either ends: nothing is read
      assert.strictEqual(yield* Redaction.sharedPrefix({ path: a, print: printA }, { path: b, print: printA }), 2)
    }))
})
