import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { CodexHome, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  copyFixtureHome,
  fixtureByRole,
  fixtures,
  fixtureThreads,
  openDatabase,
  removeTemps,
  tempDir
} from "@sessionport/codex-oracle/Fixtures"
import { assistant, sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"

afterAll(removeTemps)

const catalogLayer = (root: string) =>
  SessionCatalog.layer.pipe(
    Layer.provideMerge(StateDb.layer()),
    Layer.provideMerge(CodexHome.layer({ root })),
    Layer.provideMerge(NodeContext.layer)
  )

const select = (root: string, filter: Partial<SessionCatalog.ListFilter>) =>
  Effect.flatMap(SessionCatalog.SessionCatalog, (catalog) =>
    catalog.list({ includeArchived: false, all: false, ...filter })).pipe(Effect.provide(catalogLayer(root)))

const list = (root: string, filter: Partial<SessionCatalog.ListFilter>) =>
  Effect.map(select(root, filter), (selection) => selection.sessions)

const ids = (infos: ReadonlyArray<SessionCatalog.SessionInfo>) => infos.map((info) => info.threadId).sort()
const idsOf = (...roles: ReadonlyArray<string>) => [...new Set(roles.map((role) => fixtureByRole(role).threadId))].sort()

const ALL_ACTIVE = ["multi_turn_tools", "forked", "beta_cwd", "named", "zst"]

describe("SessionCatalog", () => {
  it.effect("joins files, heads, rows and names", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const infos = yield* list(root, { all: true, includeArchived: true })
      assert.deepStrictEqual(ids(infos), fixtureThreads.map((s) => s.threadId).sort())
      for (const expected of fixtureThreads) {
        const info = infos.find((i) => i.threadId === expected.threadId)!
        assert.strictEqual(info.file.relativePath, expected.rollout)
        assert.strictEqual(info.head.cwd, expected.cwd)
        assert.strictEqual(info.row?.id, expected.threadId)
        assert.strictEqual(info.archived, expected.archived)
        assert.strictEqual(info.name, expected.name)
        assert.strictEqual(info.forkParentId, expected.parentId)
        assert.strictEqual(info.requiresParent, expected.parentId !== undefined)
        assert.strictEqual(info.lastActivity.getTime(), fs.statSync(path.join(root, expected.rollout)).mtime.getTime())
      }
    }))

  it.effect("names: session_index.jsonl first, then threads.name, then a renamed threads.title", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const named = fixtureByRole("named")
      const beta = fixtureByRole("beta_cwd")
      fs.appendFileSync(
        path.join(root, "session_index.jsonl"),
        JSON.stringify({ id: named.threadId, thread_name: "Renamed later", updated_at: "2026-11-22T00:00:00Z" }) + "\n"
      )
      const db = openDatabase(path.join(root, "state_5.sqlite"))
      db.prepare("UPDATE threads SET title = 'Old-style rename' WHERE id = ?").run(beta.threadId)
      db.close()
      const byId = new Map((yield* list(root, { all: true })).map((i) => [i.threadId, i.name]))
      assert.strictEqual(byId.get(named.threadId), "Renamed later")
      assert.strictEqual(byId.get(beta.threadId), "Old-style rename")

      fs.rmSync(path.join(root, "session_index.jsonl"))
      const withoutIndex = yield* list(root, { threadIds: [named.threadId] })
      assert.strictEqual(withoutIndex[0]!.name, named.name)
    }))

  describe("filters", () => {
    it.effect("all, with and without archived sessions", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        assert.deepStrictEqual(ids(yield* list(root, { all: true })), idsOf(...ALL_ACTIVE))
        assert.deepStrictEqual(ids(yield* list(root, { all: true, includeArchived: true })).length, 6)
        // nothing asked, nothing selected
        assert.deepStrictEqual(yield* list(root, {}), [])
      }))

    it.effect("thread ids, which are kept even when archived", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const beta = fixtureByRole("beta_cwd").threadId
        assert.deepStrictEqual(ids(yield* list(root, { threadIds: [beta] })), [beta])
        assert.deepStrictEqual(ids(yield* list(root, { threadIds: [beta.toUpperCase()] })), [beta])
        const archived = fixtureByRole("archived").threadId
        assert.deepStrictEqual(ids(yield* list(root, { threadIds: [archived] })), [archived])
        assert.deepStrictEqual(yield* list(root, { threadIds: ["00000000-0000-4000-8000-000000000000"] }), [])
      }))

    it.effect("cwds: exact, trailing separator, subfolder, path boundary", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const { alpha, beta } = fixtures.source
        assert.deepStrictEqual(ids(yield* list(root, { cwds: [alpha] })), idsOf("multi_turn_tools", "forked"))
        assert.deepStrictEqual(ids(yield* list(root, { cwds: [`${alpha}/`] })), idsOf("multi_turn_tools", "forked"))
        assert.deepStrictEqual(
          ids(yield* list(root, { cwds: [alpha], includeArchived: true })),
          idsOf("multi_turn_tools", "forked", "archived")
        )
        assert.deepStrictEqual(ids(yield* list(root, { cwds: [beta, alpha] })), idsOf(...ALL_ACTIVE))
        // the folder that holds both projects
        assert.deepStrictEqual(ids(yield* list(root, { cwds: [path.dirname(alpha) + "//"] })), idsOf(...ALL_ACTIVE))
        // "/…/alp" is a prefix of "/…/alpha" but not a folder of it
        assert.deepStrictEqual(yield* list(root, { cwds: [alpha.slice(0, -2)] }), [])
        assert.deepStrictEqual(yield* list(root, { cwds: [path.join(alpha, "src")] }), [])
        // cwds and ids add up
        assert.deepStrictEqual(
          ids(yield* list(root, { cwds: [beta], threadIds: [fixtureByRole("archived").threadId] })),
          idsOf("beta_cwd", "named", "zst", "archived")
        )
      }))

    it.effect("since compares the last activity (file mtime)", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const old = new Date(Date.UTC(2020, 0, 1))
        for (const s of fixtureThreads) fs.utimesSync(path.join(root, s.rollout), old, old)
        const recent = new Date(Date.UTC(2026, 10, 20))
        fs.utimesSync(path.join(root, fixtureByRole("named").rollout), recent, recent)
        const since = new Date(Date.UTC(2026, 0, 1))
        assert.deepStrictEqual(ids(yield* list(root, { all: true, since })), idsOf("named"))
        assert.deepStrictEqual(ids(yield* list(root, { all: true, since: old })), idsOf(...ALL_ACTIVE))
        // named ids are kept whatever their age
        assert.deepStrictEqual(
          ids(yield* list(root, { cwds: [fixtures.source.beta], since, threadIds: [fixtureByRole("zst").threadId] })),
          idsOf("named", "zst")
        )
      }))
  })

  describe("forks", () => {
    it.effect("withForkParents pulls in the parent a paginated fork reads from", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const fork = fixtureByRole("forked")
        const lineage = yield* Effect.flatMap(SessionCatalog.SessionCatalog, (catalog) =>
          Effect.flatMap(
            catalog.list({ threadIds: [fork.threadId], includeArchived: false, all: false }),
            (selection) => catalog.withForkParents(selection.sessions)
          )).pipe(Effect.provide(catalogLayer(root)))
        assert.deepStrictEqual(lineage.sessions.map((s) => s.threadId), [fork.threadId, fork.parentId])
        assert.deepStrictEqual(lineage.missingParents, [])
      }))

    it.effect("reports parents missing from the home, following chains of forks", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const [child, middle, gone] = [uuid(1), uuid(2), uuid(3)]
        const time = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s))
        writeRollout(root, child, time(1), [
          sessionMeta({ id: child, cwd: "/p", forked_from_id: middle }),
          userMessage("child")
        ])
        writeRollout(root, middle, time(2), [
          sessionMeta({ id: middle, cwd: "/p", forked_from_id: gone }),
          userMessage("middle")
        ], true)
        const lineage = yield* Effect.flatMap(SessionCatalog.SessionCatalog, (catalog) =>
          Effect.flatMap(
            catalog.list({ threadIds: [child], includeArchived: false, all: false }),
            (selection) => catalog.withForkParents(selection.sessions)
          )).pipe(Effect.provide(catalogLayer(root)))
        assert.deepStrictEqual(lineage.sessions.map((s) => s.threadId), [child, middle])
        assert.isFalse(lineage.sessions[0]!.requiresParent)
        assert.deepStrictEqual(lineage.missingParents, [gone])
      }))
  })

  it.effect("a home without state_5.sqlite lists sessions without rows", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome({ withDatabase: false })
      const infos = yield* list(root, { all: true, includeArchived: true })
      assert.strictEqual(infos.length, 6)
      assert.isTrue(infos.every((info) => info.row === undefined))
      const named = fixtureByRole("named")
      assert.strictEqual(infos.find((i) => i.threadId === named.threadId)!.name, named.name)
    }))

  it.effect("lists a broken rollout as unreadable, with why, and the rest as sessions", () =>
    Effect.gen(function*() {
      const root = copyFixtureHome()
      const relativePath = `sessions/2026/11/21/rollout-2026-11-21T10-00-00-${uuid(1)}.jsonl`
      fs.writeFileSync(path.join(root, relativePath), "not a rollout\n")
      const selection = yield* select(root, { all: true })
      assert.deepStrictEqual(ids(selection.sessions), idsOf(...ALL_ACTIVE))
      const reason = "its first line is not JSON, and no session_meta is in its first 10 lines"
      assert.deepStrictEqual(
        selection.unreadable.map((u) => [u._tag, u.threadId, u.file.relativePath, u.reason]),
        [["UnreadableSession", uuid(1), relativePath, reason]]
      )
      // named by id, it is listed too; not selected, it is not
      assert.deepStrictEqual((yield* select(root, { threadIds: [uuid(1)] })).unreadable.map((u) => u.threadId), [uuid(1)])
      assert.deepStrictEqual((yield* select(root, { threadIds: [fixtureByRole("named").threadId] })).unreadable, [])
    }))

  it.effect("streams through 2,000 sessions keeping only small summaries", () =>
    Effect.gen(function*() {
      const root = tempDir("many")
      // big instructions in every head, which a summary must not keep
      const instructions = "You are Codex. ".repeat(600)
      const n = 2000
      for (let i = 0; i < n; i++) {
        const id = uuid(i + 1)
        const time = new Date(Date.UTC(2026, 0, 1 + (i % 28), 8, Math.floor(i / 28) % 60, i % 60))
        writeRollout(root, id, time, [
          sessionMeta({
            id,
            cwd: i % 2 === 0 ? "/work/even" : "/work/odd",
            base_instructions: { text: instructions }
          }),
          assistant("ready"),
          userMessage(`prompt ${i}`),
          assistant("done")
        ], i % 100 === 0)
      }
      const layer = catalogLayer(root)
      const infos = yield* Effect.flatMap(SessionCatalog.SessionCatalog, (catalog) =>
        catalog.list({ all: true, includeArchived: true })).pipe(Effect.map((s) => s.sessions), Effect.provide(layer))
      assert.strictEqual(infos.length, n)
      assert.strictEqual(new Set(infos.map((i) => i.threadId)).size, n)
      const prompts = new Map(infos.map((i) => [i.threadId, i.head.firstUserMessage]))
      assert.strictEqual(prompts.get(uuid(1)), "prompt 0")
      assert.strictEqual(prompts.get(uuid(n)), `prompt ${n - 1}`)
      assert.strictEqual(infos.filter((i) => i.archived).length, n / 100)
      // each summary is a few hundred bytes, the file was ~10 kB
      const largest = Math.max(...infos.map((i) => JSON.stringify(i).length))
      assert.isBelow(largest, 2_000)

      // filtered while streaming: only the matches are collected
      let count = 0
      yield* Effect.flatMap(SessionCatalog.SessionCatalog, (catalog) =>
        catalog.stream({ cwds: ["/work/odd"], includeArchived: false, all: false }).pipe(
          Stream.runForEach(() => Effect.sync(() => void count++))
        )).pipe(Effect.provide(layer))
      // the archived ones (every 100th) all have an even index
      assert.strictEqual(count, n / 2)
    }), 120_000)
})
