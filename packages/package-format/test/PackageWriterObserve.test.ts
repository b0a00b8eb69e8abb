/**
 * `FileOnDisk.observe`: what export's secret scan sees of a file as it is copied in, for both
 * forms of package: every byte in order, next to the hash; a promise it answers holds the copy
 * back until it settles; a failure fails the file, and the package is never committed.
 */
import { assert, describe, it } from "@effect/vitest"
import { FileChunks, PackageWriter } from "@sessionport/package-format"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"

const formats = ["tgz", "directory"] as const
const tempDir = () => fs.mkdtempSync(Path.join(os.tmpdir(), "sessionport-observe-"))
const outFor = (dir: string, format: PackageWriter.Format) => Path.join(dir, format === "tgz" ? "pkg.tgz" : "pkg")
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

describe("PackageWriter: observing a file on disk as it goes in", () => {
  for (const format of formats) {
    it.scoped(`${format}: sees every byte in order (copied before the chunk is reused), awaits what it answers`, () =>
      Effect.gen(function*() {
        const dir = tempDir()
        // three read chunks and a bit: chunks are reused between files and reads
        const bytes = Buffer.alloc(3 * FileChunks.CHUNK_SIZE + 1234)
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 12)) & 0xff
        const source = Path.join(dir, "rollout.jsonl")
        fs.writeFileSync(source, bytes)
        const sink = yield* PackageWriter.open(outFor(dir, format), { format })
        const seen: Array<Buffer> = []
        let pending = 0
        let overlapped = false
        const file = yield* sink.addFile({
          path: "sessions/rollout.jsonl",
          size: bytes.length,
          source,
          observe: (chunk) => {
            if (pending > 0) overlapped = true
            seen.push(Buffer.from(chunk))
            pending++
            return new Promise<void>((resolve) => setTimeout(() => {
              pending--
              resolve()
            }, 5))
          }
        })
        yield* sink.commit
        assert.isTrue(Buffer.concat(seen).equals(bytes))
        assert.isAbove(seen.length, 1)
        assert.isFalse(overlapped, "the next chunk waits for the promise")
        assert.strictEqual(file.sha256, sha256(bytes))
      }))

    it.scoped(`${format}: a failing observer fails the file; nothing is committed`, () =>
      Effect.gen(function*() {
        const dir = tempDir()
        const source = Path.join(dir, "rollout.jsonl")
        fs.writeFileSync(source, "line\n")
        const out = outFor(dir, format)
        const error = yield* Effect.scoped(Effect.gen(function*() {
          const sink = yield* PackageWriter.open(out, { format })
          yield* sink.addFiles([{
            path: "sessions/rollout.jsonl",
            size: 5,
            source,
            observe: () => Promise.reject(new Error("scanner broke"))
          }])
          return yield* sink.commit
        })).pipe(Effect.flip)
        assert.strictEqual(error.reason, "io")
        assert.include(error.message, "scanner broke")
        assert.deepStrictEqual(fs.readdirSync(dir), ["rollout.jsonl"])
      }))
  }
})
