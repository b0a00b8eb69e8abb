import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { AppServer } from "@sessionport/codex-oracle"
import { fixtureByRole, fixtureHome, fixtures, makeFolder, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { codexOn, conversation, machine, withAppServer } from "@sessionport/codex-oracle/Harness"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"
import { json, resumeTurn } from "./utils/codexTurns.js"

// The real Codex CLI is the judge of a repeat sync. Home A holds sessions Codex made (the
// fixture home) under project folder P_A; home B installed them under P_B. Both machines go on
// with the same conversation; A's next package must then reach B as a branch next to B's own
// continuation, and A's package after that as a fast-forward of that branch, each one a session
// Codex in home B lists, shows and continues with A's history, from P_B.

const P_A = fixtures.source.alpha
const P_A_BETA = fixtures.source.beta

// Codex runs home A's turns in P_A, the folder its sessions were made in: make it a real folder
// for the run (and remove what this test created).
const removeFolder = makeFolder(P_A)

afterAll(() => {
  removeTemps()
  removeFolder()
})

const session = fixtureByRole("multi_turn_tools")

// What each machine's scripted model says, and what its user types: the expected values.
const A1 = { prompt: "Machine A, second day: summarise the notes file in one line.", reply: "A1 reply: the notes file lists the project layout." }
const B1 = { prompt: "Machine B, second day: rename the notes file.", reply: "B1 reply: I would rename it to NOTES.md." }
const A2 = { prompt: "Machine A, third day: add a line about the tests.", reply: "A2 reply: added a line about the tests to the notes." }


/** The conversation of `threadId` as Codex shows it from a copy of `home`'s rollouts (the home itself is not touched). */
const conversationIn = (home: string, threadId: string) =>
  Effect.gen(function*() {
    const root = tempDir("codex-view")
    const copy = path.join(root, "home")
    fs.mkdirSync(copy)
    for (const entry of ["sessions", "archived_sessions", "session_index.jsonl"]) {
      if (fs.existsSync(path.join(home, entry))) fs.cpSync(path.join(home, entry), path.join(copy, entry), { recursive: true })
    }
    const { cli } = yield* codexOn(copy, root)
    return yield* withAppServer(cli, root, (app) => conversation(app, threadId))
  })

/** The rollout file of a session. */
const rolloutOf = (home: string, id: string): string => {
  const files = fs.readdirSync(path.join(home, "sessions"), { recursive: true }) as Array<string>
  const rel = files.find((f) => path.basename(f).endsWith(`-${id}.jsonl`))
  assert.isDefined(rel, `a rollout of ${id} in ${home}`)
  return path.join(home, "sessions", rel!)
}

/** The records of a rollout: its complete non-blank lines. */
const records = (file: string): number => fs.readFileSync(file, "utf8").split("\n").slice(0, -1).filter((l) => l.trim() !== "").length

/**
 * Runs `use` against `home`, then puts the home back exactly as it was (same path, so the
 * absolute rollout paths in Codex's rows stay right): Codex's own writes while it is
 * questioned (a turn appended by `codex exec resume`) must not become part of the next sync.
 */
const thenRestore = <A, E, R>(home: string, use: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const saved = path.join(tempDir("codex-b-saved"), "home")
      fs.cpSync(home, saved, { recursive: true, preserveTimestamps: true })
      return saved
    }),
    () => use,
    (saved) =>
      Effect.sync(() => {
        fs.rmSync(home, { recursive: true, force: true })
        fs.cpSync(saved, home, { recursive: true, preserveTimestamps: true })
      })
  )

const ok = (result: CliResult, what: string) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return result
}

interface Decision {
  readonly source_id: string
  readonly class: string
  readonly action: string
  readonly via?: string
  readonly local_id?: string
  readonly new_local_id?: string
  readonly appended?: number
  readonly records?: number
  readonly common?: number
}

interface SyncJson {
  readonly transaction_id?: string
  readonly sessions: ReadonlyArray<Decision>
  readonly counts: Record<string, number>
}

describe("sync, judged by the real Codex CLI", () => {
  it.scoped("diverged, then fast-forward, then nothing; rollback restores the home", () =>
    Effect.gen(function*() {
      // ---- 1. home A: the sessions Codex made (the fixture home's rollouts; Codex builds its rows)
      const { home: homeA, root: rootA } = machine("codex-a", { fixtureRollouts: true })
      const codexA = yield* codexOn(homeA, rootA)

      const { home: homeB, projects: [P_B, P_B_BETA], root: rootB } = machine("codex-b", { projects: ["alpha-on-b", "beta-on-b"] })
      const codexB = yield* codexOn(homeB, rootB)
      const maps = ["--map", `${P_A}=${P_B}`, "--map", `${P_A_BETA}=${P_B_BETA}`]
      const envB = { env: { HOME: rootB } }

      const exportA = Effect.gen(function*() {
        const pkg = path.join(tempDir("pkg"), "sessions.tgz")
        ok(yield* sessionTransfer(["export", "--all", "--codex-home", homeA, "--out", pkg]), "export from A")
        return pkg
      })
      const syncB = (pkg: string) =>
        Effect.map(sessionSync(["sync", pkg, "--codex-home", homeB, ...maps, "--yes", "--json"], envB), (r) => JSON.parse(ok(r, "sync").stdout) as SyncJson)
      const decisionOf = (result: SyncJson) => {
        const found = result.sessions.filter((s) => s.source_id === session.threadId)
        assert.lengthOf(found, 1, JSON.stringify(result.sessions))
        return found[0]!
      }
      const othersUnchanged = (result: SyncJson) => {
        for (const s of result.sessions) if (s.source_id !== session.threadId) assert.strictEqual(s.class, "unchanged", JSON.stringify(s))
      }

      // ---- 2. A exports, B installs
      const pkg1 = yield* exportA
      const installed = JSON.parse(ok(yield* sessionTransfer(["install", pkg1, "--codex-home", homeB, ...maps, "--json"], envB), "install").stdout)
      const localB: string = installed.sessions.find((s: any) => s.source_id === session.threadId).local_id
      assert.isString(localB)
      assert.notStrictEqual(localB, session.threadId)

      // ---- 3. both machines go on with the same conversation, differently
      const sentA1 = yield* resumeTurn(codexA, P_A, session.threadId, A1)
      assert.include(sentA1, json(session.prompts[0]!))
      const sentB1 = yield* resumeTurn(codexB, P_B, localB, B1)
      assert.include(sentB1, json(session.prompts[0]!))
      assert.include(sentB1, `<cwd>${P_B}</cwd>`)
      const rolloutB = rolloutOf(homeB, localB)
      const bytesB = fs.readFileSync(rolloutB)
      assert.include(bytesB.toString("utf8"), json(B1.reply), "B's rollout holds B's continuation")
      // A's conversation as Codex shows it (read from a copy of A's rollouts)
      const expectedA1 = yield* conversationIn(homeA, session.threadId)
      assert.strictEqual(expectedA1.length, session.prompts.length + 1)
      assert.deepStrictEqual(expectedA1.at(-1), { user: A1.prompt, agent: [A1.reply] })

      const rolloutA = path.join(homeA, session.rollout)
      const fixtureRecords = records(path.join(fixtureHome, session.rollout))
      const recordsA1 = records(rolloutA)
      assert.isAbove(recordsA1, fixtureRecords)

      // ---- 4. A's next package: B keeps its own continuation and gets A's as a branch
      const pkg2 = yield* exportA
      const diverged = yield* syncB(pkg2)
      const d = decisionOf(diverged)
      assert.strictEqual(d.class, "diverged_lineage")
      assert.strictEqual(d.action, "import_branch")
      assert.strictEqual(d.local_id, localB)
      assert.strictEqual(d.records, recordsA1)
      assert.strictEqual(d.common, fixtureRecords, "in common: what B installed, before either machine went on")
      assert.isString(d.new_local_id)
      const branch = d.new_local_id!
      assert.notInclude([localB, session.threadId], branch)
      assert.isString(diverged.transaction_id)
      othersUnchanged(diverged)
      assert.deepStrictEqual(fs.readFileSync(rolloutB), bytesB, "B's own continuation is untouched")
      const rolloutBranch = rolloutOf(homeB, branch)
      const branchBytes = fs.readFileSync(rolloutBranch)
      assert.include(branchBytes.toString("utf8"), json(A1.reply))
      assert.notInclude(branchBytes.toString("utf8"), json(B1.reply))
      const afterDiverged = homeState(homeB)

      yield* thenRestore(homeB, Effect.gen(function*() {
        yield* withAppServer(codexB.cli, rootB, (app) =>
          Effect.gen(function*() {
            const listed = (yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, cwd: P_B })).data
            assert.includeMembers(listed.map((t) => t.id), [localB, branch])
            assert.strictEqual(listed.find((t) => t.id === branch)?.cwd, P_B)
            // thread/read (thread/list leaves forkedFromId out, even for Codex's own forks)
            const { thread } = yield* app.threadRead({ threadId: branch })
            assert.strictEqual(thread.cwd, P_B)
            assert.strictEqual(thread.forkedFromId, localB, "the branch says which local session it branched from")
            assert.isString(thread.name, "the branch has a name")
            assert.match(thread.name!, /branch/i, "the branch's name says it is one")
            // thread/resume + thread/turns/list: A's turns, not B's
            assert.deepStrictEqual(yield* conversation(app, branch), expectedA1)
            // B's own session still shows B's turn
            assert.deepStrictEqual((yield* conversation(app, localB)).at(-1), { user: B1.prompt, agent: [B1.reply] })
          }))
        // codex exec resume on the branch sends A's history, from P_B
        const probe = { prompt: `probe the branch ${Date.now()}`, reply: "Branch probe reply." }
        const sent = yield* resumeTurn(codexB, P_B, branch, probe)
        for (const prompt of session.prompts) assert.include(sent, json(prompt))
        assert.include(sent, json(A1.prompt))
        assert.include(sent, json(A1.reply))
        assert.notInclude(sent, json(B1.prompt))
        assert.notInclude(sent, json(B1.reply))
        assert.include(sent, `<cwd>${P_B}</cwd>`)
        assert.notInclude(sent, P_A)
      }))
      assert.deepStrictEqual(homeState(homeB), afterDiverged, "home B is back as the sync left it")

      // ---- 5. A goes on alone: its next package fast-forwards the branch
      const sentA2 = yield* resumeTurn(codexA, P_A, session.threadId, A2)
      assert.include(sentA2, json(A1.reply))
      const expectedA2 = yield* conversationIn(homeA, session.threadId)
      assert.deepStrictEqual(expectedA2.slice(0, -1), expectedA1)
      assert.deepStrictEqual(expectedA2.at(-1), { user: A2.prompt, agent: [A2.reply] })
      const recordsA2 = records(rolloutA)
      const pkg3 = yield* exportA

      const beforeForward = homeState(homeB)
      const forward = yield* syncB(pkg3)
      const f = decisionOf(forward)
      assert.strictEqual(f.class, "fast_forward_import", JSON.stringify(f))
      assert.strictEqual(f.action, "append")
      assert.strictEqual(f.local_id, branch)
      assert.isUndefined(f.new_local_id)
      assert.strictEqual(f.records, recordsA2)
      assert.strictEqual(f.common, recordsA1)
      assert.strictEqual(f.appended, recordsA2 - recordsA1, "A's third-day turn, record for record")
      assert.isString(forward.transaction_id)
      othersUnchanged(forward)
      assert.deepStrictEqual(fs.readFileSync(rolloutB), bytesB, "B's own continuation is still untouched")
      const forwarded = fs.readFileSync(rolloutBranch)
      assert.deepStrictEqual(forwarded.subarray(0, branchBytes.length), branchBytes, "appended, nothing before it rewritten")
      assert.include(forwarded.subarray(branchBytes.length).toString("utf8"), json(A2.reply))
      assert.notInclude(forwarded.toString("utf8"), P_A)
      const afterForward = homeState(homeB)
      assert.notDeepEqual(afterForward, beforeForward)

      // ---- 6. the same package again: all unchanged, nothing written
      const sidecarBefore = homeState(path.join(homeB, "sessionport"))
      const repeat = yield* syncB(pkg3)
      assert.isAbove(repeat.sessions.length, 0)
      for (const s of repeat.sessions) assert.strictEqual(s.class, "unchanged", JSON.stringify(s))
      assert.isUndefined(repeat.transaction_id)
      assert.deepStrictEqual(homeState(homeB), afterForward)
      assert.deepStrictEqual(homeState(path.join(homeB, "sessionport")), sidecarBefore, "the sidecar and journal are untouched")

      // ---- 7. rollback of the fast-forward restores the home exactly
      ok(yield* sessionSync(["rollback", "--latest", "--codex-home", homeB], envB), "rollback")
      assert.deepStrictEqual(homeState(homeB), beforeForward)
      assert.deepStrictEqual(fs.readFileSync(rolloutBranch), branchBytes)

      // and again: the same fast-forward, then Codex in B continues A's conversation
      const again = decisionOf(yield* syncB(pkg3))
      assert.strictEqual(again.class, "fast_forward_import", JSON.stringify(again))
      assert.strictEqual(again.local_id, branch)
      assert.deepStrictEqual(homeState(homeB), afterForward)

      yield* withAppServer(codexB.cli, rootB, (app) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* conversation(app, branch), expectedA2)
          const listed = (yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, cwd: P_B })).data
          assert.includeMembers(listed.map((t) => t.id), [localB, branch])
        }))
      const marker = { prompt: `continue on B ${Date.now()}`, reply: "B continues A's conversation." }
      const sent = yield* resumeTurn(codexB, P_B, branch, marker)
      for (const prompt of session.prompts) assert.include(sent, json(prompt))
      for (const text of [A1.prompt, A1.reply, A2.prompt, A2.reply]) assert.include(sent, json(text))
      assert.notInclude(sent, json(B1.prompt))
      assert.include(sent, `<cwd>${P_B}</cwd>`)
      assert.notInclude(sent, P_A)

      // Codex wrote to the branch since: undoing the sync now would lose that turn, so rollback refuses
      const changed = homeState(homeB)
      const refused = yield* sessionSync(["rollback", "--latest", "--codex-home", homeB], envB)
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.include(refused.stderr, branch, "it names what changed since")
      assert.deepStrictEqual(homeState(homeB), changed)
    }).pipe(Effect.provide(NodeContext.layer)), 300_000)
})
