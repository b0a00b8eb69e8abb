import { assert, describe, it } from "@effect/vitest"
import { AtomicFile } from "@sessionport/package-format"
import { Effect, Fiber, Schedule, Stream } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"
import { snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"

describe("AtomicFile", () => {
  it.effect("writeFile creates and replaces, keeping the old file's permissions; no temp remains", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const target = Path.join(dir, "session_index.jsonl")
        yield* AtomicFile.writeFile(target, "one ✓\n")
        assert.strictEqual(fs.readFileSync(target, "utf8"), "one ✓\n")
        fs.chmodSync(target, 0o600)
        yield* AtomicFile.writeFile(target, new Uint8Array([1, 2, 3]))
        assert.deepStrictEqual([...fs.readFileSync(target)], [1, 2, 3])
        assert.strictEqual(fs.statSync(target).mode & 0o777, 0o600)
        yield* AtomicFile.writeFile(Path.join(dir, "new"), "x", { mode: 0o640 })
        assert.strictEqual(fs.statSync(Path.join(dir, "new")).mode & 0o777, 0o640 & ~process.umask())
        assert.deepStrictEqual(snapshot(dir), ["new", "session_index.jsonl"])
      })
    ))

  it.effect("writeStream writes every chunk in order", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const target = Path.join(dir, "big")
        const pieces = Array.from({ length: 200 }, (_, i) => new Uint8Array(10_000).fill(i))
        yield* AtomicFile.writeStream(target, Stream.fromIterable(pieces))
        assert.isTrue(fs.readFileSync(target).equals(Buffer.concat(pieces)))
      })
    ))

  it.effect("a failing stream leaves the old file untouched and no temp", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const target = Path.join(dir, "threads.jsonl")
        fs.writeFileSync(target, "old\n")
        const error = yield* AtomicFile.writeStream(
          target,
          Stream.concat(Stream.make(new Uint8Array(1024 * 1024)), Stream.fail("source broke" as const))
        ).pipe(Effect.flip)
        assert.strictEqual(error, "source broke")
        assert.strictEqual(fs.readFileSync(target, "utf8"), "old\n")
        assert.deepStrictEqual(snapshot(dir), ["threads.jsonl"])
      })
    ))

  it.live("interruption leaves the old file untouched and no temp", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const target = Path.join(dir, "threads.jsonl")
        fs.writeFileSync(target, "old\n")
        const fiber = yield* AtomicFile.writeStream(target, Stream.repeatValue(new Uint8Array(64 * 1024))).pipe(Effect.fork)
        yield* Effect.sync(() => snapshot(dir).length > 1).pipe(
          Effect.repeat({ until: (started) => started, schedule: Schedule.spaced("5 millis") })
        )
        yield* Fiber.interrupt(fiber)
        assert.strictEqual(fs.readFileSync(target, "utf8"), "old\n")
        assert.deepStrictEqual(snapshot(dir), ["threads.jsonl"])
      })
    ))

  it.effect("a missing folder is an io error and creates nothing", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const error = yield* AtomicFile.writeFile(Path.join(dir, "no", "such", "file"), "x").pipe(Effect.flip)
        assert.strictEqual(error.reason, "io")
        assert.deepStrictEqual(snapshot(dir), [])
      })
    ))
})
