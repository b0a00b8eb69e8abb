import { afterAll, assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Journal } from "@sessionport/journal"
import { Fingerprint, Sidecar } from "@sessionport/lineage"
import { Effect } from "effect"
import * as fs from "node:fs"

afterAll(removeTemps)

const lines = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ timestamp: `2026-11-0${1 + (i % 9)}T00:00:00.000Z`, type: "event_msg", payload: { type: "agent_message", message: `${tag} ${i}` } }) + "\n").join("")

const printOf = (text: string) => Fingerprint.fromBytes(Buffer.from(text))

describe("Sidecar", () => {
  it.effect("a missing sidecar reads as an empty snapshot and is not created by reading", () =>
    Effect.gen(function*() {
      const home = tempDir()
      const sidecar = Sidecar.make(home)
      const snapshot = yield* sidecar.snapshot
      assert.isFalse(snapshot.exists)
      assert.strictEqual(snapshot.locals.size, 0)
      assert.isFalse(fs.existsSync(sidecar.path))
    }))

  const home = tempDir()
  it.effect("rows written through the journal read back, prints included, and roll back with it", () =>
    Effect.gen(function*() {
      const sidecar = Sidecar.make(home)
      yield* sidecar.ensure
      const print = yield* printOf(lines(5, "a"))
      const journal = yield* Journal.Journal
      const now = 1_800_000_000_000
      const txId = yield* journal.transaction({ kind: "sync" }, (tx) =>
        Effect.as(
          tx.sql(sidecar.path, [
            Sidecar.addLineages(["L1"], now),
            Sidecar.mapIds([{ sessionId: "S1", lineageId: "L1" }, { sessionId: "local-1", lineageId: "L1" }]),
            Sidecar.addLocals([{ localId: "local-1", lineageId: "L1", rolloutPath: "/x/r.jsonl", role: "imported", size: 999, print, rootKey: "root" }], now),
            Sidecar.markSeen([{ lineageId: "L1", sha256: "abc", localId: "local-1", localSize: 999 }]),
            Sidecar.addPackage({ transactionId: tx.id, packageId: "pkg", path: "/p", sessions: 1 }, now)
          ]),
          tx.id
        ))
      const snapshot = yield* sidecar.snapshot
      assert.deepStrictEqual([...snapshot.lineages], ["L1"])
      assert.strictEqual(snapshot.lineageOf.get("S1"), "L1")
      assert.deepStrictEqual(snapshot.byLineage.get("L1")?.map((s) => s.localId), ["local-1"])
      assert.deepStrictEqual(snapshot.byRoot.get("root")?.map((s) => s.localId), ["local-1"])
      assert.deepStrictEqual(snapshot.seen.get(Sidecar.seenKey("L1", "abc")), { localId: "local-1", localSize: 999 })
      assert.strictEqual(snapshot.packages, 1)
      const stored = (yield* sidecar.prints(["local-1"])).get("local-1")!
      assert.deepStrictEqual({ ...stored, prints: Buffer.from(stored.prints).toString("hex") }, {
        records: print.records,
        prints: Buffer.from(print.prints).toString("hex"),
        head: print.head,
        rootIndex: print.rootIndex,
        bytes: print.bytes
      })
      const longer = yield* printOf(lines(7, "a"))
      yield* journal.transaction({ kind: "sync" }, (tx) =>
        tx.sql(sidecar.path, [
          Sidecar.updateLocal({ localId: "local-1", lineageId: "L1", rolloutPath: "/x/r.jsonl", role: "imported", size: 1500, print: longer, rootKey: "root" }, now)
        ]))
      assert.strictEqual((yield* sidecar.snapshot).locals.get("local-1")?.records, 7)
      yield* journal.rollback("latest")
      assert.strictEqual((yield* sidecar.snapshot).locals.get("local-1")?.records, 5)
      yield* journal.rollback(txId)
      const after = yield* sidecar.snapshot
      assert.strictEqual(after.locals.size, 0)
      assert.strictEqual(after.lineageOf.size, 0)
    }).pipe(Effect.provide(Journal.layer({ codexHome: home }))))

  it.effect("a sidecar of another schema is refused with a hint to rebuild", () =>
    Effect.gen(function*() {
      const home = tempDir()
      const sidecar = Sidecar.make(home)
      yield* sidecar.ensure
      const conn = openDatabase(sidecar.path)
      conn.prepare("UPDATE sidecar_meta SET value = '99' WHERE key = 'schema'").run()
      conn.close()
      const error = yield* Effect.flip(sidecar.snapshot)
      assert.strictEqual(error.reason, "bad_sidecar")
      assert.match(error.message, /schema 99, expected 1.*rebuild-sidecar/)
    }))
})
