/**
 * Push on copies of the Codex fixture home: what it publishes, what it leaves alone, what it
 * writes and removes in its outbox. Expected sessions come from the fixture list, digests from
 * node:crypto over the package file, package contents from `PackageInspection`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Agents, Journals } from "@sessionport/agent"
import { fixtureByRole, fixtureThreads, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { PackageInspection } from "@sessionport/package-format"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as ExchangeState from "../src/ExchangeState.js"
import { continueSession, fixtureMachine as machine, indexOf, layerFor, outboxOf, push } from "./utils/exchange.js"

afterAll(removeTemps)

const sessionIds = (sessions: ReadonlyArray<{ readonly id: string }>) => sessions.map((s) => s.id).sort()
const allIds = fixtureThreads.map((s) => s.threadId).sort()

describe("Push", () => {
  it.effect("publishes every session first, then nothing while nothing changes, then exactly the continued one", () =>
    Effect.gen(function*() {
      const m = machine()
      const first = yield* push(m)
      const outbox = outboxOf(m)
      assert.strictEqual(path.basename(outbox), first.machineId)
      assert.isTrue(fs.readFileSync(path.join(outbox, "README.txt"), "utf8").startsWith("sessionport outbox of alice-laptop"))

      // one package, listed with its digest, size and every session
      const index = indexOf(m)
      assert.strictEqual(index.packages.length, 1)
      const entry = index.packages[0]
      const bytes = fs.readFileSync(path.join(outbox, entry.file))
      const sha256 = createHash("sha256").update(bytes).digest("hex")
      assert.strictEqual(entry.seq, 1)
      assert.strictEqual(entry.sha256, sha256)
      assert.strictEqual(entry.size, bytes.length)
      assert.strictEqual(entry.file, `packages/000001-${sha256.slice(0, 32)}.tgz`)
      assert.deepStrictEqual(sessionIds(entry.sessions), allIds)
      assert.deepStrictEqual(first.package?.file, entry.file)
      assert.deepStrictEqual(fs.readdirSync(path.join(outbox, "packages")), [path.basename(entry.file)])
      // the staging folder is gone once the package is in place
      assert.isFalse(fs.existsSync(path.join(outbox, "tmp")))
      const inspected = yield* PackageInspection.inspect(path.join(outbox, entry.file))
      assert.deepStrictEqual(inspected.sessions.map((s) => s.threadId).sort(), allIds)

      // nothing changed: nothing written
      const before = fileState(m.folder)
      const second = yield* push(m)
      assert.isNull(second.package)
      assert.strictEqual(second.unchanged, allIds.length)
      assert.deepStrictEqual(fileState(m.folder), before)

      // one session continued: a package of exactly that one
      continueSession(m.home, "beta_cwd")
      const third = yield* push(m)
      const id = fixtureByRole("beta_cwd").threadId
      assert.strictEqual(third.package?.seq, 2)
      assert.deepStrictEqual(sessionIds(third.package!.sessions), [id])
      const after = indexOf(m)
      assert.strictEqual(after.packages.length, 2)
      assert.isTrue(Date.parse(after.packages[1].pushed_at) > Date.parse(after.packages[0].pushed_at))
      assert.strictEqual(after.packages[1].sessions[0].size, fs.statSync(path.join(m.home, fixtureByRole("beta_cwd").rollout)).size)
      const second2 = yield* PackageInspection.inspect(path.join(outbox, after.packages[1].file))
      assert.deepStrictEqual(second2.sessions.map((s) => s.threadId), [id])
      // the first package still holds the newest copy of the others: nothing compacted
      assert.strictEqual(fs.readdirSync(path.join(outbox, "packages")).length, 2)
    }))

  it.effect("does not publish a session as a pull left it (its mark), nor on a dry run; --all publishes everything", () =>
    Effect.gen(function*() {
      const m = machine()
      yield* push(m)
      const id = fixtureByRole("named").threadId
      continueSession(m.home, "named")

      // a dry run says what would go, and writes nothing
      const before = fileState(m.folder)
      const dry = yield* push(m, { dryRun: true })
      assert.isNull(dry.package)
      assert.deepStrictEqual(sessionIds(dry.sessions), [id])
      assert.deepStrictEqual(fileState(m.folder), before)

      // a pull brought it as it is now: its mark, as a pull writes it (the listing's size and time)
      yield* Effect.gen(function*() {
        const { stores } = yield* Agents.Agents
        const listed = (yield* stores[0]!.list({ ids: [id], cwds: [], since: undefined, all: false, includeArchived: true })).sessions[0]!
        const state = ExchangeState.make(m.home)
        yield* state.ensure
        const journals = yield* Journals.Journals
        yield* journals.forAgents(["codex"]).transaction({ kind: "pull", summary: {} }, (tx) =>
          tx.sql(state.path, ExchangeState.setMarks([{
            localId: id,
            size: listed.size,
            updatedAt: listed.updatedAt,
            machineId: "bob-pc-0a1b2c3d",
            package: `000001-${"a".repeat(32)}`,
            transactionId: tx.id,
            atMs: Date.now()
          }])))
      }).pipe(Effect.provide(layerFor(m)))
      const marked = yield* push(m)
      assert.isNull(marked.package)
      assert.deepStrictEqual(fileState(m.folder), before)

      const all = yield* push(m, { all: true })
      assert.deepStrictEqual(sessionIds(all.package!.sessions), allIds)
    }))

  it.effect("removes a leftover staging file and an unlisted package of its own outbox", () =>
    Effect.gen(function*() {
      const m = machine()
      yield* push(m)
      const outbox = outboxOf(m)
      const listed = fs.readdirSync(path.join(outbox, "packages"))
      const orphan = `000002-${"b".repeat(32)}.tgz`
      fs.writeFileSync(path.join(outbox, "packages", orphan), "killed push")
      fs.mkdirSync(path.join(outbox, "tmp"))
      fs.writeFileSync(path.join(outbox, "tmp", "000002.tgz.tmp-host-1-abc"), "partial")
      const index = fs.readFileSync(path.join(outbox, "outbox.json"), "utf8")

      const dry = yield* push(m, { dryRun: true })
      assert.deepStrictEqual([...dry.removed].sort(), [`packages/${orphan}`, "tmp/000002.tgz.tmp-host-1-abc"])
      assert.isTrue(fs.existsSync(path.join(outbox, "packages", orphan)))

      const result = yield* push(m)
      assert.isNull(result.package)
      assert.deepStrictEqual([...result.removed].sort(), [`packages/${orphan}`, "tmp/000002.tgz.tmp-host-1-abc"])
      assert.deepStrictEqual(fs.readdirSync(path.join(outbox, "packages")), listed)
      assert.isFalse(fs.existsSync(path.join(outbox, "tmp")))
      assert.strictEqual(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8"), index)
    }))

  it.effect("writes nothing at all on a dry run of a fresh outbox", () =>
    Effect.gen(function*() {
      const m = machine()
      const dry = yield* push(m, { dryRun: true })
      assert.isNull(dry.package)
      assert.deepStrictEqual(sessionIds(dry.sessions), allIds)
      assert.deepStrictEqual(fs.readdirSync(m.folder), [])
    }))
})
