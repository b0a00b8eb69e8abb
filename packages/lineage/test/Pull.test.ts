/**
 * Pull between machines of one exchange folder, in process: A on a copy of the Codex fixture home,
 * B (and C) on homes of their own (empty, or a generated session). Expected values are read
 * independently: the fixture's session list, the rollout files and `threads` rows on disk, the
 * `exchange.sqlite` rows and the outbox files through better-sqlite3 and node:fs, the journal's
 * own record of the transaction.
 */
import { assert, describe, it } from "@effect/vitest"
import { Journals } from "@sessionport/agent"
import { fixtureByRole, fixtureThreads, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Compaction from "../src/Compaction.js"
import { plain, terminatedLines } from "./utils/independent.js"
import {
  continueRollout,
  continueSession,
  exchangeRows,
  files,
  fixtureMachine,
  indexOf,
  type Machine,
  machineIdOf,
  outboxOf,
  pull,
  push,
  stemOf,
  syntheticMachine
} from "./utils/exchange.js"

afterAll(removeTemps)

const fixtureIds = fixtureThreads.map((s) => s.threadId).sort()

/** The rollouts of a Codex home, by the session id that ends their file name. */
const rollouts = (home: string): Map<string, string> => {
  const found = new Map<string, string>()
  for (const dir of ["sessions", "archived_sessions"]) {
    if (!fs.existsSync(path.join(home, dir))) continue
    for (const rel of fs.readdirSync(path.join(home, dir), { recursive: true }) as Array<string>) {
      const id = /^rollout-.*-([0-9a-f-]{36})\.jsonl(\.zst)?$/.exec(path.basename(rel))?.[1]
      if (id !== undefined) found.set(id, path.join(home, dir, rel))
    }
  }
  return found
}

/** The ids of a Codex home's `threads` rows (plain SQL). */
const threadIds = (home: string): Array<string> => {
  const db = openDatabase(path.join(home, "state_5.sqlite"), { readonly: true })
  try {
    return db.prepare("SELECT id FROM threads ORDER BY id").all().map((row) => row.id)
  } finally {
    db.close()
  }
}

/** How many records a plain rollout's bytes hold: its non-blank terminated lines. */
const recordsOf = (bytes: Uint8Array): number => terminatedLines(bytes).filter((l) => l.trim() !== "").length

/** A machine's `receipts.json`, none when it has not written one. */
const receiptsOf = (m: Machine): Record<string, Array<string>> | undefined => {
  const file = path.join(outboxOf(m), "receipts.json")
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).pulled : undefined
}

/** Everything the machines and the folder hold. */
const everything = (folder: string, ...machines: ReadonlyArray<Machine>) => ({ folder: files(folder), homes: machines.map((m) => files(m.home)) })

/** What became of each package a pull looked at: `[seq, status, kind]`, by seq. */
const outcomes = (result: { readonly packages: ReadonlyArray<{ readonly seq: number; readonly status: string; readonly kind?: string | undefined }> }) =>
  [...result.packages].sort((x, y) => x.seq - y.seq).map((p) => [p.seq, p.status, p.kind])

/** The `applied` rows of a home: `[seq, how]`, by seq. */
const appliedRows = (home: string) => exchangeRows(home, "applied").sort((x, y) => x.seq - y.seq).map((r) => [r.seq, r.how])

/** The session the tests grow on A, and its record count in the fixture. */
const GROWN = "beta_cwd"
const grownRecords = () => recordsOf(plain(fixtureByRole(GROWN).rollout))

/** A, pushed once: every fixture session in one package; B on an empty home of its own. */
const pushedOnce = Effect.gen(function*() {
  const a = fixtureMachine()
  const b = yield* syntheticMachine(a.folder, "bob-pc")
  yield* push(a)
  return { a, b }
})

/** A pushes everything, then the GROWN session twice more, a turn longer each time: its three index entries. */
const pushGrowingTwice = (a: Machine) =>
  Effect.gen(function*() {
    yield* push(a)
    continueSession(a.home, GROWN)
    yield* push(a)
    continueSession(a.home, GROWN)
    yield* push(a)
    return indexOf(a).packages
  })

describe("Pull", () => {
  it.effect("brings every session of another machine into a home that has none, in one journaled transaction, with receipts and marks", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      const [entry] = indexOf(a).packages
      assert.strictEqual(rollouts(b.home).size, 0)
      assert.deepStrictEqual(threadIds(b.home), [])

      const result = yield* pull(b)
      const aId = machineIdOf(a)
      assert.deepStrictEqual(result.machines, [aId])
      assert.deepStrictEqual(result.packages.map((p) => [p.machineId, p.seq, p.status]), [[aId, 1, "applied"]])
      assert.isDefined(result.transactionId)

      // every A session is in B's home: one rollout and one row each, as many records as the fixture's
      const pulled = rollouts(b.home)
      assert.strictEqual(pulled.size, fixtureIds.length)
      assert.deepStrictEqual(threadIds(b.home), [...pulled.keys()].sort())
      const expected = fixtureThreads.map((s) => recordsOf(plain(s.rollout))).sort()
      assert.deepStrictEqual([...pulled.values()].map((f) => recordsOf(fs.readFileSync(f))).sort(), expected)

      // one receipt for the package, one mark per session brought, at its size on disk
      const applied = exchangeRows(b.home, "applied")
      assert.deepStrictEqual(applied.map((r) => [r.machine_id, r.package, r.seq, r.sha256, r.how, r.transaction_id]), [
        [aId, stemOf(entry), 1, entry.sha256, "applied", result.transactionId]
      ])
      const marks = exchangeRows(b.home, "marks")
      assert.deepStrictEqual(marks.map((r) => r.local_id).sort(), [...pulled.keys()].sort())
      for (const mark of marks) {
        assert.strictEqual(mark.machine_id, aId)
        assert.strictEqual(mark.package, stemOf(entry))
        assert.strictEqual(Number(mark.size), fs.statSync(pulled.get(mark.local_id)!).size)
      }

      // B's outbox says so, for A's compaction
      assert.isTrue(result.receiptsWritten)
      assert.deepStrictEqual(receiptsOf(b), { [aId]: [stemOf(entry)] })

      // the journal holds it as a pull, with the sync rows lineage upkeep reads
      const list = yield* Journals.list(Journals.make([{ agent: "codex", home: b.home }]))
      const tx = list.find((t) => t.id === result.transactionId)
      assert.isDefined(tx)
      assert.strictEqual(tx!.status === "damaged" ? undefined : tx!.kind, "pull")
      const summary = (tx as { summary: { sessions: Array<{ source_id: string; class: string }>; packages: Array<{ seq: number }> } }).summary
      assert.deepStrictEqual(summary.sessions.map((s) => s.source_id).sort(), fixtureIds)
      assert.deepStrictEqual([...new Set(summary.sessions.map((s) => s.class))], ["new_lineage"])
      assert.deepStrictEqual(summary.packages.map((p) => p.seq), [1])
    }), 120_000)

  it.effect("writes nothing at all when pulled again, and B's push then publishes nothing it pulled", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      yield* pull(b)
      const before = everything(a.folder, a, b)

      const again = yield* pull(b)
      assert.isUndefined(again.transactionId)
      assert.deepStrictEqual(again.packages, [])
      assert.isFalse(again.receiptsWritten)
      assert.deepStrictEqual(everything(a.folder, a, b), before)

      // --recheck opens every package again: lineage finds every session here, so still no
      // transaction and nothing written
      const rechecked = yield* pull(b, { recheck: true })
      assert.isUndefined(rechecked.transactionId)
      assert.deepStrictEqual(rechecked.packages.map((p) => [p.status, p.sync?.counts.unchanged]), [["applied", fixtureIds.length]])
      assert.deepStrictEqual(everything(a.folder, a, b), before)

      // the pulled sessions are marked: B has nothing of its own to publish
      const pushed = yield* push(b)
      assert.isNull(pushed.package)
      assert.deepStrictEqual(pushed.sessions, [])
      assert.strictEqual(pushed.unchanged, fixtureIds.length)
      assert.isFalse(fs.existsSync(path.join(outboxOf(b), "outbox.json")))
    }), 120_000)

  it.effect("fast-forwards A's session with B's continuation of it, and neither machine publishes it back", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      yield* pull(b)
      // B's copy of the session, found by its first prompt; B goes on with it and publishes it
      const grown = fixtureByRole(GROWN)
      const copies = [...rollouts(b.home)].filter(([, f]) => fs.readFileSync(f, "utf8").includes(JSON.stringify(grown.prompts[0]).slice(1, -1)))
      assert.strictEqual(copies.length, 1)
      const [copyId, copy] = copies[0]!
      continueRollout(copy)
      const fromB = yield* push(b)
      assert.deepStrictEqual(fromB.package?.sessions.map((s) => s.id), [copyId])

      // A takes it as a fast-forward of its own session
      const result = yield* pull(a)
      assert.deepStrictEqual(outcomes(result), [[1, "applied", undefined]])
      const decisions = result.packages[0]!.sync!.sessions
      assert.deepStrictEqual(decisions.map((d) => [d.class, d.localId]), [["fast_forward_import", grown.threadId]])
      assert.strictEqual(recordsOf(fs.readFileSync(path.join(a.home, grown.rollout))), grownRecords() + 1)
      assert.deepStrictEqual(exchangeRows(a.home, "marks").map((r) => [r.local_id, Number(r.size)]), [
        [grown.threadId, fs.statSync(path.join(a.home, grown.rollout)).size]
      ])

      // both now hold that conversation as the other published it: nothing to push, nothing pending
      assert.isNull((yield* push(a)).package)
      assert.isNull((yield* push(b)).package)
      const again = yield* pull(b)
      assert.deepStrictEqual(again.packages, [])
      assert.isUndefined(again.transactionId)
    }), 120_000)

  it.effect("takes only the newest of two packages of a grown session: the older one is superseded, not opened, and receipted", () =>
    Effect.gen(function*() {
      // B has published a session of its own: A's compaction keeps what B has not pulled
      const a = fixtureMachine()
      const b = yield* syntheticMachine(a.folder, "bob-pc", 1)
      yield* push(b)
      const own = [...rollouts(b.home).keys()]
      const [first, older, newer] = yield* pushGrowingTwice(a)
      // the index as A wrote it: two later packages of that one session, the later one larger
      const id = fixtureByRole(GROWN).threadId
      assert.deepStrictEqual([older.sessions.map((s: any) => s.id), newer.sessions.map((s: any) => s.id)], [[id], [id]])
      assert.isAbove(newer.sessions[0].size, older.sessions[0].size)

      const result = yield* pull(b)
      assert.deepStrictEqual(outcomes(result), [[1, "applied", undefined], [2, "superseded", undefined], [3, "applied", undefined]])
      assert.isUndefined(result.packages.find((p) => p.seq === 2)!.sync)
      // every package receipted in the one transaction, the older one as superseded
      assert.deepStrictEqual(appliedRows(b.home), [[1, "applied"], [2, "superseded"], [3, "applied"]])
      assert.deepStrictEqual([...new Set(exchangeRows(b.home, "applied").map((r) => r.transaction_id))], [result.transactionId])
      assert.deepStrictEqual(receiptsOf(b), { [machineIdOf(a)]: [first, older, newer].map(stemOf) })
      // only the two applied ones were synced (the journal's record), and B holds the session as the newest package has it
      const list = yield* Journals.list(Journals.make([{ agent: "codex", home: b.home }]))
      const tx = list.find((t) => t.id === result.transactionId) as { summary: { packages: Array<{ seq: number }> } }
      assert.deepStrictEqual(tx.summary.packages.map((p) => p.seq), [1, 3])
      const expected = fixtureThreads.map((s) => recordsOf(plain(s.rollout)) + (s.threadId === id ? 2 : 0)).sort()
      const pulled = [...rollouts(b.home)].filter(([local]) => !own.includes(local))
      assert.deepStrictEqual(pulled.map(([, f]) => recordsOf(fs.readFileSync(f))).sort(), expected)
    }), 120_000)

  it.effect("a chain of supersedings (1 by 2, 2 by 3) is taken at once: both older ones receipted, a repeat pull writes nothing", () =>
    Effect.gen(function*() {
      // B has an outbox: A's compaction keeps what B has not pulled
      const a = fixtureMachine()
      const b = yield* syntheticMachine(a.folder, "bob-pc", 1)
      yield* push(b)
      yield* pushGrowingTwice(a)
      continueSession(a.home, GROWN)
      yield* push(a)
      // four packages: everything, then the grown session three times, each a turn longer
      assert.deepStrictEqual(indexOf(a).packages.map((p: any) => p.sessions.length).slice(1), [1, 1, 1])

      const result = yield* pull(b)
      assert.deepStrictEqual(outcomes(result), [[1, "applied", undefined], [2, "superseded", undefined], [3, "superseded", undefined], [4, "applied", undefined]])
      assert.deepStrictEqual(result.notes, [])
      assert.deepStrictEqual(appliedRows(b.home), [[1, "applied"], [2, "superseded"], [3, "superseded"], [4, "applied"]])
      const before = everything(a.folder, a, b)
      const again = yield* pull(b)
      assert.isUndefined(again.transactionId)
      assert.deepStrictEqual(again.packages, [])
      assert.deepStrictEqual(everything(a.folder, a, b), before)
    }), 120_000)

  it.effect("skips a package still arriving or damaged, writing nothing, and takes it once it is whole", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      const [entry] = indexOf(a).packages
      const file = path.join(outboxOf(a), entry.file)
      const whole = fs.readFileSync(file)

      // half of it there, under its name: still arriving
      fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)))
      const home = files(b.home)
      const arriving = yield* pull(b)
      assert.deepStrictEqual(outcomes(arriving), [[1, "skipped", "arriving"]])
      assert.isUndefined(arriving.transactionId)
      assert.isTrue(arriving.notes.some((note) => note.includes(entry.file)))
      assert.deepStrictEqual(files(b.home), home)
      assert.deepStrictEqual(exchangeRows(b.home, "applied"), [])
      assert.isUndefined(receiptsOf(b))

      // whole again: the next pull takes it
      fs.writeFileSync(file, whole)
      const taken = yield* pull(b)
      assert.deepStrictEqual(outcomes(taken), [[1, "applied", undefined]])
      assert.strictEqual(rollouts(b.home).size, fixtureIds.length)
      assert.deepStrictEqual(receiptsOf(b), { [machineIdOf(a)]: [stemOf(entry)] })

      // the next package, its size right and a byte flipped: damaged
      continueSession(a.home, GROWN)
      yield* push(a)
      const second = indexOf(a).packages[1]
      const file2 = path.join(outboxOf(a), second.file)
      const bytes = fs.readFileSync(file2)
      bytes[bytes.length >> 1] ^= 0xff
      fs.writeFileSync(file2, bytes)
      const before = everything(a.folder, b)
      const damaged = yield* pull(b)
      assert.deepStrictEqual(outcomes(damaged), [[2, "skipped", "damaged"]])
      assert.isUndefined(damaged.transactionId)
      assert.isTrue(damaged.notes.some((note) => note.includes(second.file)))
      assert.deepStrictEqual(everything(a.folder, b), before)
      assert.deepStrictEqual(appliedRows(b.home), [[1, "applied"]])
    }), 120_000)

  it.effect("on a dry run, says what it would take and writes nothing", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      const before = everything(a.folder, a, b)
      const dry = yield* pull(b, { dryRun: true })
      assert.isTrue(dry.dryRun)
      assert.isUndefined(dry.transactionId)
      assert.deepStrictEqual(outcomes(dry), [[1, "applied", undefined]])
      const plan = dry.packages[0]!.sync!
      assert.isTrue(plan.dryRun)
      assert.isUndefined(plan.transactionId)
      assert.deepStrictEqual(plan.sessions.map((s) => s.sourceId).sort(), fixtureIds)
      assert.strictEqual(plan.counts.new_lineage, fixtureIds.length)
      assert.deepStrictEqual(everything(a.folder, a, b), before)
      assert.strictEqual(rollouts(b.home).size, 0)
    }), 120_000)

  it.effect("never takes a sync engine's conflict copy of a package or of an index, and says so", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      // another machine's valid package and index, dropped into A's outbox under conflict names
      const c = yield* syntheticMachine(tempDir("exchange"), "carol-pc", 1)
      yield* push(c)
      const [foreign] = indexOf(c).packages
      const [entry] = indexOf(a).packages
      const copies = [
        `${entry.file.slice(0, -".tgz".length)}.sync-conflict-20261207-020541-K4VBOVP.tgz`,
        `${entry.file.slice(0, -".tgz".length)} (1).tgz`
      ]
      for (const copy of copies) fs.copyFileSync(path.join(outboxOf(c), foreign.file), path.join(outboxOf(a), copy))
      fs.copyFileSync(path.join(outboxOf(c), "outbox.json"), path.join(outboxOf(a), "outbox.sync-conflict-20261207-020541-K4VBOVP.json"))

      const result = yield* pull(b)
      assert.deepStrictEqual(outcomes(result), [[1, "applied", undefined]])
      for (const copy of [...copies, "outbox.sync-conflict-20261207-020541-K4VBOVP.json"]) {
        assert.isTrue(result.notes.some((note) => note.includes(`${machineIdOf(a)}/${copy}`) && note.includes("conflict copy")), copy)
      }
      // B holds A's sessions and nothing of the copies
      const here = rollouts(b.home)
      assert.strictEqual(here.size, fixtureIds.length)
      assert.isFalse(here.has(foreign.sessions[0].id))
      assert.deepStrictEqual(threadIds(b.home), [...here.keys()].sort())
      assert.deepStrictEqual(appliedRows(b.home), [[1, "applied"]])
    }), 120_000)

  it.effect("leaves a package of an agent without a home here pending for the homes: no error, nothing taken", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      // A's index says its package holds Claude Code sessions only; B has no Claude Code home
      const indexFile = path.join(outboxOf(a), "outbox.json")
      const text = fs.readFileSync(indexFile, "utf8")
      const index = JSON.parse(text)
      const entry = index.packages[0]
      entry.agents = ["claude"]
      for (const session of entry.sessions) session.agent = "claude"
      fs.writeFileSync(indexFile, JSON.stringify(index, null, 2) + "\n")

      const result = yield* pull(b)
      assert.deepStrictEqual(result.packages, [])
      assert.isUndefined(result.transactionId)
      assert.strictEqual(rollouts(b.home).size, 0)
      assert.deepStrictEqual(exchangeRows(b.home, "applied"), [])
      // nothing to take here: it does not hold back A's compaction
      assert.deepStrictEqual(receiptsOf(b), { [machineIdOf(a)]: [stemOf(entry)] })

      // still pending for the homes: once it lists a home of B's, B takes it
      fs.writeFileSync(indexFile, text)
      const taken = yield* pull(b)
      assert.deepStrictEqual(outcomes(taken), [[1, "applied", undefined]])
      assert.strictEqual(rollouts(b.home).size, fixtureIds.length)
      assert.deepStrictEqual(appliedRows(b.home), [[1, "applied"]])
    }), 120_000)

  it.effect("compacts A's superseded package only once every other machine's receipts list it", () =>
    Effect.gen(function*() {
      const a = fixtureMachine()
      // B and C have published (each an index of its own): machines A's compaction waits for
      const b = yield* syntheticMachine(a.folder, "bob-pc", 1, 9_000)
      const c = yield* syntheticMachine(a.folder, "carol-pc", 1, 9_500)
      yield* push(b)
      yield* push(c)
      const [first, older, newer] = yield* pushGrowingTwice(a)
      const outbox = outboxOf(a)
      const listed = () => indexOf(a).packages.map((e: any) => e.seq)

      // superseded, but nobody has pulled it: kept
      assert.deepStrictEqual(listed(), [1, 2, 3])
      const planned = yield* Compaction.run(a.folder, machineIdOf(a), { dryRun: true })
      assert.deepStrictEqual(planned.removed, [])
      assert.deepStrictEqual(planned.kept.find((k) => k.stem === stemOf(older)), {
        stem: stemOf(older),
        why: "not_pulled",
        machines: [machineIdOf(b), machineIdOf(c)].sort()
      })

      // B pulled it (superseded), C not yet: still kept
      const byB = yield* pull(b)
      assert.deepStrictEqual(outcomes({ packages: byB.packages.filter((p) => p.machineId === machineIdOf(a)) }), [
        [1, "applied", undefined],
        [2, "superseded", undefined],
        [3, "applied", undefined]
      ])
      assert.deepStrictEqual(receiptsOf(b)![machineIdOf(a)], [first, older, newer].map(stemOf))
      const stillKept = yield* push(a)
      assert.deepStrictEqual(stillKept.removed, [])
      assert.isTrue(fs.existsSync(path.join(outbox, older.file)))

      // C too: the next push removes it, from the index first; the newest copies stay
      yield* pull(c)
      const compacted = yield* push(a)
      assert.isNull(compacted.package)
      assert.deepStrictEqual(compacted.removed, [older.file])
      assert.deepStrictEqual(listed(), [1, 3])
      assert.isFalse(fs.existsSync(path.join(outbox, older.file)))
      assert.deepStrictEqual(fs.readdirSync(path.join(outbox, "packages")).sort(), [first, newer].map((e) => path.basename(e.file)).sort())

      // B's next pull keeps its receipts to what A still lists
      const again = yield* pull(b)
      assert.isUndefined(again.transactionId)
      assert.isTrue(again.receiptsWritten)
      assert.deepStrictEqual(receiptsOf(b)![machineIdOf(a)], [first, newer].map(stemOf))
    }), 120_000)
})
