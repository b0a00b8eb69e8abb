import { afterAll, assert, describe, it } from "@effect/vitest"
import { fixtureByRole, fixtureHome, fixtures, fixtureThreads, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { PathRules, type Rewriter } from "@sessionport/localize"
import { Comparison, Fingerprint } from "@sessionport/lineage"
import { Effect, Either } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { chainHead, expectedPrint, installAll, joinLines, plain, promptIndex, raw, terminatedLines } from "./utils/independent.js"

afterAll(removeTemps)

const source = fixtures.source as typeof fixtures.source & { readonly userHome: string }
const ids = (prefix: string) => new Map(fixtureThreads.map((s, i) => [s.threadId, `${prefix}-0000-7000-8000-${String(i + 1).padStart(12, "0")}`]))
const plans: ReadonlyArray<Rewriter.Plan> = [
  {
    idMap: ids("019f0000"),
    timestamps: new Map(fixtureThreads.map((s) => [s.threadId, "2031-02-03T04:05:06.789Z"])),
    pathRules: PathRules.make({
      maps: [{ from: source.alpha, to: "/home/bob/code/alpha" }, { from: source.beta, to: "/home/bob/b e t a" }],
      sourceHome: source.userHome,
      targetHome: "/home/bob",
      targetPlatform: "posix"
    })
  },
  {
    idMap: ids("01a00000"),
    pathRules: PathRules.make({ maps: [{ from: source.root, to: "D:\\ported" }], targetHome: "C:\\Users\\bob", targetPlatform: "windows" })
  }
]

const file = (rel: string) => path.join(fixtureHome, rel)
const print = (bytes: Uint8Array) => Fingerprint.fromBytes(bytes)
/** What two copies of one conversation must share. */
const essence = (p: Fingerprint.SessionPrint) => ({ records: p.records, prints: Buffer.from(p.prints).toString("hex"), head: p.head, rootIndex: p.rootIndex })
const multi = fixtureByRole("multi_turn_tools")
const multiLines = terminatedLines(plain(multi.rollout))
// the first turn ends with its task_complete event (read by hand: the resumed turns follow)
const firstTurn = multiLines.findIndex((l) => JSON.parse(l).payload?.type === "task_complete") + 1

describe("Fingerprint", () => {
  it.effect("every fixture rollout: a print per record (sha256 of its canonical text), chained; its first prompt", () =>
    Effect.gen(function*() {
      for (const session of fixtureThreads) {
        const p = yield* Fingerprint.fromFile(file(session.rollout))
        const text = plain(session.rollout)
        const expected = expectedPrint(text)
        assert.deepStrictEqual(essence(p), {
          records: expected.records,
          prints: Buffer.from(expected.prints).toString("hex"),
          head: expected.head,
          rootIndex: promptIndex(text, session.prompts)
        })
        assert.isAtLeast(p.rootIndex!, 1)
        assert.strictEqual(p.records, terminatedLines(text).length)
        assert.strictEqual(p.compressed, session.compressed)
        assert.strictEqual(p.bytes, session.compressed ? raw(session.rollout).length : text.length)
      }
    }))

  it.effect("an installed copy prints as its source though its bytes differ (new ids, paths, start times, fork offsets)", () =>
    Effect.gen(function*() {
      for (const plan of plans) {
        const installed = yield* installAll(plan)
        for (const session of fixtureThreads) {
          const copy = installed.get(session.threadId)!
          assert.notDeepEqual(copy, plain(session.rollout))
          const [a, b] = [yield* Fingerprint.fromFile(file(session.rollout)), yield* print(copy)]
          assert.deepStrictEqual(essence(b), essence(a), session.threadId)
          assert.strictEqual(b.bytes, copy.length)
          assert.strictEqual(Fingerprint.rootKey(b), Fingerprint.rootKey(a))
          assert.strictEqual(Comparison.compare(a, b).relation, "identical")
        }
      }
    }))

  it.effect("appended records: the earlier print is a prefix of the later one, also when the earlier is an installed copy", () =>
    Effect.gen(function*() {
      assert.isAbove(firstTurn, 10)
      assert.isBelow(firstTurn, multiLines.length)
      const full = yield* Fingerprint.fromFile(file(multi.rollout))
      const turn1 = yield* print(joinLines(multiLines.slice(0, firstTurn)))
      assert.strictEqual(Fingerprint.commonPrefix(turn1, full), firstTurn)
      assert.isTrue(Fingerprint.isPrefix(turn1, full))
      assert.isFalse(Fingerprint.isPrefix(full, turn1))
      assert.isTrue(Fingerprint.isPrefix(full, full))
      assert.deepStrictEqual(Comparison.compare(full, turn1), { relation: "incoming_ahead", common: firstTurn })
      assert.deepStrictEqual(Comparison.compare(turn1, full), { relation: "local_ahead", common: firstTurn })
      assert.strictEqual(Fingerprint.headAt(full, firstTurn), turn1.head)
      const installed = (yield* installAll(plans[0]!)).get(multi.threadId)!
      const installedTurn1 = yield* print(joinLines(terminatedLines(installed).slice(0, firstTurn)))
      assert.deepStrictEqual(Comparison.compare(full, installedTurn1), { relation: "incoming_ahead", common: firstTurn })
    }))

  it.effect("two continuations of one history part at the first record that differs", () =>
    Effect.gen(function*() {
      const second = multi.prompts[1]!
      const other = multiLines.map((l) => l.replaceAll(second, "Something else entirely?"))
      const parting = other.findIndex((l, i) => l !== multiLines[i])
      assert.isAtLeast(parting, firstTurn)
      const [a, b] = [yield* print(joinLines(multiLines)), yield* print(joinLines(other))]
      assert.strictEqual(Fingerprint.commonPrefix(a, b), parting)
      assert.deepStrictEqual(Comparison.compare(a, b), { relation: "diverged", common: parting })
      const installed = (yield* installAll(plans[1]!)).get(multi.threadId)!
      const installedOther = terminatedLines(installed).map((l) => l.replaceAll(second, "Something else entirely?"))
      assert.deepStrictEqual(Comparison.compare(a, yield* print(joinLines(installedOther))), { relation: "diverged", common: parting })
    }))

  it.effect("two fixture sessions of different conversations are unrelated", () =>
    Effect.gen(function*() {
      const pairs = [["beta_cwd", "named"], ["archived", "multi_turn_tools"], ["forked", "multi_turn_tools"], ["zst", "beta_cwd"]] as const
      for (const [x, y] of pairs) {
        const a = yield* Fingerprint.fromFile(file(fixtureByRole(x).rollout))
        const b = yield* Fingerprint.fromFile(file(fixtureByRole(y).rollout))
        assert.strictEqual(Fingerprint.commonPrefix(a, b), 0, `${x} ~ ${y}`)
        assert.deepStrictEqual(Comparison.compare(a, b), { relation: "unrelated", common: 0 })
        assert.notStrictEqual(Fingerprint.rootKey(a), Fingerprint.rootKey(b))
      }
    }))

  it.effect("an unterminated last line is not a record, blank lines are none; any chunking gives the same print", () =>
    Effect.gen(function*() {
      const text = plain(multi.rollout)
      const whole = yield* print(text)
      const torn = Buffer.concat([text, Buffer.from(multiLines[5]!.slice(0, 100))])
      const tornPrint = yield* print(torn)
      assert.deepStrictEqual(essence(tornPrint), essence(whole))
      assert.strictEqual(tornPrint.bytes, text.length)
      const blanks = joinLines(multiLines.flatMap((l, i) => i % 7 === 3 ? ["", " \t\r", l] : [l]))
      assert.deepStrictEqual(essence(yield* print(blanks)), essence(whole))
      for (const size of [1, 3, 1000, 65_536]) {
        const printer = new Fingerprint.Fingerprinter()
        for (let at = 0; at < torn.length; at += size) printer.push(torn.subarray(at, at + size))
        assert.deepStrictEqual(printer.end(), tornPrint, `chunks of ${size}`)
      }
    }))

  it.effect("the zstd fixture prints as its decompressed text, at any chunk size", () =>
    Effect.gen(function*() {
      const zst = fixtureByRole("zst")
      const compressed = raw(zst.rollout)
      assert.deepStrictEqual([...compressed.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd])
      const fromZstd = yield* Fingerprint.fromFile(file(zst.rollout))
      const fromText = yield* print(plain(zst.rollout))
      assert.deepStrictEqual(essence(fromZstd), essence(fromText))
      assert.deepStrictEqual([fromZstd.compressed, fromZstd.bytes], [true, compressed.length])
      assert.deepStrictEqual([fromText.compressed, fromText.bytes], [false, plain(zst.rollout).length])
      for (const size of [1, 5, 4096]) {
        const printer = new Fingerprint.Fingerprinter()
        for (let at = 0; at < compressed.length; at += size) printer.push(compressed.subarray(at, at + size))
        assert.deepStrictEqual(printer.end(), fromZstd, `chunks of ${size}`)
      }
      const bad = yield* Effect.flip(print(Buffer.concat([compressed.subarray(0, 40), Buffer.alloc(40, 7)])))
      assert.strictEqual(bad.reason, "corrupt_input")
    }))

  it.effect("a resume after appending gives what the whole file gives, reading only what was appended", () =>
    Effect.gen(function*() {
      const dir = tempDir("lineage")
      const rollout = path.join(dir, "rollout.jsonl")
      const text = plain(multi.rollout)
      const cut = joinLines(multiLines.slice(0, firstTurn)).length
      // Codex was writing a line when the first print was taken: it is left for the resume
      fs.writeFileSync(rollout, text.subarray(0, cut + 50))
      const first = yield* Fingerprint.fromFile(rollout)
      assert.deepStrictEqual([first.records, first.bytes], [firstTurn, cut])
      fs.appendFileSync(rollout, text.subarray(cut + 50))
      const whole = yield* Fingerprint.fromFile(rollout)
      assert.deepStrictEqual(yield* Fingerprint.fromFile(rollout, { from: first }), whole)
      assert.deepStrictEqual(yield* Fingerprint.resumeFile(first, rollout), whole)
      assert.deepStrictEqual(yield* Fingerprint.fromBytes(text.subarray(cut), { from: first }), whole)
      assert.deepStrictEqual(yield* Fingerprint.fromFile(rollout, { from: whole }), whole)
      // replaced by a shorter file: no resume; resumeFile reads it again
      fs.writeFileSync(rollout, text.subarray(0, cut - 10))
      assert.strictEqual((yield* Effect.flip(Fingerprint.fromFile(rollout, { from: first }))).reason, "not_resumable")
      assert.deepStrictEqual(yield* Fingerprint.resumeFile(first, rollout), yield* Fingerprint.fromFile(rollout))
      // a print of zstd input counts compressed bytes: it cannot be resumed
      const zst = yield* Fingerprint.fromFile(file(fixtureByRole("zst").rollout))
      assert.strictEqual((yield* Effect.flip(Fingerprint.fromFile(rollout, { from: zst }))).reason, "not_resumable")
      assert.throws(() => new Fingerprint.Fingerprinter(zst))
    }))

  it.effect("rootKey: the chain head through the first prompt, shared by copies and continuations", () =>
    Effect.gen(function*() {
      const full = yield* Fingerprint.fromFile(file(multi.rollout))
      const root = full.rootIndex!
      const expected = chainHead(Array.from({ length: root + 1 }, (_, i) => full.prints.subarray(i * 8, i * 8 + 8)))
      assert.strictEqual(Fingerprint.rootKey(full), expected)
      assert.strictEqual(yield* Fingerprint.rootKeyOfFile(file(multi.rollout)), expected)
      assert.strictEqual(Fingerprint.rootKey(yield* print(joinLines(multiLines.slice(0, root + 1)))), expected)
      const noPrompt = yield* print(joinLines(multiLines.slice(0, root)))
      assert.isUndefined(noPrompt.rootIndex)
      assert.isUndefined(Fingerprint.rootKey(noPrompt))
      assert.strictEqual(Fingerprint.headAt(full, 0), createHash("sha256").digest("hex"))
      assert.throws(() => Fingerprint.headAt(full, full.records + 1))
    }))

  it.effect("rootPrintOfFile: the records through the first prompt, read no further; a resume from it gives the whole print", () =>
    Effect.gen(function*() {
      const dir = tempDir("lineage")
      const rollout = path.join(dir, "rollout.jsonl")
      const text = plain(multi.rollout)
      // a tail of 300 kB, past the first read, that is never read for the root
      fs.writeFileSync(rollout, Buffer.concat([text, joinLines(Array.from({ length: 300 }, () => JSON.stringify({ type: "x", text: "y".repeat(1000) })))]))
      const full = yield* Fingerprint.fromFile(rollout)
      const root = full.rootIndex!
      // the records through the prompt, found by hand: its line and every line before it
      const through = multiLines.slice(0, multiLines.findIndex((_, i) => multiLines.slice(0, i + 1).filter((l) => l.trim() !== "").length === root + 1) + 1)
      const started = yield* Fingerprint.rootPrintOfFile(rollout)
      assert.deepStrictEqual(essence(started), {
        records: root + 1,
        prints: Buffer.from(full.prints.subarray(0, (root + 1) * 8)).toString("hex"),
        head: Fingerprint.headAt(full, root + 1),
        rootIndex: root
      })
      assert.strictEqual(started.bytes, joinLines(through).length)
      assert.strictEqual(Fingerprint.rootKey(started), Fingerprint.rootKey(full))
      assert.deepStrictEqual(yield* Fingerprint.resumeFile(started, rollout), full)
      // zstd input: the same root, a print that is not resumed (resumeFile reads the file whole)
      const zst = fixtureByRole("zst").rollout
      const zstStarted = yield* Fingerprint.rootPrintOfFile(file(zst))
      assert.strictEqual(Fingerprint.rootKey(zstStarted), Fingerprint.rootKey(yield* Fingerprint.fromFile(file(zst))))
      assert.isTrue(zstStarted.compressed)
    }))

  it.effect("the stored form reads back as it was; anything else is a corrupt_print", () =>
    Effect.gen(function*() {
      const prints = [
        yield* Fingerprint.fromFile(file(multi.rollout)),
        yield* Fingerprint.fromFile(file(fixtureByRole("zst").rollout)),
        yield* print(new Uint8Array(0))
      ]
      for (const p of prints) {
        const stored = Fingerprint.encode(p)
        assert.strictEqual(stored.length, 56 + 8 * p.records)
        assert.deepStrictEqual(Either.getOrThrow(Fingerprint.decode(stored)), p)
      }
      const good = Fingerprint.encode(prints[0]!)
      for (const bad of [good.subarray(0, 40), good.subarray(0, good.length - 1), new Uint8Array(good.length)]) {
        assert.strictEqual(Either.flip(Fingerprint.decode(bad)).pipe(Either.getOrThrow).reason, "corrupt_print")
      }
    }))

  it.effect("a file that cannot be read is a read_failed error naming it", () =>
    Effect.gen(function*() {
      const missing = path.join(tempDir("lineage"), "gone.jsonl")
      const error = yield* Effect.flip(Fingerprint.fromFile(missing))
      assert.deepStrictEqual([error.reason, error.path], ["read_failed", missing])
    }))
})
