/**
 * Push on copies of the Codex fixture home: what it publishes, what it leaves alone, what it
 * writes and removes in its outbox. Expected sessions come from the fixture list, digests from
 * node:crypto over the package file, package contents from `PackageInspection`.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Agents, Journals } from "@sessionport/agent"
import { CodexHome, CodexStore, Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { copyFixtureHome, fixtureByRole, fixtureThreads, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Journal } from "@sessionport/journal"
import { PackageInspection } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as ExchangeState from "../src/ExchangeState.js"
import * as MachineConfig from "../src/MachineConfig.js"
import * as Push from "../src/Push.js"

afterAll(removeTemps)

/** One machine: a copy of the fixture home, an exchange folder, a config dir. */
const machine = () => ({ home: copyFixtureHome(), folder: tempDir("exchange"), config: tempDir("config") })
type Machine = ReturnType<typeof machine>

/** The services of a command on one Codex home (as the CLIs build them, Codex alone) and the push. */
const layerFor = (m: Machine) => {
  const home = CodexHome.layer({ root: m.home })
  const journal = Layer.effect(Journal.Journal, Effect.map(Journals.Journals, (journals) => journals.forAgents(["codex"])))
  const base = Layer.mergeAll(StateDb.layer({ mode: "read-only" }), journal).pipe(Layer.provideMerge(home))
  const store = CodexStore.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(Installer.layer, Exporter.layer).pipe(Layer.provideMerge(SessionCatalog.layer), Layer.provideMerge(base)))
  )
  const journals = Layer.succeed(Journals.Journals, Journals.make([{ agent: "codex", home: m.home }]))
  const agents = Layer.scoped(
    Agents.Agents,
    Effect.map(Layer.build(store), (context) => ({ stores: [Context.get(context, CodexStore.CodexStore)] }))
  )
  return Push.layer.pipe(
    Layer.provideMerge(agents),
    Layer.provideMerge(journals),
    Layer.provideMerge(Layer.mergeAll(Progress.none, NodeContext.layer, MachineConfig.layerAt(m.config, { hostname: "alice-laptop" })))
  )
}

const push = (m: Machine, options: Partial<Omit<Push.PushRequest, "folder">> = {}) =>
  Effect.flatMap(Push.Push, (p) => p.push({ folder: Option.some(m.folder), agents: [], all: false, dryRun: false, ...options })).pipe(
    Effect.provide(layerFor(m))
  )

/** the machine's outbox: the one folder in the exchange folder */
const outboxOf = (m: Machine) => {
  const [id, ...more] = fs.readdirSync(m.folder)
  assert.strictEqual(more.length, 0)
  return path.join(m.folder, id!)
}
const indexOf = (m: Machine) => JSON.parse(fs.readFileSync(path.join(outboxOf(m), "outbox.json"), "utf8"))

/** every file under a folder, with its size and mtime */
const fileState = (dir: string): Record<string, string> => {
  const state: Record<string, string> = {}
  for (const rel of fs.readdirSync(dir, { recursive: true }) as Array<string>) {
    const stat = fs.statSync(path.join(dir, rel))
    state[rel] = stat.isDirectory() ? "dir" : `${stat.size} ${stat.mtimeMs}`
  }
  return state
}

/** a turn more in a session: its last line again */
const continueSession = (m: Machine, role: string) => {
  const file = path.join(m.home, fixtureByRole(role).rollout)
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
  fs.appendFileSync(file, `${lines.at(-1)}\n`)
}

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
      assert.deepStrictEqual(fs.readdirSync(path.join(outbox, "tmp")), [])
      const inspected = yield* PackageInspection.inspect(path.join(outbox, entry.file))
      assert.deepStrictEqual(inspected.sessions.map((s) => s.threadId).sort(), allIds)

      // nothing changed: nothing written
      const before = fileState(m.folder)
      const second = yield* push(m)
      assert.isNull(second.package)
      assert.strictEqual(second.unchanged, allIds.length)
      assert.deepStrictEqual(fileState(m.folder), before)

      // one session continued: a package of exactly that one
      continueSession(m, "beta_cwd")
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
      continueSession(m, "named")

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
      fs.writeFileSync(path.join(outbox, "tmp", "000002.tgz.tmp-host-1-abc"), "partial")
      const index = fs.readFileSync(path.join(outbox, "outbox.json"), "utf8")

      const dry = yield* push(m, { dryRun: true })
      assert.deepStrictEqual([...dry.removed].sort(), [`packages/${orphan}`, "tmp/000002.tgz.tmp-host-1-abc"])
      assert.isTrue(fs.existsSync(path.join(outbox, "packages", orphan)))

      const result = yield* push(m)
      assert.isNull(result.package)
      assert.deepStrictEqual([...result.removed].sort(), [`packages/${orphan}`, "tmp/000002.tgz.tmp-host-1-abc"])
      assert.deepStrictEqual(fs.readdirSync(path.join(outbox, "packages")), listed)
      assert.deepStrictEqual(fs.readdirSync(path.join(outbox, "tmp")), [])
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
