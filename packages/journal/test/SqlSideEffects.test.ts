/**
 * What the database changes besides the rows a step asks for (triggers, foreign-key actions):
 * recorded and rolled back exactly, rowids included, on Codex's real schema and on tables no
 * code names.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { fixtureHome, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Journal, SqlChange } from "../src/index.js"
import type { RecordedChange } from "../src/TransactionRecord.js"
import { DB, dumpDatabase, LEGACY, makeHome } from "./home.js"
import { failure } from "./failure.js"

afterAll(removeTemps)

const sqlChanges = (journal: Journal.JournalShape, id: string) =>
  Effect.map(journal.get(id), (record) => record.operations.flatMap((op) => op.kind === "sql" ? op.changes : []))

const sideEffects = (changes: ReadonlyArray<RecordedChange>) => changes.filter((change) => change.side_effect === true)

const HISTORY = "thread_history_1.sqlite"
// real Codex 0.169 threads with a paginated-history projection (fixtures/codex/README.md)
const FORWARDED = "01a1fd65-379f-7a43-afe4-ac7137446cd7"
const OTHER = "01a1fd65-3b6f-78b0-9d50-5e39e0dd417f"
/** what a sync's fast-forward deletes (lineage's Syncer) */
const PROJECTION_TABLES = ["thread_turns", "thread_items", "thread_history_projection_state"]

describe("side effects", () => {
  it.effect("Codex's realtime-items cleanup trigger: the rows it deletes are recorded, and rollback restores them and every projection row exactly, rowids included", () =>
    Effect.gen(function*() {
      const home = tempDir("journal")
      const db = path.join(home, HISTORY)
      fs.copyFileSync(path.join(fixtureHome, HISTORY), db)
      const codex = openDatabase(db)
      // the trigger is Codex's own: read from the database, as the journal does
      assert.include(
        (codex.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'thread_realtime_items_projection_cleanup'").get() as { sql: string }).sql,
        "DELETE FROM thread_realtime_items WHERE thread_id = OLD.thread_id"
      )
      const realtime = codex.prepare(
        "INSERT INTO thread_realtime_items (thread_id, item_id, rollout_ordinal, created_at_ms, item_type, item_json) VALUES (?, ?, ?, ?, ?, ?)"
      )
      realtime.run(FORWARDED, "rt-1", 3, 1763700000001, "realtime_session_started", "{\"type\":\"realtime_session_started\"}")
      realtime.run(OTHER, "rt-2", 1, 1763700000002, "realtime_session_started", "{}")
      realtime.run(FORWARDED, "rt-3", 4, 1763700000003, "realtime_session_closed", "{\"type\":\"realtime_session_closed\"}")
      codex.close()
      const before = dumpDatabase(db)
      const journal = Journal.make({ codexHome: home, busyTimeoutMs: 200 })

      const { id, n } = yield* journal.transaction({ kind: "sync" }, (tx) =>
        Effect.map(
          tx.sql(db, PROJECTION_TABLES.map((table) => SqlChange.deleteRows(table, [{ thread_id: FORWARDED }]))),
          (n) => ({ id: tx.id, n })
        ))
      const after = openDatabase(db, { readonly: true })
      assert.deepStrictEqual(after.prepare("SELECT thread_id, item_id FROM thread_realtime_items").all(), [{ thread_id: OTHER, item_id: "rt-2" }])
      assert.strictEqual(after.prepare("SELECT count(*) AS n FROM thread_items WHERE thread_id = ?").get(FORWARDED).n, 0)
      after.close()
      // the rows asked for: 3 turns, 13 items, 1 projection state
      assert.strictEqual(n, 17)
      const changes = yield* sqlChanges(journal, id)
      const besides = sideEffects(changes)
      assert.deepStrictEqual(
        besides.map((change) => [change.kind, change.table, change.kind === "delete" ? change.key : {}]),
        [
          ["delete", "thread_realtime_items", { thread_id: FORWARDED, item_id: "rt-1" }],
          ["delete", "thread_realtime_items", { thread_id: FORWARDED, item_id: "rt-3" }]
        ]
      )
      // after the projection state's delete that fired the trigger
      assert.strictEqual(changes.indexOf(besides[0]!), changes.length - 2)
      const record = yield* journal.get(id)
      const op = record.operations[0]!
      assert.strictEqual(
        op.undo,
        "restore the thread_realtime_items rows triggers or foreign-key actions changed; insert again 1 deleted thread_history_projection_state row(s); insert again 13 deleted thread_items row(s); insert again 3 deleted thread_turns row(s)"
      )

      yield* journal.rollback(id)
      assert.deepStrictEqual(dumpDatabase(db), before)
    }))

  it.effect("triggers on tables no code names (a later Codex): inserts, updates and deletes they make, with or without rowid or primary key, roll back exactly", () =>
    Effect.gen(function*() {
      const home = makeHome()
      const db = path.join(home, DB)
      const setup = openDatabase(db)
      setup.exec(`
        CREATE TABLE future_audit (n INTEGER PRIMARY KEY, thread_id TEXT NOT NULL, what TEXT NOT NULL);
        CREATE TABLE future_counts (thread_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE future_notes (thread_id TEXT, note BLOB);
        INSERT INTO future_audit (thread_id, what) VALUES ('0199a000-0000-7000-8000-000000000002', 'made');
        INSERT INTO future_counts VALUES ('0199a000-0000-7000-8000-000000000001', 5);
        INSERT INTO future_notes VALUES ('0199a000-0000-7000-8000-000000000002', x'00ff'), ('${LEGACY}', 'legacy note'), ('${LEGACY}', 2.5),
          ('0199a000-0000-7000-8000-000000000001', NULL);
        CREATE TRIGGER future_on_rename AFTER UPDATE OF title ON threads BEGIN
          INSERT INTO future_audit (thread_id, what) VALUES (NEW.id, 'renamed');
          UPDATE future_counts SET n = n + 1 WHERE thread_id = NEW.id;
        END;
        CREATE TRIGGER future_on_delete AFTER DELETE ON threads BEGIN
          DELETE FROM future_notes WHERE thread_id = OLD.id;
          INSERT INTO future_counts VALUES (OLD.id || ' gone', 0);
          DELETE FROM future_audit WHERE thread_id = '0199a000-0000-7000-8000-000000000002';
        END;
      `)
      setup.close()
      const before = dumpDatabase(db)
      const journal = Journal.make({ codexHome: home, busyTimeoutMs: 200 })
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          yield* tx.updateRows(db, "threads", { id: "0199a000-0000-7000-8000-000000000001" }, { title: "renamed" })
          yield* tx.deleteRows(db, "threads", [{ id: LEGACY }])
          return tx.id
        }))
      const after = openDatabase(db, { readonly: true })
      assert.deepStrictEqual(after.prepare("SELECT thread_id, what FROM future_audit").all(), [
        { thread_id: "0199a000-0000-7000-8000-000000000001", what: "renamed" }
      ])
      assert.deepStrictEqual(after.prepare("SELECT * FROM future_counts ORDER BY thread_id").all(), [
        { thread_id: "0199a000-0000-7000-8000-000000000001", n: 6 },
        { thread_id: `${LEGACY} gone`, n: 0 }
      ])
      assert.strictEqual(after.prepare("SELECT count(*) AS n FROM future_notes").get().n, 2)
      after.close()
      const besides = sideEffects(yield* sqlChanges(journal, id))
      assert.deepStrictEqual(besides.map((change) => [change.kind, change.table]), [
        ["insert", "future_audit"],
        ["update", "future_counts"],
        ["delete", "future_notes"],
        ["delete", "future_notes"],
        ["insert", "future_counts"],
        ["delete", "future_audit"]
      ])
      // a table without primary key: its rows are known by rowid
      assert.deepStrictEqual(besides[2]!.kind === "delete" && besides[2]!.key, { rowid: 2 })

      yield* journal.rollback(id)
      assert.deepStrictEqual(dumpDatabase(db), before)
    }))

  it.effect("a foreign-key cascade is recorded; rollback puts the children back after their parent", () =>
    Effect.gen(function*() {
      const home = makeHome()
      const db = path.join(home, DB)
      const before = dumpDatabase(db)
      const journal = Journal.make({ codexHome: home, busyTimeoutMs: 200 })
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.as(tx.deleteRows(db, "threads", [{ id: "0199a000-0000-7000-8000-000000000002" }]), tx.id))
      const after = openDatabase(db, { readonly: true })
      assert.strictEqual(after.prepare("SELECT count(*) AS n FROM thread_dynamic_tools").get().n, 0)
      after.close()
      assert.deepStrictEqual(sideEffects(yield* sqlChanges(journal, id)).map((change) => [change.kind, change.table]), [
        ["delete", "thread_dynamic_tools"]
      ])
      yield* journal.rollback(id)
      assert.deepStrictEqual(dumpDatabase(db), before)
    }))

  it.effect("a rollback whose delete would cascade to rows added since is refused, changing nothing; force deletes them", () =>
    Effect.gen(function*() {
      const home = makeHome()
      const db = path.join(home, DB)
      const journal = Journal.make({ codexHome: home, busyTimeoutMs: 200 })
      const id = yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.as(tx.insertRows(db, "threads", [{ id: "new", rollout_path: "/n", created_at: 1, updated_at: 2, title: "new" }], ["id"]), tx.id))
      // Codex gave the imported thread a tool since
      const codex = openDatabase(db)
      codex.prepare("INSERT INTO thread_dynamic_tools VALUES ('new', 0, 'search', NULL)").run()
      codex.close()
      const since = dumpDatabase(db)
      const error = yield* failure(journal.rollback(id))
      assert.strictEqual(error.reason, "changed_since")
      assert.include(error.message, "threads row id='new' undoing it also deletes 1 other row(s) (foreign-key actions or triggers)")
      assert.deepStrictEqual(dumpDatabase(db), since)
      yield* journal.rollback(id, { force: true })
      const after = openDatabase(db, { readonly: true })
      assert.deepStrictEqual(after.prepare("SELECT count(*) AS n FROM thread_dynamic_tools WHERE thread_id = 'new'").get(), { n: 0 })
      after.close()
    }))

  it.effect("a change the journal cannot see (a trigger writing a virtual table) is refused, changing nothing", () =>
    Effect.gen(function*() {
      const home = makeHome()
      const db = path.join(home, DB)
      const setup = openDatabase(db)
      setup.exec(`
        CREATE VIRTUAL TABLE future_search USING fts5(title);
        CREATE TRIGGER future_index AFTER UPDATE OF title ON threads BEGIN INSERT INTO future_search (title) VALUES (NEW.title); END;
      `)
      setup.close()
      const before = dumpDatabase(db)
      const journal = Journal.make({ codexHome: home, busyTimeoutMs: 200 })
      yield* journal.transaction({ kind: "test" }, (tx) =>
        Effect.gen(function*() {
          const error = yield* failure(tx.updateRows(db, "threads", { id: "0199a000-0000-7000-8000-000000000001" }, { title: "renamed" }))
          assert.strictEqual(error.reason, "unjournaled_write")
          // how many rows FTS5 writes is its own business
          assert.match(
            error.message.slice(db.length),
            /^: changing threads also changed \d+ row\(s\) the journal cannot see \(a virtual table, or a table without rowid and primary key\), so it could not undo them$/
          )
        }))
      assert.deepStrictEqual(dumpDatabase(db), before)
    }))

  it.effect("a record without rowids (written before they were recorded) still rolls back, its rows under new rowids", () =>
    Effect.gen(function*() {
      const home = tempDir("journal")
      const db = path.join(home, HISTORY)
      fs.copyFileSync(path.join(fixtureHome, HISTORY), db)
      const withoutRowids = (dump: Record<string, unknown>) =>
        JSON.parse(JSON.stringify(dump, (key, value) => key === "(rowid)" ? undefined : value))
      const before = dumpDatabase(db)
      const journal = Journal.make({ codexHome: home, busyTimeoutMs: 200 })
      const id = yield* journal.transaction({ kind: "sync" }, (tx) =>
        Effect.as(tx.deleteRows(db, "thread_items", [{ thread_id: FORWARDED }]), tx.id))
      const file = path.join(home, "sessionport", "journal", id, "transaction.json")
      const record = JSON.parse(fs.readFileSync(file, "utf8"))
      for (const op of record.operations) for (const change of op.changes ?? []) delete change.rowids
      fs.writeFileSync(file, JSON.stringify(record, null, 2))
      const report = yield* journal.rollback(id)
      assert.strictEqual(report.status, "rolled_back")
      const restored = dumpDatabase(db)
      assert.deepStrictEqual(withoutRowids(restored), withoutRowids(before))
      assert.notDeepEqual(restored, before)
    }))
})
