import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, beforeEach, describe, it } from "@effect/vitest"
import { AppServer, Syncthing } from "@sessionport/codex-oracle"
import { fixtureByRole, fixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { codexOn, withAppServer } from "@sessionport/codex-oracle/Harness"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { sessionMeta, userMessage, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { sessionTransfer } from "./utils/cli.js"
import { json, resumeTurn } from "./utils/codexTurns.js"
import { rolloutFiles } from "./utils/scenarios.js"
import {
  decisionFor,
  keptEverything,
  machine,
  mapsOnto,
  onMachine,
  pull,
  type PullJson,
  push,
  recordCounts,
  repeatPullChangesNothing,
  rolloutBytes,
  rolloutsWith,
  sessionsIn
} from "./utils/syncthingMachines.js"

// Issue 16, proven with a real sync engine: two Syncthing instances on loopback keep the exchange
// folder in step between machine A (its path DIR_A) and machine B (DIR_B); each machine has its own
// Codex home, sessionport config and project folders. The real Codex CLI judges what B pulled
// (listed by its app-server, continued by `codex exec resume` with the earlier turns sent to the
// model), and continues the same conversation on both machines. A third machine C joins late with
// a plain copy of B's folder. No `.stignore`: whatever Syncthing ships (temps, orphans, conflict
// copies) is there for pull to ignore.

afterAll(() => removeTemps())

const session = fixtureByRole("multi_turn_tools")

// What each machine's user types and its scripted model answers: the expected values.
const B1 = { prompt: "Machine B, second day: rename the notes file.", reply: "B1 reply: I would rename it to NOTES.md." }
const A1 = { prompt: "Machine A, second day: summarise the notes file in one line.", reply: "A1 reply: the notes file lists the project layout." }
const A2 = { prompt: "Machine A, third day: add a line about the tests.", reply: "A2 reply: added a line about the tests to the notes." }

/** The fixture home's rollouts, counted from its files. */
const fixtureSessions = rolloutFiles(fixtureHome).length

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

/** A valid package of one session nobody has (its prompt `marker`), exported by `session-transfer`. */
const forgedPackage = (marker: string) =>
  Effect.gen(function*() {
    const home = tempDir("forged-src")
    writeRollout(home, "01a2b3c4-0000-7000-8000-00000000f09e", new Date(Date.UTC(2026, 0, 2)), [
      sessionMeta({ id: "01a2b3c4-0000-7000-8000-00000000f09e", cwd: "/home/mallory/proj" }),
      userMessage(marker)
    ])
    const pkg = path.join(tempDir("forged"), "forged.tgz")
    const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg])
    assert.strictEqual(exported.code, 0, exported.stderr)
    return pkg
  })

/** The applied packages of a pull and the machines they came from. */
const applied = (result: PullJson) => result.packages.filter((p) => p.status === "applied").map((p) => `${p.machine_id}#${p.seq}`)

const CONFLICT = /^(\d{6,}-[0-9a-f]{32})\.sync-conflict-\d{8}-\d{6}-[A-Z2-7]{7}\.tgz$/

let missing: string | undefined

describe("push and pull through a folder two real Syncthing instances keep in step", () => {
  // the sync-cli globalSetup ran scripts/ensure-syncthing.mjs: installed, or a reason to skip
  beforeEach((ctx) => {
    missing ??= Syncthing.missing() ?? ""
    if (missing !== "") ctx.skip(missing)
  })

  it.scopedLive("A pushes, B pulls and continues; both diverge; A goes on alone; C joins late with a copy", () =>
    Effect.gen(function*() {
      const t0 = Date.now()
      const lap = (what: string) => console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      const root = tempDir("exchange-syncthing")
      const dirs = { a: path.join(root, "DIR_A"), b: path.join(root, "DIR_B") }
      const pair = yield* Syncthing.pair({ folder: dirs })
      const settle = pair.settle
      lap("both instances up and sharing")

      const A = machine("a", dirs.a, { fixtureRollouts: true })
      const B = machine("b", dirs.b)
      const mapsA = mapsOnto(A, [B])
      const mapsB = mapsOnto(B, [A])
      const codexA = yield* codexOn(A.home, A.root)
      const codexB = yield* codexOn(B.home, B.root)
      const startA = rolloutBytes(A.home)
      assert.strictEqual(startA.size, fixtureSessions)

      // ---- 1. A publishes every session; B pulls them all
      const first = yield* push(A)
      assert.isNotNull(first.package)
      assert.sameMembers(first.package!.sessions.map((s) => s.id), [...sessionsIn(A.home).keys()], "A's first package: every session of A")
      const idA = first.machine_id
      yield* settle
      assert.isTrue(fs.existsSync(path.join(dirs.b, idA, first.package!.file)), "the package reached B's folder")

      const pulled = yield* pull(B, mapsB)
      assert.isString(pulled.transaction_id)
      assert.deepStrictEqual(applied(pulled), [`${idA}#1`])
      assert.strictEqual(rolloutFiles(B.home).length, fixtureSessions, "every session of A is on B")
      assert.deepStrictEqual(recordCounts(B.home), recordCounts(A.home), "record for record")
      const xB = decisionFor(pulled, session.threadId).new_local_id!
      assert.isTrue(sessionsIn(B.home).has(xB), `B's copy of ${session.threadId} is ${xB}`)
      yield* repeatPullChangesNothing(B, mapsB)
      const startB = rolloutBytes(B.home)
      const nothingNew = yield* push(B)
      assert.isNull(nothingNew.package, "what B pulled is not pushed back")
      assert.notStrictEqual(nothingNew.machine_id, idA)
      lap("A pushed, B pulled")

      // ---- 2. Codex on B lists what B pulled and continues A's conversation (B's own line)
      const onB = sessionsIn(B.home)
      const archivedB = new Set(rolloutFiles(B.home).filter((f) => f.includes(`${path.sep}archived_sessions${path.sep}`)).map((f) => path.basename(f)))
      yield* withAppServer(codexB.cli, B.root, (app) =>
        Effect.gen(function*() {
          const live = (yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, limit: 100 })).data.map((t) => t.id)
          const archived = (yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, limit: 100, archived: true })).data.map((t) => t.id)
          assert.sameMembers([...live, ...archived], [...onB.keys()], "Codex on B lists every pulled session")
          assert.strictEqual(archived.length, archivedB.size, "the archived one stays archived")
        }))
      const sentB1 = yield* resumeTurn(codexB, B.alpha, xB, B1)
      for (const prompt of session.prompts) assert.include(sentB1, json(prompt), "Codex on B sent the earlier turns")
      assert.include(sentB1, `<cwd>${B.alpha}</cwd>`)
      // ... and A goes on with the same conversation (A's own line)
      const sentA1 = yield* resumeTurn(codexA, A.alpha, session.threadId, A1)
      assert.include(sentA1, json(session.prompts[0]!))
      lap("Codex listed and continued on both")

      // ---- 3. both push (only the session each continued), both pull: each keeps its line and gets the other's as a branch
      const pushedA = yield* push(A)
      const pushedB = yield* push(B)
      assert.deepStrictEqual(pushedA.package?.sessions.map((s) => s.id), [session.threadId], "A publishes what it continued")
      assert.deepStrictEqual(pushedB.package?.sessions.map((s) => s.id), [xB], "B publishes what it continued, nothing it pulled")
      yield* settle
      const beforeA = rolloutBytes(A.home)
      const beforeB = rolloutBytes(B.home)
      const [pulledA, pulledB] = [yield* pull(A, mapsA), yield* pull(B, mapsB)]
      const onA = decisionFor(pulledA, xB)
      assert.strictEqual(onA.class, "diverged_lineage")
      assert.strictEqual(onA.action, "import_branch")
      assert.strictEqual(onA.local_id, session.threadId)
      const onBDiverged = decisionFor(pulledB, session.threadId)
      assert.strictEqual(onBDiverged.class, "diverged_lineage")
      assert.strictEqual(onBDiverged.action, "import_branch")
      assert.strictEqual(onBDiverged.local_id, xB)
      keptEverything(beforeA)
      keptEverything(beforeB)
      for (const [m, before] of [[A, beforeA], [B, beforeB]] as const) {
        assert.deepStrictEqual(rolloutBytes(m.home).size, before.size + 1, `${m.name}: one new session, the branch`)
        for (const [file, bytes] of before) assert.isTrue(fs.readFileSync(file).equals(bytes), `${m.name}: ${path.basename(file)} untouched`)
      }
      const branchB = onBDiverged.new_local_id!
      // own line and the other's: B1 only in B's own session on B and in A's branch on A; A1 the other way round
      assert.deepStrictEqual(rolloutsWith(B.home, B1.reply).map((f) => path.basename(f)), [path.basename(sessionsIn(B.home).get(xB)!)])
      assert.deepStrictEqual(rolloutsWith(B.home, A1.reply).map((f) => path.basename(f)), [path.basename(sessionsIn(B.home).get(branchB)!)])
      assert.deepStrictEqual(rolloutsWith(A.home, A1.reply).map((f) => path.basename(f)), [path.basename(sessionsIn(A.home).get(session.threadId)!)])
      assert.deepStrictEqual(rolloutsWith(A.home, B1.reply).map((f) => path.basename(f)), [path.basename(sessionsIn(A.home).get(onA.new_local_id!)!)])
      // (the receipts each pull wrote reach the other side first: a repeat pull must not write them)
      yield* settle
      yield* repeatPullChangesNothing(A, mapsA)
      yield* repeatPullChangesNothing(B, mapsB)
      lap("both diverged and pulled")

      // ---- 4. A goes on alone. A push killed after its package is in place, before the index:
      // the orphan travels to B, whose pull ignores it; the next push removes it and publishes.
      yield* settle
      yield* resumeTurn(codexA, A.alpha, session.threadId, A2)
      const killed = yield* onMachine(A, ["push", "--codex-home", A.home, "--json"], { SESSIONPORT_EXCHANGE_CRASH_AT: "rename" })
      assert.notStrictEqual(killed.code, 0, killed.stderr)
      const listed = () => (JSON.parse(fs.readFileSync(path.join(dirs.a, idA, "outbox.json"), "utf8")).packages as Array<{ file: string }>).map((p) => p.file)
      const orphans = fs.readdirSync(path.join(dirs.a, idA, "packages")).map((f) => `packages/${f}`).filter((f) => !listed().includes(f))
      assert.lengthOf(orphans, 1, "the killed push left one unlisted package")
      yield* settle
      assert.isTrue(fs.existsSync(path.join(dirs.b, idA, orphans[0]!)), "Syncthing shipped it to B")
      yield* repeatPullChangesNothing(B, mapsB)
      const pushedA2 = yield* push(A)
      assert.deepStrictEqual(pushedA2.package?.sessions.map((s) => s.id), [session.threadId])
      assert.sameMembers(fs.readdirSync(path.join(dirs.a, idA, "packages")).map((f) => `packages/${f}`), listed(), "only listed packages left")
      yield* settle
      const beforeForward = rolloutBytes(B.home)
      const forward = yield* pull(B, mapsB)
      const ff = decisionFor(forward, session.threadId)
      assert.strictEqual(ff.class, "fast_forward_import", JSON.stringify(ff))
      assert.strictEqual(ff.action, "append")
      assert.strictEqual(ff.local_id, branchB)
      keptEverything(beforeForward)
      assert.deepStrictEqual(rolloutsWith(B.home, A2.reply).map((f) => path.basename(f)), [path.basename(sessionsIn(B.home).get(branchB)!)])
      yield* repeatPullChangesNothing(B, mapsB)
      assert.isNull((yield* push(B)).package, "the fast-forwarded branch is not pushed back")
      lap("A went on alone, B fast-forwarded")

      // ---- 5. a real engine conflict copy (the research's paused-folder method): B, paused, writes
      // a forged package under the name of A's first package; A then rewrites its own (newer mtime
      // wins). Syncthing keeps A's bytes under the name and B's as `….sync-conflict-….tgz`, on both.
      yield* settle
      const marker = `forged session ${Date.now()}`
      const forged = fs.readFileSync(yield* forgedPackage(marker))
      const name = first.package!.file
      const realSha = sha256(path.join(dirs.a, idA, name))
      const folderConfig = `/rest/config/folders/${pair.folderId}`
      yield* pair.api("b", "PATCH", folderConfig, { paused: true })
      fs.writeFileSync(path.join(dirs.b, idA, name), forged)
      yield* Effect.sleep("1100 millis")
      fs.writeFileSync(path.join(dirs.a, idA, name), fs.readFileSync(path.join(dirs.a, idA, name)))
      yield* pair.scan("a")
      yield* pair.api("b", "PATCH", folderConfig, { paused: false })
      const conflictCopies = (dir: string) => fs.readdirSync(path.join(dir, idA, "packages")).filter((f) => CONFLICT.test(f))
      for (let i = 0; i < 200 && (conflictCopies(dirs.a).length === 0 || conflictCopies(dirs.b).length === 0); i++) {
        yield* settle
        yield* Effect.sleep("100 millis")
      }
      yield* settle
      for (const dir of [dirs.a, dirs.b]) {
        const copies = conflictCopies(dir)
        assert.lengthOf(copies, 1, `one conflict copy in ${dir}`)
        assert.strictEqual(CONFLICT.exec(copies[0]!)![1], name.replace(/^packages\/|\.tgz$/g, ""), "a copy of A's first package's name")
        assert.isTrue(fs.readFileSync(path.join(dir, idA, "packages", copies[0]!)).equals(forged), "holding B's forged bytes")
        assert.strictEqual(sha256(path.join(dir, idA, name)), realSha, "the name keeps A's package")
      }
      const beforeConflict = homeState(B.home)
      const ignored = yield* repeatPullChangesNothing(B, mapsB)
      assert.isTrue(ignored.notes.some((n) => n.includes(conflictCopies(dirs.b)[0]!) && n.includes("conflict copy")), ignored.notes.join("\n"))
      assert.deepStrictEqual(homeState(B.home), beforeConflict)
      assert.deepStrictEqual(rolloutsWith(B.home, marker), [], "the forged session is never imported")
      lap("conflict copy made and ignored")

      // ---- 6. C joins late: a plain copy of B's folder (its contents, not Syncthing's marker)
      const C = machine("c", path.join(root, "DIR_C"))
      fs.cpSync(dirs.b, C.folder, { recursive: true, filter: (src) => path.basename(src) !== ".stfolder" })
      assert.isFalse(fs.existsSync(path.join(C.folder, ".stfolder")))
      const mapsC = mapsOnto(C, [A, B])
      const late = yield* pull(C, mapsC)
      assert.isString(late.transaction_id)
      assert.isTrue(late.notes.some((n) => n.includes("conflict copy")), late.notes.join("\n"))
      // every conversation of A and of B is on C: the same record counts, each continuation once
      assert.strictEqual(rolloutFiles(A.home).length, fixtureSessions + 1)
      assert.deepStrictEqual(recordCounts(B.home), recordCounts(A.home), "A and B hold the same conversations")
      assert.deepStrictEqual(recordCounts(C.home), recordCounts(A.home), "so does C")
      for (const reply of [A1.reply, B1.reply, A2.reply]) assert.isAbove(rolloutsWith(C.home, reply).length, 0, reply)
      assert.lengthOf(rolloutsWith(C.home, B1.reply), 1, "B's line once, as a branch")
      assert.deepStrictEqual(rolloutsWith(C.home, marker), [])
      yield* repeatPullChangesNothing(C, mapsC)
      keptEverything(startA)
      keptEverything(startB)

      for (const dir of [dirs.a, dirs.b]) assert.isFalse(fs.existsSync(path.join(dir, ".stignore")), "no .stignore")
      lap("C pulled everything")
    }).pipe(Effect.provide(NodeContext.layer)), 300_000)
})
