/**
 * `session-transfer list`: the sessions of the three agents' homes (copies of the fixture homes,
 * their last activity set here: file mtimes for Codex and Claude Code, `time_updated` for
 * OpenCode), newest first, filtered; `list PACKAGE`: each session's status on this machine; and
 * `export --thread` taking id prefixes and session names. Expected values are read from
 * fixtures.json and the homes' files and database here, never from the code under test.
 */
import { assert, describe, it } from "@effect/vitest"
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { fixtureThreads, fixtures as codexFixtures, copyFixtureHome, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import {
  appendLines,
  codexMachine,
  continuationLines,
  exportPackage,
  idOf,
  install,
  type Role
} from "../../sync-cli/test/utils/scenarios.js"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const HOUR = 3_600_000
const DAY = 24 * HOUR

// ---------------------------------------------------------------------------------------------
// Three homes, every session's last activity set by hand

/** A session as `list --json` must show it (`short_id` and `path` checked apart). */
interface Expected {
  readonly agent: string
  readonly id: string
  readonly title: string | undefined
  readonly name: string | undefined
  readonly cwd: string
  readonly updated_at: string
  readonly size: number
  readonly archived: boolean
}

/** How long before now each session was last active: the agents interleave in time. */
const AGO: Readonly<Record<string, number>> = {
  [codexFixtures.sessions.named!.threadId]: 1 * HOUR,
  [OpencodeFixtures.byRole("beta_plain").sessionId]: 2 * HOUR,
  [ClaudeFixtures.byRole("tools").sessionId]: 3 * HOUR,
  [codexFixtures.sessions.zst!.threadId]: 5 * HOUR,
  [ClaudeFixtures.byRole("named").sessionId]: 1 * DAY,
  [OpencodeFixtures.byRole("tools").sessionId]: 2 * DAY,
  [codexFixtures.sessions.multi_turn_tools!.threadId]: 3 * DAY,
  [ClaudeFixtures.byRole("interactive").sessionId]: 10 * DAY,
  [codexFixtures.sessions.beta_cwd!.threadId]: 11 * DAY,
  [codexFixtures.sessions.archived!.threadId]: 12 * DAY,
  [ClaudeFixtures.byRole("beta_plain").sessionId]: 20 * DAY,
  [codexFixtures.sessions.forked!.threadId]: 30 * DAY
}

/** OpenCode's session archived here (`time_archived`), next to Codex's archived fixture session. */
const OPENCODE_ARCHIVED = OpencodeFixtures.byRole("beta_plain").sessionId

const setTimes = (file: string, ms: number) => fs.utimesSync(file, new Date(ms), new Date(ms))

/** Copies of the three fixture homes, each session last active at `now - AGO[id]`, and what each must list. */
const makeHomes = () => {
  // whole seconds: a file's mtime keeps them exactly
  const now = Math.floor(Date.now() / 1000) * 1000
  const updated = (id: string) => now - AGO[id]!
  const root = tempDir("list")
  const codex = copyFixtureHome()
  const claude = path.join(root, "user", ".claude")
  fs.cpSync(ClaudeFixtures.fixtureHome, claude, { recursive: true, preserveTimestamps: true })
  const opencode = path.join(root, "user", ".local", "share", "opencode")
  fs.cpSync(OpencodeFixtures.fixtureData, opencode, { recursive: true, preserveTimestamps: true })

  const expected: Array<Expected> = []
  for (const s of fixtureThreads) {
    const file = path.join(codex, s.rollout)
    setTimes(file, updated(s.threadId))
    expected.push({
      agent: "codex",
      id: s.threadId,
      // its name, else its first prompt: a fork's rollout holds only its own turns (fixtures.json), so its own first prompt is its last
      title: s.name ?? (s.parentId !== undefined ? s.prompts.at(-1) : s.prompts[0]),
      name: s.name,
      cwd: s.cwd,
      updated_at: new Date(updated(s.threadId)).toISOString(),
      size: fs.statSync(file).size,
      archived: s.archived
    })
  }
  for (const s of Object.values(ClaudeFixtures.load().sessions)) {
    const file = path.join(claude, s.transcript)
    setTimes(file, updated(s.sessionId))
    expected.push({
      agent: "claude",
      id: s.sessionId,
      title: s.customTitle ?? s.prompts[0],
      name: s.customTitle,
      cwd: s.cwd,
      updated_at: new Date(updated(s.sessionId)).toISOString(),
      size: fs.statSync(file).size,
      archived: false
    })
  }
  const db = openDatabase(path.join(opencode, "opencode.db"))
  try {
    for (const s of Object.values(OpencodeFixtures.load().sessions)) {
      db.prepare("UPDATE session SET time_updated = ?, time_archived = ? WHERE id = ?").run(
        updated(s.sessionId),
        s.sessionId === OPENCODE_ARCHIVED ? updated(s.sessionId) : null,
        s.sessionId
      )
      // the bytes of its messages' and parts' data
      const data = [
        ...db.prepare("SELECT data FROM message WHERE session_id = ?").all(s.sessionId),
        ...db.prepare("SELECT data FROM part WHERE session_id = ?").all(s.sessionId)
      ]
      expected.push({
        agent: "opencode",
        id: s.sessionId,
        title: s.title,
        name: s.title,
        cwd: s.directory,
        updated_at: new Date(updated(s.sessionId)).toISOString(),
        size: data.reduce((n, row) => n + Buffer.byteLength(String(row.data)), 0),
        archived: s.sessionId === OPENCODE_ARCHIVED
      })
    }
  } finally {
    db.close()
  }
  assert.strictEqual(expected.length, Object.keys(AGO).length, "every fixture session has a time")
  // newest first
  expected.sort((a, b) => AGO[a.id]! - AGO[b.id]!)
  const args = ["--codex-home", codex, "--claude-home", claude, "--opencode-data", opencode]
  // HOME: a folder with no agent home of its own
  return { now, codex, claude, opencode, args, env: { HOME: path.join(root, "user") }, expected }
}

let shared: ReturnType<typeof makeHomes> | undefined
const homes = () => (shared ??= makeHomes())

interface Listed extends Expected {
  readonly short_id: string
  readonly path: string
}

const listJson = (extra: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const h = homes()
    const result = yield* sessionTransfer(["list", ...h.args, ...extra, "--json"], { env: h.env })
    assert.strictEqual(result.code, 0, result.stderr)
    return JSON.parse(result.stdout) as { sessions: Array<Listed>; unreadable: Array<unknown>; archived_left_out: number }
  })

const shown = (s: Listed): Expected => ({
  agent: s.agent,
  id: s.id,
  title: s.title,
  name: s.name,
  cwd: s.cwd,
  updated_at: s.updated_at,
  size: s.size,
  archived: s.archived
})

const idsOf = (sessions: ReadonlyArray<{ readonly id: string }>) => sessions.map((s) => s.id)

/** `YYYY-MM-DD HH:MM` in local time. */
const localTime = (iso: string) => {
  const d = new Date(iso)
  const p = (n: number) => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

describe("session-transfer list", () => {
  it.effect("--json: every session of the three homes, as the fixtures say, newest first, each with a short id that names it alone", () =>
    Effect.gen(function*() {
      const h = homes()
      const listing = yield* listJson([])
      assert.deepStrictEqual(listing.sessions.map(shown), h.expected)
      assert.deepStrictEqual(listing.unreadable, [])
      assert.strictEqual(listing.archived_left_out, 0)
      const ids = idsOf(h.expected)
      for (const s of listing.sessions) {
        assert.isTrue(s.id.startsWith(s.short_id), `${s.short_id} is a prefix of ${s.id}`)
        assert.isBelow(s.short_id.length, s.id.length, s.id)
        assert.deepStrictEqual(ids.filter((id) => id.toLowerCase().startsWith(s.short_id.toLowerCase())), [s.id], `${s.short_id} names ${s.id} alone`)
      }
      // the transcripts where the agents keep them
      for (const s of listing.sessions.filter((s) => s.agent === "codex")) {
        assert.strictEqual(s.path, path.join(h.codex, fixtureThreads.find((f) => f.threadId === s.id)!.rollout))
      }
      for (const s of listing.sessions.filter((s) => s.agent === "claude")) {
        assert.strictEqual(s.path, path.join(h.claude, Object.values(ClaudeFixtures.load().sessions).find((f) => f.sessionId === s.id)!.transcript))
      }
    }), 60_000)

  it.effect("the table: a header, one row per session (agent, short id, when, the full cwd, the title), and a count", () =>
    Effect.gen(function*() {
      const h = homes()
      const ids = yield* listJson([])
      const result = yield* sessionTransfer(["list", ...h.args], { env: h.env })
      assert.strictEqual(result.code, 0, result.stderr)
      const lines = result.stdout.split("\n").filter((l) => l !== "")
      assert.match(lines[0]!, /^AGENT\s+ID\s+UPDATED\s+SIZE\s+CWD\s+TITLE$/)
      const rows = lines.slice(1, -1)
      assert.strictEqual(rows.length, h.expected.length)
      assert.strictEqual(lines.at(-1), `${h.expected.length} session(s)`)
      h.expected.forEach((s, i) => {
        const row = rows[i]!
        const short = ids.sessions[i]!.short_id
        assert.isTrue(row.startsWith(`${s.agent} `), row)
        assert.match(row, new RegExp(`^\\S+\\s+${short}\\s`), row)
        // the whole folder, never cut
        assert.include(row, ` ${s.cwd} `, row)
        assert.include(row, localTime(s.updated_at), row)
        assert.include(row, s.title!.slice(0, 30), row)
        assert.strictEqual(row.endsWith("(archived)"), s.archived, row)
      })
      assert.include(rows[0]!, "1h ago")
      assert.include(rows.at(-1)!, "1mo ago")
    }), 60_000)

  it.effect("--agent, --cwd (a folder or one above it), --thread keep those sessions, newest first", () =>
    Effect.gen(function*() {
      const h = homes()
      const of = (keep: (s: Expected) => boolean) => h.expected.filter(keep)
      assert.deepStrictEqual((yield* listJson(["--agent", "claude"])).sessions.map(shown), of((s) => s.agent === "claude"))
      assert.deepStrictEqual(
        (yield* listJson(["--agent", "opencode", "--agent", "codex"])).sessions.map(shown),
        of((s) => s.agent === "opencode" || s.agent === "codex")
      )
      const beta = codexFixtures.source.beta
      assert.deepStrictEqual((yield* listJson(["--cwd", beta])).sessions.map(shown), of((s) => s.cwd === beta))
      // every Claude session was made under this folder's projects/
      const claudeRoot = ClaudeFixtures.load().source.root
      const below = of((s) => s.cwd.startsWith(`${claudeRoot}/`))
      assert.deepStrictEqual(idsOf(below), idsOf(of((s) => s.agent === "claude")))
      assert.deepStrictEqual((yield* listJson(["--cwd", claudeRoot])).sessions.map(shown), below)
      // two folders of two agents
      const opencodeAlpha = OpencodeFixtures.load().source.alpha
      assert.deepStrictEqual(
        (yield* listJson(["--cwd", beta, "--cwd", opencodeAlpha])).sessions.map(shown),
        of((s) => s.cwd === beta || s.cwd === opencodeAlpha)
      )
      // a prefix and a name, as export takes them
      const named = codexFixtures.sessions.named!
      assert.deepStrictEqual(
        idsOf((yield* listJson(["--thread", "ses_db0c9b", "--thread", named.name!])).sessions),
        [named.threadId, OpencodeFixtures.byRole("tools").sessionId]
      )
    }), 90_000)

  it.effect("--since an age or a date, --last N, --no-archived", () =>
    Effect.gen(function*() {
      const h = homes()
      const of = (keep: (s: Expected) => boolean) => h.expected.filter(keep)
      const within = (ms: number) => (s: Expected) => new Date(s.updated_at).getTime() >= h.now - ms
      // ages between the sessions' own (1h … 30d), far from any of them
      const recent = of(within(4 * DAY))
      assert.deepStrictEqual(idsOf(recent).length, 7)
      assert.deepStrictEqual((yield* listJson(["--since", "4d"])).sessions.map(shown), recent)
      assert.deepStrictEqual((yield* listJson(["--since", "90m"])).sessions.map(shown), of(within(90 * 60_000)))
      assert.deepStrictEqual((yield* listJson(["--since", "2w"])).sessions.map(shown), of(within(14 * DAY)))
      // a date: from the start of that day, local time (15 days ago: after the 20-day-old session, before the 12-day-old)
      const day = new Date(h.now - 15 * DAY)
      const start = new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime()
      const date = localTime(day.toISOString()).slice(0, 10)
      const sinceDate = (yield* listJson(["--since", date])).sessions.map(shown)
      assert.deepStrictEqual(sinceDate, of((s) => new Date(s.updated_at).getTime() >= start))
      assert.strictEqual(sinceDate.length, 10)

      assert.deepStrictEqual((yield* listJson(["--last", "3"])).sessions.map(shown), h.expected.slice(0, 3))
      assert.deepStrictEqual(
        (yield* listJson(["--agent", "codex", "--last", "2"])).sessions.map(shown),
        of((s) => s.agent === "codex").slice(0, 2)
      )
      assert.deepStrictEqual(
        (yield* listJson(["--since", "4d", "--last", "100"])).sessions.map(shown),
        recent
      )

      const active = yield* listJson(["--no-archived"])
      assert.deepStrictEqual(active.sessions.map(shown), of((s) => !s.archived))
      assert.strictEqual(active.archived_left_out, 2)
      const text = yield* sessionTransfer(["list", ...h.args, "--no-archived"], { env: h.env })
      assert.strictEqual(text.code, 0, text.stderr)
      assert.notInclude(text.stdout, "(archived)")
      assert.include(text.stdout, `${h.expected.length - 2} session(s); 2 archived left out`)
    }), 120_000)
})

// ---------------------------------------------------------------------------------------------
// list PACKAGE

interface PackageRow {
  readonly agent: string
  readonly id: string
  readonly status: string
  readonly local_id?: string
}

const statusesOf = (pkg: string, homeArgs: ReadonlyArray<string>, env?: Record<string, string>) =>
  Effect.gen(function*() {
    const result = yield* sessionTransfer(["list", pkg, ...homeArgs, "--json"], env === undefined ? {} : { env })
    assert.strictEqual(result.code, 0, result.stderr)
    const rows = JSON.parse(result.stdout).sessions as Array<PackageRow>
    return Object.fromEntries(rows.map((r) => [r.id, r.status]))
  })

describe("session-transfer list PACKAGE: each session's status here", () => {
  it.effect("Codex: new on an empty home; already here where it was installed; behind, ahead, diverged once either side went on", () =>
    Effect.gen(function*() {
      const first: ReadonlyArray<Role> = ["multi_turn_tools", "beta_cwd", "named", "archived"]
      const source = copyFixtureHome()
      const base = yield* exportPackage(source, first)
      const all = (status: string) => Object.fromEntries(first.map((role) => [idOf(role), status]))

      const empty = codexMachine("empty")
      assert.deepStrictEqual(yield* statusesOf(base, ["--codex-home", empty.home]), all("new"))

      const b = codexMachine("empty")
      const installed = yield* install(base, b)
      assert.deepStrictEqual(yield* statusesOf(base, ["--codex-home", b.home]), all("already_here"))

      // A goes on with multi_turn_tools and beta_cwd; B with named and beta_cwd
      const continueOn = (file: string, prompt: string) => appendLines(file, continuationLines(file, prompt))
      const sourceFile = (role: Role) => path.join(source, codexFixtures.sessions[role]!.rollout)
      continueOn(sourceFile("multi_turn_tools"), "A: one more thing.")
      continueOn(sourceFile("beta_cwd"), "A: and the hidden files?")
      continueOn(installed.get(idOf("named"))!.rollout, "B: add a step.")
      continueOn(installed.get(idOf("beta_cwd"))!.rollout, "B: and the sizes?")
      const next = yield* exportPackage(source, [...first, "zst"])

      const result = yield* sessionTransfer(["list", next, "--codex-home", b.home, "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      const rows = JSON.parse(result.stdout).sessions as Array<PackageRow>
      assert.deepStrictEqual(
        Object.fromEntries(rows.map((r) => [r.id, { status: r.status, local: r.local_id }])),
        {
          [idOf("multi_turn_tools")]: { status: "behind", local: installed.get(idOf("multi_turn_tools"))!.localId },
          [idOf("beta_cwd")]: { status: "diverged", local: installed.get(idOf("beta_cwd"))!.localId },
          [idOf("named")]: { status: "ahead", local: installed.get(idOf("named"))!.localId },
          [idOf("archived")]: { status: "already_here", local: installed.get(idOf("archived"))!.localId },
          [idOf("zst")]: { status: "new", local: undefined }
        }
      )
      assert.isTrue(rows.every((r) => r.agent === "codex"))

      // the table: one row per session, its status first
      const text = yield* sessionTransfer(["list", next, "--codex-home", b.home])
      assert.strictEqual(text.code, 0, text.stderr)
      const lines = text.stdout.split("\n").filter((l) => l !== "")
      assert.strictEqual(lines[0], `package ${next}: 5 session(s)`)
      assert.match(lines[1]!, /^STATUS\s+AGENT\s+ID\s+SIZE\s+CWD\s+TITLE$/)
      const statusOf: Record<string, string> = {
        [idOf("multi_turn_tools")]: "behind",
        [idOf("beta_cwd")]: "diverged",
        [idOf("named")]: "ahead",
        [idOf("archived")]: "already here",
        [idOf("zst")]: "new"
      }
      assert.strictEqual(lines.length, 2 + 5)
      for (const [id, status] of Object.entries(statusOf)) {
        const row = lines.find((l) => l.includes(id))
        assert.isDefined(row, id)
        assert.match(row!, new RegExp(`^${status}\\s+codex\\s+${id}\\s`), row)
      }
      // it writes nothing: the same answer twice
      assert.deepStrictEqual(yield* statusesOf(next, ["--codex-home", b.home]), Object.fromEntries(Object.entries(statusOf).map(([id, s]) => [id, s.replace(" ", "_")])))
    }), 180_000)

  it.effect("Claude Code: new on an empty home; already here, or behind, where an older copy was installed", () =>
    Effect.gen(function*() {
      const sessions = Object.values(ClaudeFixtures.load().sessions)
      const tools = ClaudeFixtures.byRole("tools")
      const exportClaude = (configDir: string) =>
        Effect.gen(function*() {
          const pkg = path.join(tempDir("pkg"), "claude.tgz")
          const result = yield* sessionTransfer(["export", "--agent", "claude", "--claude-home", configDir, "--all", "--out", pkg])
          assert.strictEqual(result.code, 0, result.stderr)
          return pkg
        })
      const full = yield* exportClaude(ClaudeFixtures.fixtureHome)
      // an older copy of `tools`: its lines before the second prompt (the first turn)
      const older = path.join(tempDir("claude-older"), ".claude")
      fs.cpSync(ClaudeFixtures.fixtureHome, older, { recursive: true })
      const transcript = path.join(older, tools.transcript)
      const lines = fs.readFileSync(transcript, "utf8").split("\n").filter((l) => l !== "")
      const second = lines.findIndex((l) => {
        const o = JSON.parse(l)
        return o.type === "user" && JSON.stringify(o.message?.content ?? "").includes(tools.prompts[1]!)
      })
      assert.isAbove(second, 0)
      fs.writeFileSync(transcript, lines.slice(0, second).map((l) => l + "\n").join(""))
      const pkgOlder = yield* exportClaude(older)

      const machine = () => {
        const root = tempDir("claude-b")
        const configDir = path.join(root, ".claude")
        fs.mkdirSync(configDir)
        return { args: ["--claude-home", configDir], env: { HOME: root } }
      }
      const empty = machine()
      assert.deepStrictEqual(yield* statusesOf(full, empty.args, empty.env), Object.fromEntries(sessions.map((s) => [s.sessionId, "new"])))

      const b = machine()
      const installed = yield* sessionTransfer(["install", pkgOlder, ...b.args], { env: b.env })
      assert.strictEqual(installed.code, 0, installed.stderr)
      assert.deepStrictEqual(
        yield* statusesOf(full, b.args, b.env),
        Object.fromEntries(sessions.map((s) => [s.sessionId, s.sessionId === tools.sessionId ? "behind" : "already_here"]))
      )
    }), 120_000)
})

// ---------------------------------------------------------------------------------------------
// export --thread PREFIX | NAME

describe("export --thread: an id prefix or a session's name", () => {
  const exportArgs = () => {
    const h = homes()
    return { h, out: path.join(tempDir("thread-out"), "pkg.tgz") }
  }

  it.effect("prefixes and names of three agents' sessions: the package holds exactly those", () =>
    Effect.gen(function*() {
      const { h, out } = exportArgs()
      const named = codexFixtures.sessions.named!
      const claudeNamed = ClaudeFixtures.byRole("named")
      const opencodeTools = OpencodeFixtures.byRole("tools")
      const exported = yield* sessionTransfer(
        // a Codex prefix (upper case), a Claude name, an OpenCode prefix
        ["export", ...h.args, "--thread", named.threadId.slice(0, 11).toUpperCase(), "--thread", claudeNamed.customTitle!, "--thread", "ses_db0c9b", "--out", out, "--json"],
        { env: h.env }
      )
      assert.strictEqual(exported.code, 0, exported.stderr)
      const inspected = yield* sessionTransfer(["inspect", out, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      const inspection = JSON.parse(inspected.stdout)
      assert.deepStrictEqual(
        (inspection.sessions as Array<{ agent: string; thread_id: string }>).map((s) => `${s.agent} ${s.thread_id}`).sort(),
        [`claude ${claudeNamed.sessionId}`, `codex ${named.threadId}`, `opencode ${opencodeTools.sessionId}`].sort()
      )
      assert.deepStrictEqual(inspection.manifest.thread_ids, [named.threadId])
    }), 60_000)

  it.effect("a name in another letter case, the short id list shows, a long prefix of an OpenCode id", () =>
    Effect.gen(function*() {
      const { h } = exportArgs()
      const named = codexFixtures.sessions.named!
      const short = (yield* listJson([])).sessions.find((s) => s.id === codexFixtures.sessions.archived!.threadId)!.short_id
      const opencodeTools = OpencodeFixtures.byRole("tools").sessionId
      for (
        const [given, id] of [
          [named.name!.toUpperCase(), named.threadId],
          [short, codexFixtures.sessions.archived!.threadId],
          [opencodeTools.slice(0, -4), opencodeTools]
        ] as const
      ) {
        const out = path.join(tempDir("thread-out"), "pkg.tgz")
        const exported = yield* sessionTransfer(["export", ...h.args, "--thread", given, "--out", out, "--json"], { env: h.env })
        assert.strictEqual(exported.code, 0, `${given}: ${exported.stderr}`)
        const inspection = JSON.parse((yield* sessionTransfer(["inspect", out, "--json"])).stdout)
        assert.deepStrictEqual(inspection.sessions.map((s: { thread_id: string }) => s.thread_id), [id], given)
      }
    }), 60_000)

  it.effect("an ambiguous prefix, or one that names nothing: one line on stderr, exit 1, nothing written", () =>
    Effect.gen(function*() {
      const { h, out } = exportArgs()
      // every Codex fixture id starts with 01a1fd65-3
      const codexIds = fixtureThreads.map((s) => s.threadId)
      assert.isTrue(codexIds.every((id) => id.startsWith("01a1fd65-3")))
      const ambiguous = yield* sessionTransfer(["export", ...h.args, "--thread", "01a1fd65", "--out", out], { env: h.env })
      assert.strictEqual(ambiguous.code, 1, ambiguous.stderr)
      const lines = errorLines(ambiguous)
      assert.strictEqual(lines.length, 1, ambiguous.stderr)
      assert.match(lines[0]!, new RegExp(`^session-transfer: "01a1fd65" names ${codexIds.length} sessions: `))
      for (const id of codexIds) assert.include(lines[0]!, `codex ${id}`)
      assert.include(lines[0]!, `"${codexFixtures.sessions.named!.name}"`)

      // two Codex sessions start with 01a1fd65-3d
      const two = yield* sessionTransfer(["export", ...h.args, "--thread", "01a1fd65-3d", "--out", out], { env: h.env })
      assert.strictEqual(two.code, 1, two.stderr)
      assert.match(errorLines(two)[0]!, /^session-transfer: "01a1fd65-3d" names 2 sessions: /)
      assert.lengthOf(errorLines(two), 1)

      const unknown = yield* sessionTransfer(["export", ...h.args, "--thread", "0fedcba9", "--out", out], { env: h.env })
      assert.strictEqual(unknown.code, 1, unknown.stderr)
      assert.deepStrictEqual(errorLines(unknown), [
        `session-transfer: no session matches "0fedcba9" (an id, a unique prefix of one, or a session's name)`
      ])
      assert.deepStrictEqual(fs.readdirSync(path.dirname(out)), [])
    }), 60_000)
})
