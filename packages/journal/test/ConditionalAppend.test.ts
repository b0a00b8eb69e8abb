// Journal.appendFiles with `expectSize`: an append that depends on what its target held when the
// caller read it is made only onto exactly those bytes, checked under the write; and the failed
// transaction is rolled back before the failure goes on, saying so (Aborted).
import { afterAll, assert, describe, it } from "@effect/vitest"
import { removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Cause, Effect, Exit, FiberRef, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Aborted, Journal, JournalError } from "../src/index.js"
import { makeHome, snapshot } from "./home.js"

afterAll(removeTemps)

const setup = () => {
  const home = makeHome()
  const target = path.join(home, "sessions", "live.jsonl")
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.writeFileSync(target, "{\"a\":1}\n{\"b\":2}\n")
  return { home, target, journal: Journal.make({ codexHome: home, busyTimeoutMs: 200 }) }
}

/** the content of an append that runs `meanwhile` once it is being staged: another writer at work */
const contentWith = (meanwhile: () => void) =>
  Stream.fromIterable(["{\"incoming\":1}\n", "{\"incoming\":2}\n"]).pipe(
    Stream.tap((chunk) => Effect.sync(() => chunk.includes("2") && meanwhile())),
    Stream.map((text) => Buffer.from(text, "utf8"))
  )

/** runs one transaction appending to `target`: how it ended, and what it left behind */
const appendOnce = (journal: Journal.JournalShape, target: string, expectSize: number, meanwhile: () => void) =>
  Effect.zip(
    Effect.exit(journal.transaction({ kind: "sync" }, (tx) =>
      tx.appendFiles([{ path: target, content: contentWith(meanwhile), expectSize }]))),
    FiberRef.get(Aborted.current)
  )

const changedUnder = ([exit, aborted]: readonly [Exit.Exit<unknown, unknown>, Option.Option<Aborted.Aborted>]) => {
  assert.isTrue(Exit.isFailure(exit), "the append is refused")
  const error = Option.getOrThrow(Cause.failureOption((exit as Exit.Failure<unknown, unknown>).cause))
  assert.instanceOf(error, JournalError.JournalError)
  assert.strictEqual((error as JournalError.JournalError).reason, "changed_under")
  assert.isTrue(Option.getOrThrow(aborted).rolledBack, "rolled back before the failure went on")
  return error as JournalError.JournalError
}

describe("appendFiles with expectSize", () => {
  it.effect("a target of the size read is appended to", () =>
    Effect.gen(function*() {
      const { journal, target } = setup()
      const size = fs.statSync(target).size
      const [exit, aborted] = yield* appendOnce(journal, target, size, () => {})
      assert.isTrue(Exit.isSuccess(exit))
      assert.isTrue(Option.isNone(aborted))
      assert.strictEqual(fs.readFileSync(target, "utf8"), "{\"a\":1}\n{\"b\":2}\n{\"incoming\":1}\n{\"incoming\":2}\n")
    }))

  it.effect("a target that grew before the call: refused, nothing written", () =>
    Effect.gen(function*() {
      const { home, journal, target } = setup()
      const size = fs.statSync(target).size
      fs.appendFileSync(target, "{\"local\":1}\n")
      const before = snapshot(home)
      const error = changedUnder(yield* appendOnce(journal, target, size, () => {}))
      assert.include(error.message, "changed while sessionport was working on it")
      assert.deepStrictEqual(snapshot(home), before)
    }))

  it.effect("another writer appending while the content is staged: refused under the write, its lines kept, none of ours", () =>
    Effect.gen(function*() {
      const { journal, target } = setup()
      const original = fs.readFileSync(target, "utf8")
      const exit = yield* appendOnce(journal, target, original.length, () => fs.appendFileSync(target, "{\"local\":1}\n"))
      changedUnder(exit)
      // not prefix + local + incoming: the local line stays, the incoming records never arrive
      assert.strictEqual(fs.readFileSync(target, "utf8"), `${original}{"local":1}\n`)
      // and the journal is clean: the next transaction goes ahead, nothing left to recover
      assert.deepStrictEqual(yield* journal.recover(), { recovered: [] })
      assert.strictEqual((yield* journal.list)[0]!.status, "failed")
    }))

  it.effect("another writer rewriting the same bytes' length while the content is staged: refused by the prefix hash", () =>
    Effect.gen(function*() {
      const { journal, target } = setup()
      const original = fs.readFileSync(target, "utf8")
      const exit = yield* appendOnce(journal, target, original.length, () => fs.writeFileSync(target, original.replace("1", "9")))
      changedUnder(exit)
      assert.strictEqual(fs.readFileSync(target, "utf8"), original.replace("1", "9"))
    }))
})
