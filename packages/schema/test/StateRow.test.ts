import { SqliteClient } from "@effect/sql-sqlite-node"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { StateRow } from "@sessionport/schema"
import { Effect, Layer, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const fixtureDb = path.resolve(import.meta.dirname, "..", "..", "..", "fixtures", "codex", "home", "state_5.sqlite")

/** A copy of a database, so that opening it never touches the committed fixture. */
const copyOf = (file: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-state-"))
  for (const suffix of ["", "-wal", "-shm"]) {
    if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, path.join(dir, "state_5.sqlite" + suffix))
  }
  return path.join(dir, "state_5.sqlite")
}

const sqlite = (filename: string) => SqliteClient.layer({ filename })

describe("StateRow", () => {
  it.effect("decodes every threads and thread_dynamic_tools row of the real Codex 0.169 database", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const threads = yield* sql`SELECT * FROM threads`
      assert.isAtLeast(threads.length, 5)
      for (const row of threads) {
        const decoded = Schema.decodeUnknownSync(StateRow.ThreadRow)(row)
        // nothing dropped: columns this version does not list pass through
        assert.deepStrictEqual(Object.keys(decoded).sort(), Object.keys(row).sort())
      }
      const columns = (yield* sql`PRAGMA table_info(threads)`).map((c: any) => c.name as string)
      assert.includeMembers(columns, ["id", "rollout_path", "cwd", "preview", "history_mode"])
      for (const row of yield* sql`SELECT * FROM thread_dynamic_tools`) {
        Schema.decodeUnknownSync(StateRow.ThreadDynamicToolRow)(row)
      }
    }).pipe(Effect.provide(Layer.suspend(() => sqlite(copyOf(fixtureDb))))))

  it.effect("decodes rows of the first state database layout (migration 0001 columns only)", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      // CREATE TABLE of codex-rs/state/migrations/0001_threads.sql (2026-01-28)
      yield* sql`CREATE TABLE threads (
        id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, source TEXT NOT NULL, model_provider TEXT NOT NULL,
        cwd TEXT NOT NULL, title TEXT NOT NULL, sandbox_policy TEXT NOT NULL,
        approval_mode TEXT NOT NULL, tokens_used INTEGER NOT NULL DEFAULT 0,
        has_user_event INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0,
        archived_at INTEGER, git_sha TEXT, git_branch TEXT, git_origin_url TEXT)`
      yield* sql`INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title,
        sandbox_policy, approval_mode) VALUES ('019c0000-0000-7000-8000-000000000001', '/h/sessions/r.jsonl',
        1769600000, 1769600100, 'cli', 'openai', '/p', 'hello', '{"type":"read-only"}', 'on-request')`
      const [row] = yield* sql`SELECT * FROM threads`
      const decoded = Schema.decodeUnknownSync(StateRow.ThreadRow)(row)
      assert.strictEqual(decoded.cwd, "/p")
      assert.strictEqual(decoded.preview, undefined)
    }).pipe(Effect.provide(Layer.suspend(() => sqlite(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sp-old-")), "state_5.sqlite"))))))
})
