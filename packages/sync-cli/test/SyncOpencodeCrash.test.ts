/**
 * An OpenCode sync killed outright (SIGKILL at a journal step) always ends, after the next
 * command, in the exact before-state of the data folder: every row of `opencode.db` (a logical
 * dump), every other file, and no lineage row of the sync left in the sidecar. The sync carries a
 * fast-forward (the `tools` session, installed here before, one user turn longer in the package)
 * and a new session (`beta_plain`); the target is a database OpenCode 1.18.33 made itself (one
 * real run, in the setup).
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { crashLoop } from "@sessionport/codex-oracle/CrashLoop"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures, Harness } from "@sessionport/opencode-oracle"
import { copyTemplate, crashTarget, dataState } from "@sessionport/opencode-oracle/DataState"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"
import { sidecarRows } from "./utils/sidecar.js"

afterAll(removeTemps)

const source = Fixtures.load().source
const tools = Fixtures.byRole("tools")
const beta = Fixtures.byRole("beta_plain")
const NEW_PROMPT = "turn three: marker-after-the-package"

const ok = (result: CliResult, what: string) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return result
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** An ascending OpenCode id made at `ms` (its scheme: 12 hex of `ms * 4096 + counter`, 14 base62). */
const opencodeId = (prefix: string, ms: number, counter = 1): string =>
  `${prefix}_${((BigInt(ms) * 4096n + BigInt(counter)) & 0xffffffffffffn).toString(16).padStart(12, "0")}` +
  Array.from(randomBytes(14), (b) => BASE62[b % 62]).join("")

/** The fixture's `tools` session one user turn longer (a new message and its text part), as OpenCode would add it. */
const goOn = (database: string) => {
  const db = openDatabase(database)
  try {
    const last = db.prepare("SELECT max(time_created) AS t FROM message WHERE session_id = ?").get(tools.sessionId).t as number
    const ms = last + 60_000
    const message = opencodeId("msg", ms)
    const part = opencodeId("prt", ms + 16)
    // the scheme as the fixture has it: the newest ids of the session sort before the new ones
    const newest = db.prepare("SELECT max(id) AS id FROM part WHERE session_id = ?").get(tools.sessionId).id as string
    assert.isTrue(newest < part, "a later part sorts after the session's others")
    db.prepare("INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)").run(
      message,
      tools.sessionId,
      ms,
      ms,
      JSON.stringify({ role: "user", time: { created: ms }, agent: "build", model: { providerID: "mock", modelID: "mock-model" }, summary: { diffs: [] } })
    )
    db.prepare("INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)").run(
      part,
      message,
      tools.sessionId,
      ms + 16,
      ms + 16,
      JSON.stringify({ type: "text", text: NEW_PROMPT })
    )
    db.prepare("UPDATE session SET time_updated = ? WHERE id = ?").run(ms + 16, tools.sessionId)
  } finally {
    db.close()
  }
}

interface SyncJson {
  readonly sessions: ReadonlyArray<{ readonly source_id: string; readonly class: string; readonly local_id?: string; readonly new_local_id?: string }>
}

/**
 * Data folder B (made by OpenCode) holding an install of the fixture's `tools` session, kept as a
 * template; and a package of both fixture sessions, `tools` one turn longer.
 */
const setup = Effect.gen(function*() {
  const env = { env: { HOME: source.home } }
  const exportFrom = (dataDir: string, select: ReadonlyArray<string>, name: string) =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("pkg"), `${name}.tgz`)
      ok(yield* sessionTransfer(["export", "--agent", "opencode", "--opencode-data", dataDir, ...select, "--out", pkg], env), `export ${name}`)
      return pkg
    })
  const older = yield* exportFrom((yield* Fixtures.copyData({ prefix: "opencode-a1-" })).dataDir, ["--thread", tools.sessionId], "older")
  const a2 = yield* Fixtures.copyData({ prefix: "opencode-a2-" })
  goOn(path.join(a2.dataDir, "opencode.db"))
  const newer = yield* exportFrom(a2.dataDir, ["--all"], "newer")

  const b = yield* Harness.machine({ initDatabase: true })
  const maps = ["--map", `${source.alpha}=${b.projects[0]!}`, "--map", `${source.beta}=${b.projects[1]!}`]
  const template = path.join(tempDir("opencode-b-template"), "opencode")
  fs.cpSync(b.dataDir, template, { recursive: true, preserveTimestamps: true })
  const installed = ok(yield* sessionTransfer(["install", older, "--opencode-data", template, ...maps, "--json"], { env: { HOME: b.home } }), "install")
  const local = JSON.parse(installed.stdout).sessions[0].local_id as string
  return { newer, maps, template, home: b.home, local }
})

describe("OpenCode sync under kill -9", () => {
  it.scoped("killed at 50 random points of a sync (a fast-forward and a new session), the next command brings the data folder back exactly to before", () =>
    Effect.gen(function*() {
      const { home, local, maps, newer, template } = yield* setup
      const sync = (dataDir: string) => ["sync", newer, "--opencode-data", dataDir, ...maps, "--yes", "--json"]

      // the sync as it runs to its end: what the crash points cut short
      const whole = copyTemplate(template)
      const synced = JSON.parse(ok(yield* sessionSync(sync(whole.dataDir), { env: { HOME: home } }), "sync").stdout) as SyncJson
      const classes = Object.fromEntries(synced.sessions.map((s) => [s.source_id, s.class]))
      assert.deepStrictEqual(classes, { [tools.sessionId]: "fast_forward_import", [beta.sessionId]: "new_lineage" })
      assert.strictEqual(synced.sessions.find((s) => s.source_id === tools.sessionId)!.local_id, local)
      const db = openDatabase(path.join(whole.dataDir, "opencode.db"), { readonly: true })
      try {
        const counts = (id: string) => db.prepare("SELECT (SELECT count(*) FROM message WHERE session_id = ?) AS m, (SELECT count(*) FROM part WHERE session_id = ?) AS p").get(id, id)
        assert.deepStrictEqual(counts(local), { m: tools.messages + 1, p: tools.parts + 1 }, "the installed copy went on by the new turn")
        const newId = synced.sessions.find((s) => s.source_id === beta.sessionId)!.new_local_id!
        assert.deepStrictEqual(counts(newId), { m: beta.messages, p: beta.parts })
        const texts = db.prepare("SELECT data FROM part WHERE session_id = ?").all(local).map((r: { data: string }) => JSON.parse(r.data).text)
        assert.include(texts, NEW_PROMPT)
      } finally {
        db.close()
      }

      // every step the sync takes, then random points: each on a copy of its own, two at a time
      const { changed, steps } = yield* crashLoop({
        cli: sessionSync,
        kind: "sync",
        // the install's transaction is there before the sync's: undo the sync's own
        rollback: "id",
        what: "the data folder",
        concurrency: 2,
        target: () => {
          const { dataDir, ...target } = crashTarget(template, home)
          // no lineage row of the sync left in the sidecar either
          return { ...target, command: sync(dataDir), state: () => ({ data: dataState(dataDir), sidecarRows: sidecarRows(dataDir) }) }
        },
        // the points whose kill left rows of the sync behind (so the next command had work to do)
        leftBehind: (state) => state.data.db
      })
      assert.isAtLeast(steps, 12, "a sync takes journal steps")
      assert.isAtLeast(changed.size, 2, "some kills leave the sync's rows for the next command to undo")
    }).pipe(Effect.provide(NodeContext.layer)), 600_000)
})
