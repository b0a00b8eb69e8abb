/**
 * Sessions made on Windows, selected and mapped on this (POSIX) machine by the folder they were
 * made in, written as the source machine wrote it or as a person types it: `--cwd` of `export`,
 * `list` and `cleanup` (Codex, Claude Code and OpenCode homes), and `install --map FROM`, whose
 * FROM is remembered once whatever its spelling.
 */
import { assert, describe, it } from "@effect/vitest"
import { SyntheticClaude } from "@sessionport/claude-oracle"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const PROJ = "C:\\Users\\alice\\Documents\\proj-main"
const PROJ2 = "C:\\Users\\alice\\Documents\\proj-main2"
const POSIX = "/home/alice/proj-main"
// session n is made in CWDS[n]: six in proj-main, two in proj-main2 (a name proj-main is a prefix of), one on POSIX
const CWDS = [PROJ, PROJ, PROJ, PROJ, PROJ, PROJ, PROJ2, PROJ2, POSIX]

/** A machine with the three agents' homes, their sessions made in the folders of `CWDS`. */
const windowsMachine = Effect.promise(async () => {
  const root = tempDir("wincwd")
  const home = path.join(root, "user")
  const codex = path.join(home, ".codex")
  const claude = path.join(home, ".claude")
  const opencode = path.join(home, ".local", "share", "opencode")
  const codexSessions = await writeHome(codex, { sessions: CWDS.length, bytesPerSession: 4_000, cwds: CWDS, database: true })
  const claudeSessions = await SyntheticClaude.writeConfigDir(claude, { sessions: CWDS.length, bytesPerSession: 1, cwds: CWDS })
  // OpenCode: the fixture data folder (two sessions), their directories the first two of proj-main and proj-main2
  fs.cpSync(OpencodeFixtures.fixtureData, opencode, { recursive: true, preserveTimestamps: true })
  const db = openDatabase(path.join(opencode, "opencode.db"))
  let opencodeSessions: Array<{ id: string; cwd: string }>
  try {
    const ids = (db.prepare("SELECT id FROM session ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id)
    assert.strictEqual(ids.length, 2, "the OpenCode fixture holds two sessions")
    opencodeSessions = ids.map((id, n) => ({ id, cwd: [PROJ, PROJ2][n]! }))
    for (const s of opencodeSessions) db.prepare("UPDATE session SET directory = ? WHERE id = ?").run(s.cwd, s.id)
  } finally {
    db.close()
  }
  const sessions = [
    ...codexSessions.map((s) => ({ agent: "codex", id: s.id, cwd: s.cwd })),
    ...claudeSessions.map((s) => ({ agent: "claude", id: s.id, cwd: s.cwd })),
    ...opencodeSessions.map((s) => ({ agent: "opencode", ...s }))
  ]
  return {
    home,
    codex,
    sessions,
    options: ["--codex-home", codex, "--claude-home", claude, "--opencode-data", opencode],
    env: { HOME: home }
  }
})

const ok = (what: string, result: { code: number; stdout: string; stderr: string }) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** `agent id` of each session of a `--json` result, sorted. */
const keys = (sessions: ReadonlyArray<{ agent: string; id: string }>) => sessions.map((s) => `${s.agent} ${s.id}`).sort()

describe("--cwd with a folder of a Windows machine", () => {
  it.effect("export, list and cleanup select the sessions made in it, in any slash style and case, for the three agents", () =>
    Effect.gen(function*() {
      const m = yield* windowsMachine
      const made = (...cwds: ReadonlyArray<string>) => keys(m.sessions.filter((s) => cwds.includes(s.cwd)))
      const count = (agent: string, ids: ReadonlyArray<string>) => ids.filter((k) => k.startsWith(`${agent} `)).length
      const cases = [
        { arg: PROJ, expected: made(PROJ) },
        { arg: "c:/users/alice/documents/proj-main/", expected: made(PROJ) },
        { arg: "C:\\Users\\alice\\Documents", expected: made(PROJ, PROJ2) }
      ]
      // what the construction gives: 6 and 8 of Codex and Claude Code, 1 and 2 of OpenCode
      assert.deepStrictEqual(cases.map((c) => ["codex", "claude", "opencode"].map((agent) => count(agent, c.expected))), [
        [6, 6, 1],
        [6, 6, 1],
        [8, 8, 2]
      ])
      for (const { arg, expected } of cases) {
        const exported = ok(`export --cwd ${arg}`, yield* sessionTransfer(
          ["export", "--cwd", arg, ...m.options, "--out", path.join(tempDir("wincwd-out"), "p.tgz"), "--dry-run", "--json"],
          { env: m.env }
        ))
        assert.deepStrictEqual(keys(exported.sessions), expected, `export --cwd ${arg}`)
        const listed = ok(`list --cwd ${arg}`, yield* sessionTransfer(["list", "--cwd", arg, ...m.options, "--json"], { env: m.env }))
        assert.deepStrictEqual(keys(listed.sessions), expected, `list --cwd ${arg}`)
        const cleaned = ok(`cleanup --cwd ${arg}`, yield* sessionTransfer(["cleanup", "--cwd", arg, ...m.options, "--dry-run", "--json"], { env: m.env }))
        assert.deepStrictEqual(keys(cleaned.sessions), expected, `cleanup --cwd ${arg}`)
      }
      // a POSIX spelling of the Windows folder is another folder
      const posix = ok("list --cwd /c/…", yield* sessionTransfer(["list", "--cwd", "/c/Users/alice/Documents/proj-main", ...m.options, "--json"], { env: m.env }))
      assert.deepStrictEqual(posix.sessions, [])
    }), 180_000)
})

describe("--map FROM with a folder of a Windows machine", () => {
  it.effect("localizes the sessions' cwd given in any slash style and case, and is remembered once", () =>
    Effect.gen(function*() {
      const m = yield* windowsMachine
      const pkg = path.join(tempDir("wincwd-pkg"), "proj-main.tgz")
      const exported = ok("export", yield* sessionTransfer(["export", "--agent", "codex", "--codex-home", m.codex, "--cwd", PROJ, "--out", pkg, "--json"], { env: m.env }))
      const sources = m.sessions.filter((s) => s.agent === "codex" && s.cwd === PROJ).map((s) => s.id).sort()
      assert.deepStrictEqual(exported.sessions.map((s: { id: string }) => s.id).sort(), sources)

      const target = tempDir("wincwd-target")
      const codexHome = path.join(target, ".codex")
      const to = path.join(target, "work", "proj-main")
      fs.mkdirSync(codexHome)
      fs.mkdirSync(to, { recursive: true })
      const mapsDir = path.join(codexHome, "sessionport", "maps")
      const mapsFiles = () => fs.existsSync(mapsDir) ? fs.readdirSync(mapsDir).sort() : []
      const install = (what: string, ...args: ReadonlyArray<string>) =>
        Effect.map(sessionTransfer(["install", pkg, "--codex-home", codexHome, ...args, "--json"], { env: { HOME: target } }), (run) => {
          const result = ok(what, run)
          assert.deepStrictEqual(result.sessions.map((s: { source_id: string }) => s.source_id).sort(), sources, what)
          for (const s of result.sessions) {
            assert.strictEqual(s.source_cwd, PROJ, what)
            assert.strictEqual(s.cwd, to, what)
            // the rollout Codex reads says the same
            const meta = JSON.parse(fs.readFileSync(s.path, "utf8").split("\n")[0]!).payload
            assert.strictEqual(meta.cwd, to, `${what}: ${s.path}`)
          }
          return result
        })

      const given = "c:/USERS/alice/documents/proj-main/"
      const first = yield* install("install --map", "--map", `${given}=${to}`)
      assert.deepStrictEqual(first.maps, [{ from: given, to, source: "given" }])
      assert.deepStrictEqual(mapsFiles(), [`${first.transaction_id}.json`])
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(mapsDir, mapsFiles()[0]!), "utf8")).maps, [{ from: given, to }])

      // the same folder spelled otherwise (a `.` segment, a doubled separator) is the same FROM:
      // it stands for the remembered map, and nothing new is remembered
      const again = "C:\\Users\\alice\\.\\Documents\\\\proj-main"
      const second = yield* install("install --map (another spelling)", "--map", `${again}=${to}`)
      assert.deepStrictEqual(second.maps, [{ from: again, to, source: "given" }])
      assert.deepStrictEqual(second.remembered, [])
      assert.deepStrictEqual(mapsFiles(), [`${first.transaction_id}.json`])

      // without --map, the remembered one localizes
      const third = yield* install("install (remembered map)")
      assert.deepStrictEqual(third.maps, [{ from: given, to, source: "remembered", transaction: first.transaction_id, kind: "install" }])
      assert.deepStrictEqual(mapsFiles(), [`${first.transaction_id}.json`])
    }), 180_000)
})
