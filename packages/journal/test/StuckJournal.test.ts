/**
 * A journal that must not get stuck: a damaged `transaction.json` is listed, skipped and refused
 * with what to do, without stopping what does not need it; a lock whose pid now belongs to
 * another process (pid reuse) is told from its owner by the process's start time.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Effect, Logger } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { processStart } from "../src/internal/processStart.js"
import { Journal } from "../src/index.js"
import { makeHome } from "./home.js"
import { failure } from "./failure.js"

afterAll(removeTemps)

const setup = () => {
  const home = makeHome()
  return { home, at: (rel: string) => path.join(home, rel), journal: Journal.make({ codexHome: home }) }
}

const recordOf = (journal: Journal.JournalShape, id: string) => path.join(journal.dir, id, "transaction.json")

describe("a damaged transaction.json", () => {
  it.effect("garbage: listed as damaged, skipped by recovery, refused by rollback; other transactions go on", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const a = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("a.txt"), "a"), tx.id))
      const before = Date.now()
      const b = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("b.txt"), "b"), tx.id))
      const record = recordOf(journal, b)
      fs.writeFileSync(record, "garbage{")

      const list = yield* journal.list
      assert.deepStrictEqual(list.map((tx) => [tx.id, tx.status]), [[b, "damaged"], [a, "completed"]])
      const damaged = list[0] as Journal.DamagedTransaction
      assert.strictEqual(damaged.path, record)
      assert.isAtLeast(damaged.createdAt, before - 1)
      assert.isAtMost(damaged.createdAt, Date.now())
      assert.isTrue(damaged.message.startsWith(`${record} is not a usable journal record: `), damaged.message)
      assert.include(damaged.message, `transaction ${b} cannot be rolled back`)
      assert.include(damaged.message, "its status cannot be read: if it was left unfinished, the Codex home may be half-written")
      assert.include(damaged.message, `move ${path.join(journal.dir, b)} into ${path.join(journal.dir, "damaged")}${path.sep}`)

      // recovery goes on, and says which it skipped
      assert.deepStrictEqual(yield* journal.recover(), { recovered: [], damaged: [damaged] })
      // a new transaction works, and so does the rollback of the others
      const c = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("c.txt"), "c"), tx.id))
      assert.strictEqual(fs.readFileSync(at("c.txt"), "utf8"), "c")

      for (const dryRun of [true, false]) {
        const refused = yield* failure(journal.rollback(b.slice(0, 13), { dryRun }))
        assert.strictEqual(refused.reason, "bad_journal")
        assert.strictEqual(refused.message, damaged.message)
      }
      assert.strictEqual(fs.readFileSync(at("b.txt"), "utf8"), "b")
      assert.strictEqual((yield* journal.rollback("latest")).id, c)
      assert.strictEqual((yield* journal.rollback(a)).status, "rolled_back")
      assert.isFalse(fs.existsSync(at("c.txt")))
      assert.isFalse(fs.existsSync(at("a.txt")))

      // the documented way out: checked, then moved aside
      fs.mkdirSync(path.join(journal.dir, "damaged"))
      fs.renameSync(path.join(journal.dir, b), path.join(journal.dir, "damaged", b))
      assert.deepStrictEqual(yield* journal.recover(), { recovered: [] })
      assert.deepStrictEqual((yield* journal.list).map((tx) => tx.status), ["rolled_back", "rolled_back"])
    }))

  it.effect("the message says what the record still tells: left unfinished (a crash), or completed", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const a = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("a.txt"), "a"), tx.id))
      const b = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("b.txt"), "b"), tx.id))
      // a's record cut short, as a crashed transaction's would be: `prepared`, then nothing
      const text = fs.readFileSync(recordOf(journal, a), "utf8")
      assert.include(text, `\n  "status": "completed",\n`)
      fs.writeFileSync(recordOf(journal, a), text.replace(`"status": "completed"`, `"status": "prepared"`).slice(0, text.length / 2))
      // b's is JSON, but not a record
      fs.writeFileSync(recordOf(journal, b), fs.readFileSync(recordOf(journal, b), "utf8").replace(`"kind": "t"`, `"kind": 5`))

      const list = (yield* journal.list) as ReadonlyArray<Journal.DamagedTransaction>
      assert.deepStrictEqual(list.map((tx) => tx.status), ["damaged", "damaged"])
      assert.include(list[0]!.message, "kind: Expected string, actual 5")
      assert.include(list[0]!.message, "it completed, so its changes are in place")
      assert.include(list[1]!.message, "it was left unfinished, so the Codex home may be half-written")
      // recovery reads a completed record no further than its status: b does not concern it
      const { damaged } = yield* journal.recover()
      assert.deepStrictEqual(damaged?.map((tx) => tx.id), [a])
      assert.strictEqual((yield* failure(journal.rollback(b))).message, list[0]!.message)
    }))

  it.effect("a record naming paths no record can name is not rolled back by recovery: skipped as damaged", () =>
    Effect.gen(function*() {
      const { at, journal } = setup()
      const a = yield* journal.transaction({ kind: "t" }, (tx) => Effect.as(tx.createFile(at("a.txt"), "a"), tx.id))
      const text = fs.readFileSync(recordOf(journal, a), "utf8")
      fs.writeFileSync(
        recordOf(journal, a),
        text.replace(`"status": "completed"`, `"status": "prepared"`).replace(JSON.stringify(at("a.txt")), `"a.txt"`)
      )
      const { damaged, recovered } = yield* journal.recover()
      assert.deepStrictEqual(recovered, [])
      assert.strictEqual(damaged?.length, 1)
      assert.include(damaged![0]!.message, `${recordOf(journal, a)} is not a usable journal record: it names a.txt; `)
      assert.include(damaged![0]!.message, "it was left unfinished, so the Codex home may be half-written")
      assert.strictEqual(fs.readFileSync(at("a.txt"), "utf8"), "a")
      yield* journal.transaction({ kind: "t" }, (tx) => tx.createFile(at("b.txt"), "b"))
    }))
})

// ---------------------------------------------------------------------------------------------

/** a process's start as the lock records it, read here on its own (Linux: /proc; else `ps`) */
const startOf = (pid: number): string => {
  if (process.platform === "linux") {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const ticks = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/)[19]
    return `linux:${fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}:${ticks}`
  }
  const ps = spawnSync("ps", ["-o", "lstart=", "-p", String(pid)], { env: { ...process.env, LC_ALL: "C", TZ: "UTC" } })
  return `ps:${ps.stdout.toString().trim().replace(/\s+/g, " ")}`
}

const writeLock = (journal: Journal.JournalShape, pid: number, start: string) => {
  fs.mkdirSync(journal.dir, { recursive: true })
  fs.writeFileSync(
    path.join(journal.dir, ".lock"),
    JSON.stringify({
      pid,
      hostname: os.hostname(),
      transaction: "01a1fd3d-7610-7ae6-a8e5-dc06c4e07b87",
      purpose: "transaction",
      created_at: 0,
      token: "other",
      process_start: start
    })
  )
}

const withLiveProcess = <A, E>(use: (pid: number) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" })),
    (child) => use(child.pid!),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )

const windows = process.platform === "win32"

describe("the lock: pid and start time", () => {
  it.effect.skipIf(windows)("records when its holder started", () =>
    Effect.gen(function*() {
      const { journal } = setup()
      yield* journal.transaction({ kind: "t" }, () =>
        Effect.sync(() => {
          const lock = JSON.parse(fs.readFileSync(path.join(journal.dir, ".lock"), "utf8"))
          assert.strictEqual(lock.pid, process.pid)
          assert.strictEqual(lock.process_start, startOf(process.pid))
        }))
    }))

  it.effect.skipIf(windows)("a live pid that started at another time is a later process given that pid: taken over, with a warning", () =>
    withLiveProcess((pid) =>
      Effect.gen(function*() {
        const { at, journal } = setup()
        const warnings: Array<string> = []
        const logger = Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
        })
        writeLock(journal, pid, `${startOf(pid)}0`)
        yield* journal.transaction({ kind: "t" }, (tx) => tx.createFile(at("a.txt"), "a")).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
        assert.strictEqual(fs.readFileSync(at("a.txt"), "utf8"), "a")
        assert.isFalse(fs.existsSync(path.join(journal.dir, ".lock")))
        assert.strictEqual(warnings.length, 1, warnings.join("\n"))
        assert.include(warnings[0], `took over the stale lock ${path.join(journal.dir, ".lock")} (pid ${pid}, transaction`)
        assert.include(warnings[0], "its pid now belongs to another process")
      })
    ))

  it.effect.skipIf(windows)("a live pid that started when the lock says is its holder: refused", () =>
    withLiveProcess((pid) =>
      Effect.gen(function*() {
        const { at, journal } = setup()
        yield* journal.transaction({ kind: "t" }, (tx) => tx.createFile(at("a.txt"), "a"))
        writeLock(journal, pid, startOf(pid))
        assert.strictEqual((yield* failure(journal.transaction({ kind: "t" }, () => Effect.void))).reason, "locked")
        assert.strictEqual((yield* failure(journal.recover())).reason, "locked")
        assert.strictEqual((yield* failure(journal.rollback("latest"))).reason, "locked")
        assert.isTrue(fs.existsSync(at("a.txt")))
      })
    ))

  const hasPs = spawnSync("ps", ["-o", "lstart=", "-p", String(process.pid)]).status === 0

  it.skipIf(!hasPs)("without /proc (macOS, the BSDs), the start is read with ps: the same for a pid, another for another process", async () => {
    const first = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const second = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" })
    try {
      const start = await processStart(first.pid!, "darwin")
      assert.match(start ?? "", /^ps:[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4}$/)
      assert.strictEqual(await processStart(first.pid!, "darwin"), start)
      assert.notStrictEqual(await processStart(second.pid!, "darwin"), start)
    } finally {
      first.kill("SIGKILL")
      second.kill("SIGKILL")
    }
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!
    assert.isUndefined(await processStart(dead, "darwin"))
    assert.isUndefined(await processStart(process.pid, "win32"))
  })
})
