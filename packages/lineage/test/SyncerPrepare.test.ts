/**
 * `Syncer.prepare`: packages planned and written one after the other into ONE journal transaction
 * (as a pull does), each planned against the homes as the previous one's writes left them, and
 * rolled back whole. Expected values are read from the fixture files themselves.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Agents, Journals } from "@sessionport/agent"
import { CodexHome, CodexStore, Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { copyFixtureHome, fixtureByRole, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Journal } from "@sessionport/journal"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Syncer from "../src/Syncer.js"
import { plain, terminatedLines } from "./utils/independent.js"
import { exportOne } from "./utils/exportOne.js"

afterAll(removeTemps)

/** One Codex home's store, with its journal (as the CLIs build it, Codex alone). */
const codexStore = (root: string) => {
  const home = CodexHome.layer({ root })
  const journal = Layer.effect(Journal.Journal, Effect.map(Journals.Journals, (journals) => journals.forAgents(["codex"])))
  const base = Layer.mergeAll(StateDb.layer({ mode: "read-only" }), journal).pipe(Layer.provideMerge(home))
  return CodexStore.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(Installer.layer, Exporter.layer).pipe(Layer.provideMerge(SessionCatalog.layer), Layer.provideMerge(base)))
  )
}

/** The services of a command on one Codex home: its store, its journal, the syncer. */
const homeLayer = (root: string) => {
  const journals = Layer.succeed(Journals.Journals, Journals.make([{ agent: "codex", home: root }]))
  const agents = Layer.scoped(
    Agents.Agents,
    Effect.map(Layer.build(codexStore(root)), (context) => ({ stores: [Context.get(context, CodexStore.CodexStore)] }))
  )
  return Syncer.layer.pipe(
    Layer.provideMerge(agents),
    Layer.provideMerge(journals),
    Layer.provideMerge(Layer.mergeAll(Progress.none, NodeContext.layer))
  )
}

/** A `.tgz` of one session of a home, exported in process. */
const exportHome = (home: string, id: string) =>
  exportOne(path.join(tempDir("prepare-pkg"), "sessions.tgz"), id).pipe(Effect.provide(homeLayer(home)))

const ROLE = "multi_turn_tools"
const KEPT = 6
const fixture = fixtureByRole(ROLE)

/** A file's records: its non-blank terminated lines. */
const records = (bytes: Uint8Array) => terminatedLines(bytes).filter((line) => line.trim() !== "")

/** A copy of the fixture home whose session of ROLE holds only its first `kept` records (an older copy of the conversation). */
const sourceHome = (kept?: number) => {
  const home = copyFixtureHome()
  if (kept !== undefined) fs.writeFileSync(path.join(home, fixture.rollout), records(plain(fixture.rollout)).slice(0, kept).map((l) => `${l}\n`).join(""))
  return home
}

/** A Codex home with no session yet, and the folders the fixture's projects map to on this machine. */
const targetMachine = () => {
  const root = tempDir("prepare-target")
  const home = path.join(root, "home")
  fs.mkdirSync(home)
  const alpha = path.join(root, "alpha")
  const beta = path.join(root, "beta")
  fs.mkdirSync(alpha)
  fs.mkdirSync(beta)
  return { home, maps: [{ from: fixtures.source.alpha, to: alpha }, { from: fixtures.source.beta, to: beta }] }
}

describe("Syncer.prepare", () => {
  it.effect("writes two packages of one session in one transaction, the second planned after the first; a rollback restores the home", () =>
    Effect.gen(function*() {
      const id = fixture.threadId
      const full = records(plain(fixture.rollout)).length
      assert.isAbove(full, KEPT)
      // package 1: an older copy of the conversation (its first records); package 2: all of it
      const older = yield* exportHome(sourceHome(KEPT), id)
      const newer = yield* exportHome(sourceHome(), id)
      const m = targetMachine()
      const maps = m.maps
      const before = homeState(m.home)

      const run = Effect.gen(function*() {
        const syncer = yield* Syncer.Syncer
        const journals = yield* Journals.Journals
        const request = (file: string): Syncer.SyncRequest => ({ package: file, maps, dryRun: false, agents: new Set(["codex"]) })
        return yield* journals.forAgents(["codex"]).transaction({ kind: "pull", summary: { packages: 2 } }, (tx) =>
          Effect.gen(function*() {
            const first = yield* Effect.scoped(Effect.gen(function*() {
              const prepared = yield* syncer.prepare(request(older))
              assert.isTrue(prepared.changes)
              assert.deepStrictEqual(prepared.agents, ["codex"])
              yield* prepared.ready
              return yield* prepared.write(tx)
            }))
            const second = yield* Effect.scoped(Effect.gen(function*() {
              const prepared = yield* syncer.prepare(request(newer))
              yield* prepared.ready
              const written = yield* prepared.write(tx)
              // maps remembered once, by the caller, for the whole transaction
              const remembered = yield* prepared.maps.remember(tx, prepared.homes, "pull")
              return { plan: prepared.plan, written, remembered }
            }))
            return { first, second, txId: tx.id }
          }))
      }).pipe(Effect.provide(homeLayer(m.home)))
      const { first, second, txId } = yield* run

      // package 1 brought the session new, under a new id
      assert.strictEqual(first.sessions.length, 1)
      const imported = first.sessions[0]!
      assert.strictEqual(imported.class, "new_lineage")
      assert.strictEqual(first.transactionId, txId)
      assert.deepStrictEqual(first.remembered, [])
      assert.isDefined(imported.newLocalId)
      // package 2 was planned against package 1's writes: a fast-forward of the session it made
      const forward = second.plan.sessions[0]!
      assert.strictEqual(second.plan.sessions.length, 1)
      assert.strictEqual(forward.class, "fast_forward_import")
      assert.strictEqual(forward.localId, imported.newLocalId)
      assert.strictEqual(forward.appended, full - KEPT)
      assert.isUndefined(second.plan.transactionId)
      assert.strictEqual(second.written.transactionId, txId)
      assert.strictEqual(second.remembered.length, 1)
      assert.deepStrictEqual(second.written.leftOut, [])

      // the home holds the whole conversation once, in the session package 1 made
      const rollouts = (fs.readdirSync(path.join(m.home, "sessions"), { recursive: true }) as Array<string>).filter((f) => f.endsWith(".jsonl"))
      assert.deepStrictEqual(rollouts.map((f) => f.includes(imported.newLocalId!)), [true])
      assert.strictEqual(records(fs.readFileSync(path.join(m.home, "sessions", rollouts[0]!))).length, full)
      assert.notDeepEqual(homeState(m.home), before)

      // one rollback undoes both packages' writes
      yield* Effect.gen(function*() {
        const journals = yield* Journals.Journals
        yield* journals.forAgents(["codex"]).rollback(txId)
      }).pipe(Effect.provide(homeLayer(m.home)))
      assert.deepStrictEqual(homeState(m.home), before)
    }), 120_000)

  it.effect("leaves out the sessions of agents not asked for", () =>
    Effect.gen(function*() {
      const id = fixture.threadId
      const pkg = yield* exportHome(sourceHome(), id)
      const m = targetMachine()
      const before = homeState(m.home)
      const error = yield* Effect.gen(function*() {
        const syncer = yield* Syncer.Syncer
        return yield* Effect.flip(syncer.sync({ package: pkg, maps: [], dryRun: false, agents: new Set(["claude"]) }))
      }).pipe(Effect.provide(homeLayer(m.home)))
      // the package's only agent was not asked for: nothing of it is looked at, nothing written
      assert.strictEqual(error._tag, "LineageError")
      assert.include(error.message, "holds no session this sessionport can sync")
      assert.deepStrictEqual(homeState(m.home), before)
    }), 60_000)
})
