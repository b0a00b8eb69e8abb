/**
 * The exchange through a plain folder (`session-sync push` / `pull`), the scenario step by
 * step with three machines, each with its own homes and config: A (the Codex fixture sessions, one
 * Claude Code and one OpenCode session) publishes; B pulls; both go on with the same Codex session;
 * both push and pull and each ends with its own line plus the other's as a branch; A goes on alone
 * and B fast-forwards its branch; C, joining late from a `cp -r` of the folder, gets every lineage.
 * After every step nothing a home held is lost, a repeat pull changes nothing at all, an unchanged
 * push writes nothing, and a pulled session is not published back.
 *
 * Expected values come from the fixtures and the prompts typed here (read back from the rollout
 * files and the databases with plain reads), never from the code under test.
 */
import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines } from "./utils/cli.js"
import {
  assertNothingLost,
  CLAUDE_SESSION,
  claudeTranscripts,
  decisions,
  type ExchangeMachine,
  exchangeFolder,
  fileState,
  homeState,
  homesOf,
  indexOf,
  machine,
  machineId,
  OPENCODE_SESSION,
  opencodeSessions,
  outboxOf,
  pull,
  type PullJson,
  push,
  run,
  type Sessions,
  sessionCounts,
  sessions,
  withHome
} from "./utils/exchange.js"
import { appendLines, continuationLines, FIXTURE_IDS, idOf, localRollout, rolloutFiles, rolloutText } from "./utils/scenarios.js"

afterAll(removeTemps)

const X = idOf("multi_turn_tools")
const A1 = "machine A, day two: marker-A1"
const B1 = "machine B, day two: marker-B1"
const A2 = "machine A, day three: marker-A2"
const FIXTURE_CODEX = FIXTURE_IDS.length

/** Every file of a machine's homes, sessionport's own folder included (bytes and mtimes); not SQLite's -wal/-shm, which opening a database makes. */
const allFiles = (m: ExchangeMachine) =>
  Object.fromEntries(homesOf(m).map(([agent, home]) => [agent, Object.fromEntries(Object.entries(fileState(home)).filter(([f]) => !/-(wal|shm)$/.test(f)))]))

/** Goes on with a Codex session, as Codex would: one more turn appended to its rollout. */
const continueSession = (rollout: string, prompt: string) => appendLines(rollout, continuationLines(rollout, prompt))

/** The rollouts of a machine whose text holds `marker`. */
const holding = (m: ExchangeMachine, marker: string) => rolloutFiles(m.codex).filter((f) => rolloutText(f).includes(marker))

/** The one decision of a pull for a source id. */
const decisionFor = (result: PullJson, sourceId: string) => {
  const found = decisions(result).filter((d) => d.source_id === sourceId)
  assert.strictEqual(found.length, 1, `one decision for ${sourceId}: ${JSON.stringify(decisions(result))}`)
  return found[0]!
}

describe("session-sync push / pull over a plain folder", () => {
  it.effect("A, B and a late C: imports, branches both ways, a fast-forward, a late joiner; nothing lost, repeats do nothing", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures" })
      const b = machine("B")
      const joined: Array<{ readonly m: ExchangeMachine; readonly folder: string }> = []
      const held = new Map<ExchangeMachine, Sessions>()

      /** After every step: nothing lost anywhere; a repeat pull (machines that pulled) changes nothing at all. */
      const settled = (step: string, pulled: ReadonlyArray<ExchangeMachine> = []) =>
        Effect.gen(function*() {
          for (const { m } of joined) {
            const now = sessions(m)
            const before = held.get(m)
            if (before !== undefined) assertNothingLost(before, now, `${step}: ${m.name}`)
            held.set(m, now)
          }
          for (const m of pulled) {
            const folder = joined.find((j) => j.m === m)!.folder
            const before = { homes: allFiles(m), state: homeState(m), folder: fileState(folder) }
            const again = yield* pull(m)
            assert.isUndefined(again.transaction_id, `${step}: ${m.name}'s repeat pull: no transaction`)
            assert.deepStrictEqual(again.packages, [], `${step}: ${m.name}'s repeat pull: nothing pending`)
            assert.deepStrictEqual({ homes: allFiles(m), state: homeState(m), folder: fileState(folder) }, before, `${step}: ${m.name}'s repeat pull wrote nothing`)
          }
        })

      /** A push with nothing new: no package, not a byte of the folder written. */
      const unchangedPush = (step: string, m: ExchangeMachine) =>
        Effect.gen(function*() {
          const folder = joined.find((j) => j.m === m)!.folder
          const before = fileState(folder)
          const again = yield* push(m)
          assert.isNull(again.package, `${step}: ${m.name}: nothing to push`)
          assert.deepStrictEqual(again.sessions, [], step)
          assert.deepStrictEqual(fileState(folder), before, `${step}: ${m.name}'s unchanged push wrote nothing`)
        })

      // -- 1. A publishes everything it has
      joined.push({ m: a, folder: dir }, { m: b, folder: dir })
      yield* settled("start")
      const first = yield* push(a, ["--to", dir])
      assert.isNotNull(first.package)
      const published = first.package!.sessions.map((s) => `${s.agent} ${s.id}`).sort()
      assert.deepStrictEqual(published, [
        ...FIXTURE_IDS.map((id) => `codex ${id}`),
        `claude ${CLAUDE_SESSION}`,
        `opencode ${OPENCODE_SESSION}`
      ].sort(), "every session of every home of A")
      const outboxA = outboxOf(dir, a)
      assert.deepStrictEqual(indexOf(outboxA).packages.map((p) => p.file), [first.package!.file])
      assert.strictEqual(fs.statSync(path.join(outboxA, first.package!.file)).size, first.package!.size)
      yield* unchangedPush("A pushed", a)
      yield* settled("A pushed")

      // -- 2. B pulls: every session, in every home
      const pulledB = yield* pull(b, ["--from", dir])
      assert.isString(pulledB.transaction_id)
      assert.deepStrictEqual(pulledB.packages.map((p) => [p.machine_id, p.seq, p.status]), [[machineId(a), 1, "applied"]])
      assert.deepStrictEqual(decisions(pulledB).map((d) => `${d.agent} ${d.source_id} ${d.class}`).sort(), published.map((s) => `${s} new_lineage`))
      assert.deepStrictEqual(sessionCounts(b), { codexRollouts: FIXTURE_CODEX, codexThreads: FIXTURE_CODEX, claude: 1, opencode: 1 })
      const localOnB = new Map(decisions(pulledB).map((d) => [d.source_id, d.new_local_id!]))
      for (const id of FIXTURE_IDS) {
        const file = localRollout(b.codex, localOnB.get(id)!)
        assert.isTrue(rolloutText(file).length > 0, id)
      }
      assert.isTrue(claudeTranscripts(b.claude).some((f) => path.basename(f) === `${localOnB.get(CLAUDE_SESSION)}.jsonl`))
      assert.isTrue(opencodeSessions(b).has(localOnB.get(OPENCODE_SESSION)!))
      // a pulled session is not published back
      const backB = yield* push(b)
      assert.isNull(backB.package, "B publishes nothing it pulled")
      assert.strictEqual(backB.unchanged, published.length)
      yield* unchangedPush("B pulled", b)
      yield* settled("B pulled", [b])

      // -- 3. both go on with the same Codex session, each its own turn
      const xOnA = localRollout(a.codex, X)
      const xOnB = localRollout(b.codex, localOnB.get(X)!)
      continueSession(xOnA, A1)
      continueSession(xOnB, B1)
      yield* settled("both continued")

      // -- 4. both push, both pull: each keeps its own line and gets the other's as a branch
      const pushedA = yield* push(a)
      assert.deepStrictEqual(pushedA.package?.sessions.map((s) => `${s.agent} ${s.id}`), [`codex ${X}`], "A: only the session it went on with")
      const pushedB = yield* push(b)
      assert.deepStrictEqual(pushedB.package?.sessions.map((s) => `${s.agent} ${s.id}`), [`codex ${localOnB.get(X)}`], "B: only the session it went on with")
      yield* unchangedPush("both pushed", a)
      yield* unchangedPush("both pushed", b)
      yield* settled("both pushed")

      const pulledA = yield* pull(a)
      assert.deepStrictEqual(pulledA.packages.map((p) => [p.machine_id, p.seq, p.status]), [[machineId(b), 1, "applied"]])
      const onA = decisionFor(pulledA, localOnB.get(X)!)
      assert.deepStrictEqual([onA.class, onA.action, onA.local_id], ["diverged_lineage", "import_branch", X])
      const branchOnA = onA.new_local_id!
      const pulledB2 = yield* pull(b)
      assert.deepStrictEqual(pulledB2.packages.map((p) => [p.machine_id, p.seq, p.status]), [[machineId(a), 2, "applied"]])
      const onB = decisionFor(pulledB2, X)
      assert.deepStrictEqual([onB.class, onB.action, onB.local_id], ["diverged_lineage", "import_branch", localOnB.get(X)])
      const branchOnB = onB.new_local_id!
      // on disk: each machine's own line untouched, the other's line next to it
      for (const [m, own, mine, theirs, branch] of [[a, xOnA, A1, B1, branchOnA], [b, xOnB, B1, A1, branchOnB]] as const) {
        assert.include(rolloutText(own), mine, m.name)
        assert.notInclude(rolloutText(own), theirs, m.name)
        const branchFile = localRollout(m.codex, branch)
        assert.include(rolloutText(branchFile), theirs, `${m.name}: the other's line, as a branch`)
        assert.notInclude(rolloutText(branchFile), mine, m.name)
        assert.deepStrictEqual(holding(m, theirs), [branchFile], m.name)
        assert.strictEqual(sessionCounts(m).codexRollouts, FIXTURE_CODEX + 1, m.name)
        assert.strictEqual(sessionCounts(m).codexThreads, FIXTURE_CODEX + 1, m.name)
      }
      // the branches are pulled sessions: not published back
      yield* unchangedPush("both pulled", a)
      yield* unchangedPush("both pulled", b)
      yield* settled("both pulled", [a, b])

      // -- 5. A goes on alone; B fast-forwards the branch it holds of A's line
      continueSession(xOnA, A2)
      const pushedA3 = yield* push(a)
      assert.deepStrictEqual(pushedA3.package?.sessions.map((s) => `${s.agent} ${s.id}`), [`codex ${X}`])
      // its second package is superseded by this one and B (every other machine) has pulled it: compacted
      assert.deepStrictEqual(pushedA3.removed, [pushedA.package!.file])
      assert.deepStrictEqual(indexOf(outboxA).packages.map((p) => p.seq), [1, 3])
      assert.isFalse(fs.existsSync(path.join(outboxA, pushedA.package!.file)))
      yield* settled("A went on alone")
      const bBefore = rolloutText(xOnB)
      const pulledB3 = yield* pull(b)
      assert.deepStrictEqual(pulledB3.packages.map((p) => [p.machine_id, p.seq, p.status]), [[machineId(a), 3, "applied"]])
      const ff = decisionFor(pulledB3, X)
      assert.deepStrictEqual([ff.class, ff.action, ff.local_id], ["fast_forward_import", "append", branchOnB])
      assert.include(rolloutText(localRollout(b.codex, branchOnB)), A2, "B's branch of A's line caught up")
      assert.strictEqual(rolloutText(xOnB), bBefore, "B's own line untouched")
      assert.strictEqual(sessionCounts(b).codexRollouts, FIXTURE_CODEX + 1, "no new session on B")
      yield* unchangedPush("B fast-forwarded", b)
      yield* settled("B fast-forwarded", [a, b])

      // -- 6. C joins late, from a plain copy of the folder, and gets every lineage
      const c = machine("C")
      const dirC = path.join(tempDir("exchange-c"), "exchange")
      execFileSync("cp", ["-r", dir, dirC])
      joined.push({ m: c, folder: dirC })
      yield* settled("C joined")
      const pulledC = yield* pull(c, ["--from", dirC])
      assert.deepStrictEqual(
        pulledC.packages.map((p) => [p.machine_id === machineId(a) ? "A" : "B", p.seq, p.status]),
        [["A", 1, "applied"], ["B", 1, "applied"], ["A", 3, "applied"]],
        "every listed package, in time"
      )
      assert.deepStrictEqual(sessionCounts(c), { codexRollouts: FIXTURE_CODEX + 1, codexThreads: FIXTURE_CODEX + 1, claude: 1, opencode: 1 })
      const aLine = holding(c, A2)
      assert.strictEqual(aLine.length, 1, "A's line on C")
      assert.include(rolloutText(aLine[0]!), A1)
      assert.notInclude(rolloutText(aLine[0]!), B1)
      const bLine = holding(c, B1)
      assert.strictEqual(bLine.length, 1, "B's line on C")
      assert.notInclude(rolloutText(bLine[0]!), A1)
      const pushedC = yield* push(c)
      assert.isNull(pushedC.package, "C publishes nothing it pulled")
      yield* unchangedPush("C pulled", c)
      yield* settled("C pulled", [c])
      // the first folder never saw C
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), [machineId(a), machineId(b)].sort())
    }), 600_000)
})

describe("session-sync push / pull: the folder and the machine", () => {
  it.effect("no folder given and none remembered: exit 2, naming where one could be; a missing folder: exit 1, nothing remembered", () =>
    Effect.gen(function*() {
      const m = machine("M", { from: "fixtures" })
      for (const command of ["push", "pull", "compact"] as const) {
        const result = yield* run(m, command)
        assert.strictEqual(result.code, 2, `${command}: ${result.stderr}`)
        assert.strictEqual(result.stdout, "", command)
        assert.include(result.stderr, "~/OneDrive/sessionport", command)
        assert.include(result.stderr, "--to", command)
      }
      assert.isFalse(fs.existsSync(m.config), "a usage mistake writes no config")
      const missing = path.join(tempDir("nowhere"), "exchange")
      for (const [command, option] of [["push", "--to"], ["pull", "--from"], ["compact", "--folder"]] as const) {
        const result = yield* run(m, command, [option, missing])
        assert.strictEqual(result.code, 1, `${command}: ${result.stderr}`)
        const lines = errorLines(result)
        assert.strictEqual(lines.length, 1, `${command}: ${result.stderr}`)
        assert.include(lines[0], missing, command)
        assert.isFalse(fs.existsSync(missing), `${command}: the folder is never made`)
      }
      // still nothing remembered
      assert.strictEqual((yield* run(m, "push")).code, 2)
      // a remembered folder that is gone
      const dir = exchangeFolder()
      yield* push(m, ["--to", dir])
      fs.rmSync(dir, { recursive: true })
      const gone = yield* run(m, "pull")
      assert.strictEqual(gone.code, 1, gone.stderr)
      assert.include(gone.stderr, dir)
      assert.isFalse(fs.existsSync(dir))
    }), 120_000)

  // the config remembers the host it was made on: B runs under a host name of its own
  it.effect("a config copied verbatim into another machine's config dir: push and pull refuse (exit 1, naming --new-machine-id), write nothing; --new-machine-id gives it its own outbox", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures" })
      yield* push(a, ["--to", dir])
      const outboxA = outboxOf(dir, a)
      // the same host (a second user, a cloned disk): the config's own folder gives the copy away
      const b = machine("B", { from: "fixtures" })
      fs.cpSync(a.config, b.config, { recursive: true, preserveTimestamps: true })
      const before = fileState(dir)
      for (const command of ["push", "pull"] as const) {
        const refused = yield* run(b, command)
        assert.strictEqual(refused.code, 1, refused.stderr)
        assert.include(refused.stderr, "--new-machine-id")
        assert.deepStrictEqual(fileState(dir), before, "nothing written to the folder")
      }

      const renewed = yield* push(b, ["--new-machine-id"])
      assert.notStrictEqual(renewed.machine_id, machineId(a))
      assert.strictEqual(machineId(b), renewed.machine_id)
      assert.isNotNull(renewed.package)
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), [machineId(a), renewed.machine_id].sort())
      assert.deepStrictEqual(
        Object.fromEntries(Object.entries(fileState(dir)).filter(([f]) => f.startsWith(`${path.basename(outboxA)}/`))),
        Object.fromEntries(Object.entries(before).filter(([f]) => f.startsWith(`${path.basename(outboxA)}/`))),
        "A's outbox untouched"
      )
      // A goes on with its own outbox
      continueSession(localRollout(a.codex, X), A1)
      const again = yield* push(a)
      assert.strictEqual(again.machine_id, machineId(a))
      assert.strictEqual(again.package?.seq, 2)
    }), 120_000)

  it.effect("a machine without an OpenCode home takes the rest; the OpenCode session waits until OpenCode is installed", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures" })
      yield* push(a, ["--to", dir])
      const d = machine("D", { agents: ["codex", "claude"] })
      const first = yield* pull(d, ["--from", dir])
      assert.deepStrictEqual(first.packages.map((p) => p.status), ["applied"])
      assert.deepStrictEqual(decisions(first).map((s) => s.agent).sort(), [...Array(FIXTURE_CODEX).fill("codex"), "claude"].sort())
      assert.deepStrictEqual(sessionCounts(d), { codexRollouts: FIXTURE_CODEX, codexThreads: FIXTURE_CODEX, claude: 1, opencode: 0 })
      assert.isUndefined((yield* pull(d)).transaction_id, "nothing pending for the homes it has")
      // OpenCode is installed: A's package is pending for its home, and for it only
      const withOpencode = withHome(d, "opencode")
      const later = yield* pull(withOpencode)
      assert.isString(later.transaction_id)
      assert.deepStrictEqual(decisions(later).map((s) => `${s.agent} ${s.source_id} ${s.class}`), [`opencode ${OPENCODE_SESSION} new_lineage`])
      assert.deepStrictEqual(sessionCounts(withOpencode), { codexRollouts: FIXTURE_CODEX, codexThreads: FIXTURE_CODEX, claude: 1, opencode: 1 })
      assert.isUndefined((yield* pull(withOpencode)).transaction_id)
    }), 120_000)

  it.effect("--dry-run: push and pull say what they would do and write nothing", () =>
    Effect.gen(function*() {
      const dir = exchangeFolder()
      const a = machine("A", { from: "fixtures" })
      const b = machine("B")
      const dryPush = yield* push(a, ["--to", dir, "--dry-run"])
      assert.isNull(dryPush.package)
      assert.strictEqual(dryPush.sessions.length, FIXTURE_CODEX + 2)
      assert.deepStrictEqual(fs.readdirSync(dir), [], "the folder as it was")
      yield* push(a)
      const before = { folder: fileState(dir), homes: allFiles(b) }
      const dryPull = yield* pull(b, ["--from", dir, "--dry-run"])
      assert.isUndefined(dryPull.transaction_id)
      assert.deepStrictEqual(dryPull.packages.map((p) => p.status), ["applied"])
      assert.deepStrictEqual(decisions(dryPull).map((d) => d.class), Array(FIXTURE_CODEX + 2).fill("new_lineage"))
      assert.deepStrictEqual({ folder: fileState(dir), homes: allFiles(b) }, before, "nothing written by a dry run")
      assert.deepStrictEqual(sessionCounts(b), { codexRollouts: 0, codexThreads: 0, claude: 0, opencode: 0 })
      // and the real pull does what the dry run said
      const real = yield* pull(b)
      assert.deepStrictEqual(decisions(real).map((d) => `${d.source_id} ${d.class}`), decisions(dryPull).map((d) => `${d.source_id} ${d.class}`))
    }), 120_000)
})
