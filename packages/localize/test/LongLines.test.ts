import { assert, describe, it } from "@effect/vitest"
import { fixtureByRole, fixtureHome, fixtures } from "@sessionport/codex-oracle/Fixtures"
import { PathRules, Rewriter } from "@sessionport/localize"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

// A line longer than the limit is copied as it comes when the pre-check finds nothing in it, and
// refused when it may need rewriting (it would have to be decoded). The limit is a plan option,
// so "long" here is 64 kB, not 12 MiB.
const LIMIT = 16 * 1024
const sourceId = fixtureByRole("multi_turn_tools").threadId
const rules = PathRules.make({
  maps: [{ from: fixtures.source.alpha, to: "/home/bob/alpha" }],
  sourceHome: undefined,
  targetHome: "/home/bob",
  targetPlatform: "posix"
})
const plan: Rewriter.Plan = {
  idMap: new Map([[sourceId, "019f0000-0000-7000-8000-000000000001"]]),
  pathRules: rules,
  maxLineBytes: LIMIT,
  label: "session s1"
}

const short = JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: "ok" } })
const long = (output: string) =>
  JSON.stringify({ timestamp: "t", type: "response_item", payload: { type: "function_call_output", call_id: "c", output } })
const filler = "0123456789abcdef".repeat(4 * 1024) // 64 kB, nothing a rule or the id map looks for

/**
 * Pulls the rewrite of `bytes` in `size`-byte chunks, each read into the same buffer: the output,
 * and how much of it had come out by the time the input's last chunk was read.
 */
const rewrite = (bytes: Uint8Array, size: number) => {
  const buffer = new Uint8Array(size)
  let read = 0
  let outBeforeEnd = 0
  let out = Buffer.alloc(0)
  const input: Iterable<Uint8Array> = {
    *[Symbol.iterator]() {
      for (let at = 0; at < bytes.length; at += size) {
        const piece = bytes.subarray(at, at + size)
        buffer.set(piece)
        read = at + piece.length
        yield buffer.subarray(0, piece.length)
      }
    }
  }
  const run = Rewriter.reportingChunks(input, plan)
  for (const chunk of run.chunks) {
    if (read < bytes.length) outBeforeEnd += chunk.length
    out = Buffer.concat([out, chunk])
  }
  return { out, outBeforeEnd, report: Effect.runSync(run.report) }
}

/** What `run` threw; a short text when it did not (a failing test must not print the output). */
const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  return "nothing thrown"
}

const refusal = (bytes: Uint8Array, size: number) => thrown(() => rewrite(bytes, size))

describe("Rewriter: lines over the limit", () => {
  it("a long line with nothing to rewrite goes out byte for byte, as it comes (not held to its end)", () => {
    for (const terminated of [true, false]) {
      // last in the input: only a line passed on as it comes is out before the input ends
      const text = Buffer.from(`${short}\n${long(filler)}${terminated ? "\n" : ""}`)
      for (const size of [1000, 4093, 16 * 1024]) {
        const { out, outBeforeEnd, report } = rewrite(text, size)
        // compared as a boolean: a failure must not print 64 kB
        assert.isTrue(out.equals(text), `size ${size}: byte for byte`)
        assert.isAbove(outBeforeEnd, filler.length - LIMIT - size, `size ${size}: the long line went out as it came`)
        assert.deepStrictEqual([report.lines, report.rewritten, report.passedThrough], [2, 0, 2])
      }
    }
  })

  it("a long line that may need rewriting (a mapped path, an id of the map) is refused with its session, line, size and the limit", () => {
    for (const needle of [fixtures.source.alpha, sourceId]) {
      // early in the line, past the limit, and cut by a chunk's end
      for (const at of [10, LIMIT + 100, 3 * 4093 - 5]) {
        const line = long(`${filler.slice(0, at)}${needle}${filler.slice(at)}`)
        const text = `${short}\n${line}\n${short}\n`
        for (const size of [1000, 4093]) {
          const error = refusal(Buffer.from(text), size)
          assert.isTrue(Rewriter.isRewriteError(error), `${needle} at ${at}, size ${size}: ${String(error).slice(0, 200)}`)
          const { detail, reason } = error as Rewriter.RewriteError
          assert.strictEqual(reason, "line_too_long")
          assert.strictEqual(
            detail,
            `session s1: line 2 is ${Buffer.byteLength(line)} bytes, over the ${LIMIT} bytes limit on a line sessionport decodes`
          )
        }
      }
    }
  })

  it("a long line that may need rewriting, whole in one chunk, is refused too", () => {
    const line = long(`${fixtures.source.alpha}/${filler}`)
    const error = refusal(Buffer.from(`${line}\n`), 1 << 20) as Rewriter.RewriteError
    assert.strictEqual(error.reason, "line_too_long")
  })

  it("lineOffset: line numbers are the file's when the input is its suffix", () => {
    const line = long(`${fixtures.source.alpha}/${filler}`)
    const error = thrown(() => [...Rewriter.reportingChunks([Buffer.from(`${line}\n`)], { ...plan, lineOffset: 40 }).chunks])
    assert.match((error as Rewriter.RewriteError).detail, /^session s1: line 41 is /)
  })

  it("zstd input: every line is decoded, so any line over the limit is refused", () => {
    const rollout = fs.readFileSync(path.join(fixtureHome, fixtureByRole("zst").rollout))
    const error = thrown(() => [...Rewriter.reportingChunks([rollout], { ...plan, maxLineBytes: 20_000 }).chunks]) as Rewriter.RewriteError
    assert.strictEqual(error.reason, "line_too_long")
    assert.strictEqual(error.detail, "session s1: line 1 is 22301 bytes, over the 20000 bytes limit on a line sessionport decodes")
  })
})
