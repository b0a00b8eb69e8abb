import { assert, describe, it } from "@effect/vitest"
import { LineDecoder, LineLimit } from "@sessionport/schema"
import { Either } from "effect"

// The limit is a constructor option, so a line "over the limit" here is a few kB, not 12 MiB.
const LIMIT = 1024

/** Bytes cut into pieces of `size`. */
const pieces = (bytes: Uint8Array, size: number): Array<Uint8Array> =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))

const lineOf = (length: number) => {
  const head = "{\"type\":\"x\",\"text\":\""
  return `${head}${"a".repeat(length - head.length - 2)}"}`
}

/** What a LineDecoder makes of `text` pushed in pieces of `size`: the raw lines, or the error thrown. */
const decode = (text: string, size: number) => {
  const decoder = new LineDecoder.LineDecoder({ maxLineBytes: LIMIT })
  try {
    const results = [...pieces(Buffer.from(text), size).flatMap((piece) => decoder.pushBytes(piece)), ...decoder.end()]
    return results.map((result) => Either.isRight(result) ? result.right.raw : result.left.raw)
  } catch (error) {
    return error
  }
}

describe("LineLimit", () => {
  it("MAX_LINE_BYTES is 12 MiB", () => {
    assert.strictEqual(LineLimit.MAX_LINE_BYTES, 12 * 1024 * 1024)
  })

  it("LineDecoder: a line at the limit decodes; one byte more is refused with its number and whole length, at any chunking", () => {
    const atLimit = lineOf(LIMIT)
    const over = lineOf(LIMIT + 1)
    assert.strictEqual(Buffer.byteLength(over), LIMIT + 1)
    for (const size of [1, 7, 100, LIMIT - 1, LIMIT + 5, 1 << 16]) {
      assert.deepStrictEqual(decode(`{"a":1}\n${atLimit}\n`, size), ["{\"a\":1}", atLimit], `size ${size}`)
      for (const text of [`{"a":1}\n${over}\n{"b":2}\n`, `{"a":1}\n${over}`]) {
        const error = decode(text, size)
        assert.instanceOf(error, LineLimit.LineTooLong, `size ${size}`)
        const { bytes, limit, lineNumber } = error as LineLimit.LineTooLong
        assert.deepStrictEqual({ lineNumber, bytes, limit }, { lineNumber: 2, bytes: LIMIT + 1, limit: LIMIT }, `size ${size}`)
      }
    }
    const error = decode(`${"b".repeat(3 * LIMIT + 10)}\n`, 100) as Error
    assert.strictEqual(error.message, `line 1 is ${3 * LIMIT + 10} bytes, over the ${LIMIT} bytes limit on a line sessionport decodes`)
  })

  it("LineDecoder: a line over the limit is counted, not held, while it goes on", () => {
    const decoder = new LineDecoder.LineDecoder({ maxLineBytes: LIMIT })
    for (let i = 0; i < 10; i++) assert.deepStrictEqual(decoder.pushBytes(Buffer.alloc(LIMIT, 0x61)), [])
    assert.strictEqual(decoder.unfinishedLineBytes, 10 * LIMIT)
    assert.throws(() => decoder.pushBytes(Buffer.from("\n")), LineLimit.LineTooLong)
  })

  it("LineTooLong names sizes in MiB, and in bytes when MiB would not read as more than the limit", () => {
    const MiB = 1024 * 1024
    assert.strictEqual(new LineLimit.LineTooLong(20, 200_000_000, 12 * MiB).message, "line 20 is 190.7 MiB, over the 12 MiB limit on a line sessionport decodes")
    assert.strictEqual(new LineLimit.LineTooLong(3, 12 * MiB + 17, 12 * MiB).message, `line 3 is ${12 * MiB + 17} bytes, over the 12 MiB limit on a line sessionport decodes`)
  })

  describe("UnfinishedLine", () => {
    const NEEDLE = "NEEDLE"
    const make = () =>
      new LineLimit.UnfinishedLine({
        limit: LIMIT,
        mayNeedDecoding: (bytes) => bytes.includes(NEEDLE),
        overlap: NEEDLE.length - 1
      })
    /** the line pushed in pieces of `size`: what went out before its end, and how it ended */
    const run = (line: string, size: number) => {
      const unfinished = make()
      const early: Array<Uint8Array> = []
      for (const piece of pieces(Buffer.from(line), size)) {
        for (const out of unfinished.add(piece)) early.push(Buffer.from(out))
      }
      return { early: Buffer.concat(early).toString(), end: unfinished.end(4) }
    }

    it("a line without a needle: held up to the limit, then passed on as it comes; ends with the rest", () => {
      const line = "x".repeat(5 * LIMIT)
      for (const size of [100, 333, LIMIT]) {
        const { early, end } = run(line, size)
        assert.strictEqual(end._tag, "Pass")
        const rest = Buffer.concat(end.bytes as Array<Uint8Array>).toString()
        assert.strictEqual(early + rest, line, `size ${size}`)
        // everything past the limit went on before the line ended: nothing was held for it
        assert.isAtLeast(early.length, 4 * LIMIT, `size ${size}`)
        assert.strictEqual(rest, "", `size ${size}`)
      }
      const short = run("x".repeat(LIMIT), 100)
      assert.strictEqual(short.early, "")
      assert.strictEqual(short.end._tag, "Pass")
    })

    it("a line with a needle under the limit ends whole, to decode; over it, it is refused at its end", () => {
      const under = `${"x".repeat(300)}${NEEDLE}${"x".repeat(300)}`
      const decoded = run(under, 100)
      assert.strictEqual(decoded.early, "")
      assert.deepStrictEqual(decoded.end, { _tag: "Decode", bytes: Buffer.from(under) })
      // the needle early, late (after bytes went on already), and cut by a piece's end
      for (const at of [10, LIMIT + 500, 4 * LIMIT - 3]) {
        const line = `${"x".repeat(at)}${NEEDLE}${"x".repeat(5 * LIMIT - at)}`
        for (const size of [100, 97, LIMIT]) {
          const error = (() => {
            try {
              run(line, size)
            } catch (error) {
              return error
            }
          })()
          assert.instanceOf(error, LineLimit.LineTooLong, `needle at ${at}, size ${size}`)
          assert.strictEqual((error as LineLimit.LineTooLong).bytes, line.length)
          assert.strictEqual((error as LineLimit.LineTooLong).lineNumber, 4)
        }
      }
    })

    it("is ready for the next line after each end", () => {
      const unfinished = make()
      unfinished.add(Buffer.from(`${NEEDLE}${"x".repeat(2 * LIMIT)}`))
      assert.throws(() => unfinished.end(1), LineLimit.LineTooLong)
      assert.strictEqual(unfinished.length, 0)
      unfinished.add(Buffer.from("abc"))
      assert.deepStrictEqual(unfinished.end(2), { _tag: "Pass", bytes: [Buffer.from("abc")] })
    })
  })
})
