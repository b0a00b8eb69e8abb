/**
 * The exchange under kill -9.
 *
 * Pull: B pulls three packages of A at once (a new Claude Code session, a fast-forward of a Codex
 * session B left alone, a branch of one both went on with) in one journal transaction. Killed
 * right after every journal step (`SESSIONPORT_CRASH_AT`, a real SIGKILL the process sends itself),
 * the next command (`list-transactions`) brings B exactly back to before: its homes, its sidecar
 * rows, its exchange rows and its published receipts. The next pull then ends where an
 * uninterrupted pull does.
 *
 * Push: killed at each of its named points (`SESSIONPORT_EXCHANGE_CRASH_AT`: after the export,
 * after the rename into `packages/`, after the index, after compaction's index, after its removal),
 * the outbox stays consistent (every listed file complete), a machine pulling then never sees an
 * unlisted file, and the next push removes the orphans and publishes what is still unpublished.
 *
 * Each run works on a copy of a machine prepared once (its exchange folder inside it), the
 * absolute paths its databases and config hold moved to the copy.
 */
import { assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { everyStep } from "@sessionport/codex-oracle/Steps"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync } from "./utils/cli.js"
import {
  type Agent,
  claudeTranscripts,
  decisions,
  type ExchangeMachine,
  exchangeRows,
  homeState,
  homesOf,
  indexOf,
  machine,
  machineId,
  opencodeSessions,
  pull,
  type PullJson,
  push,
  run,
  sessionCounts
} from "./utils/exchange.js"
import { sidecarRows } from "./utils/sidecar.js"
import { appendLines, continuationLines, FIXTURE_IDS, idOf, localRollout, rolloutFiles } from "./utils/scenarios.js"

afterAll(removeTemps)

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex")
const continueSession = (rollout: string, prompt: string) => appendLines(rollout, continuationLines(rollout, prompt))

// ---------------------------------------------------------------------------------------------
// Copies of a prepared machine

/** Every SQLite file under a folder (not -wal/-shm/-journal). */
const databases = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(sqlite|db)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))

/** `from` replaced by `to` in every text column of every database under `root`, and in the machine config. */
const relocate = (root: string, configFile: string, from: string, to: string): void => {
  for (const file of databases(root)) {
    const db = openDatabase(file)
    try {
      for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()) {
        for (const { name: column, type } of db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(name)) {
          if (!/TEXT|^$/i.test(type)) continue
          db.prepare(`UPDATE "${name}" SET "${column}" = replace("${column}", @from, @to) WHERE instr("${column}", @from) > 0`).run({ from, to })
        }
      }
    } finally {
      db.close()
    }
  }
  fs.writeFileSync(configFile, fs.readFileSync(configFile, "utf8").split(from).join(to))
}

/** A copy of a machine whose homes, config and exchange folder (`<root>/exchange`) all live in its root. */
const copyOf = (m: ExchangeMachine): ExchangeMachine => {
  const root = tempDir("exchange-copy")
  fs.cpSync(m.root, root, { recursive: true, preserveTimestamps: true })
  const moved = (p: string) => path.join(root, path.relative(m.root, p))
  relocate(root, moved(path.join(m.config, "exchange.json")), m.root, root)
  return {
    ...m,
    root,
    user: moved(m.user),
    codex: moved(m.codex),
    claude: moved(m.claude),
    opencode: moved(m.opencode),
    config: moved(m.config),
    homeOptions: m.homeOptions.map((o) => o.startsWith(m.root) ? moved(o) : o),
    env: { ...m.env, HOME: moved(m.user), SESSIONPORT_CONFIG_DIR: moved(m.config) }
  }
}

const folderOf = (m: ExchangeMachine) => path.join(m.root, "exchange")

interface Transaction {
  readonly id: string
  readonly kind: string
  readonly status: string
}

const transactionsOf = (m: ExchangeMachine) =>
  Effect.map(sessionSync(["list-transactions", ...m.homeOptions, "--json"], { env: m.env }), (result) => {
    assert.strictEqual(result.code, 0, `list-transactions: ${result.stderr}`)
    return JSON.parse(result.stdout) as Array<Transaction>
  })

// ---------------------------------------------------------------------------------------------
// Pull

/**
 * A and B (Codex and Claude Code homes; the folder in B's root). A published its Codex sessions,
 * B pulled them and went on with X; then A went on with Y and published it, went on with X and
 * published it, and published its Claude Code session: three packages pending for B (a
 * fast-forward, a branch, a new session).
 */
const pullScenario = Effect.gen(function*() {
  const agents: ReadonlyArray<Agent> = ["codex", "claude"]
  const a = machine("A", { from: "fixtures", agents })
  const b = machine("B", { agents })
  const dir = folderOf(b)
  fs.mkdirSync(dir)
  yield* push(a, ["--to", dir, "--agent", "codex"])
  const first = yield* pull(b, ["--from", dir])
  const local = new Map(decisions(first).map((d) => [d.source_id, d.new_local_id!]))
  continueSession(localRollout(b.codex, local.get(idOf("multi_turn_tools"))!), "machine B: marker-B1")
  continueSession(localRollout(a.codex, idOf("beta_cwd")), "machine A: marker-A-beta")
  yield* push(a, ["--agent", "codex"])
  continueSession(localRollout(a.codex, idOf("multi_turn_tools")), "machine A: marker-A1")
  yield* push(a, ["--agent", "codex"])
  yield* push(a)
  return { a, b, local }
})

/** Everything a killed pull may have touched: homes, sidecar rows, exchange rows, the receipts B published. */
const pullState = (m: ExchangeMachine) => {
  const receipts = path.join(folderOf(m), machineId(m), "receipts.json")
  return {
    homes: homeState(m),
    sidecar: homesOf(m).map(([agent, home]) => [agent, sidecarRows(home)]),
    exchange: homesOf(m).map(([agent, home]) => [agent, exchangeRows(home)]),
    receipts: fs.existsSync(receipts) ? sha256(fs.readFileSync(receipts)) : undefined
  }
}

/** Where a pull ends, without what differs from copy to copy (new ids, absolute paths). */
const pullOutcome = (m: ExchangeMachine, result: PullJson) => ({
  packages: result.packages.map((p) => [p.seq, p.status]),
  sessions: decisions(result).map((d) => [d.seq, d.agent, d.source_id, d.class, d.action, d.new_local_id === undefined ? d.local_id : "(new)"]),
  counts: sessionCounts(m),
  // a new id has a fixed length: the sizes of the session files say what each holds
  sizes: [...rolloutFiles(m.codex), ...claudeTranscripts(m.claude)].map((f) => fs.statSync(f).size).sort((x, y) => x - y),
  exchange: homesOf(m).map(([agent, home]) => [agent, exchangeRows(home)]),
  receipts: JSON.parse(fs.readFileSync(path.join(folderOf(m), machineId(m), "receipts.json"), "utf8")).pulled,
  opencode: m.agents.includes("opencode") ? opencodeSessions(m).size : 0
})

describe("session-sync pull under kill -9", () => {
  it.effect("killed after every journal step: the next command brings B back exactly; the next pull ends as an uninterrupted one", () =>
    Effect.gen(function*() {
      const { b, local } = yield* pullScenario

      // the uninterrupted pull, on a copy
      const reference = copyOf(b)
      const referenceBefore = pullState(reference)
      const whole = yield* pull(reference)
      assert.deepStrictEqual(whole.packages.map((p) => [p.seq, p.status]), [[2, "applied"], [3, "applied"], [4, "applied"]])
      const classes = decisions(whole).map((d) => [d.seq, d.agent, d.class, d.action])
      assert.deepStrictEqual(classes, [
        [2, "codex", "fast_forward_import", "append"],
        [3, "codex", "diverged_lineage", "import_branch"],
        [4, "claude", "new_lineage", "import"]
      ])
      assert.strictEqual(decisions(whole)[0]!.local_id, local.get(idOf("beta_cwd")))
      assert.strictEqual(decisions(whole)[1]!.local_id, local.get(idOf("multi_turn_tools")))
      assert.notDeepEqual(pullState(reference), referenceBefore)
      const expected = pullOutcome(reference, whole)
      const known = new Set((yield* transactionsOf(b)).map((tx) => tx.id))

      const crashAt = (n: number) =>
        Effect.gen(function*() {
          const at = `step ${n}`
          const target = copyOf(b)
          const before = pullState(target)
          const killed: CliResult = yield* sessionSync(["pull", "--json", ...target.homeOptions], {
            env: { ...target.env, SESSIONPORT_CRASH_AT: String(n), TMPDIR: tempDir("tmp") }
          })
          if (killed.code === 0) return false
          assert.strictEqual(killed.signal, "SIGKILL", `${at}: ${killed.stderr}`)
          // the next command recovers; a transaction the kill left committed stands, and is undone exactly
          const mine = (yield* transactionsOf(target)).filter((tx) => !known.has(tx.id))
          assert.isAtMost(mine.length, 1, at)
          if (mine[0]?.status === "completed") {
            const undo = yield* sessionSync(["rollback", mine[0].id, ...target.homeOptions], { env: target.env })
            assert.strictEqual(undo.code, 0, `${at}: ${undo.stderr}`)
          } else {
            assert.oneOf(mine[0]?.status, [undefined, "failed"], at)
            if (mine[0] !== undefined) assert.strictEqual(mine[0].kind, "pull", at)
          }
          assert.deepStrictEqual(pullState(target), before, `killed at ${at}: B is back to before`)
          // and the next pull does it all
          const next = yield* pull(target)
          assert.deepStrictEqual(pullOutcome(target, next), expected, `killed at ${at}: the next pull ends as an uninterrupted one`)
          fs.rmSync(target.root, { recursive: true, force: true })
          return true
        })
      const steps = yield* everyStep(crashAt, 2)
      assert.isAtLeast(steps, 10, "a pull of three packages takes journal steps")
    }), 600_000)
})

// ---------------------------------------------------------------------------------------------
// Push

const POINTS = ["export", "rename", "index", "compact-index", "compact-remove"] as const

/** Names in an outbox's packages/ and tmp/ folders that its index does not list. */
const unlisted = (outbox: string): Array<string> => {
  const listed = new Set(indexOf(outbox).packages.map((p) => p.file))
  const under = (sub: string) => fs.existsSync(path.join(outbox, sub)) ? fs.readdirSync(path.join(outbox, sub)).map((n) => `${sub}/${n}`) : []
  return [...under("packages").filter((f) => !listed.has(f)), ...under("tmp")]
}

/** Every package the index lists is there, complete (its size and SHA-256 as listed). */
const assertConsistent = (outbox: string, at: string) => {
  for (const entry of indexOf(outbox).packages) {
    const file = path.join(outbox, entry.file)
    assert.isTrue(fs.existsSync(file), `${at}: ${entry.file} listed and there`)
    const bytes = fs.readFileSync(file)
    assert.strictEqual(bytes.length, entry.size, `${at}: ${entry.file} complete`)
    assert.strictEqual(sha256(bytes), entry.sha256, `${at}: ${entry.file} intact`)
  }
}

describe("session-sync push under kill -9", () => {
  it.effect("killed at each of its points: the outbox stays consistent, a puller never sees an unlisted file, the next push repairs it", () =>
    Effect.gen(function*() {
      // A published its Codex sessions, B pulled them, A went on with X: A's `push --all` publishes
      // every session again, and compaction removes the first package (superseded, pulled by B)
      const a = machine("A", { from: "fixtures", agents: ["codex"] })
      const b = machine("B", { agents: ["codex"] })
      const dir = folderOf(a)
      fs.mkdirSync(dir)
      const first = yield* push(a, ["--to", dir])
      yield* pull(b, ["--from", dir])
      continueSession(localRollout(a.codex, idOf("multi_turn_tools")), "machine A: marker-A1")

      const crashAt = (point: (typeof POINTS)[number]) =>
        Effect.gen(function*() {
          const target = copyOf(a)
          const folder = folderOf(target)
          const outbox = path.join(folder, machineId(target))
          const killed = yield* sessionSync(["push", "--all", "--json", ...target.homeOptions], {
            env: { ...target.env, SESSIONPORT_EXCHANGE_CRASH_AT: point }
          })
          assert.strictEqual(killed.signal, "SIGKILL", `${point}: ${killed.code} ${killed.stderr}`)
          assertConsistent(outbox, `killed at ${point}`)
          const orphans = unlisted(outbox)
          if (point === "rename") assert.strictEqual(orphans.filter((f) => f.startsWith("packages/")).length, 1, `${point}: the package is in place, unlisted`)
          if (point === "compact-index") assert.deepStrictEqual(orphans, [first.package!.file], `${point}: the compacted package is unlisted`)

          // a machine pulling now takes what is listed, and nothing else
          const c = machine("C", { agents: ["codex"] })
          const pulled = yield* pull(c, ["--from", folder])
          const listed = indexOf(outbox).packages.map((p) => p.file)
          assert.deepStrictEqual(pulled.packages.filter((p) => p.status === "skipped"), [], `${point}: nothing skipped`)
          for (const p of pulled.packages) assert.include(listed, p.file, `${point}: ${p.file} is listed`)
          assert.strictEqual(sessionCounts(c).codexRollouts, FIXTURE_IDS.length, `${point}: every session`)

          // the next push (under the same lock: taken over from the dead pid) removes the orphans
          const repaired = yield* push(target)
          for (const orphan of orphans) assert.include(repaired.removed, orphan, `${point}: ${orphan} removed`)
          assertConsistent(outbox, `repaired after ${point}`)
          assert.deepStrictEqual(unlisted(outbox), [], `repaired after ${point}: no file unlisted`)
          // every session's newest copy is listed
          const newest = new Map<string, number>()
          for (const entry of indexOf(outbox).packages) {
            for (const s of entry.sessions as ReadonlyArray<{ agent: string; id: string; size: number }>) {
              newest.set(s.id, Math.max(newest.get(s.id) ?? 0, s.size))
            }
          }
          assert.deepStrictEqual([...newest.keys()].sort(), [...FIXTURE_IDS].sort(), `${point}: every session published`)
          const x = idOf("multi_turn_tools")
          assert.strictEqual(newest.get(x), fs.statSync(localRollout(target.codex, x)).size, `${point}: X as it is now`)
          // and pulling again brings C up to date
          const caughtUp = yield* pull(c)
          assert.deepStrictEqual(caughtUp.packages.filter((p) => p.status === "skipped"), [], point)
          const again = yield* run(target, "push", ["--json"])
          assert.strictEqual(again.code, 0, again.stderr)
          assert.isNull(JSON.parse(again.stdout).package, `${point}: then nothing left to push`)
          fs.rmSync(target.root, { recursive: true, force: true })
          fs.rmSync(c.root, { recursive: true, force: true })
        })
      yield* Effect.forEach(POINTS, crashAt, { concurrency: 2, discard: true })
    }), 300_000)
})
