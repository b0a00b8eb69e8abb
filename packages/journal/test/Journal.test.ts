import { afterAll, assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Cause, Effect, Either, Stream } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Journal, JournalError, SqlChange } from "../src/index.js"
import { DB, dumpDatabase, INDEX, install, LEGACY, makeHome, NEW_A, OLD_ROLLOUT, snapshot } from "./home.js"
import { failure } from "./failure.js"

afterAll(removeTemps)

const sha = (text: string | Uint8Array) => createHash("sha256").update(text).digest("hex")

const setup = () => {
  const home = makeHome()
  return { home, at: (rel: string) => path.join(home, rel), journal: Journal.make({ codexHome: home, busyTimeoutMs: 200 }) }
}

describe("createFile", () => {
  it.effect("creates the file and its folders, records size and sha256, sets the mtime; rollback removes both", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const mtime = new Date("2026-01-02T03:04:05Z")
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const written = yield* tx.createFile(at("a/b/c/file.txt"), "hello\n", { mtime })
          assert.deepStrictEqual(written, { path: at("a/b/c/file.txt"), size: 6, sha256: sha("hello\n") })
          return tx.id
        }))
      assert.strictEqual(fs.readFileSync(at("a/b/c/file.txt"), "utf8"), "hello\n")
      assert.strictEqual(fs.statSync(at("a/b/c/file.txt")).mtimeMs, mtime.getTime())
      const record = yield* journal.get(id)
      assert.strictEqual(record.status, "completed")
      const op = record.operations[0]!
      assert.strictEqual(op.kind, "create_file")
      assert.strictEqual(op.state, "done")
      if (op.kind === "create_file") {
        assert.deepStrictEqual(op.created_dirs, [at("a"), at("a/b"), at("a/b/c")])
        assert.strictEqual(op.sha256, sha("hello\n"))
        assert.strictEqual(op.size, 6)
      }
      const report = yield* journal.rollback(id)
      assert.strictEqual(report.status, "rolled_back")
      assert.deepStrictEqual(snapshot(home), before)
      assert.isFalse(fs.existsSync(at("a")))
    }))

  it.effect("a folder it created but someone else filled is kept", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      yield* journal.transaction({ kind: "test" }, (tx) => tx.createFile(at("x/y/file.txt"), "1"))
      fs.writeFileSync(at("x/other.txt"), "not ours")
      yield* journal.rollback("latest")
      assert.isFalse(fs.existsSync(at("x/y")))
      assert.strictEqual(fs.readFileSync(at("x/other.txt"), "utf8"), "not ours")
    }))

  it.effect("refuses an existing target, and the failed transaction leaves nothing behind", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const error = yield* failure(journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.createFile(at("new/one.txt"), "1")
          yield* tx.createFile(at(INDEX), "clobber")
        })))
      assert.strictEqual(error.reason, "target_exists")
      assert.strictEqual(error.message, `${at(INDEX)}: already exists`)
      assert.deepStrictEqual(snapshot(home), before)
      const [info] = yield* journal.list
      assert.strictEqual(info!.status, "failed")
      assert.strictEqual((yield* journal.get(info!.id)).error, error.message)
    }))

  it.effect("streams content without holding it whole; a failing stream aborts with the stream's own error", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      yield* journal.transaction({ kind: "test" }, (tx) =>
        tx.createFile(at("big.bin"), Stream.range(1, 64).pipe(Stream.map(() => new Uint8Array(64 * 1024).fill(7)))))
      assert.strictEqual(fs.statSync(at("big.bin")).size, 64 * 64 * 1024)
      yield* journal.rollback("latest")
      const result = yield* Effect.either(journal.transaction({ kind: "test" }, (tx) =>
        tx.createFile(at("partial.bin"), Stream.concat(Stream.succeed(new Uint8Array(10)), Stream.fail("source broke" as const)))))
      assert.deepStrictEqual(result, Either.left("source broke" as const))
      assert.deepStrictEqual(snapshot(home), before)
      assert.deepStrictEqual(fs.readdirSync(home).filter((name) => name.includes(".tmp-")), [])
    }))

  it.effect("createFile and replaceFile take chunks produced synchronously (Journal.chunks) as well", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const pulled: Array<string> = []
      const lines = (...texts: Array<string>): Iterable<Uint8Array> => ({
        *[Symbol.iterator]() {
          for (const text of texts) {
            pulled.push(text)
            yield new TextEncoder().encode(text)
          }
        }
      })
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* tx.createFile(at("new/c.txt"), Journal.chunks(lines("a\n", "b\n"))), {
            path: at("new/c.txt"),
            size: 4,
            sha256: sha("a\nb\n")
          })
          yield* tx.replaceFile(at(INDEX), Journal.chunks(lines("replaced\n")))
        }))
      assert.deepStrictEqual(pulled, ["a\n", "b\n", "replaced\n"])
      assert.strictEqual(fs.readFileSync(at("new/c.txt"), "utf8"), "a\nb\n")
      assert.strictEqual(fs.readFileSync(at(INDEX), "utf8"), "replaced\n")
      yield* journal.rollback("latest")
      assert.deepStrictEqual(snapshot(home), before)
      const broken = Journal.chunks(lines("x"), (thrown): thrown is "broken" => thrown === "broken")
      const failing: Journal.Chunks<"broken"> = {
        ...broken,
        chunks: {
          *[Symbol.iterator]() {
            yield* broken.chunks
            throw "broken"
          }
        }
      }
      const result = yield* Effect.either(journal.transaction({ kind: "test" }, (tx) => tx.createFile(at("new/d.txt"), failing)))
      assert.deepStrictEqual(result, Either.left("broken" as const))
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("paths: absolute only, inside the Codex home, never the journal", () =>
    Effect.gen(function*() {
      const { home, journal } = setup()
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* failure(tx.createFile("relative.txt", "x"))).reason, "invalid")
          assert.strictEqual((yield* failure(tx.createFile(path.join(os.tmpdir(), "outside.txt"), "x"))).reason, "outside_roots")
          assert.strictEqual((yield* failure(tx.createFile(path.join(home, "../escape.txt"), "x"))).reason, "outside_roots")
          assert.strictEqual((yield* failure(tx.createFile(path.join(journal.dir, "x.txt"), "x"))).reason, "invalid")
        }))
      fs.symlinkSync(os.tmpdir(), path.join(home, "link"))
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* failure(tx.createFile(path.join(home, "link", "escape.txt"), "x"))).reason, "outside_roots")
        }))
    }))
})

/** Chunks made by `produce`, pulled lazily; `closed` runs however the iteration ends (done, thrown, left). */
const watched = (produce: () => Generator<Uint8Array>, closed: () => void): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    try {
      yield* produce()
    } finally {
      closed()
    }
  }
})

describe("createFiles", () => {
  const bytes = (text: string) => new TextEncoder().encode(text)
  const tempsIn = (dir: string): Array<string> =>
    fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.includes(".sessionport-"))

  it.effect("one operation, three records: every file in place with its mtime and mode, contents run in order; rollback removes them and the folders", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const mtime = new Date("2026-01-02T03:04:05Z")
      const order: Array<string> = []
      const files = [
        { path: at("batch/a/one.jsonl"), content: "one\n", mtime },
        { path: at("batch/b/two.jsonl"), content: bytes("two\n"), mode: 0o600 },
        {
          path: at("batch/a/three.jsonl"),
          content: Stream.fromIterable(["th", "r", "ee\n"]).pipe(
            Stream.tap((chunk) => Effect.sync(() => order.push(`chunk ${chunk}`))),
            Stream.map(bytes)
          )
        },
        { path: at("sessions/2026/11/20/four.jsonl"), content: Stream.empty }
      ]
      const sawWritten: Array<string> = []
      const { id, written } = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const written = yield* tx.createFiles(files, {
            onWritten: (w, i) =>
              Effect.sync(() => {
                order.push(`written ${i}`)
                sawWritten.push(w.path)
              })
          })
          return { id: tx.id, written }
        }))
      assert.deepStrictEqual(written, [
        { path: at("batch/a/one.jsonl"), size: 4, sha256: sha("one\n") },
        { path: at("batch/b/two.jsonl"), size: 4, sha256: sha("two\n") },
        { path: at("batch/a/three.jsonl"), size: 6, sha256: sha("three\n") },
        { path: at("sessions/2026/11/20/four.jsonl"), size: 0, sha256: sha("") }
      ])
      assert.deepStrictEqual(order, ["written 0", "written 1", "chunk th", "chunk r", "chunk ee\n", "written 2", "written 3"])
      assert.deepStrictEqual(sawWritten, written.map((w) => w.path))
      assert.strictEqual(fs.readFileSync(at("batch/a/three.jsonl"), "utf8"), "three\n")
      assert.strictEqual(fs.statSync(at("batch/a/one.jsonl")).mtimeMs, mtime.getTime())
      assert.strictEqual(fs.statSync(at("batch/b/two.jsonl")).mode & 0o777, 0o600)
      assert.strictEqual(fs.statSync(at("sessions/2026/11/20/four.jsonl")).size, 0)
      assert.deepStrictEqual(tempsIn(home), [])
      const record = yield* journal.get(id)
      assert.strictEqual(record.operations.length, 1)
      const op = record.operations[0]!
      assert.strictEqual(op.kind, "create_files")
      assert.strictEqual(op.state, "done")
      if (op.kind === "create_files") {
        assert.deepStrictEqual(op.created_dirs, [at("batch"), at("batch/a"), at("batch/b")])
        assert.deepStrictEqual(op.files, [
          { path: at("batch/a/one.jsonl"), mtime_ms: mtime.getTime(), size: 4, sha256: sha("one\n") },
          { path: at("batch/b/two.jsonl"), size: 4, sha256: sha("two\n") },
          { path: at("batch/a/three.jsonl"), size: 6, sha256: sha("three\n") },
          { path: at("sessions/2026/11/20/four.jsonl"), size: 0, sha256: sha("") }
        ])
      }
      assert.strictEqual(((yield* journal.list)[0] as Journal.TransactionInfo).operations.create_files, 1)
      const dry = yield* journal.rollback(id, { dryRun: true })
      assert.deepStrictEqual(dry.steps.map((step) => [step.kind, step.target, step.state, step.action]), [
        ["create_files", home, "after", "delete 4 of the 4 file(s); remove 3 created folder(s) if empty"]
      ])
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("refuses, taking no step, a batch with an existing target, a path twice, a relative path or one outside the home", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const attempt = (paths: ReadonlyArray<string>) => failure(tx.createFiles(paths.map((path) => ({ path, content: "x" }))))
          const exists = yield* attempt([at("new/a.txt"), at(OLD_ROLLOUT)])
          assert.strictEqual(exists.reason, "target_exists")
          assert.strictEqual(exists.path, at(OLD_ROLLOUT))
          // a folder is no place for a file either
          assert.strictEqual((yield* attempt([at("sessions/2026/11/empty")])).reason, "target_exists")
          const twice = yield* attempt([at("new/a.txt"), at("new/b.txt"), at("new/a.txt")])
          assert.strictEqual(twice.reason, "invalid")
          assert.include(twice.message, "is twice in the batch")
          assert.strictEqual((yield* attempt([at("new/a"), at("new/a/b.txt")])).reason, "invalid")
          assert.strictEqual((yield* attempt([at("new/a.txt"), "relative.txt"])).reason, "invalid")
          assert.strictEqual((yield* attempt([at("new/a.txt"), path.join(os.tmpdir(), "outside.txt")])).reason, "outside_roots")
          assert.strictEqual((yield* attempt([path.join(journal.dir, "x.txt")])).reason, "invalid")
          assert.strictEqual((yield* attempt([at(`${INDEX}/under-a-file.txt`)])).reason, "not_a_file")
          assert.deepStrictEqual(yield* tx.createFiles([]), [])
        }))
      assert.deepStrictEqual((yield* journal.get("latest")).operations, [])
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("a content failing part-way: its own error comes out; no file, temp or folder is left", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const result = yield* Effect.either(journal.transaction({ kind: "test" }, (tx) =>
        tx.createFiles([
          { path: at("new/deep/a.txt"), content: "a" },
          { path: at("new/deep/b.txt"), content: Stream.concat(Stream.succeed(new Uint8Array(100_000)), Stream.fail("source broke" as const)) },
          { path: at("new/deep/c.txt"), content: "c" }
        ])))
      assert.deepStrictEqual(result, Either.left("source broke" as const))
      assert.deepStrictEqual(snapshot(home), before)
      assert.deepStrictEqual(tempsIn(home), [])
      assert.strictEqual((yield* journal.list)[0]!.status, "failed")
    }))

  it.effect("chunks content (Journal.chunks) is pulled when its turn comes, after the previous file's onWritten, each chunk written as it comes", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const order: Array<string> = []
      const chunks = (name: string, texts: ReadonlyArray<string>) =>
        watched(function*() {
          order.push(`open ${name}`)
          for (const text of texts) {
            order.push(`chunk ${text.trim()}`)
            yield bytes(text)
          }
        }, () => order.push(`close ${name}`))
      // far more than the bytes allowed in flight: the pulls wait for the writes
      const big = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(2, "0")}${"x".repeat(2 * 1024 * 1024)}\n`)
      const written = yield* journal.transaction({ kind: "test" }, (tx) =>
        tx.createFiles([
          { path: at("chunks/a.txt"), content: Journal.chunks(chunks("a", ["a1\n", "a2\n"])) },
          { path: at("chunks/empty.txt"), content: Journal.chunks([]) },
          { path: at("chunks/big.txt"), content: Journal.chunks(big.map(bytes)) },
          { path: at("chunks/b.txt"), content: Journal.chunks(chunks("b", ["b1\n"])), mtime: new Date(0) }
        ], { onWritten: (_, i) => Effect.sync(() => order.push(`written ${i}`)) }))
      assert.deepStrictEqual(order, [
        "open a",
        "chunk a1",
        "chunk a2",
        "close a",
        "written 0",
        "written 1",
        "written 2",
        "open b",
        "chunk b1",
        "close b",
        "written 3"
      ])
      assert.deepStrictEqual(written.map((w) => w.size), [6, 0, big.join("").length, 3])
      assert.strictEqual(written[2]!.sha256, sha(big.join("")))
      assert.strictEqual(fs.readFileSync(at("chunks/a.txt"), "utf8"), "a1\na2\n")
      assert.strictEqual(fs.statSync(at("chunks/big.txt")).size, big.join("").length)
      assert.strictEqual(fs.statSync(at("chunks/b.txt")).mtimeMs, 0)
      yield* journal.rollback("latest")
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("chunks content failing part-way: what isFailure accepts comes out as it is, anything else is a defect; the iteration is closed, nothing is left", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      let closed = 0
      const breaking = (thrown: unknown) =>
        watched(function*() {
          yield new Uint8Array(100_000)
          throw thrown
        }, () => closed++)
      const isBroke = (thrown: unknown): thrown is "source broke" => thrown === "source broke"
      const batch = (content: Journal.Content<"source broke">) =>
        journal.transaction({ kind: "test" }, (tx) =>
          tx.createFiles([
            { path: at("new/deep/a.txt"), content: "a" },
            { path: at("new/deep/b.txt"), content },
            { path: at("new/deep/c.txt"), content: "c" }
          ]))
      assert.deepStrictEqual(yield* Effect.either(batch(Journal.chunks(breaking("source broke"), isBroke))), Either.left("source broke" as const))
      const defect = yield* Effect.exit(batch(Journal.chunks(breaking(new Error("a bug")), isBroke)))
      assert.isTrue(defect._tag === "Failure" && Cause.isDie(defect.cause))
      // without isFailure, whatever it throws is a defect
      const untyped = yield* Effect.exit(batch(Journal.chunks(breaking("source broke"))))
      assert.isTrue(untyped._tag === "Failure" && Cause.isDie(untyped.cause))
      assert.strictEqual(closed, 3)
      assert.deepStrictEqual(snapshot(home), before)
      assert.deepStrictEqual(tempsIn(home), [])
    }))

  it.live("chunks content of a batch interrupted is closed, never pulled again; nothing is left", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      let pulls = 0
      let closed = false
      const endless = watched(function*() {
        for (;;) {
          pulls++
          yield new Uint8Array(1024)
        }
      }, () => (closed = true))
      const files = [{ path: at("new/a.txt"), content: "a" }, { path: at("new/endless.txt"), content: Journal.chunks(endless) }]
      const interrupted = yield* Effect.exit(Effect.timeout(journal.transaction({ kind: "test" }, (tx) => tx.createFiles(files)), "200 millis"))
      assert.strictEqual(interrupted._tag, "Failure")
      assert.isTrue(closed)
      const after = pulls
      yield* Effect.sleep("20 millis")
      assert.strictEqual(pulls, after, "never pulled again")
      assert.deepStrictEqual([snapshot(home), tempsIn(home)], [before, []])
    }))

  it.effect("rollback is all or nothing: one file changed refuses it, naming the file, and deletes none; force deletes them all", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const files = Array.from({ length: 30 }, (_, i) => ({ path: at(`sessions/2026/12/0${1 + (i % 3)}/r-${i}.jsonl`), content: `{"n":${i}}\n` }))
      const id = yield* journal.transaction({ kind: "test" }, (tx) => Effect.as(tx.createFiles(files), tx.id))
      fs.appendFileSync(files[17]!.path, "{\"continued\":true}\n")
      fs.writeFileSync(files[23]!.path, "{\"n\":99}\n")
      const changed = snapshot(home)
      const error = yield* failure(journal.rollback(id))
      assert.strictEqual(error.reason, "changed_since")
      assert.strictEqual(
        error.message,
        `cannot roll back ${id}: ${files[17]!.path} changed since the transaction created it (sha256 differs) (and 1 more file(s) of the batch); nothing was undone (use --force to undo anyway)`
      )
      assert.deepStrictEqual(snapshot(home), changed)
      const forced = yield* journal.rollback(id, { force: true })
      assert.strictEqual(forced.steps[0]!.state, "changed")
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("a file of the batch replaced later in the same transaction: the rollback restores, then deletes it", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.createFiles([{ path: at("x/a.txt"), content: "a" }, { path: at("x/b.txt"), content: "b" }])
          yield* tx.replaceFile(at("x/b.txt"), "b, again")
          yield* tx.appendText(at("x/a.txt"), "+")
        }))
      assert.strictEqual(fs.readFileSync(at("x/a.txt"), "utf8"), "a+")
      const dry = yield* journal.rollback("latest", { dryRun: true })
      assert.deepStrictEqual(dry.steps.map((step) => step.state), ["after", "after", "chained"])
      assert.strictEqual(
        dry.steps[2]!.action,
        "nothing to delete; 2 file(s) checked when the later operations on them are undone; remove 1 created folder(s) if empty"
      )
      const report = yield* journal.rollback("latest")
      assert.deepStrictEqual(report.steps.map((step) => step.state), ["after", "after", "after"])
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("a file that appeared at a target while the batch was written (not by the batch) is left by the rollback", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const result = yield* Effect.either(journal.transaction({ kind: "test" }, (tx) =>
        tx.createFiles([
          { path: at("y/a.txt"), content: "a" },
          { path: at("y/b.txt"), content: Stream.fromEffect(Effect.sync(() => (fs.writeFileSync(at("y/a.txt"), "Codex's"), bytes("b")))) }
        ])))
      assert.isTrue(Either.isLeft(result))
      const error = (result as Either.Left<JournalError.JournalError, unknown>).left
      assert.strictEqual(error.reason, "target_exists")
      assert.strictEqual(error.message, `${at("y/a.txt")}: appeared while the batch was written`)
      assert.strictEqual(fs.readFileSync(at("y/a.txt"), "utf8"), "Codex's")
      assert.deepStrictEqual(tempsIn(home), [])
    }))
})

describe("replaceFile", () => {
  it.effect("backs up the old file (with its sha256) and rollback restores its bytes, mode and mtime", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      fs.chmodSync(at(OLD_ROLLOUT), 0o640)
      const before = snapshot(home)
      const old = fs.readFileSync(at(OLD_ROLLOUT))
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.as(tx.replaceFile(at(OLD_ROLLOUT), "new content\n", { mtime: new Date("2027-01-01T00:00:00Z") }), tx.id))
      assert.strictEqual(fs.readFileSync(at(OLD_ROLLOUT), "utf8"), "new content\n")
      assert.strictEqual(fs.statSync(at(OLD_ROLLOUT)).mode & 0o777, 0o640)
      const record = yield* journal.get(id)
      assert.strictEqual(record.backups.length, 1)
      const backup = record.backups[0]!
      assert.strictEqual(backup.sha256, sha(old))
      assert.strictEqual(backup.of, at(OLD_ROLLOUT))
      assert.deepStrictEqual(fs.readFileSync(path.join(journal.dir, id, backup.file)), old)
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
      // a finished rollback has no use for its backups
      assert.isFalse(fs.existsSync(path.join(journal.dir, id, "backups")))
    }))

  it.effect("refuses a missing file or a folder", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* failure(tx.replaceFile(at("missing.txt"), "x"))).reason, "target_missing")
          assert.strictEqual((yield* failure(tx.replaceFile(at("sessions"), "x"))).reason, "not_a_file")
        }))
    }))
})

describe("appendText", () => {
  it.effect("records the old size and the appended bytes; rollback truncates and restores the mtime", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const oldSize = fs.statSync(at(INDEX)).size
      const id = yield* journal.transaction({ kind: "test" }, (tx) => Effect.as(tx.appendText(at(INDEX), "{\"id\":\"x\"}\n"), tx.id))
      const op = (yield* journal.get(id)).operations[0]!
      assert.strictEqual(op.kind, "append_text")
      if (op.kind === "append_text") {
        assert.strictEqual(op.old_size, oldSize)
        assert.isTrue(op.existed)
        assert.strictEqual(op.sha256, sha("{\"id\":\"x\"}\n"))
      }
      assert.isTrue(fs.readFileSync(at(INDEX), "utf8").endsWith("{\"id\":\"x\"}\n"))
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("a file it created (with folders) is deleted by the rollback", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.appendText(at("logs/deep/new.jsonl"), "one\n")
          yield* tx.appendText(at("logs/deep/new.jsonl"), "two\n")
          return tx.id
        }))
      assert.strictEqual(fs.readFileSync(at("logs/deep/new.jsonl"), "utf8"), "one\ntwo\n")
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("later lines (Codex renamed a thread) make the rollback refuse; force truncates to the old size", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) => Effect.as(tx.appendText(at(INDEX), "{\"id\":\"x\"}\n"), tx.id))
      fs.appendFileSync(at(INDEX), "{\"id\":\"x\",\"thread_name\":\"renamed\"}\n")
      const changed = snapshot(home)
      const error = yield* failure(journal.rollback(id))
      assert.strictEqual(error.reason, "changed_since")
      assert.strictEqual(
        error.message,
        `cannot roll back ${id}: ${at(INDEX)} grew since the transaction appended to it; nothing was undone (use --force to undo anyway)`
      )
      assert.deepStrictEqual(snapshot(home), changed)
      assert.strictEqual((yield* journal.get(id)).status, "completed")
      yield* journal.rollback(id, { force: true })
      assert.deepStrictEqual(snapshot(home), before)
    }))
  it.effect("appendTexts: several files in one step (two journal writes); rollback undoes each", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const written = yield* tx.appendTexts([
            { path: at(INDEX), text: "{\"id\":\"x\"}\n" },
            { path: at("logs/batch/new.jsonl"), text: "one\n" }
          ])
          assert.deepStrictEqual(written.map((w) => w.size), [11, 4])
          return tx.id
        }))
      const record = yield* journal.get(id)
      assert.deepStrictEqual(record.operations.map((op) => [op.kind, op.state]), [["append_text", "done"], ["append_text", "done"]])
      assert.strictEqual(fs.readFileSync(at("logs/batch/new.jsonl"), "utf8"), "one\n")
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("appendFiles: streamed content staged in the transaction, appended, kept out of the record; rollback undoes each", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const big = "x".repeat(3 * 1024 * 1024) + "\n"
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const written = yield* tx.appendFiles([
            { path: at(INDEX), content: Stream.make(Buffer.from("{\"id\":\"y\"}\n")) },
            { path: at("logs/files/new.jsonl"), content: big }
          ])
          assert.deepStrictEqual(written.map((w) => w.size), [11, big.length])
          assert.strictEqual(written[1]!.sha256, sha(big))
          return tx.id
        }))
      const record = yield* journal.get(id)
      assert.deepStrictEqual(record.operations.map((op) => op.kind === "append_text" ? op.text : "?"), [undefined, undefined], "no text in the record")
      assert.isFalse(fs.existsSync(path.join(home, "sessionport", "journal", id, "appends", "1")), "staged bytes removed once done")
      assert.strictEqual(fs.statSync(at("logs/files/new.jsonl")).size, big.length)
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("appendTexts refuses a file named twice, taking no step", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const error = yield* failure(journal.transaction({ kind: "test" }, (tx) =>
        tx.appendTexts([{ path: at(INDEX), text: "a\n" }, { path: at(INDEX), text: "b\n" }])))
      assert.strictEqual(error.reason, "invalid")
      assert.deepStrictEqual(snapshot(home), before)
    }))
})

describe("sql", () => {
  const rows = (home: string) => dumpDatabase(path.join(home, DB))
  it.effect("an update that wrote the values the row already had rolls back as nothing to undo", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      const db = openDatabase(at(DB), { readonly: true })
      const current = db.prepare("SELECT title FROM threads WHERE id = ?").get("0199a000-0000-7000-8000-000000000001") as { title: string }
      db.close()
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.as(tx.updateRows(at(DB), "threads", { id: "0199a000-0000-7000-8000-000000000001" }, { title: current.title }), tx.id))
      const report = yield* journal.rollback(id)
      assert.deepStrictEqual(report.steps.map((step) => step.action.startsWith("undo")), [false])
      assert.deepStrictEqual(rows(home), before)
    }))


  it.effect("insert, update and delete in one SQLite transaction; rollback restores every typed value", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const changed = yield* tx.sql(at(DB), [
            SqlChange.insertRows("threads", [
              { id: "t-new", rollout_path: "/r", created_at: 1, updated_at: 2, title: "new", score: 0.1, tokens_used: 2n ** 62n }
            ], ["id"], { digest: false }),
            SqlChange.updateRows("threads", { id: "0199a000-0000-7000-8000-000000000001" }, { title: "renamed", score: 3 }),
            SqlChange.deleteRows("thread_dynamic_tools", [{ thread_id: "0199a000-0000-7000-8000-000000000002" }])
          ])
          assert.strictEqual(changed, 3)
          return tx.id
        }))
      const db = openDatabase(at(DB), { readonly: true })
      assert.deepStrictEqual(db.prepare("SELECT title, score, typeof(score) AS t FROM threads WHERE id = ?").get("0199a000-0000-7000-8000-000000000001"), {
        title: "renamed",
        score: 3,
        t: "real"
      })
      assert.strictEqual(db.prepare("SELECT count(*) AS n FROM thread_dynamic_tools").get().n, 0)
      db.close()
      const op = (yield* journal.get(id)).operations[0]!
      assert.strictEqual(op.kind, "sql")
      if (op.kind === "sql") {
        const update = op.changes[1]!
        assert.strictEqual(update.kind, "update")
        if (update.kind === "update") {
          assert.deepStrictEqual(update.key, { id: "0199a000-0000-7000-8000-000000000001" })
          assert.deepStrictEqual(update.columns, ["title", "score"])
          assert.deepStrictEqual([update.old["title"], update.old["score"]], ["old one", { $real: "0.5" }])
          assert.deepStrictEqual([update.new["title"], update.new["score"]], ["renamed", { $real: "3" }])
          // whole rows: the untouched columns too
          assert.strictEqual(update.new["updated_at_ms"], 1763632800456)
        }
        const insert = op.changes[0]!
        assert.deepStrictEqual(insert.kind === "insert" && insert.rows[0]!.row!["tokens_used"], { $int: String(2n ** 62n) })
        // filled by the insert triggers, recorded as stored
        assert.deepStrictEqual(insert.kind === "insert" && insert.rows[0]!.row!["created_at_ms"], 1000)
      }
      yield* journal.rollback(id)
      assert.deepStrictEqual(rows(home), before)
    }))

  it.effect("rows that triggers fill in are recorded whole and restored exactly, legacy NULLs included", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          // fires the updated_at trigger (updated_at_ms follows)
          yield* tx.updateRows(at(DB), "threads", { id: "0199a000-0000-7000-8000-000000000002" }, { updated_at: 1800000000 })
          // re-inserting it on rollback fires the insert triggers, which must be undone too
          yield* tx.deleteRows(at(DB), "threads", [{ id: LEGACY }])
          yield* tx.insertRows(at(DB), "threads", [{ id: "n", rollout_path: "/", created_at: 5, updated_at: 6, title: "" }], ["id"])
          return tx.id
        }))
      const db = openDatabase(at(DB), { readonly: true })
      assert.deepStrictEqual(db.prepare("SELECT updated_at_ms FROM threads WHERE id = ?").get("0199a000-0000-7000-8000-000000000002"), {
        updated_at_ms: 1800000000000
      })
      assert.deepStrictEqual(db.prepare("SELECT created_at_ms, updated_at_ms, recency_at_ms FROM threads WHERE id = 'n'").get(), {
        created_at_ms: 5000,
        updated_at_ms: 6000,
        recency_at_ms: 6000
      })
      db.close()
      yield* journal.rollback(id)
      assert.deepStrictEqual(rows(home), before)
    }))

  it.effect("insertRows / updateRows / deleteRows are one step each", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.insertRows(at(DB), "threads", [{ id: "n1", rollout_path: "/1", created_at: 1, updated_at: 1, title: "n1" }], ["id"])
          yield* tx.updateRows(at(DB), "threads", { id: "n1" }, { title: "n1 renamed" })
          yield* tx.deleteRows(at(DB), "threads", [{ id: "0199a000-0000-7000-8000-000000000001" }])
          return tx.id
        }))
      assert.strictEqual(((yield* journal.list)[0] as Journal.TransactionInfo).operations.sql, 3)
      yield* journal.rollback(id)
      assert.deepStrictEqual(rows(home), before)
    }))

  it.effect("insertRows of many rows (several queries' worth, a two-column key) is one step; every row recorded whole, in order", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      const ids = Array.from({ length: 1234 }, (_, i) => `0199d000-0000-7000-8000-${String(i).padStart(12, "0")}`)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const n = yield* tx.sql(at(DB), [
            SqlChange.insertRows("threads", ids.map((id, i) => ({ id, rollout_path: `/r/${i}`, created_at: i, updated_at: i + 1, title: `t${i}` })), ["id"], { digest: false }),
            SqlChange.insertRows("thread_dynamic_tools", ids.flatMap((id) => [0, 1].map((position) => ({ thread_id: id, position, name: `tool ${position}` }))), ["thread_id", "position"], { digest: false })
          ])
          assert.strictEqual(n, 3 * ids.length)
          return tx.id
        }))
      const db = openDatabase(at(DB), { readonly: true })
      assert.strictEqual(db.prepare("SELECT count(*) AS n FROM threads WHERE id LIKE '0199d000-%'").get().n, ids.length)
      assert.deepStrictEqual(db.prepare("SELECT created_at_ms, title FROM threads WHERE id = ?").get(ids[1000]), { created_at_ms: 1000_000, title: "t1000" })
      db.close()
      const op = (yield* journal.get(id)).operations[0]!
      assert.isTrue(op.kind === "sql")
      if (op.kind === "sql") {
        const [threads, tools] = op.changes
        assert.isTrue(threads?.kind === "insert" && tools?.kind === "insert")
        if (threads?.kind === "insert" && tools?.kind === "insert") {
          assert.deepStrictEqual(threads.rows.map((row) => row.key["id"]), ids)
          assert.deepStrictEqual(threads.rows.map((row) => row.row!["id"]), ids)
          // whole rows, as the triggers left them
          assert.strictEqual(threads.rows[7]!.row!["updated_at_ms"], 8000)
          assert.deepStrictEqual(tools.rows[5]!.key, { thread_id: ids[2]!, position: 1 })
          assert.strictEqual(tools.rows[5]!.row!["name"], "tool 1")
        }
      }
      yield* journal.rollback(id)
      assert.deepStrictEqual(rows(home), before)
    }))

  it.effect("insertRows refuses a key given twice in the rows, or one already there among many, changing nothing", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      const row = (id: string) => ({ id, rollout_path: "/", created_at: 1, updated_at: 1, title: "" })
      const many = Array.from({ length: 700 }, (_, i) => row(`0199e000-0000-7000-8000-${String(i).padStart(12, "0")}`))
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const twice = yield* failure(tx.insertRows(at(DB), "threads", [...many, many[3]!], ["id"]))
          assert.strictEqual(twice.reason, "target_exists")
          assert.strictEqual(twice.message, `${at(DB)}: threads row id='${many[3]!.id}' already exists`)
          const there = yield* failure(tx.insertRows(at(DB), "threads", [...many, row("0199a000-0000-7000-8000-000000000002")], ["id"]))
          assert.strictEqual(there.reason, "target_exists")
          assert.include(there.message, "0199a000-0000-7000-8000-000000000002")
        }))
      assert.deepStrictEqual(rows(home), before)
    }))

  it.effect("refuses an existing key, a missing row, an ambiguous key and a key change", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const exists = yield* failure(tx.insertRows(at(DB), "threads", [{ id: "0199a000-0000-7000-8000-000000000001", rollout_path: "/", created_at: 1, updated_at: 1, title: "" }], ["id"]))
          assert.strictEqual(exists.reason, "target_exists")
          assert.strictEqual(exists.message, `${at(DB)}: threads row id='0199a000-0000-7000-8000-000000000001' already exists`)
          assert.strictEqual((yield* failure(tx.updateRows(at(DB), "threads", { id: "nope" }, { title: "x" }))).reason, "target_missing")
          assert.strictEqual((yield* failure(tx.updateRows(at(DB), "threads", { archived: 0 }, { title: "x" }))).reason, "invalid")
          assert.strictEqual((yield* failure(tx.updateRows(at(DB), "threads", { id: "0199a000-0000-7000-8000-000000000001" }, { id: "other" }))).reason, "invalid")
        }))
      assert.deepStrictEqual(rows(home), before)
    }))

  // foreign-key cascades and triggers are recorded: SqlSideEffects.test.ts
  it.effect("writes in the read callback are refused", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = rows(home)
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const sneaky = yield* failure(tx.sql(at(DB), (sql) =>
            Effect.as(Effect.orDie(sql.unsafe("UPDATE threads SET title = 'sneaky'")), [] as Array<SqlChange.SqlChange>)))
          assert.strictEqual(sneaky.reason, "unjournaled_write")
          // reads are what the callback is for
          const n = yield* tx.sql(at(DB), (sql) =>
            Effect.map(Effect.orDie(sql.unsafe<{ readonly name: string }>("SELECT name FROM pragma_table_info('threads')")), (columns) => [
              SqlChange.insertRows("threads", [
                Object.fromEntries(columns.map(({ name }) => [name, name === "id" ? "from-callback" : name === "title" || name === "rollout_path" ? "x" : 0]))
              ], ["id"])
            ]))
          assert.strictEqual(n, 1)
        }))
      yield* journal.rollback("latest")
      assert.deepStrictEqual(rows(home), before)
    }))

  it.effect("a database held by another process fails `busy` with a clear message", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const codex = openDatabase(at(DB))
      codex.exec("BEGIN IMMEDIATE")
      try {
        const error = yield* failure(journal.transaction({ kind: "test" }, (tx) =>
          tx.insertRows(at(DB), "threads", [{ id: "n", rollout_path: "/", created_at: 1, updated_at: 1, title: "" }], ["id"])))
        assert.strictEqual(error.reason, "busy")
        assert.strictEqual(error.message, `another program holds ${at(DB)} (is the agent that keeps it running?); quit it and try again`)
      } finally {
        codex.exec("ROLLBACK")
        codex.close()
      }
    }))

  it.effect("a row changed since (Codex updated the thread) makes the rollback refuse, changing nothing; force undoes it", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.createFile(at("sessions/new.jsonl"), "x\n")
          yield* tx.insertRows(at(DB), "threads", [{ id: "n", rollout_path: "/", created_at: 1, updated_at: 1, title: "" }], ["id"])
          return tx.id
        }))
      const codex = openDatabase(at(DB))
      codex.prepare("UPDATE threads SET updated_at = 99 WHERE id = 'n'").run()
      codex.close()
      const changed = snapshot(home)
      const error = yield* failure(journal.rollback(id))
      assert.strictEqual(error.reason, "changed_since")
      assert.include(error.message, "threads row id='n' changed since it was inserted")
      assert.deepStrictEqual(snapshot(home), changed)
      yield* journal.rollback(id, { force: true })
      assert.deepStrictEqual(snapshot(home), before)
    }))
  it.effect("an insert records digests by default, never the row's text; rollback still tells an unchanged row from a changed one", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const title = "t".repeat(4096)
      const insert = (id: string) =>
        journal.transaction({ kind: "test" }, (tx) =>
          Effect.as(
            tx.sql(at(DB), [SqlChange.insertRows("threads", [{ id, rollout_path: "/", created_at: 1, updated_at: 1, title }], ["id"])]),
            tx.id
          ))
      const first = yield* insert("big")
      const op = (yield* journal.get(first)).operations[0]!
      assert.isTrue(op.kind === "sql" && op.changes[0]!.kind === "insert")
      if (op.kind === "sql" && op.changes[0]!.kind === "insert") {
        const recorded = op.changes[0]!.rows[0]!
        assert.isUndefined(recorded.row)
        assert.match(recorded.digest ?? "", /^[0-9a-f]{64}$/)
        // the record does not hold the row's text
        assert.notInclude(fs.readFileSync(path.join(home, "sessionport", "journal", first, "transaction.json"), "utf8"), title)
      }
      yield* journal.rollback(first)
      assert.deepStrictEqual(snapshot(home), before)

      const second = yield* insert("big2")
      const codex = openDatabase(at(DB))
      codex.prepare("UPDATE threads SET title = 'edited' WHERE id = 'big2'").run()
      codex.close()
      const error = yield* failure(journal.rollback(second))
      assert.strictEqual(error.reason, "changed_since")
      assert.include(error.message, "threads row id='big2' changed since it was inserted")
    }))
})

describe("rollback", () => {
  it.effect("refuses when a created file changed since, naming it and changing nothing (other files included); --force overrides", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "install" }, (tx) => Effect.as(install(home)(tx), tx.id))
      fs.appendFileSync(at(NEW_A), "{\"type\":\"event_msg\",\"payload\":\"Codex continued\"}\n")
      const changed = snapshot(home)
      const error = yield* failure(journal.rollback(id))
      assert.strictEqual(error.reason, "changed_since")
      assert.strictEqual(
        error.message,
        `cannot roll back ${id}: ${at(NEW_A)} changed since the transaction created it (sha256 differs); nothing was undone (use --force to undo anyway)`
      )
      assert.deepStrictEqual(snapshot(home), changed)
      assert.strictEqual((yield* journal.get(id)).status, "completed")
      assert.isUndefined((yield* journal.get(id)).rollback)
      const report = yield* journal.rollback(id, { force: true })
      assert.strictEqual(report.status, "rolled_back")
      assert.strictEqual(report.steps.find((step) => step.target === at(NEW_A))!.state, "changed")
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("a transaction cannot be rolled back twice", () =>
    Effect.gen(function*() {
      const { home, journal } = setup()
      const id = yield* journal.transaction({ kind: "install" }, (tx) => Effect.as(install(home)(tx), tx.id))
      yield* journal.rollback(id)
      const error = yield* failure(journal.rollback(id))
      assert.strictEqual(error.reason, "already_rolled_back")
      assert.strictEqual(error.message, `transaction ${id} was already rolled back`)
      // latest is the newest that can still be rolled back: none here
      const none = yield* failure(journal.rollback("latest"))
      assert.strictEqual(none.reason, "not_found")
      assert.include(none.message, "no transaction left to roll back")
    }))

  it.effect("rollback latest after a rollback takes the newest completed transaction", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const first = yield* journal.transaction({ kind: "a" }, (tx) => Effect.as(tx.createFile(at("a.txt"), "a"), tx.id))
      const second = yield* journal.transaction({ kind: "b" }, (tx) => Effect.as(tx.createFile(at("b.txt"), "b"), tx.id))
      assert.strictEqual((yield* journal.rollback("latest")).id, second)
      assert.strictEqual((yield* journal.rollback("latest")).id, first)
    }))

  it.effect("a completed transaction rolled back restores exactly the pre-state", () =>
    Effect.gen(function*() {
      const { home, journal } = setup()
      const before = snapshot(home)
      yield* journal.transaction({ kind: "install" }, (tx) => Effect.as(install(home)(tx), tx.id))
      assert.notDeepEqual(snapshot(home), before)
      const report = yield* journal.rollback("latest")
      assert.deepStrictEqual(report.steps.map((step) => step.seq), [7, 6, 5, 4, 3, 2, 1])
      assert.deepStrictEqual(report.steps.map((step) => step.state), ["after", "after", "after", "after", "after", "after", "after"])
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("latest is the newest by UUIDv7, with several transactions in the same second (and millisecond)", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const ids: Array<string> = []
      const started = Date.now()
      for (let i = 0; i < 5; i++) {
        ids.push(yield* journal.transaction({ kind: `t${i}` }, (tx) => Effect.as(tx.createFile(at(`f${i}.txt`), String(i)), tx.id)))
      }
      assert.isBelow(Date.now() - started, 5000)
      assert.deepStrictEqual([...ids].sort(), ids)
      assert.deepStrictEqual((yield* journal.list).map((info) => info.id), [...ids].reverse())
      assert.strictEqual((yield* journal.rollback("latest")).id, ids[4])
      // latest is now the newest that can still be rolled back
      assert.strictEqual((yield* journal.rollback("latest")).kind, "t3")
      assert.isFalse(fs.existsSync(at("f4.txt")))
      assert.isFalse(fs.existsSync(at("f3.txt")))
      assert.isTrue(fs.existsSync(at("f2.txt")))
      // a failed transaction is not a candidate for latest
      yield* Effect.either(journal.transaction({ kind: "failing" }, (tx) => Effect.zipRight(tx.createFile(at("f9.txt"), "9"), Effect.fail("no"))))
      assert.strictEqual((yield* journal.list)[0]!.status, "failed")
      assert.strictEqual((yield* journal.rollback("latest")).kind, "t2")
    }))

  it.effect("dry run reports what would be undone and changes nothing", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const id = yield* journal.transaction({ kind: "install" }, (tx) => Effect.as(install(home)(tx), tx.id))
      const after = snapshot(home)
      const record = yield* journal.get(id)
      const report = yield* journal.rollback(id, { dryRun: true })
      assert.isTrue(report.dryRun)
      assert.strictEqual(report.status, "completed")
      assert.deepStrictEqual(
        report.steps.map((step) => [step.kind, step.state, step.action]),
        [
          ["replace_file", "after", "restore the backup"],
          ["sql", "after", "undo 3 row change(s)"],
          ["sql", "after", "undo 2 row change(s)"],
          ["append_text", "after", "truncate to 212 bytes"],
          ["create_file", "after", "delete the file; remove 3 created folder(s) if empty"],
          ["create_file", "after", "delete the file"],
          ["create_file", "after", "delete the file; remove 2 created folder(s) if empty"]
        ]
      )
      assert.deepStrictEqual(snapshot(home), after)
      assert.deepStrictEqual(yield* journal.get(id), record)
      fs.writeFileSync(at(OLD_ROLLOUT), "edited\n")
      const refused = yield* failure(journal.rollback(id, { dryRun: true }))
      assert.strictEqual(refused.reason, "changed_since")
      const forced = yield* journal.rollback(id, { dryRun: true, force: true })
      assert.strictEqual(forced.steps[0]!.state, "changed")
    }))

  it.effect("a file changed by a later transaction: the refusal names it", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const first = yield* journal.transaction({ kind: "install" }, (tx) => Effect.as(tx.createFile(at("s.jsonl"), "1\n"), tx.id))
      const second = yield* journal.transaction({ kind: "sync" }, (tx) => Effect.as(tx.replaceFile(at("s.jsonl"), "1\n2\n"), tx.id))
      const error = yield* failure(journal.rollback(first))
      assert.include(error.message, `the later transaction ${second} changed it; roll that back first`)
      yield* journal.rollback(second)
      yield* journal.rollback(first)
      assert.isFalse(fs.existsSync(at("s.jsonl")))
    }))

  it.effect("a prefix of an id works; an unknown id is not found", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      assert.strictEqual((yield* failure(journal.rollback("latest"))).reason, "not_found")
      const id = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("p.txt"), "p"), tx.id))
      assert.strictEqual((yield* journal.get(id.slice(0, 13))).id, id)
      // any length of prefix, as git takes one
      assert.strictEqual((yield* journal.get(id.slice(0, 3))).id, id)
      assert.strictEqual((yield* failure(journal.rollback("0000000"))).reason, "not_found")
      // an ambiguous one is refused with the candidates
      const other = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("q.txt"), "q"), tx.id))
      let common = 0
      while (id[common] === other[common]) common++
      const ambiguous = yield* failure(journal.rollback(id.slice(0, common)))
      assert.strictEqual(ambiguous.reason, "invalid")
      assert.include(ambiguous.message, `${id.slice(0, common)} matches 2 transactions: ${other}, ${id}`)
    }))
})

describe("abort and list", () => {
  it.effect("a failing body rolls back what it did (status failed, error kept) and the error comes out", () =>
    Effect.gen(function*() {
      const { home, journal } = setup()
      const before = snapshot(home)
      const result = yield* Effect.either(journal.transaction({ kind: "install", summary: { n: 1 } }, (tx) =>
        Effect.zipRight(install(home)(tx), Effect.fail({ _tag: "PlanError", message: "disk full" } as const))))
      assert.deepStrictEqual(result, Either.left({ _tag: "PlanError", message: "disk full" } as const))
      assert.deepStrictEqual(snapshot(home), before)
      const [info] = yield* journal.list
      assert.deepStrictEqual(info, {
        id: info!.id,
        createdAt: info!.createdAt,
        kind: "install",
        summary: { n: 1 },
        status: "failed",
        operations: { create_file: 3, create_files: 0, replace_file: 1, append_text: 1, sql: 2, remove_files: 0, total: 7, undone: 7 }
      })
      const record = yield* journal.get(info!.id)
      assert.strictEqual(record.error, "disk full")
      assert.strictEqual(record.rollback?.cause, "abort")
      // the lock is free again
      yield* journal.recover()
    }))

  it.scoped("begin without commit rolls back when the scope closes; a closed transaction refuses more work", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const tx = yield* Effect.scoped(Effect.gen(function*() {
        const tx = yield* journal.begin({ kind: "t" })
        yield* tx.createFile(at("z/z.txt"), "z")
        return tx
      }))
      assert.deepStrictEqual(snapshot(home), before)
      assert.strictEqual((yield* failure(tx.createFile(at("late.txt"), "x"))).reason, "invalid")
      assert.strictEqual((yield* journal.list)[0]!.status, "failed")
    }))
})

describe("transaction.json", () => {
  it.effect("is the record with its state first, fields two spaces in, one line per operation, at every save", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const file = (id: string) => path.join(journal.dir, id, "transaction.json")
      // the documented layout: `status` (and a rollback's progress) right after the id, so that
      // recovery reads a record's head only; operations compact, one per line
      const canonical = (id: string) => {
        const text = fs.readFileSync(file(id), "utf8")
        const { format, id: own, operations, rollback, status, ...rest } = JSON.parse(text)
        const head = { format, id: own, status, ...(rollback === undefined ? {} : { rollback }), ...rest, operations: "@ops@" }
        const ops = operations.length === 0 ? "[]" : `[\n${operations.map((op: unknown) => `    ${JSON.stringify(op)}`).join(",\n")}\n  ]`
        assert.strictEqual(text, `${JSON.stringify(head, null, 2).replace("\"@ops@\"", ops)}\n`)
        assert.match(text, /^\{\n {2}"format": 1,\n {2}"id": "[^"]+",\n {2}"status": /)
      }
      const id = yield* journal.transaction({ kind: "install", summary: { text: "$& $' \"operations\": []" } }, (tx) =>
        Effect.gen(function*() {
          canonical(tx.id)
          yield* install(home)(tx)
          canonical(tx.id)
          yield* tx.createFiles([{ path: at("z/1.txt"), content: "1" }, { path: at("z/2.txt"), content: "2", mtime: new Date(0) }])
          canonical(tx.id)
          return tx.id
        }))
      canonical(id)
      yield* journal.rollback(id)
      canonical(id)
      assert.deepStrictEqual((yield* journal.get(id)).summary, { text: "$& $' \"operations\": []" })
    }))
})

describe("lock", () => {
  const writeLock = (journal: Journal.JournalShape, pid: number, token = "other") => {
    fs.mkdirSync(journal.dir, { recursive: true })
    fs.writeFileSync(
      path.join(journal.dir, ".lock"),
      JSON.stringify({ pid, hostname: os.hostname(), transaction: "01a1fd3d-7610-7ae6-a8e5-dc06c4e07b87", purpose: "transaction", created_at: 0, token })
    )
  }

  it.effect("held by a live process: begin, rollback and recover are refused", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      yield* journal.transaction({ kind: "t" }, (tx) => tx.createFile(at("a.txt"), "a"))
      const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" })
      try {
        writeLock(journal, live.pid!)
        const error = yield* failure(journal.transaction({ kind: "t" }, () => Effect.void))
        assert.strictEqual(error.reason, "locked")
        assert.include(error.message, `another sessionport process holds ${path.join(journal.dir, ".lock")} (pid ${live.pid}, transaction 01a1fd3d-7610-7ae6-a8e5-dc06c4e07b87`)
        assert.strictEqual((yield* failure(journal.recover())).reason, "locked")
        assert.strictEqual((yield* failure(journal.rollback("latest"))).reason, "locked")
      } finally {
        live.kill("SIGKILL")
      }
    }))

  it.effect("stale (its pid is dead, or is ours but from an earlier process): taken over", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const dead = spawnSync(process.execPath, ["-e", ""]).pid!
      writeLock(journal, dead)
      yield* journal.transaction({ kind: "t" }, (tx) => tx.createFile(at("a.txt"), "a"))
      writeLock(journal, process.pid, "left-by-an-earlier-process")
      yield* journal.transaction({ kind: "t" }, (tx) => tx.createFile(at("b.txt"), "b"))
      assert.isFalse(fs.existsSync(path.join(journal.dir, ".lock")))
      assert.deepStrictEqual(fs.readdirSync(journal.dir).filter((name) => name.startsWith(".")), [])
    }))

  it.effect("one transaction at a time within a process too", () =>
    Effect.gen(function*() {
      const { journal } = setup()
      yield* journal.transaction({ kind: "outer" }, () =>
        Effect.gen(function*() {
          const error = yield* failure(journal.transaction({ kind: "inner" }, () => Effect.void))
          assert.strictEqual(error.reason, "locked")
        }))
    }))
})

describe("recover", () => {
  it.effect("without a journal does nothing and creates nothing", () =>
    Effect.gen(function*() {
      const home = tempDir("journal-empty")
      const journal = Journal.make({ codexHome: home })
      assert.deepStrictEqual(yield* journal.recover(), { recovered: [] })
      assert.deepStrictEqual(fs.readdirSync(home), [])
      assert.deepStrictEqual(yield* journal.list, [])
    }))
})

describe("removeFiles", () => {
  const ROLLOUT_TWO = "sessions/2026/11/20/rollout-2026-11-20T11-00-00-0199a000-0000-7000-8000-000000000002.jsonl"

  it.effect("moves the files into the journal, removes the folders left empty (not the top folder); rollback puts back every byte, mode and mtime", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      fs.chmodSync(at(OLD_ROLLOUT), 0o600)
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "cleanup" }, (tx) =>
        Effect.gen(function*() {
          const removed = yield* tx.removeFiles([at(OLD_ROLLOUT), at(ROLLOUT_TWO)])
          assert.deepStrictEqual(removed.map((r) => r.path), [at(OLD_ROLLOUT), at(ROLLOUT_TWO)])
          assert.strictEqual(removed[1]!.sha256, sha("{}\n"))
          return tx.id
        }))
      assert.isFalse(fs.existsSync(at(OLD_ROLLOUT)))
      // the day's folder is empty and goes; its month still holds another folder; `sessions/` stays
      assert.isFalse(fs.existsSync(at("sessions/2026/11/20")))
      assert.isTrue(fs.existsSync(at("sessions/2026/11/empty")))
      assert.strictEqual((yield* journal.get(id)).operations[0]!.kind, "remove_files")
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("the top folders of a root stay when they empty", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      fs.mkdirSync(at("projects/enc"), { recursive: true })
      fs.writeFileSync(at("projects/enc/s.jsonl"), "{}\n")
      yield* journal.transaction({ kind: "cleanup" }, (tx) => tx.removeFiles([at("projects/enc/s.jsonl")]))
      assert.isFalse(fs.existsSync(at("projects/enc")))
      assert.isTrue(fs.existsSync(at("projects")))
    }))

  it.effect("refuses, taking no step, a missing file, a folder, a path given twice, a path outside the roots", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      for (const [paths, reason] of [
        [[at(OLD_ROLLOUT), at("nope.jsonl")], "target_missing"],
        [[at("sessions/2026/11/empty")], "not_a_file"],
        [[at(OLD_ROLLOUT), at(OLD_ROLLOUT)], "invalid"],
        [["/etc/hostname"], "outside_roots"]
      ] as const) {
        const error = yield* Effect.flip(journal.transaction({ kind: "cleanup" }, (tx) => tx.removeFiles(paths)))
        assert.strictEqual((error as JournalError.JournalError).reason, reason)
        assert.deepStrictEqual(snapshot(home), before)
      }
    }))

  it.effect("a file made again where one was removed: the rollback refuses and changes nothing", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      yield* journal.transaction({ kind: "cleanup" }, (tx) => tx.removeFiles([at(OLD_ROLLOUT), at(ROLLOUT_TWO)]))
      fs.mkdirSync(path.dirname(at(OLD_ROLLOUT)), { recursive: true })
      fs.writeFileSync(at(OLD_ROLLOUT), "new\n")
      const error = yield* Effect.flip(journal.rollback("latest"))
      assert.strictEqual(error.reason, "changed_since")
      assert.include(error.message, "was created again")
      assert.strictEqual(fs.readFileSync(at(OLD_ROLLOUT), "utf8"), "new\n")
      assert.isFalse(fs.existsSync(at(ROLLOUT_TWO)))
    }))
})

describe("setSummary", () => {
  it.effect("replaces the summary given at begin, durably, before the commit; not an operation: the rollback undoes only the writes", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const id = yield* journal.transaction({ kind: "pull", summary: { sessions: [] } }, (tx) =>
        Effect.gen(function*() {
          yield* tx.createFile(at("pulled/one.txt"), "1")
          yield* tx.setSummary({ sessions: [{ source_id: "a", new_local_id: "b" }] })
          // on disk already: a kill before the commit leaves a record that says what it was doing
          const onDisk = JSON.parse(fs.readFileSync(path.join(tx.dir, "transaction.json"), "utf8"))
          assert.deepStrictEqual(onDisk.summary, { sessions: [{ source_id: "a", new_local_id: "b" }] })
          return tx.id
        }))
      const record = yield* journal.get(id)
      assert.deepStrictEqual(record.summary, { sessions: [{ source_id: "a", new_local_id: "b" }] })
      assert.strictEqual(record.operations.length, 1)
      const [info] = yield* journal.list
      assert.deepStrictEqual((info as Journal.TransactionInfo).summary, { sessions: [{ source_id: "a", new_local_id: "b" }] })
      yield* journal.rollback(id)
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("refuses a summary that is not JSON, and the transaction is rolled back", () =>
    Effect.gen(function*() {
      const { home, at, journal } = setup()
      const before = snapshot(home)
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const error = yield* failure(journal.transaction({ kind: "pull" }, (tx) =>
        Effect.zipRight(tx.createFile(at("pulled/one.txt"), "1"), tx.setSummary(cyclic))))
      assert.strictEqual(error.reason, "invalid")
      assert.deepStrictEqual(snapshot(home), before)
    }))
})
