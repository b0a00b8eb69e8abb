import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { RolloutReader, RolloutRecord } from "@sessionport/schema"
import { Chunk, Effect, Either, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fixtureRollouts, readWhole } from "./utils/files.js"

const encoder = new TextEncoder()

/** Bytes cut into pieces of `size`, so lines and UTF-8 characters straddle chunk boundaries. */
const pieces = (bytes: Uint8Array, size: number) =>
  Stream.fromIterable(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)))

const collect = <A, E>(stream: Stream.Stream<A, E>) => Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray))

const text = [
  JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "user_message", message: "héllo ✓ 𝄞 日本" } }),
  "",
  JSON.stringify({ timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: "ok" } }) + "\r",
  "{\"timestamp\":\"t\",\"type\":\"event_msg\",\"payl"
].join("\n")

describe("RolloutReader", () => {
  it.effect("keeps raw text byte for byte at any chunk size (multi-byte characters, CRLF, torn last line)", () =>
    Effect.gen(function*() {
      for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
        const results = yield* collect(RolloutReader.decodeBytes(pieces(encoder.encode(text), size), (r) => r))
        assert.strictEqual(results.length, 4, `size ${size}`)
        const raws = results.map((r) => Either.isRight(r) ? r.right.raw : r.left.raw)
        assert.strictEqual(raws.join("\n"), text)
        assert.deepStrictEqual(results.map((r) => Either.isRight(r) ? r.right.lineNumber : r.left.lineNumber), [1, 2, 3, 4])
        assert.deepStrictEqual(
          results.map((r) => Either.isRight(r) ? r.right.entry._tag : "Invalid"),
          ["Known", "Blank", "Known", "Invalid"]
        )
        const torn = results[3]!
        assert.isTrue(Either.isLeft(torn) && torn.left.terminated === false && torn.left.lineNumber === 4)
      }
    }))

  it.effect("strict fails at the first line that is not JSON, with its line number", () =>
    Effect.gen(function*() {
      const error = yield* RolloutReader.strict(RolloutReader.decodeText(Stream.make(text))).pipe(Stream.runDrain, Effect.flip)
      assert.instanceOf(error, RolloutRecord.InvalidLine)
      assert.strictEqual((error as RolloutRecord.InvalidLine).lineNumber, 4)
    }))

  it.effect("lenient drops such lines, as Codex does", () =>
    Effect.gen(function*() {
      const records = yield* collect(RolloutReader.lenient(RolloutReader.decodeText(Stream.make(text))))
      assert.deepStrictEqual(records.map((r) => r.lineNumber), [1, 2, 3])
    }))

  it.effect("an empty file has no records", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* collect(RolloutReader.decodeBytes(Stream.empty, (r) => r)), [])
    }))

  it.effect("decompresses a zstd rollout written by Codex, at any chunk size", () =>
    Effect.gen(function*() {
      const zst = fixtureRollouts().find((file) => file.endsWith(".zst"))!
      const expected = readWhole(zst)
      for (const size of [5, 4096]) {
        const results = yield* collect(RolloutReader.decodeBytes(pieces(fs.readFileSync(zst), size), (r) => r))
        const raws = results.map((r) => Either.getOrThrow(r)).map((r) => r.raw + (r.terminated ? "\n" : ""))
        assert.strictEqual(raws.join(""), expected)
      }
    }))

  it.effect("a corrupt zstd file is a read error, not a crash", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-schema-"))
      const file = path.join(dir, "rollout-broken.jsonl.zst")
      fs.writeFileSync(file, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
      const error = yield* RolloutReader.readFile(file).pipe(Stream.runDrain, Effect.flip)
      assert.strictEqual(error._tag, "RolloutReadError")
      assert.match(error.message, /zstd/)
      fs.rmSync(dir, { recursive: true })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("scanner: lines handed over as reached until the step says stop; the same lines as decodeBytes; input memory may be reused", () =>
    Effect.gen(function*() {
      const bom = encoder.encode(`\ufeff${text}`)
      const expected = yield* collect(RolloutReader.decodeBytes(Stream.make(bom), (r) => r))
      assert.strictEqual(Either.getOrThrow(expected[0]!).raw, text.split("\n")[0], "the byte order mark is dropped")
      const zst = fixtureRollouts().find((file) => file.endsWith(".zst"))!
      const zstExpected = yield* collect(RolloutReader.decodeBytes(Stream.make(fs.readFileSync(zst)), (r) => r))
      // zstd is told by the first chunk's first 4 bytes
      const cases = [[bom, expected, [1, 3, 64, 1 << 20]], [new Uint8Array(fs.readFileSync(zst)), zstExpected, [5, 64, 1 << 20]]] as const
      for (const [bytes, all, sizes] of cases) {
        for (const size of sizes) {
          const seen: Array<RolloutReader.LineResult> = []
          const scan = RolloutReader.scanner((line) => (seen.push(line), true))
          // one buffer for every chunk, overwritten before the next push
          const buffer = new Uint8Array(size)
          for (let at = 0; at < bytes.length; at += size) {
            const piece = bytes.subarray(at, at + size)
            buffer.fill(0x7b)
            buffer.set(piece)
            assert.isTrue(scan.push(buffer.subarray(0, piece.length)))
          }
          scan.end()
          assert.deepStrictEqual(seen, all, `size ${size}`)
        }
      }
      // stops at the second line: the third is never decoded, later pushes do nothing
      const seen: Array<number> = []
      const scan = RolloutReader.scanner((line) => {
        seen.push(Either.isRight(line) ? line.right.lineNumber : line.left.lineNumber)
        return seen.length < 2
      })
      assert.isFalse(scan.push(encoder.encode(text)))
      assert.isFalse(scan.push(encoder.encode("\n{}\n")))
      scan.end()
      assert.deepStrictEqual(seen, [1, 2])
      const corrupt = RolloutReader.scanner(() => true)
      assert.throws(() => {
        corrupt.push(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]))
        corrupt.end()
      }, /zstd/)
    }))

  it.effect("scanBytes: a stream scanned until the step says stop; corrupt input fails with onCorrupt", () =>
    Effect.gen(function*() {
      let pulled = 0
      const seen: Array<number> = []
      yield* RolloutReader.scanBytes(
        pieces(encoder.encode(`${text}\n{}\n{}\n`), 8).pipe(Stream.tap(() => Effect.sync(() => pulled++))),
        (line) => (seen.push(Either.isRight(line) ? line.right.lineNumber : line.left.lineNumber), seen.length < 2),
        (reason) => reason
      )
      assert.deepStrictEqual(seen, [1, 2])
      assert.isBelow(pulled, Math.ceil(encoder.encode(text).length / 8), "the rest of the stream is not pulled")
      const all: Array<number> = []
      yield* RolloutReader.scanBytes(pieces(encoder.encode(text), 5), () => (all.push(0), true), (reason) => reason)
      assert.strictEqual(all.length, 4, "the torn last line at the end")
      const error = yield* Effect.flip(RolloutReader.scanBytes(Stream.make(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])), () => true, (reason) => `corrupt: ${reason}`))
      assert.match(error, /^corrupt: zstd/)
    }))

  it.effect("a missing file is a read error naming the path", () =>
    Effect.gen(function*() {
      const error = yield* RolloutReader.readFile("/nonexistent/rollout.jsonl").pipe(Stream.runDrain, Effect.flip)
      assert.strictEqual(error._tag, "RolloutReadError")
      assert.include(error.message, "/nonexistent/rollout.jsonl")
    }).pipe(Effect.provide(NodeContext.layer)))
})
