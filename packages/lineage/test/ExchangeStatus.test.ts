/**
 * ExchangeStatus on copies of the Codex fixture home: two machines (alice, bob) sharing one
 * exchange folder, each with its own config dir, pushing and pulling through the real commands.
 * Expected counts come from the fixture list and the steps taken, sizes and digests from the
 * files on disk, and nothing status reads may change (files compared before and after).
 */
import { assert, describe, it } from "@effect/vitest"
import { fixtureByRole, fixtureThreads, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect, Either, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { ExchangeError } from "../src/ExchangeError.js"
import * as ExchangeStatus from "../src/ExchangeStatus.js"
import { continueSession, fixtureMachine, layerFor, type Machine, machineIdOf, pull, push, stemOf } from "./utils/exchange.js"

afterAll(removeTemps)

const status = (m: Machine, folder: Option.Option<string>) =>
  Effect.flatMap(ExchangeStatus.ExchangeStatus, (s) => s.read({ folder, agents: [] })).pipe(
    Effect.provide(ExchangeStatus.layer.pipe(Layer.provide(layerFor(m))))
  )

/** every file under some folders (missing ones: none), with size and mtime */
const fileState = (...dirs: ReadonlyArray<string>): Record<string, string> => {
  const state: Record<string, string> = {}
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue
    for (const rel of fs.readdirSync(dir, { recursive: true }) as Array<string>) {
      const stat = fs.statSync(path.join(dir, rel))
      // SQLite's shared-memory index is touched by every reader: its size only
      state[path.join(dir, rel)] = stat.isDirectory() ? "dir" : rel.endsWith("-shm") ? `${stat.size}` : `${stat.size} ${stat.mtimeMs}`
    }
  }
  return state
}

/** status, checked to change no file of the machine's config dir, home or the exchange folder */
const statusWritingNothing = (m: Machine, given: Option.Option<string> = Option.some(m.folder)) =>
  Effect.gen(function*() {
    const before = fileState(m.config, m.home, m.folder)
    const result = yield* status(m, given)
    assert.deepStrictEqual(fileState(m.config, m.home, m.folder), before)
    return result
  })

const indexIn = (outbox: string) => JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8"))

const isError = (result: Either.Either<unknown, unknown>, reason: string) =>
  Either.isLeft(result) && result.left instanceof ExchangeError && result.left.reason === reason

/** the expected words of a package smaller than listed */
/** sizes as people read them: bytes, KB below a MB (a small package never reads "0.0 of 0.1 MB"), MB */
const readable = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1_048_576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`

describe("ExchangeStatus", () => {
  it.effect("a fresh machine: no folder at all, a missing folder, then an empty one without making a config", () =>
    Effect.gen(function*() {
      const alice = fixtureMachine()
      assert.isTrue(isError(yield* Effect.either(status(alice, Option.none())), "no_folder"))

      const missing = path.join(alice.folder, "typo")
      assert.isTrue(isError(yield* Effect.either(status(alice, Option.some(missing))), "folder_missing"))
      assert.isFalse(fs.existsSync(missing))

      const result = yield* statusWritingNothing(alice)
      assert.deepStrictEqual(fs.readdirSync(alice.config), [])
      assert.strictEqual(result.folder, alice.folder)
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
        encrypted: 0,
        encryption: null,
        redact: false,
        identities: [],
        compactable: 0,
        pulledBy: [],
        conflictCopies: [],
        otherFiles: []
      })
      assert.deepStrictEqual(result.machines, [])
      assert.deepStrictEqual(result.strays, [])

      // a folder given to status is not remembered: without one, there is still none
      assert.isTrue(isError(yield* Effect.either(status(alice, Option.none())), "no_folder"))
    }))

  it.effect("after both pushed: what each would publish, what is pending from the other, the remembered folder", () =>
    Effect.gen(function*() {
      const alice = fixtureMachine()
      const bob = fixtureMachine(alice.folder, "bob-pc")
      const aliceId = (yield* push(alice)).machineId
      const bobId = (yield* push(bob)).machineId
      continueSession(alice.home, "beta_cwd")
      continueSession(alice.home, "named")

      // the folder remembered by the push: none given
      const result = yield* statusWritingNothing(alice, Option.none())
      const aliceOutbox = path.join(alice.folder, aliceId)
      const aliceIndex = indexIn(aliceOutbox)
      const bobIndex = indexIn(path.join(alice.folder, bobId))
      assert.deepStrictEqual(result.machine, {
        id: aliceId,
        name: "alice-laptop",
        outbox: aliceOutbox,
        lastPushAt: aliceIndex.packages[0].pushed_at,
        lastPullAt: null,
        // the two continued sessions, neither a fork (nothing else comes along)
        changed: [{ agent: "codex", count: 2 }],
        packages: 1,
        bytes: fs.statSync(path.join(aliceOutbox, aliceIndex.packages[0].file)).size,
        encrypted: 0,
        encryption: null,
        redact: false,
        identities: [],
        compactable: 0,
        pulledBy: [{ machineId: bobId, machineName: "bob-pc", pulled: 0, of: 1 }],
        conflictCopies: [],
        otherFiles: []
      })
      assert.deepStrictEqual(result.machines, [{
        id: bobId,
        name: "bob-pc",
        lastPushAt: bobIndex.packages[0].pushed_at,
        lastPullAt: null,
        index: "ok",
        pending: { packages: 1, sessions: fixtureThreads.length },
        encrypted: { packages: 0, of: 1 },
        skipped: [],
        conflictCopies: [],
        otherFiles: []
      }])

      // what a dry-run push would publish is what status counted
      const dry = yield* push(alice, { dryRun: true })
      assert.deepStrictEqual(
        dry.sessions.map((s) => s.id).sort(),
        [fixtureByRole("beta_cwd").threadId, fixtureByRole("named").threadId].sort()
      )

      // its own index unreadable: status cannot say what it published, and says why
      fs.writeFileSync(path.join(aliceOutbox, "outbox.json"), "{")
      assert.isTrue(isError(yield* Effect.either(status(alice, Option.none())), "unreadable_index"))
    }))

  it.effect("skipped packages (arriving, damaged, and as the last pull recorded), conflict copies, unexpected files", () =>
    Effect.gen(function*() {
      const alice = fixtureMachine()
      const bob = fixtureMachine(alice.folder, "bob-pc")
      const folder = alice.folder
      const aliceId = (yield* push(alice)).machineId
      const bobId = (yield* push(bob)).machineId
      continueSession(bob.home, "beta_cwd")
      yield* push(bob)
      continueSession(bob.home, "named")
      yield* push(bob)
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
      fs.writeFileSync(path.join(folder, aliceId, "outbox.sync-conflict-20261207-020541-K4VBOVP.json"), "{}")
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

      const result = yield* statusWritingNothing(alice)
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
        { file: one!.file, kind: "arriving", why: `still arriving (${readable(half)} of ${readable(one!.size)})` },
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
      // folders with neither an index nor receipts have pulled nothing: only bob counts
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
      const alice = fixtureMachine()
      const folder = alice.folder
      const bob = fixtureMachine(folder, "bob-pc")
      const aliceId = (yield* push(alice)).machineId
      const bobId = (yield* push(bob)).machineId
      // everything again: the first package is superseded whole
      yield* push(bob, { all: true })
      yield* pull(alice)
      // a machine that only pulls
      const dave = fixtureMachine(folder, "dave-pc")
      yield* pull(dave)
      const daveId = machineIdOf(dave)
      const log = JSON.parse(fs.readFileSync(path.join(alice.config, "exchange-status.json"), "utf8"))
      const receiptsOf = (id: string) => JSON.parse(fs.readFileSync(path.join(folder, id, "receipts.json"), "utf8"))
      const bobPackages = indexIn(path.join(folder, bobId)).packages as Array<{ file: string }>

      const seen = yield* statusWritingNothing(alice)
      assert.strictEqual(seen.machine.lastPullAt, log.last_pull_at)
      // the sessions it took are its own as pushed: nothing to publish, nothing pending
      assert.deepStrictEqual(seen.machine.changed, [{ agent: "codex", count: 0 }])
      assert.deepStrictEqual(seen.machines.map((m) => [m.id, m.pending, m.skipped]), [
        [bobId, { packages: 0, sessions: 0 }, []],
        [daveId, { packages: 0, sessions: 0 }, []]
      ])

      // never pushed, but what it pulled is marked as the pull left it: nothing to publish
      const daves = yield* statusWritingNothing(dave)
      assert.deepStrictEqual(
        [daves.machine.id, daves.machine.outbox, daves.machine.packages, daves.machine.lastPushAt, daves.machine.changed],
        [daveId, path.join(folder, daveId), 0, null, [{ agent: "codex", count: 0 }]]
      )

      // a machine that only pulled the first (receipts by hand, no index)
      const carol = path.join(folder, "carol-pc-0a1b2c3d")
      fs.mkdirSync(carol)
      fs.writeFileSync(path.join(carol, "receipts.json"), JSON.stringify({
        format: 1,
        kind: "sessionport-receipts",
        machine_id: "carol-pc-0a1b2c3d",
        updated_at: "2026-12-07T02:05:41.000Z",
        pulled: { [bobId]: [stemOf(bobPackages[0]!)] }
      }))

      const bobs = yield* statusWritingNothing(bob)
      assert.deepStrictEqual(bobs.machine.pulledBy, [
        { machineId: aliceId, machineName: "alice-laptop", pulled: 2, of: 2 },
        { machineId: "carol-pc-0a1b2c3d", machineName: null, pulled: 1, of: 2 },
        { machineId: daveId, machineName: null, pulled: 2, of: 2 }
      ])
      // the first is superseded by the second and taken by alice, the one other machine with an index: removable
      assert.strictEqual(bobs.machine.compactable, 1)
      assert.deepStrictEqual(bobs.machines.map((m) => [m.id, m.name, m.lastPullAt, m.index]), [
        [aliceId, "alice-laptop", receiptsOf(aliceId).updated_at, "ok"],
        ["carol-pc-0a1b2c3d", null, "2026-12-07T02:05:41.000Z", "missing"],
        [daveId, null, receiptsOf(daveId).updated_at, "missing"]
      ])
    }))
})
