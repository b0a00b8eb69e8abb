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
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Compaction from "../src/Compaction.js"
import { plain, terminatedLines } from "./utils/independent.js"
import {
  continueSession,
  exchangeRows,
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

/** Everything the machines and the folder hold, byte for byte and with mtimes (SQLite's shared-memory index, which readers touch, left out). */
const everything = (folder: string, ...machines: ReadonlyArray<Machine>) => {
  const files = (dir: string) => Object.fromEntries(Object.entries(fileState(dir)).filter(([name]) => !name.endsWith("-shm")))
  return { folder: files(folder), homes: machines.map((m) => files(m.home)) }
}

/** A, pushed once: every fixture session in one package; B on an empty home of its own. */
const pushedOnce = Effect.gen(function*() {
  const a = fixtureMachine()
  const b = yield* syntheticMachine(a.folder, "bob-pc")
  yield* push(a)
  return { a, b }
})

describe("Pull", () => {
  it.effect("brings every session of another machine into a home that has none, in one journaled transaction, with receipts and marks", () =>
    Effect.gen(function*() {
      const { a, b } = yield* pushedOnce
      const [entry] = indexOf(a).packages
      assert.deepStrictEqual(rollouts(b.home).size, 0)
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

      console.log("SESSIONPORT DIR", fs.readdirSync(path.join(b.home, "sessionport")))
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

      // the pulled sessions are marked: B has nothing of its own to publish
      const pushed = yield* push(b)
      assert.isNull(pushed.package)
      assert.deepStrictEqual(pushed.sessions, [])
      assert.strictEqual(pushed.unchanged, fixtureIds.length)
      assert.isFalse(fs.existsSync(path.join(outboxOf(b), "outbox.json")))
    }), 120_000)
})
