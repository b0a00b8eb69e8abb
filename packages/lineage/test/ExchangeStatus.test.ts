/**
 * ExchangeStatus on copies of the Codex fixture home: two machines (alice, bob) sharing one
 * exchange folder, each with its own config dir, pushing and pulling through the real commands.
 * Expected counts come from the fixture list and the steps taken, sizes and digests from the
 * files on disk, and nothing status reads may change (files compared before and after).
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Agents, Journals } from "@sessionport/agent"
import { CodexHome, CodexStore, Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { copyFixtureHome, fixtureByRole, fixtureThreads, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Journal } from "@sessionport/journal"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Either, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as ExchangeStatus from "../src/ExchangeStatus.js"
import * as MachineConfig from "../src/MachineConfig.js"
import * as Pull from "../src/Pull.js"
import * as Push from "../src/Push.js"
import * as Syncer from "../src/Syncer.js"

afterAll(removeTemps)

/** One machine: a copy of the fixture home and a config dir of its own (made by its first push or pull). */
const machine = (hostname: string) => ({ hostname, home: copyFixtureHome(), config: path.join(tempDir("config"), "sessionport") })
type Machine = ReturnType<typeof machine>

/** The services of a command on one Codex home (as the CLIs build them, Codex alone): push, pull, status. */
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
  return Layer.mergeAll(Push.layer, ExchangeStatus.layer, Pull.layer.pipe(Layer.provideMerge(Syncer.layer))).pipe(
    Layer.provideMerge(agents),
    Layer.provideMerge(journals),
    Layer.provideMerge(Layer.mergeAll(Progress.none, NodeContext.layer, MachineConfig.layerAt(m.config, { hostname: m.hostname })))
  )
}

const push = (m: Machine, folder: string, options: Partial<Omit<Push.PushRequest, "folder">> = {}) =>
  Effect.flatMap(Push.Push, (p) => p.push({ folder: Option.some(folder), agents: [], all: false, dryRun: false, ...options })).pipe(
    Effect.provide(layerFor(m))
  )

const pull = (m: Machine, folder: string) =>
  Effect.flatMap(Pull.Pull, (p) =>
    p.pull({ folder: Option.some(folder), agents: [], maps: [], forgetMaps: false, dryRun: false, recheck: false })).pipe(
      Effect.provide(layerFor(m))
    )

const status = (m: Machine, folder: Option.Option<string>) =>
  Effect.flatMap(ExchangeStatus.ExchangeStatus, (s) => s.read({ folder, agents: [] })).pipe(Effect.provide(layerFor(m)))

/** every file under some folders (missing ones: none), with size and mtime */
const fileState = (...dirs: ReadonlyArray<string>): Record<string, string> => {
  const state: Record<string, string> = {}
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue
    for (const rel of fs.readdirSync(dir, { recursive: true }) as Array<string>) {
      const stat = fs.statSync(path.join(dir, rel))
      state[path.join(dir, rel)] = stat.isDirectory() ? "dir" : `${stat.size} ${stat.mtimeMs}`
    }
  }
  return state
}

/** status, checked to change no file of the machine's config dir, home or the folder */
const statusWritingNothing = (m: Machine, folder: string, given: Option.Option<string> = Option.some(folder)) =>
  Effect.gen(function*() {
    const before = fileState(m.config, m.home, folder)
    const result = yield* status(m, given)
    assert.deepStrictEqual(fileState(m.config, m.home, folder), before)
    return result
  })

/** a turn more in a session: its last line again */
const continueSession = (m: Machine, role: string) => {
  const file = path.join(m.home, fixtureByRole(role).rollout)
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
  fs.appendFileSync(file, `${lines.at(-1)}\n`)
}

const indexIn = (outbox: string) => JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8"))

/** the expected words of a package smaller than listed */
const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`

describe("ExchangeStatus", () => {
  it.effect("a fresh machine: no folder at all, a missing folder, then an empty one without making a config", () =>
    Effect.gen(function*() {
      const alice = machine("alice-laptop")
      const none = yield* Effect.either(status(alice, Option.none()))
      assert.isTrue(Either.isLeft(none) && none.left._tag === "ExchangeError" && none.left.reason === "no_folder")

      const missing = path.join(tempDir("exchange"), "typo")
      const absent = yield* Effect.either(status(alice, Option.some(missing)))
      assert.isTrue(Either.isLeft(absent) && absent.left._tag === "ExchangeError" && absent.left.reason === "folder_missing")
      assert.isFalse(fs.existsSync(missing))

      const folder = tempDir("exchange")
      const result = yield* statusWritingNothing(alice, folder)
      assert.isFalse(fs.existsSync(alice.config))
      assert.strictEqual(result.folder, folder)
      assert.deepStrictEqual(result.machine, {
        id: null,
        name: null,
        outbox: null,
        lastPushAt: null,
        lastPullAt: null,
        // never pushed: every fixture thread, as a first push publishes them
        changed: [{ agent: "codex", count: fixtureThreads.length }],
        packages: 0,
        bytes: 0,
        compactable: 0,
        pulledBy: [],
        conflictCopies: [],
        otherFiles: []
      })
      assert.deepStrictEqual(result.machines, [])
      assert.deepStrictEqual(result.strays, [])

      // status does not remember a folder given: without one, there is still none
      const again = yield* Effect.either(status(alice, Option.none()))
      assert.isTrue(Either.isLeft(again) && again.left._tag === "ExchangeError" && again.left.reason === "no_folder")
    }))

  it.effect("after both pushed: what each would publish, what is pending from the other, the remembered folder", () =>
    Effect.gen(function*() {
      const folder = tempDir("exchange")
      const alice = machine("alice-laptop")
      const bob = machine("bob-pc")
      const first = yield* push(alice, folder)
      const bobs = yield* push(bob, folder)
      continueSession(alice, "beta_cwd")
      continueSession(alice, "named")

      // the folder remembered by the push: none given
      const result = yield* statusWritingNothing(alice, folder, Option.none())
      const aliceOutbox = path.join(folder, first.machineId)
      const aliceIndex = indexIn(aliceOutbox)
      const bobIndex = indexIn(path.join(folder, bobs.machineId))
      assert.deepStrictEqual(result.machine, {
        id: first.machineId,
        name: "alice-laptop",
        outbox: aliceOutbox,
        lastPushAt: aliceIndex.packages[0].pushed_at,
        lastPullAt: null,
        // the two continued sessions, neither a fork (nothing else comes along)
        changed: [{ agent: "codex", count: 2 }],
        packages: 1,
        bytes: fs.statSync(path.join(aliceOutbox, aliceIndex.packages[0].file)).size,
        compactable: 0,
        pulledBy: [{ machineId: bobs.machineId, machineName: "bob-pc", pulled: 0, of: 1 }],
        conflictCopies: [],
        otherFiles: []
      })
      assert.deepStrictEqual(result.machines, [{
        id: bobs.machineId,
        name: "bob-pc",
        lastPushAt: bobIndex.packages[0].pushed_at,
        lastPullAt: null,
        index: "ok",
        pending: { packages: 1, sessions: fixtureThreads.length },
        skipped: [],
        conflictCopies: [],
        otherFiles: []
      }])

      // what a dry-run push would publish is what status counts
      const dry = yield* push(alice, folder, { dryRun: true })
      assert.deepStrictEqual(
        dry.sessions.map((s) => s.id).sort(),
        [fixtureByRole("beta_cwd").threadId, fixtureByRole("named").threadId].sort()
      )
    }))

  it.effect("skipped packages (arriving, damaged, and as the last pull recorded), conflict copies, unexpected files", () =>
    Effect.gen(function*() {
      const folder = tempDir("exchange")
      const alice = machine("alice-laptop")
      const bob = machine("bob-pc")
      const aliceId = (yield* push(alice, folder)).machineId
      const bobId = (yield* push(bob, folder)).machineId
      continueSession(bob, "beta_cwd")
      yield* push(bob, folder)
      continueSession(bob, "zst")
      yield* push(bob, folder)
      const bobOutbox = path.join(folder, bobId)
      const [one, two, three] = indexIn(bobOutbox).packages as Array<{ file: string; size: number; sha256: string }>

      // the first still arriving (half there), the second with flipped bytes
      const firstBytes = fs.readFileSync(path.join(bobOutbox, one!.file))
      const half = Math.floor(firstBytes.length / 2)
      fs.writeFileSync(path.join(bobOutbox, one!.file), firstBytes.subarray(0, half))
      const secondBytes = fs.readFileSync(path.join(bobOutbox, two!.file))
      secondBytes[10] = secondBytes[10]! ^ 0xff
      fs.writeFileSync(path.join(bobOutbox, two!.file), secondBytes)

      // what a sync engine and people leave behind
      const packageConflict = `packages/000001-${one!.sha256.slice(0, 32)}.sync-conflict-20261207-020541-K4VBOVP.tgz`
      fs.writeFileSync(path.join(bobOutbox, packageConflict), "an older copy")
      fs.writeFileSync(path.join(bobOutbox, "outbox (1).json"), "{}")
      fs.writeFileSync(path.join(bobOutbox, "notes.txt"), "mine")
      fs.writeFileSync(path.join(folder, first(aliceId), "outbox.sync-conflict-20261207-020541-K4VBOVP.json"), "{}")
      fs.writeFileSync(path.join(folder, "shopping.txt"), "milk")
      // another machine's folder with an unreadable index, one without an index yet
      fs.mkdirSync(path.join(folder, "carol-pc-0a1b2c3d"))
      fs.writeFileSync(path.join(folder, "carol-pc-0a1b2c3d", "outbox.json"), "{")
      fs.mkdirSync(path.join(folder, "dave-pc-1a2b3c4d"))

      // the last pull into this folder recorded: the third unreadable, the first busy, and a file no longer listed
      const at = "2026-12-07T02:05:41.000Z"
      const skip = (file: string, kind: string, why: string) => ({ machine_id: bobId, file, kind, why, at })
      fs.writeFileSync(
        path.join(alice.config, "exchange-status.json"),
        JSON.stringify({
          format: 1,
          last_pull_at: at,
          last_pull_folder: folder,
          last_pull_transaction: null,
          skipped: [
            skip(three!.file, "unreadable", "bad manifest"),
            skip(one!.file, "busy", "codex is running"),
            skip(`packages/000009-${"c".repeat(32)}.tgz`, "damaged", "gone")
          ]
        })
      )

      const result = yield* statusWritingNothing(alice, folder)
      assert.strictEqual(result.machine.lastPullAt, at)
      assert.deepStrictEqual(result.machine.conflictCopies, [{ path: "outbox.sync-conflict-20261207-020541-K4VBOVP.json", of: "outbox.json" }])
      assert.deepStrictEqual(result.strays, ["shopping.txt"])
      assert.deepStrictEqual(result.machines.map((m) => [m.id, m.index]), [
        [bobId, "ok"],
        ["carol-pc-0a1b2c3d", "unreadable"],
        ["dave-pc-1a2b3c4d", "missing"]
      ])
      const [bobs, carol, dave] = result.machines
      assert.deepStrictEqual(bobs!.pending, { packages: 3, sessions: fixtureThreads.length })
      assert.deepStrictEqual(bobs!.skipped, [
        { file: one!.file, kind: "arriving", why: `still arriving (${megabytes(half)} of ${megabytes(one!.size)})` },
        { file: two!.file, kind: "damaged", why: "incomplete or damaged (digest differs)" },
        { file: three!.file, kind: "unreadable", why: "bad manifest" }
      ])
      assert.deepStrictEqual(bobs!.conflictCopies, [
        { path: "outbox (1).json", of: "outbox.json" },
        { path: packageConflict, of: one!.file }
      ])
      assert.deepStrictEqual(bobs!.otherFiles, ["notes.txt"])
      assert.isString(carol!.indexProblem)
      assert.deepStrictEqual([carol!.pending, dave!.pending], [{ packages: 0, sessions: 0 }, { packages: 0, sessions: 0 }])
      assert.isUndefined(dave!.indexProblem)
      // the others' folders without an index are not machines that pull: only bob counts
      assert.deepStrictEqual(result.machine.pulledBy.map((p) => p.machineId), [bobId])

      // a record of a pull into another folder is not this folder's
      const elsewhere = tempDir("exchange")
      fs.cpSync(folder, elsewhere, { recursive: true })
      const other = yield* status(alice, Option.some(elsewhere))
      assert.isNull(other.machine.lastPullAt)
      assert.deepStrictEqual(other.machines[0]!.skipped.map((s) => s.kind), ["arriving", "damaged"])
    }))

  it.effect("after a pull: nothing pending, receipts reach into the other outbox, compactable packages", () =>
    Effect.gen(function*() {
      const folder = tempDir("exchange")
      const alice = machine("alice-laptop")
      const bob = machine("bob-pc")
      const bobId = (yield* push(bob, folder)).machineId
      // everything again: the first package is superseded whole
      yield* push(bob, folder, { all: true })
      yield* pull(alice, folder)
      const aliceId = JSON.parse(fs.readFileSync(path.join(alice.config, "exchange.json"), "utf8")).machine_id
      const log = JSON.parse(fs.readFileSync(path.join(alice.config, "exchange-status.json"), "utf8"))
      const receipts = JSON.parse(fs.readFileSync(path.join(folder, aliceId, "receipts.json"), "utf8"))

      const seen = yield* statusWritingNothing(alice, folder)
      assert.strictEqual(seen.machine.id, aliceId)
      assert.strictEqual(seen.machine.lastPullAt, log.last_pull_at)
      // a machine that only pulled: no packages, and the sessions it took are marked, not changed
      assert.deepStrictEqual([seen.machine.packages, seen.machine.lastPushAt], [0, null])
      assert.deepStrictEqual(seen.machine.changed, [{ agent: "codex", count: 0 }])
      assert.deepStrictEqual(seen.machines.map((m) => [m.id, m.pending, m.skipped]), [[bobId, { packages: 0, sessions: 0 }, []]])

      const bobs = yield* statusWritingNothing(bob, folder)
      assert.deepStrictEqual(bobs.machine.pulledBy, [{ machineId: aliceId, machineName: "alice-laptop", pulled: 2, of: 2 }])
      // the first is superseded by the second and taken by alice: removable
      assert.strictEqual(bobs.machine.compactable, 1)
      assert.deepStrictEqual(bobs.machines.map((m) => [m.id, m.name, m.lastPullAt]), [[aliceId, null, receipts.updated_at]])
    }))
})

const first = (id: string) => id
