/**
 * What a sync engine may leave in the exchange folder, and pull's answer: a package still arriving
 * (truncated under its valid name, or not there yet), a damaged one (same size, other bytes), and
 * the engine's conflict copies (of a package, holding another valid package; of `outbox.json`).
 * Each is skipped with a `warning:` line, nothing of it reaches a home, it is not receipted, and it
 * is taken once it is complete; a conflict copy is never taken.
 */
import { assert, describe, it } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import {
  claudeTranscripts,
  decisions,
  type ExchangeMachine,
  exchangeFolder,
  exchangeRows,
  homeState,
  homesOf,
  machine,
  machineId,
  outboxOf,
  pull,
  type PullJson,
  push,
  sessionCounts
} from "./utils/exchange.js"
import { FIXTURE_IDS } from "./utils/scenarios.js"

afterAll(removeTemps)

const SESSIONS = FIXTURE_IDS.length + 2
const EMPTY = { codexRollouts: 0, codexThreads: 0, claude: 0, opencode: 0 }
const FULL = { codexRollouts: FIXTURE_IDS.length, codexThreads: FIXTURE_IDS.length, claude: 1, opencode: 1 }
const SYNCTHING_CONFLICT = ".sync-conflict-20261207-020541-K4VBOVP"

/** A published its sessions (one package) into a plain folder; B is a fresh machine. */
const published = Effect.gen(function*() {
  const dir = exchangeFolder()
  const a = machine("A", { from: "fixtures" })
  const pushed = yield* push(a, ["--to", dir])
  const outbox = outboxOf(dir, a)
  const file = path.join(outbox, pushed.package!.file)
  return { dir, a, b: machine("B"), outbox, file, bytes: fs.readFileSync(file), entry: pushed.package! }
})

/** B's receipts in its outbox (none before its first command, or before it took anything). */
const receiptsOf = (dir: string, b: ExchangeMachine): unknown => {
  const file = fs.existsSync(path.join(b.config, "exchange.json")) ? path.join(dir, machineId(b), "receipts.json") : undefined
  return file !== undefined && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).pulled : undefined
}

/** B's homes and its exchange records: what a skipped package must leave exactly as it was. */
const stateOf = (dir: string, b: ExchangeMachine) => ({
  homes: homeState(b),
  rows: homesOf(b).map(([agent, home]) => [agent, exchangeRows(home)]),
  receipts: receiptsOf(dir, b)
})

/** The `warning:` lines of a command's stderr. */
const warnings = (result: PullJson) => result.stderr.split("\n").filter((line) => line.startsWith("warning:"))

/** A pull that skips A's one package: exit 0, one warning naming it, nothing applied or receipted. */
const skipped = (dir: string, a: ExchangeMachine, b: ExchangeMachine, file: string, kind: string) =>
  Effect.gen(function*() {
    const result = yield* pull(b, ["--from", dir])
    assert.isUndefined(result.transaction_id, "nothing applied")
    assert.deepStrictEqual(result.packages.map((p) => [p.machine_id, p.seq, p.status, p.kind]), [[machineId(a), 1, "skipped", kind]])
    const naming = warnings(result).filter((line) => line.includes(path.basename(file)))
    assert.strictEqual(naming.length, 1, result.stderr)
    assert.include(naming[0], "retried next pull")
    assert.deepStrictEqual(sessionCounts(b), EMPTY)
    return result
  })

describe("session-sync pull: packages not (yet) right", () => {
  it.effect("a package truncated under its valid name is still arriving: skipped, nothing written, not receipted; complete, it is applied", () =>
    Effect.gen(function*() {
      const { a, b, bytes, dir, file } = yield* published
      fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)))
      const before = stateOf(dir, b)
      const result = yield* skipped(dir, a, b, file, "arriving")
      assert.include(result.packages[0]!.why, "still arriving")
      assert.deepStrictEqual(stateOf(dir, b), before, "the homes, the exchange records and the receipts as they were")
      assert.deepStrictEqual(homesOf(b).map(([, home]) => exchangeRows(home).applied), [0, 0, 0], "not receipted")
      assert.isUndefined(receiptsOf(dir, b), "no receipts published")
      // the engine delivers the rest
      fs.writeFileSync(file, bytes)
      const completed = yield* pull(b)
      assert.isString(completed.transaction_id)
      assert.deepStrictEqual(completed.packages.map((p) => p.status), ["applied"])
      assert.strictEqual(decisions(completed).filter((d) => d.class === "new_lineage").length, SESSIONS)
      assert.deepStrictEqual(sessionCounts(b), FULL)
      assert.deepStrictEqual(warnings(completed), [])
    }), 120_000)

  it.effect("a package of the right size with other bytes is damaged: skipped, nothing written; the right bytes, it is applied", () =>
    Effect.gen(function*() {
      const { a, b, bytes, dir, file } = yield* published
      const flipped = Buffer.from(bytes)
      for (const at of [100, Math.floor(bytes.length / 2), bytes.length - 10]) flipped[at] = flipped[at]! ^ 0xff
      fs.writeFileSync(file, flipped)
      assert.strictEqual(fs.statSync(file).size, bytes.length)
      const before = stateOf(dir, b)
      const result = yield* skipped(dir, a, b, file, "damaged")
      assert.include(result.packages[0]!.why, "damaged")
      assert.deepStrictEqual(stateOf(dir, b), before)
      fs.writeFileSync(file, bytes)
      const repaired = yield* pull(b)
      assert.deepStrictEqual(repaired.packages.map((p) => p.status), ["applied"])
      assert.deepStrictEqual(sessionCounts(b), FULL)
    }), 120_000)

  it.effect("an index listing a package whose file is not there: skipped as arriving, nothing written; there, it is applied", () =>
    Effect.gen(function*() {
      const { a, b, bytes, dir, file } = yield* published
      fs.rmSync(file)
      const before = stateOf(dir, b)
      const result = yield* skipped(dir, a, b, file, "arriving")
      assert.include(result.packages[0]!.why, "not there")
      assert.deepStrictEqual(stateOf(dir, b), before)
      fs.writeFileSync(file, bytes)
      const arrived = yield* pull(b)
      assert.deepStrictEqual(arrived.packages.map((p) => p.status), ["applied"])
      assert.deepStrictEqual(sessionCounts(b), FULL)
    }), 120_000)
})

describe("session-sync pull: the engine's conflict copies", () => {
  it.effect("conflict copies of a package holding another valid package are never imported, and noted", () =>
    Effect.gen(function*() {
      const { a, b, dir, entry, file, outbox } = yield* published
      // another machine's valid package (another Claude Code session), copied next to A's under conflict names
      const other = machine("X", { from: "fixtures", agents: ["claude"], claudeRole: "beta_plain" })
      const otherDir = exchangeFolder()
      const otherPushed = yield* push(other, ["--to", otherDir])
      const otherFile = path.join(outboxOf(otherDir, other), otherPushed.package!.file)
      const stem = path.basename(file, ".tgz")
      const copies = [`${stem}${SYNCTHING_CONFLICT}.tgz`, `${stem} (1).tgz`]
      for (const name of copies) fs.copyFileSync(otherFile, path.join(outbox, "packages", name))

      const result = yield* pull(b, ["--from", dir])
      assert.deepStrictEqual(result.packages.map((p) => [p.machine_id, p.file, p.status]), [[machineId(a), entry.file, "applied"]])
      assert.deepStrictEqual(sessionCounts(b), FULL, "A's sessions, and only those")
      const otherPrompt = ClaudeFixtures.byRole("beta_plain").prompts[0]!
      assert.isFalse(claudeTranscripts(b.claude).some((f) => fs.readFileSync(f, "utf8").includes(otherPrompt)), "nothing of the copies")
      assert.notInclude(decisions(result).map((d) => d.source_id), ClaudeFixtures.byRole("beta_plain").sessionId)
      for (const name of copies) {
        const noted = warnings(result).filter((line) => line.includes(name))
        assert.strictEqual(noted.length, 1, `${name}: ${result.stderr}`)
        assert.include(noted[0], "conflict copy")
        assert.isTrue(result.notes.some((n) => n.includes(name)), name)
      }
      // next time: still nothing of them, still noted
      const again = yield* pull(b)
      assert.isUndefined(again.transaction_id)
      assert.deepStrictEqual(again.packages, [])
      assert.deepStrictEqual(sessionCounts(b), FULL)
      for (const name of copies) assert.isTrue(again.notes.some((n) => n.includes(name)), name)
    }), 120_000)

  it.effect("a conflict copy of outbox.json is noted; the index itself is read", () =>
    Effect.gen(function*() {
      const { a, b, dir, outbox } = yield* published
      const index = JSON.parse(fs.readFileSync(path.join(outbox, "outbox.json"), "utf8"))
      // what the other writer of the id would have listed: nothing
      const name = `outbox${SYNCTHING_CONFLICT}.json`
      fs.writeFileSync(path.join(outbox, name), JSON.stringify({ ...index, packages: [] }, null, 2))
      const result = yield* pull(b, ["--from", dir])
      assert.deepStrictEqual(result.packages.map((p) => [p.machine_id, p.status]), [[machineId(a), "applied"]])
      assert.deepStrictEqual(sessionCounts(b), FULL)
      const noted = warnings(result).filter((line) => line.includes(name))
      assert.strictEqual(noted.length, 1, result.stderr)
      assert.include(noted[0], "conflict copy")
    }), 120_000)
})
