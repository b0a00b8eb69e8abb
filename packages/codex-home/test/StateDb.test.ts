import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { CodexHome, StateDb } from "@sessionport/codex-home"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { copyFixtureHome, fixtureByRole, fixtureThreads, openDatabase, removeTemps, sqlThreads, tempDir } from "@sessionport/codex-oracle/Fixtures"

afterAll(removeTemps)

const withDb = <A, E>(root: string, effect: Effect.Effect<A, E, StateDb.StateDb>, options: StateDb.StateDbOptions = {}) =>
  effect.pipe(
    Effect.provide(
      StateDb.layer(options).pipe(Layer.provide(CodexHome.layer({ root })), Layer.provide(NodeContext.layer))
    )
  )

/** Migration 0001's `threads` and 0004's `thread_dynamic_tools`, as the first Codex with a database made them. */
const OLD_LAYOUT = `
CREATE TABLE threads (
  id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  source TEXT NOT NULL, model_provider TEXT NOT NULL, cwd TEXT NOT NULL, title TEXT NOT NULL,
  sandbox_policy TEXT NOT NULL, approval_mode TEXT NOT NULL, tokens_used INTEGER NOT NULL DEFAULT 0,
  has_user_event INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, archived_at INTEGER,
  git_sha TEXT, git_branch TEXT, git_origin_url TEXT
);
CREATE TABLE thread_dynamic_tools (
  thread_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  input_schema TEXT NOT NULL, PRIMARY KEY (thread_id, position),
  FOREIGN KEY(thread_id) REFERENCES threads(id) ON DELETE CASCADE
);
PRAGMA journal_mode = WAL;
`

const OLD_COLUMNS = [
  "id",
  "rollout_path",
  "created_at",
  "updated_at",
  "source",
  "model_provider",
  "cwd",
  "title",
  "sandbox_policy",
  "approval_mode",
  "tokens_used",
  "has_user_event",
  "archived",
  "archived_at",
  "git_sha",
  "git_branch",
  "git_origin_url"
]

const oldLayoutHome = () => {
  const root = copyFixtureHome({ withDatabase: false })
  const db = openDatabase(path.join(root, "state_5.sqlite"), { fileMustExist: false })
  db.exec(OLD_LAYOUT)
  const beta = fixtureByRole("beta_cwd")
  db.prepare(
    `INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title,
       sandbox_policy, approval_mode, tokens_used, has_user_event, git_branch)
     VALUES (?, ?, 1769600000, 1769600100, 'cli', 'openai', ?, ?, '{"type":"read-only"}', 'on-request', 1234, 1, 'main')`
  ).run(beta.threadId, path.join(root, beta.rollout), beta.cwd, beta.prompts[0])
  db.prepare(
    "INSERT INTO thread_dynamic_tools (thread_id, position, name, description, input_schema) VALUES (?, 0, 'lookup', 'Looks up', '{}')"
  ).run(beta.threadId)
  db.close()
  return { root, beta }
}

describe("StateDb", () => {
  it.effect("0.169 layout: columns, rows and extra columns, as plain SQL reads them", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const independent = openDatabase(path.join(root, "state_5.sqlite"), { readonly: true })
      const sqlColumns = independent.prepare("SELECT name FROM pragma_table_info('threads') ORDER BY cid").all()
        .map((r) => r.name as string)
      const sqlTools = independent.prepare("SELECT * FROM thread_dynamic_tools").all()
      independent.close()
      const sqlRows = sqlThreads(root)

      yield* withDb(
        root,
        Effect.gen(function*() {
          const db = yield* StateDb.StateDb
          assert.isTrue(db.exists)
          assert.strictEqual(db.mode, "read-only")
          assert.deepStrictEqual(yield* db.columns("threads"), sqlColumns)
          assert.isAbove(sqlColumns.length, 40)
          assert.isTrue(yield* db.tableExists("threads"))
          assert.isFalse(yield* db.tableExists("nope"))
          assert.deepStrictEqual(yield* db.columns("nope"), [])

          const rows = yield* db.threads()
          assert.deepStrictEqual(rows.map((r) => ({ ...r })), sqlRows)
          assert.deepStrictEqual(rows.map((r) => r.id).sort(), fixtureThreads.map((s) => s.threadId).sort())
          // columns the schema does not model pass through
          assert.isTrue("is_pinned" in rows[0]! && "project_id" in rows[0]!)
          const named = fixtureByRole("named")
          const some = yield* db.threads([named.threadId, "00000000-0000-0000-0000-000000000000"])
          assert.deepStrictEqual(some.map((r) => [r.id, r.name]), [[named.threadId, named.name]])
          assert.deepStrictEqual(yield* db.threads([]), [])
          assert.deepStrictEqual((yield* db.dynamicTools()).map((r) => ({ ...r })), sqlTools)
        })
      )
      // a reader neither changes the journal mode nor checkpoints
      const after = openDatabase(path.join(root, "state_5.sqlite"), { readonly: true })
      assert.strictEqual(after.prepare("PRAGMA journal_mode").get().journal_mode, "wal")
      after.close()
    }))

  it.effect("the first (0001) layout: fewer columns, rows still decode", () =>
    Effect.gen(function*() {
      const { root, beta } = oldLayoutHome()
      yield* withDb(
        root,
        Effect.gen(function*() {
          const db = yield* StateDb.StateDb
          assert.deepStrictEqual(yield* db.columns("threads"), OLD_COLUMNS)
          assert.deepStrictEqual(yield* db.columns("thread_dynamic_tools"), [
            "thread_id",
            "position",
            "name",
            "description",
            "input_schema"
          ])
          const rows = yield* db.threads()
          assert.strictEqual(rows.length, 1)
          const row = rows[0]!
          assert.strictEqual(row.id, beta.threadId)
          assert.strictEqual(row.cwd, beta.cwd)
          assert.strictEqual(row.title, beta.prompts[0])
          assert.strictEqual(row.tokens_used, 1234)
          assert.strictEqual(row.git_branch, "main")
          assert.strictEqual(row.name, undefined)
          assert.deepStrictEqual(Object.keys(row).sort(), [...OLD_COLUMNS].sort())
          const tools = yield* db.dynamicTools([beta.threadId])
          assert.deepStrictEqual(tools.map((t) => [t.thread_id, t.position, t.name]), [[beta.threadId, 0, "lookup"]])
          assert.strictEqual(tools[0]!.defer_loading, undefined)
        })
      )
    }))

  it.effect("a home where Codex never ran: no database, every read empty, nothing created", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome({ withDatabase: false })
      yield* withDb(
        root,
        Effect.gen(function*() {
          const db = yield* StateDb.StateDb
          assert.isFalse(db.exists)
          assert.deepStrictEqual(yield* db.threads(), [])
          assert.deepStrictEqual(yield* db.threads(["x"]), [])
          assert.deepStrictEqual(yield* db.dynamicTools(), [])
          assert.deepStrictEqual(yield* db.columns("threads"), [])
          assert.isFalse(yield* db.tableExists("threads"))
          yield* db.assertIdle
        })
      )
      const error = yield* Effect.flip(
        withDb(root, Effect.flatMap(StateDb.StateDb, (db) => db.transaction(() => Effect.void)), { mode: "read-write" })
      )
      assert.strictEqual(error.reason, "missing_file")
      assert.isFalse(fs.existsSync(path.join(root, "state_5.sqlite")))
    }))

  it.effect("busy: assertIdle fails while another connection holds the write lock, naming the file", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const file = path.join(root, "state_5.sqlite")
      yield* withDb(
        root,
        Effect.gen(function*() {
          const db = yield* StateDb.StateDb
          yield* db.assertIdle
          const holder = openDatabase(file, { timeout: 0 })
          holder.exec("BEGIN IMMEDIATE")
          holder.prepare("UPDATE threads SET title = title").run()
          try {
            const error = yield* Effect.flip(db.assertIdle)
            assert.strictEqual(error.reason, "busy")
            assert.strictEqual(
              error.message,
              `Codex is running and holds ${file}; quit Codex (CLI and Desktop) and try again`
            )
            // WAL readers are not blocked by a writer
            assert.strictEqual((yield* db.threads()).length, 6)
          } finally {
            holder.exec("ROLLBACK")
            holder.close()
          }
          yield* db.assertIdle
        })
      )
    }))

  it.effect("read-write mode: a transaction commits, or rolls back on failure", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const named = fixtureByRole("named")
      const title = () => sqlThreads(root).find((r) => r.id === named.threadId)!.title
      const before = title()
      const failed = yield* withDb(
        root,
        Effect.flatMap(StateDb.StateDb, (db) =>
          db.transaction((sql) =>
            sql`UPDATE threads SET title = 'changed' WHERE id = ${named.threadId}`.pipe(
              Effect.zipRight(Effect.fail("boom" as const))
            )
          )),
        { mode: "read-write" }
      ).pipe(Effect.flip)
      assert.strictEqual(failed, "boom")
      assert.strictEqual(title(), before)
      yield* withDb(
        root,
        Effect.flatMap(StateDb.StateDb, (db) =>
          db.transaction((sql) => sql`UPDATE threads SET title = 'changed' WHERE id = ${named.threadId}`)),
        { mode: "read-write" }
      )
      assert.strictEqual(title(), "changed")
      const readOnly = yield* withDb(
        root,
        Effect.flatMap(StateDb.StateDb, (db) => db.transaction(() => Effect.void))
      ).pipe(Effect.flip)
      assert.strictEqual(readOnly.reason, "read_only")
    }))

  it.effect("a file that is not a database fails bad_database", () =>
    Effect.gen(function*() {
      const root = tempDir()
      fs.writeFileSync(path.join(root, "state_5.sqlite"), "definitely not sqlite ".repeat(100))
      const error = yield* Effect.flip(withDb(root, StateDb.StateDb))
      assert.strictEqual(error.reason, "bad_database")
      assert.include(error.message, path.join(root, "state_5.sqlite"))
      assert.notInclude(error.message, "\n")
    }))
})
