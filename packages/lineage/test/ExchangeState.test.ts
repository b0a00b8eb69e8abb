import { afterAll, assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Journal } from "@sessionport/journal"
import * as ExchangeState from "@sessionport/lineage/ExchangeState"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

afterAll(removeTemps)

// the tables read with a connection of their own, not through the module under test
const rows = (file: string) => {
  const conn = openDatabase(file)
  try {
    return {
      marks: conn.prepare("SELECT * FROM marks ORDER BY local_id").all(),
      applied: conn.prepare("SELECT * FROM applied ORDER BY machine_id, package").all()
    }
  } finally {
    conn.close()
  }
}

const at = 1_800_000_000_000

describe("ExchangeState", () => {
  it.effect("a missing file reads as empty and is not created by reading", () =>
    Effect.gen(function*() {
      const home = tempDir()
      const state = ExchangeState.make(home)
      assert.strictEqual(state.path, path.join(home, "sessionport", "exchange.sqlite"))
      const snapshot = yield* state.snapshot
      assert.strictEqual(snapshot.applied.size, 0)
      assert.strictEqual(snapshot.marks.size, 0)
      assert.isFalse(fs.existsSync(state.path))
      assert.isFalse(fs.existsSync(path.join(home, "sessionport")))
    }))

  const home = tempDir()
  it.effect("receipts and marks written through the journal read back, update by key, and roll back exactly", () =>
    Effect.gen(function*() {
      const state = ExchangeState.make(home)
      yield* state.ensure
      const journal = yield* Journal.Journal
      const first = yield* journal.transaction({ kind: "pull" }, (tx) =>
        Effect.as(
          tx.sql(
            state.path,
            ExchangeState.all([
              ExchangeState.addApplied([
                { machineId: "bob-1", package: "000001-aa", seq: 1, sha256: "a".repeat(64), how: "superseded", transactionId: tx.id, atMs: at },
                { machineId: "bob-1", package: "000002-bb", seq: 2, sha256: "b".repeat(64), how: "applied", transactionId: tx.id, atMs: at }
              ]),
              ExchangeState.setMarks([
                { localId: "L1", size: 100, updatedAt: "2026-01-01T00:00:00.000Z", machineId: "bob-1", package: "000002-bb", transactionId: tx.id, atMs: at },
                { localId: "L2", size: 200, updatedAt: "2026-01-02T00:00:00.000Z", machineId: "bob-1", package: "000002-bb", transactionId: tx.id, atMs: at }
              ])
            ])
          ),
          tx.id
        ))
      const snapshot = yield* state.snapshot
      assert.deepStrictEqual([...snapshot.applied].sort(), ["bob-1 000001-aa", "bob-1 000002-bb"])
      assert.deepStrictEqual(Object.fromEntries(snapshot.marks), {
        L1: { size: 100, updatedAt: "2026-01-01T00:00:00.000Z" },
        L2: { size: 200, updatedAt: "2026-01-02T00:00:00.000Z" }
      })
      const afterFirst = rows(state.path)
      assert.deepStrictEqual(afterFirst.applied[1], {
        machine_id: "bob-1",
        package: "000002-bb",
        seq: 2,
        sha256: "b".repeat(64),
        how: "applied",
        transaction_id: first,
        at_ms: at
      })

      // one pull, two steps: the second package moves L1 on (an update), adds L3 and a receipt of
      // another machine, and sets L2 to what it already is (no change)
      const second = yield* journal.transaction({ kind: "pull" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.sql(state.path, ExchangeState.setMarks([
            { localId: "L1", size: 150, updatedAt: "2026-01-03T00:00:00.000Z", machineId: "bob-1", package: "000003-cc", transactionId: tx.id, atMs: at + 1 }
          ]))
          const changed = yield* tx.sql(
            state.path,
            ExchangeState.all([
              ExchangeState.addApplied([
                { machineId: "carol-2", package: "000001-dd", seq: 1, sha256: "d".repeat(64), how: "applied", transactionId: tx.id, atMs: at + 2 }
              ]),
              ExchangeState.setMarks([
                { localId: "L1", size: 180, updatedAt: "2026-01-04T00:00:00.000Z", machineId: "carol-2", package: "000001-dd", transactionId: tx.id, atMs: at + 2 },
                { localId: "L3", size: 300, updatedAt: "2026-01-04T00:00:00.000Z", machineId: "carol-2", package: "000001-dd", transactionId: tx.id, atMs: at + 2 },
                { ...afterFirstMark(afterFirst.marks, "L2"), transactionId: first }
              ])
            ])
          )
          // the receipt, L1 and L3: L2 is left alone
          assert.strictEqual(changed, 3)
          return tx.id
        }))
      const moved = yield* state.snapshot
      assert.isTrue(moved.applied.has(ExchangeState.appliedKey("carol-2", "000001-dd")))
      assert.strictEqual(moved.applied.size, 3)
      assert.deepStrictEqual(moved.marks.get("L1"), { size: 180, updatedAt: "2026-01-04T00:00:00.000Z" })
      assert.deepStrictEqual(moved.marks.get("L3"), { size: 300, updatedAt: "2026-01-04T00:00:00.000Z" })
      const afterSecond = rows(state.path)
      assert.deepStrictEqual(afterSecond.marks.find((r: any) => r.local_id === "L2"), afterFirst.marks.find((r: any) => r.local_id === "L2"))
      assert.strictEqual((afterSecond.marks.find((r: any) => r.local_id === "L1") as any).transaction_id, second)

      yield* journal.rollback(second)
      assert.deepStrictEqual(rows(state.path), afterFirst)
      yield* journal.rollback(first)
      assert.deepStrictEqual(rows(state.path), { marks: [], applied: [] })
      const empty = yield* state.snapshot
      assert.strictEqual(empty.applied.size + empty.marks.size, 0)
    }).pipe(Effect.provide(Journal.layer({ codexHome: home }))))

  const recheckHome = tempDir()
  it.effect("applying a received package again (--recheck) updates its receipt instead of failing", () =>
    Effect.gen(function*() {
      const state = ExchangeState.make(recheckHome)
      yield* state.ensure
      const journal = yield* Journal.Journal
      const receipt = (how: "applied" | "superseded", transactionId: string) =>
        ExchangeState.addApplied([{ machineId: "bob-1", package: "000001-aa", seq: 1, sha256: "a".repeat(64), how, transactionId, atMs: at }])
      yield* journal.transaction({ kind: "pull" }, (tx) => tx.sql(state.path, receipt("superseded", tx.id)))
      const again = yield* journal.transaction({ kind: "pull" }, (tx) => Effect.as(tx.sql(state.path, receipt("applied", tx.id)), tx.id))
      assert.deepStrictEqual(
        rows(state.path).applied.map((r: any) => [r.package, r.how, r.transaction_id]),
        [["000001-aa", "applied", again]]
      )
    }).pipe(Effect.provide(Journal.layer({ codexHome: recheckHome }))))

  it.effect("a file of another schema is refused", () =>
    Effect.gen(function*() {
      const home = tempDir()
      const state = ExchangeState.make(home)
      yield* state.ensure
      const conn = openDatabase(state.path)
      conn.prepare("UPDATE exchange_meta SET value = '99' WHERE key = 'schema'").run()
      conn.close()
      const error = yield* Effect.flip(state.snapshot)
      assert.strictEqual(error.reason, "unreadable")
      assert.match(error.message, /exchange\.sqlite.*schema 99, expected 1/)
      assert.strictEqual((yield* Effect.flip(state.ensure)).reason, "unreadable")
    }))
})

const afterFirstMark = (marks: ReadonlyArray<unknown>, localId: string): ExchangeState.Mark => {
  const row = marks.find((r: any) => r.local_id === localId) as any
  return {
    localId: row.local_id,
    size: row.size,
    updatedAt: row.updated_at,
    machineId: row.machine_id,
    package: row.package,
    transactionId: row.transaction_id,
    atMs: row.at_ms
  }
}
