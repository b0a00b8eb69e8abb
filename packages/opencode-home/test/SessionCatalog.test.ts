/**
 * Reads of `opencode.db` are one snapshot while OpenCode writes: a source sees the database as it
 * was when it opened, whatever another connection (WAL, as OpenCode keeps it) commits meanwhile,
 * so an exported transcript is the session at a single point in time.
 *
 * The writer appends user turns to a copy of the fixture database as OpenCode would: in one
 * transaction, a message, its text part, and the session's `time_updated` set to the message's
 * time. A transcript of one point in time therefore has 10 more parts than messages (the
 * fixture's `tools` session: 6 and 16), and its session row's `time_updated` is its newest
 * message's time once a turn was appended.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Exporter, OpencodeData, SessionCatalog } from "@sessionport/opencode-home"
import { Fixtures } from "@sessionport/opencode-oracle"
import { PackageWriter } from "@sessionport/package-format"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"

const require = createRequire(import.meta.url)
const BETTER_SQLITE3 = require.resolve("better-sqlite3")
const BetterSqlite3 = require("better-sqlite3") as new(file: string, options?: { readonly?: boolean; timeout?: number }) => {
  exec(sql: string): void
  prepare(sql: string): { run(...params: Array<unknown>): unknown; get(...params: Array<unknown>): any }
  close(): void
}

const tools = Fixtures.byRole("tools")
const MESSAGES = tools.messages
const PARTS = tools.parts

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
})

/** A copy of the fixture data folder, its database switched to WAL (as OpenCode does when it opens it). */
const copyData = () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "opencode-catalog-"))
  temps.push(root)
  const dataDir = path.join(root, "opencode")
  fs.cpSync(Fixtures.fixtureData, dataDir, { recursive: true })
  const db = new BetterSqlite3(path.join(dataDir, "opencode.db"))
  db.exec("PRAGMA journal_mode = WAL")
  db.close()
  return dataDir
}

/** The writer's statements, as a script (shared by the in-process writer and the child). */
const APPEND_TURN = `
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const tail = () => Array.from({ length: 14 }, () => BASE62[Math.floor(Math.random() * 62)]).join("")
const idAt = (prefix, ms) => prefix + "_" + ((BigInt(ms) * 4096n + 1n) & 0xffffffffffffn).toString(16).padStart(12, "0") + tail()
const appendTurn = (db, sessionId, n) => {
  const last = db.prepare("SELECT max(time_created) AS t FROM message WHERE session_id = ?").get(sessionId).t
  const ms = last + 1000
  const message = idAt("msg", ms)
  db.exec("BEGIN IMMEDIATE")
  try {
    db.prepare("INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)").run(message, sessionId, ms, ms,
      JSON.stringify({ role: "user", time: { created: ms }, agent: "build", model: { providerID: "mock", modelID: "mock-model" }, summary: { diffs: [] } }))
    db.prepare("INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)").run(idAt("prt", ms + 1), message, sessionId, ms + 1, ms + 1,
      JSON.stringify({ type: "text", text: "appended turn " + n }))
    db.prepare("UPDATE session SET time_updated = ? WHERE id = ?").run(ms, sessionId)
    db.exec("COMMIT")
  } catch (error) {
    db.exec("ROLLBACK")
    throw error
  }
}
`

const appendTurn = new Function(`${APPEND_TURN}; return appendTurn`)() as (db: unknown, sessionId: string, n: number) => void

type Line = Record<string, any>

/** What makes a transcript one point in time of the writer's session; answers its message count. */
const assertConsistent = (lines: ReadonlyArray<Line>, what: string): number => {
  assert.strictEqual(lines[0]?.type, "session", what)
  const messages = new Set<string>()
  let parts = 0
  let newest = 0
  for (const line of lines.slice(1)) {
    assert.strictEqual(line.session_id, tools.sessionId, what)
    if (line.type === "message") {
      messages.add(line.id)
      newest = Math.max(newest, line.time_created)
    } else if (line.type === "part") {
      assert.isTrue(messages.has(line.message_id), `${what}: part ${line.id} follows its message`)
      parts++
    }
  }
  assert.strictEqual(parts, messages.size + PARTS - MESSAGES, `${what}: each appended message came with its part`)
  if (messages.size > MESSAGES) assert.strictEqual(lines[0]!.time_updated, newest, `${what}: the session row is of the same point in time as its messages`)
  return messages.size
}

const rendered = (dataDir: string) =>
  Effect.scoped(Effect.map(SessionCatalog.open(OpencodeData.make({ root: dataDir })), (source) => {
    const row = source!.session(tools.sessionId)!
    return [...source!.lines(row)].map((l) => JSON.parse(l) as Line)
  }))

describe("SessionCatalog snapshots", () => {
  it.effect("a write committed after the source opened is not seen: not by the listing, the stats, nor a render begun before or after it", () =>
    Effect.gen(function*() {
      const dataDir = copyData()
      const before = yield* rendered(dataDir)
      assert.strictEqual(assertConsistent(before, "before"), MESSAGES)
      const writer = new BetterSqlite3(path.join(dataDir, "opencode.db"), { timeout: 5000 })
      try {
        yield* Effect.scoped(Effect.gen(function*() {
          const source = (yield* SessionCatalog.open(OpencodeData.make({ root: dataDir })))!
          appendTurn(writer, tools.sessionId, 1)
          const listing = SessionCatalog.select(source, { ids: [], cwds: [], since: undefined, all: true, includeArchived: true })
          const info = listing.sessions.find((s) => s.id === tools.sessionId)!
          assert.strictEqual(info.stats.messages, MESSAGES)
          assert.strictEqual(info.stats.parts, PARTS)
          assert.strictEqual(info.updatedMs, before[0]!.time_updated)
          // a render begun, a write between two of its lines, the render finished
          const lines = source.lines(source.session(tools.sessionId)!)[Symbol.iterator]()
          const got: Array<Line> = []
          for (let i = 0; i < 3; i++) got.push(JSON.parse(lines.next().value!))
          appendTurn(writer, tools.sessionId, 2)
          for (let step = lines.next(); step.done !== true; step = lines.next()) got.push(JSON.parse(step.value))
          assert.deepStrictEqual(got, before, "the render of the source opened before both writes")
          assert.deepStrictEqual([...source.lines(source.session(tools.sessionId)!)].map((l) => JSON.parse(l)), before, "and again")
        }))
      } finally {
        writer.close()
      }
      // a source opened after the writes sees them
      const after = yield* rendered(dataDir)
      assert.strictEqual(assertConsistent(after, "after"), MESSAGES + 2)
      assert.deepStrictEqual(after.slice(1, before.length), before.slice(1), "the old rows first, as they were")
    }))

  it.scoped("an export while another process keeps appending turns: every transcript is the session at one point in time", () =>
    Effect.gen(function*() {
      const dataDir = copyData()
      const database = path.join(dataDir, "opencode.db")
      // the writer: a turn every few milliseconds, each in its own transaction
      const script = `${APPEND_TURN}
const D = require(${JSON.stringify(BETTER_SQLITE3)})
const db = new D(${JSON.stringify(database)}, { timeout: 5000 })
db.pragma("journal_mode = WAL")
let n = 0
process.stdout.write("writing\\n")
const pause = new Int32Array(new SharedArrayBuffer(4))
for (;;) {
  appendTurn(db, ${JSON.stringify(tools.sessionId)}, ++n)
  Atomics.wait(pause, 0, 0, 5)
}`
      const child = yield* Effect.acquireRelease(
        Effect.async<ReturnType<typeof spawn>>((resume) => {
          const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] })
          child.stdout!.once("data", () => resume(Effect.succeed(child)))
          child.once("exit", (code) => resume(Effect.die(new Error(`the writer exited (${code})`))))
        }),
        (child) => Effect.sync(() => child.kill("SIGKILL"))
      )

      const exporter = yield* Exporter.make.pipe(Effect.provideService(OpencodeData.OpencodeData, OpencodeData.make({ root: dataDir })))
      const seen = new Set<number>()
      const started = Date.now()
      for (let i = 0; i < 12 || (seen.size < 3 && Date.now() - started < 15_000); i++) {
        const out = path.join(path.dirname(dataDir), `export-${i}`)
        yield* Effect.scoped(Effect.gen(function*() {
          const part = yield* exporter.part({
            ids: [tools.sessionId],
            cwds: [],
            since: undefined,
            all: false,
            includeArchived: false,
            skipUnreadable: false,
            out,
            includeSkills: false,
            allowFiles: [],
            includeFileHistory: false
          })
          const sink = yield* PackageWriter.open(out, { format: "directory" })
          yield* part.write(sink, () => {})
          yield* sink.commit
        }))
        const transcript = fs.readFileSync(path.join(out, "agents", "opencode", "sessions", tools.sessionId, "transcript.jsonl"), "utf8")
        const lines = transcript.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Line)
        const messages = assertConsistent(lines, `export ${i}`)
        const meta = JSON.parse(fs.readFileSync(path.join(out, "agents", "opencode", "sessions.jsonl"), "utf8").split("\n")[0]!)
        assert.deepStrictEqual(
          { messages: meta.messages, parts: meta.parts, size: meta.size, updated_at: meta.updated_at },
          {
            messages,
            parts: messages + PARTS - MESSAGES,
            size: Buffer.byteLength(transcript),
            updated_at: new Date(lines[0]!.time_updated).toISOString()
          },
          `export ${i}: sessions.jsonl tells the transcript's point in time`
        )
        seen.add(messages)
        fs.rmSync(out, { recursive: true, force: true })
      }
      assert.isNull(child.exitCode, "the writer was writing all along")
      assert.isAtLeast(seen.size, 2, "the exports saw the session at different points in time")
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
