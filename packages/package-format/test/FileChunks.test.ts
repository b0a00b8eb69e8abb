import { assert, describe, it } from "@effect/vitest"
import { FileChunks } from "@sessionport/package-format"
import { withTmp } from "@sessionport/codex-oracle/PackageBuilders"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"

const bytesOf = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 251))
const openFds = () => fs.readdirSync("/proc/self/fd").length

describe("FileChunks", () => {
  it.effect("read: the file in chunks of their own (at most 1 MiB, sized to the file), afresh on each iteration", () =>
    withTmp((dir) =>
      Effect.sync(() => {
        const file = Path.join(dir, "f.bin")
        const content = bytesOf(2 * FileChunks.CHUNK_SIZE + 12345)
        fs.writeFileSync(file, content)
        const chunks = FileChunks.read(file)
        for (let pass = 0; pass < 2; pass++) {
          const got = Array.from(chunks)
          assert.deepStrictEqual(got.map((c) => c.length), [FileChunks.CHUNK_SIZE, FileChunks.CHUNK_SIZE, 12345])
          // kept chunks stay intact: nothing is reused
          assert.isTrue(Buffer.concat(got).equals(content))
          assert.strictEqual(new Set(got.map((c) => c.buffer)).size, 3)
        }
        fs.writeFileSync(file, "")
        assert.deepStrictEqual(Array.from(chunks), [])
        assert.throws(() => Array.from(FileChunks.read(Path.join(dir, "missing"))), /ENOENT/)
      })
    ))

  it.effect("read into a given buffer: every chunk a view of it; a file grown since it was opened is read to its end", () =>
    withTmp((dir) =>
      Effect.sync(() => {
        const file = Path.join(dir, "f.bin")
        const content = bytesOf(100_000)
        fs.writeFileSync(file, content)
        const buffer = new Uint8Array(4096)
        const seen: Array<Buffer> = []
        for (const chunk of FileChunks.read(file, { buffer })) {
          assert.strictEqual(chunk.buffer, buffer.buffer)
          seen.push(Buffer.from(chunk))
        }
        assert.isTrue(Buffer.concat(seen).equals(content))
        const grown: Array<Buffer> = []
        const iterator = FileChunks.open(file)
        grown.push(Buffer.from(iterator.next().value!))
        fs.appendFileSync(file, "more")
        for (let r = iterator.next(); r.done !== true; r = iterator.next()) grown.push(Buffer.from(r.value))
        assert.strictEqual(Buffer.concat(grown).toString("latin1"), Buffer.concat([content, Buffer.from("more")]).toString("latin1"))
      })
    ))

  it.effect("length: the file's first bytes only (a grown file gives its prefix, a shrunk one less), with or without a buffer", () =>
    withTmp((dir) =>
      Effect.sync(() => {
        const file = Path.join(dir, "f.bin")
        const content = bytesOf(FileChunks.CHUNK_SIZE + 5000)
        fs.writeFileSync(file, content)
        const read = (length: number, buffer?: Uint8Array) =>
          Buffer.concat(Array.from(FileChunks.read(file, { length, buffer }), (chunk) => Buffer.from(chunk)))
        for (const buffer of [undefined, new Uint8Array(4096)]) {
          // grown since it was listed at 70,000 bytes
          assert.isTrue(read(70_000, buffer).equals(content.subarray(0, 70_000)))
          assert.isTrue(read(FileChunks.CHUNK_SIZE + 1, buffer).equals(content.subarray(0, FileChunks.CHUNK_SIZE + 1)))
          assert.strictEqual(read(0, buffer).length, 0)
          // shrunk: what there is
          assert.isTrue(read(content.length + 100, buffer).equals(content))
        }
        // chunks of their own: sized to what is left of the length, not of the file
        assert.deepStrictEqual(Array.from(FileChunks.read(file, { length: 70_000 }), (c) => c.length), [70_000])
        const before = openFds()
        const iterator = FileChunks.open(file, { length: 10 })
        assert.strictEqual(Buffer.from(iterator.next().value!).toString("latin1"), content.subarray(0, 10).toString("latin1"))
        assert.isTrue(iterator.next().done)
        assert.strictEqual(openFds(), before)
      })
    ))

  it.effect("buffer as a function: each read goes into the buffer it answers, asked for what is left (at most 1 MiB)", () =>
    withTmp((dir) =>
      Effect.sync(() => {
        const file = Path.join(dir, "f.bin")
        const content = bytesOf(2 * FileChunks.CHUNK_SIZE + 300)
        fs.writeFileSync(file, content)
        const asked: Array<number> = []
        const given: Array<Uint8Array> = []
        const buffer = (wanted: number) => {
          asked.push(wanted)
          const slab = new Uint8Array(wanted + 10)
          given.push(slab)
          // a view of exactly what was asked: a full read answers it as it is
          return slab.subarray(5, 5 + wanted)
        }
        const chunks = Array.from(FileChunks.read(file, { buffer, length: FileChunks.CHUNK_SIZE + 300 }))
        assert.deepStrictEqual(asked, [FileChunks.CHUNK_SIZE, 300])
        assert.deepStrictEqual(chunks.map((c) => [c.buffer === given[chunks.indexOf(c)]!.buffer, c.byteOffset, c.length]), [
          [true, 5, FileChunks.CHUNK_SIZE],
          [true, 5, 300]
        ])
        assert.isTrue(Buffer.concat(chunks).equals(content.subarray(0, FileChunks.CHUNK_SIZE + 300)))
        // unbounded: to the end of the file
        assert.isTrue(Buffer.concat(Array.from(FileChunks.read(file, { buffer }))).equals(content))
      })
    ))

  it.effect("open: fails at once for a missing file or, with noFollow, a symlink; closes the file when left early", () =>
    withTmp((dir) =>
      Effect.sync(() => {
        const file = Path.join(dir, "f.bin")
        fs.writeFileSync(file, bytesOf(3 * FileChunks.CHUNK_SIZE))
        fs.symlinkSync(file, Path.join(dir, "link"))
        assert.throws(() => FileChunks.open(Path.join(dir, "missing")), /ENOENT/)
        assert.throws(() => FileChunks.open(Path.join(dir, "link"), { noFollow: true }), /ELOOP/)
        const before = openFds()
        const iterator = FileChunks.open(Path.join(dir, "link"))
        assert.strictEqual(openFds(), before + 1)
        iterator.next()
        for (const _ of iterator) break
        assert.strictEqual(openFds(), before)
        assert.isTrue(iterator.next().done)
      })
    ))
})
