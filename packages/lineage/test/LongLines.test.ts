import { afterAll, assert, describe, it } from "@effect/vitest"
import { fixtureByRole, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fingerprint } from "@sessionport/lineage"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { NeedleScanner } from "../src/internal/scanner.js"
import { expectedPrint, plain } from "./utils/independent.js"

// A line longer than the limit is hashed as it comes when it can hold no surface value (and
// cannot be the first prompt while that is looked for); one that has to be decoded is refused.
// The limit is a constructor option, so "long" here is 160 kB, not 12 MiB.
const LIMIT = 32 * 1024

afterAll(removeTemps)

const encoder = new TextEncoder()
const multi = plain(fixtureByRole("multi_turn_tools").rollout)
const output = (text: string) =>
  JSON.stringify({ timestamp: "t", type: "response_item", payload: { type: "function_call_output", call_id: "c", output: text } })
const filler = "0123456789abcdef".repeat(10 * 1024) // 160 kB with no needle

/** The print of `bytes` pushed in pieces of `size` through a Fingerprinter with the small limit. */
const printOf = (bytes: Uint8Array, size: number) =>
  Either.try(() => {
    const printer = new Fingerprint.Fingerprinter(undefined, { maxLineBytes: LIMIT })
    for (let at = 0; at < bytes.length; at += size) printer.push(bytes.subarray(at, at + size))
    return printer.end()
  })

const essence = (p: { readonly records: number; readonly prints: Uint8Array; readonly head: string }) => ({
  records: p.records,
  prints: Buffer.from(p.prints).toString("hex"),
  head: p.head
})

describe("Fingerprint: lines over the limit", () => {
  it("a long line with no surface value prints as the whole line would, whatever its bytes and chunking", () => {
    const longLines = [
      output(filler),
      output(`é✓𝄞 ${filler}`), // characters cut by chunk ends
      Buffer.concat([Buffer.from(output(filler).slice(0, 2000)), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from(output(filler).slice(2000))]),
      " ".repeat(3 * LIMIT) // a long blank line is no record
    ]
    for (const long of longLines) {
      const bytes = Buffer.concat([multi, Buffer.from(long), Buffer.from("\n"), Buffer.from(`${output("after")}\n`)])
      const expected = essence(expectedPrint(bytes))
      for (const size of [1000, 4093, 1 << 16]) {
        const got = printOf(bytes, size)
        assert.isTrue(Either.isRight(got), `size ${size}: ${Either.isLeft(got) ? got.left : ""}`)
        assert.deepStrictEqual(essence(Either.getOrThrow(got)), expected, `size ${size}`)
      }
    }
  })

  it("a long line that may hold a surface value is refused with its line number, size and the limit", () => {
    // as they are in the line's text: a key, a \u escape
    const holding = (at: number, field: Record<string, unknown>) =>
      JSON.stringify({ timestamp: "t", type: "response_item", payload: { type: "x", a: filler.slice(0, at), ...field, b: filler.slice(at) } })
    for (const field of [{ cwd: "/p" }, { text: "\\u0041" }, { thread_id: "t" }]) {
      for (const at of [5, 2 * LIMIT, 3 * 4093 - 2]) {
        const line = holding(at, field)
        const needle = JSON.stringify(field)
        const bytes = Buffer.concat([multi, encoder.encode(`${line}\n`)])
        const lineNumber = Buffer.from(multi).toString().split("\n").length
        for (const size of [1000, 4093]) {
          const got = printOf(bytes, size)
          assert.isTrue(Either.isLeft(got), `${needle} at ${at}, size ${size}`)
          const error = (got as Either.Left<unknown, unknown>).left as Fingerprint.FingerprintError
          assert.strictEqual(error.reason, "line_too_long")
          assert.strictEqual(
            error.detail,
            `line ${lineNumber} is ${Buffer.byteLength(line)} bytes, over the ${LIMIT} bytes limit on a line sessionport decodes`
          )
        }
      }
    }
  })

  it("before the first prompt, a long line that may be it is refused; one that cannot be passes", () => {
    const meta = JSON.stringify({ timestamp: "t", type: "session_meta", payload: { id: "x", cwd: "/p" } })
    const prompt = JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "user_message", message: filler } })
    const refused = printOf(encoder.encode(`${meta}\n${prompt}\n`), 1000)
    assert.isTrue(Either.isLeft(refused) && (refused.left as Fingerprint.FingerprintError).reason === "line_too_long")
    const bytes = encoder.encode(`${meta}\n${output(filler)}\n`)
    assert.deepStrictEqual(essence(Either.getOrThrow(printOf(bytes, 1000))), essence(expectedPrint(bytes)))
  })

  it.effect("fromFile names the file by its label", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir("long"), "rollout.jsonl")
      const line = { timestamp: "t", type: "response_item", payload: { type: "x", cwd: "/p", a: "x".repeat(13 * 1024 * 1024) } }
      fs.writeFileSync(file, `${JSON.stringify(line)}\n`)
      const error = yield* Effect.flip(Fingerprint.fromFile(file, { label: "session s1" }))
      assert.strictEqual(error.reason, "line_too_long")
      assert.match(error.message, /^session s1: line 1 is 13\.0 MiB, over the 12 MiB limit on a line sessionport decodes$/)
    }))

  it("looking for the first prompt only, nothing after it is read: a long line there is not refused", () => {
    const lines = Buffer.from(multi).toString().split("\n")
    const root = Either.getOrThrow(printOf(multi, multi.length)).rootIndex!
    const head = encoder.encode(lines.slice(0, root + 1).map((l) => `${l}\n`).join(""))
    // a line over the limit that may hold a surface value, right after the prompt
    const bytes = Buffer.concat([head, encoder.encode(`${output(`<environment_context> ${filler}`)}\n`)])
    assert.isTrue(Either.isLeft(printOf(bytes, bytes.length)))
    for (const size of [bytes.length, 4096, 7]) {
      const printer = new Fingerprint.Fingerprinter(undefined, { maxLineBytes: LIMIT, untilRoot: true })
      for (let at = 0; at < bytes.length; at += size) printer.push(bytes.subarray(at, at + size))
      const started = printer.end()
      assert.deepStrictEqual([started.records, started.rootIndex, started.bytes], [root + 1, root, head.length], `pieces of ${size}`)
      assert.deepStrictEqual(essence(started), essence(Either.getOrThrow(printOf(head, head.length))))
    }
  })

  it("scanners of one needle list keep each its own place", () => {
    const needles = ["\\u", "cwd\"", "<environment_context>"]
    const a = new NeedleScanner(needles)
    const b = new NeedleScanner(needles)
    const one = Buffer.from("cwd\" first\nnothing\nnothing\n")
    const two = Buffer.from("nothing\nnothing\ncwd\" last\n")
    a.reset(one)
    b.reset(two)
    assert.deepStrictEqual(
      [a.holds(0, 11), b.holds(0, 7), a.holds(12, 19), b.holds(8, 15), a.holds(20, 27), b.holds(16, 26)],
      [true, false, false, false, false, true]
    )
  })

  it("the needle scanner finds no needle where there is none, the first line of a chunk too", () => {
    const scanner = new NeedleScanner(["\\u", "<environment_context>", "cwd\""])
    const chunk = Buffer.from("plain text\nmore text\nwith cwd\" here\n")
    scanner.reset(chunk)
    assert.deepStrictEqual([scanner.holds(0, 10), scanner.holds(11, 20), scanner.holds(21, 35)], [false, false, true])
  })
})
