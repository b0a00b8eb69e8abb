/**
 * Packages whose OpenCode transcripts would write what OpenCode never would (a session directory
 * that escapes, ids not of OpenCode's scheme, rows of another session, a table sessionport does
 * not install), a target database of a schema sessionport was not tested with, and an OpenCode
 * running on the target: each refused with exit 1 and one line on stderr, nothing written (the
 * database's rows as they were, no journal transaction).
 *
 * Each package is the fixture export as a folder with one transcript edited and its manifest
 * re-sealed (sizes and SHA-256 made to match), so only the case's own flaw is there to find.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import { copyTemplate, dataState, exportAndTemplate, holdOpen, journalTransactions, readLines, reseal, rowsOf, writeLines } from "./utils/opencode.js"

afterAll(removeTemps)

const source = Fixtures.load().source
const tools = Fixtures.byRole("tools")
const beta = Fixtures.byRole("beta_plain")
const TESTED_MIGRATION = "20260622202450_simplify_session_input"

type Line = Record<string, any>

/** The fixture export as a folder, and a data folder made by OpenCode (kept as a template). */
const setup = Effect.gen(function*() {
  const made = yield* exportAndTemplate("opencode")
  assert.deepStrictEqual(rowsOf(made.template, "SELECT id FROM migration ORDER BY id DESC LIMIT 1"), [{ id: TESTED_MIGRATION }])
  return made
})

const transcriptOf = (pkgDir: string, id: string) => path.join(pkgDir, "agents", "opencode", "sessions", id, "transcript.jsonl")

/** The package with the `tools` transcript's lines changed by `change`, re-sealed. */
const variant = (pkg: string, name: string, change: (lines: Array<Line>) => Array<Line> | void) => {
  const dir = path.join(tempDir("hostile"), name)
  fs.cpSync(pkg, dir, { recursive: true })
  const file = transcriptOf(dir, tools.sessionId)
  const lines = readLines(file)
  writeLines(file, change(lines) ?? lines)
  reseal(dir)
  return dir
}

/** A fresh data folder from the template; `prepare` edits its database first (it is part of "before"). */
const target = (template: string, prepare?: (database: string) => void) => {
  const { dataDir } = copyTemplate(template)
  prepare?.(path.join(dataDir, "opencode.db"))
  return dataDir
}

const sql = (database: string, statement: string) => {
  const db = openDatabase(database)
  try {
    db.exec(statement)
  } finally {
    db.close()
  }
}

describe("install refuses hostile OpenCode packages and targets", () => {
  it.scoped("each: exit 1, one line on stderr, the database's rows as before, no journal transaction", () =>
    Effect.gen(function*() {
      const { home, maps, pkg, template } = yield* setup
      const firstOf = (lines: Array<Line>, type: string) => lines.find((l) => l.type === type)!
      const betaMessage = readLines(transcriptOf(pkg, beta.sessionId)).find((l) => l.type === "message")!.id as string

      const cases: ReadonlyArray<{ readonly name: string; readonly pkg: string; readonly prepare?: (database: string) => void; readonly message: RegExp }> = [
        {
          name: "a relative session directory",
          pkg: variant(pkg, "relative", (lines) => void (lines[0]!.directory = "../x")),
          message: /OpenCode session .* cannot be installed: its directory "\.\.\/x" is not an absolute, normalized path/
        },
        {
          name: "a session directory with '..' segments after --map",
          pkg: variant(pkg, "dotdot", (lines) => void (lines[0]!.directory = `${source.alpha}/../../../../etc`)),
          message: /OpenCode session .* cannot be installed: its directory ".*\.\.\/\.\.\/etc" is not an absolute, normalized path/
        },
        {
          name: "a message id not of OpenCode's scheme",
          pkg: variant(pkg, "msg-bad", (lines) => {
            // the id and every reference to it, so only the scheme is wrong
            const old = firstOf(lines, "message").id as string
            return JSON.parse(JSON.stringify(lines).split(old).join("msg_bad"))
          }),
          message: /OpenCode session .* cannot be installed: line 2: /
        },
        {
          name: "a message of another session",
          pkg: variant(pkg, "msg-other-session", (lines) => void (firstOf(lines, "message").session_id = beta.sessionId)),
          message: new RegExp(`line 2: message .* belongs to session "${beta.sessionId}", not ${tools.sessionId}`)
        },
        {
          name: "a part whose message is not in the session",
          pkg: variant(pkg, "part-foreign-message", (lines) => void (firstOf(lines, "part").message_id = betaMessage)),
          message: new RegExp(`line 3: part .* belongs to message "${betaMessage}", which is not a message of this session`)
        },
        {
          name: "a line of a table sessionport does not install",
          pkg: variant(pkg, "unknown-table", (lines) => {
            lines.splice(2, 0, { type: "credential", id: "crd_1", provider: "openai", data: "{\"key\":\"sk-test\"}" })
          }),
          message: /line 3: a row of table "credential", which sessionport does not install/
        },
        {
          name: "a target database of a newer schema",
          pkg,
          prepare: (database) => sql(database, "INSERT INTO migration (id, time_completed) VALUES ('20270101000000_newer_opencode', 1)"),
          message: /has OpenCode schema 20270101000000_newer_opencode; sessionport writes only the schema it was tested with: OpenCode 1\.18\.33/
        },
        {
          name: "a target database of an older schema",
          pkg,
          prepare: (database) => sql(database, `DELETE FROM migration WHERE id = '${TESTED_MIGRATION}'`),
          message: /has OpenCode schema 20260622170816_reset_v2_session_state; sessionport writes only the schema it was tested with: OpenCode 1\.18\.33/
        }
      ]
      for (const c of cases) {
        const dataDir = target(template, c.prepare)
        const before = dataState(dataDir)
        const result = yield* sessionTransfer(["install", c.pkg, "--opencode-data", dataDir, ...maps], { env: { HOME: home } })
        assert.strictEqual(result.code, 1, `${c.name}: ${result.stderr}`)
        const lines = errorLines(result)
        assert.strictEqual(lines.length, 1, `${c.name}: ${result.stderr}`)
        assert.match(lines[0]!, c.message, c.name)
        assert.notMatch(result.stderr, /\n\s+at /, `${c.name}: no stack trace`)
        assert.strictEqual(result.stdout, "", c.name)
        assert.deepStrictEqual(dataState(dataDir), before, `${c.name}: nothing written`)
        assert.deepStrictEqual(journalTransactions(dataDir), [], `${c.name}: no journal transaction`)
      }

      // the valid package installs into the same target: the refusals were the flaws'
      const dataDir = target(template)
      const valid = yield* sessionTransfer(["install", pkg, "--opencode-data", dataDir, ...maps], { env: { HOME: home } })
      assert.strictEqual(valid.code, 0, valid.stderr)
      assert.strictEqual(rowsOf(dataDir, "SELECT id FROM session").length, 2)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.scoped("while OpenCode runs on the target database: refused with one line naming it, nothing written", () =>
    Effect.gen(function*() {
      const { home, maps, pkg, template } = yield* setup
      const dataDir = target(template)
      // what a running OpenCode does to its database: one connection, open for as long as it runs
      const opencode = yield* Effect.acquireRelease(
        Effect.promise(() => holdOpen(path.join(dataDir, "opencode.db"))),
        (holder) => Effect.sync(() => holder.kill())
      )
      const before = dataState(dataDir)
      const result = yield* sessionTransfer(["install", pkg, "--opencode-data", dataDir, ...maps], { env: { HOME: home } })
      assert.strictEqual(result.code, 1, result.stderr)
      const lines = errorLines(result)
      assert.strictEqual(lines.length, 1, result.stderr)
      assert.match(lines[0]!, new RegExp(`OpenCode is running on .*opencode\\.db \\(pid ${opencode.pid}\\)`))
      assert.deepStrictEqual(dataState(dataDir), before, "nothing written")
      assert.deepStrictEqual(journalTransactions(dataDir), [], "no journal transaction")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
