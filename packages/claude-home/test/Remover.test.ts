/**
 * Removal of a Claude Code session: planned on a copy of the real fixture home, written in a
 * journal transaction, rolled back. Expected values come from reading the home directly: a
 * session's files are those whose path names its id, its history lines those whose `sessionId`
 * is its id.
 */
import { assert, describe, it } from "@effect/vitest"
import { ClaudeStore } from "@sessionport/claude-home"
import { Fixtures } from "@sessionport/claude-oracle"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Journal } from "@sessionport/journal"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const interactive = Fixtures.byRole("interactive")
const tools = Fixtures.byRole("tools")
const S = interactive.sessionId
const T = tools.sessionId
const sha = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const write = (home: string, rel: string, content: string) => {
  fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true })
  fs.writeFileSync(path.join(home, rel), content)
}

/**
 * A copy of the fixture home, plus what Claude Code writes beside a session and no fixture
 * session has (a subagent's transcript, tool results, task and todo lists, hook environment,
 * uploads, debug log), for the `interactive` session and, left alone, the `tools` one; and
 * history lines of `tools` around the fixture's (one naming the other session in its text, one
 * with no session, the last without a newline).
 */
const makeHome = (): string => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "claude-remover-"))
  fs.cpSync(Fixtures.fixtureHome, home, { recursive: true })
  const alpha = path.dirname(interactive.transcript)
  // a subagent's transcript: a line of its session's conversation, on a side chain
  const first = fs.readFileSync(path.join(home, interactive.transcript), "utf8").split("\n")
    .map((line) => JSON.parse(line || "{}")).find((line) => line.type === "user")
  for (const [id, agent] of [[S, "a5e1c0ffee"], [T, "b7d2c0ffee"]] as const) {
    write(home, `${alpha}/${id}/subagents/agent-${agent}.jsonl`, `${JSON.stringify({ ...first, sessionId: id, isSidechain: true, agentId: agent })}\n`)
    write(home, `${alpha}/${id}/subagents/agent-${agent}.meta.json`, "{\"agentType\":\"general-purpose\"}")
    write(home, `todos/${id}-agent-${id}.json`, "[]")
    write(home, `tasks/${id}/1.json`, "{\"id\":\"1\",\"subject\":\"check\",\"status\":\"pending\"}")
    write(home, `session-env/${id}/sessionstart-hook-0.sh`, "export A=1\n")
    write(home, `debug/${id}.txt`, "debug\n")
  }
  write(home, `${alpha}/${S}/tool-results/toolu_01.txt`, "a.txt\n")
  write(home, `${alpha}/${S}.precompact.json`, "{}")
  write(home, `uploads/${S}/notes.txt`, "uploaded\n")
  const line = (fields: Record<string, unknown>) => JSON.stringify({ pastedContents: {}, timestamp: 1796620220000, project: tools.cwd, ...fields })
  const history = path.join(home, "history.jsonl")
  fs.writeFileSync(
    history,
    `${line({ display: "turn one: use-tool", sessionId: T })}\r\n` +
      fs.readFileSync(history, "utf8") +
      `${line({ display: `what did ${S} do?`, sessionId: T })}\n\n${line({ display: "no session" })}\n` +
      line({ display: "turn two: write-file", sessionId: T })
  )
  return home
}

/** The home's files whose path below it names `id` (the journal's own folder left out), absolute, sorted. */
const filesNaming = (home: string, id: string): Array<string> =>
  (fs.readdirSync(home, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => path.relative(home, file).includes(id) && !path.relative(home, file).startsWith("sessionport"))
    .sort()

/** `history.jsonl` split after each `\n`, and which of its lines are `id`'s. */
const historyOf = (home: string, id: string) => {
  const lines = fs.readFileSync(path.join(home, "history.jsonl"), "utf8").split(/(?<=\n)/)
  const own = (line: string) => {
    try {
      return JSON.parse(line).sessionId === id
    } catch {
      return false
    }
  }
  return { own: lines.filter(own).length, rest: lines.filter((line) => !own(line)).join("") }
}

const withHome = <A, E>(body: (home: string, journal: Journal.JournalShape) => Effect.Effect<A, E, ClaudeStore.ClaudeStore>) =>
  Effect.suspend(() => {
    const home = makeHome()
    return body(home, Journal.make({ codexHome: home, roots: [home] })).pipe(
      Effect.provide(ClaudeStore.layerHome({ root: home })),
      Effect.ensuring(Effect.sync(() => fs.rmSync(home, { recursive: true, force: true })))
    )
  })

describe("Claude Remover", () => {
  it.effect("plans every file and history line of a session; commit takes exactly them away; rollback brings the home back", () =>
    withHome((home, journal) =>
      Effect.gen(function*() {
        const store = yield* ClaudeStore.ClaudeStore
        const files = filesNaming(home, S)
        const history = historyOf(home, S)
        // the transcript, its precompact file, the subagent's transcript and meta, a tool result,
        // the file-history backup, and the task, todo, hook, upload and debug files
        assert.strictEqual(files.length, 11)
        assert.strictEqual(history.own, 3)

        const plan = yield* store.removal!.plan([S])
        assert.deepStrictEqual(plan.warnings, [])
        assert.strictEqual(plan.sessions.length, 1)
        const session = plan.sessions[0]!
        assert.deepStrictEqual({ ...session, files: [...session.files].sort(), title: undefined }, {
          agent: "claude",
          id: S,
          title: undefined,
          cwd: interactive.cwd,
          path: path.join(home, interactive.transcript),
          files,
          rows: {},
          lines: { [path.join(home, "history.jsonl")]: 3 },
          bytes: files.reduce((n, file) => n + fs.statSync(file).size, 0)
        })
        assert.isString(session.title)

        const before = homeState(home)
        const id = yield* journal.transaction({ kind: "cleanup" }, (tx) => Effect.as(plan.write(tx), tx.id))

        // gone: every file and folder naming the session; every other file as it was, history.jsonl without its lines
        assert.deepStrictEqual(filesNaming(home, S), [])
        const expected = Object.fromEntries(Object.entries(before).filter(([rel]) => !rel.includes(S)))
        expected["history.jsonl"] = sha(history.rest)
        assert.deepStrictEqual(homeState(home), expected)
        assert.strictEqual(fs.readFileSync(path.join(home, "history.jsonl"), "utf8"), history.rest)
        assert.deepStrictEqual((yield* store.list({ ids: [], cwds: [], since: undefined, all: true, includeArchived: true })).sessions.map((s) => s.id).includes(S), false)

        yield* journal.rollback(id)
        assert.deepStrictEqual(homeState(home), before)
      })))

  it.effect("a history.jsonl of several read chunks (1 MiB): lines across their edges, the last one without a newline", () =>
    withHome((home, journal) =>
      Effect.gen(function*() {
        const store = yield* ClaudeStore.ClaudeStore
        const line = (sessionId: string, display: string) => `${JSON.stringify({ display, sessionId })}\n`
        let text = ""
        // the lines straddling the edges: S's (dropped), T's (kept), S's
        for (const [k, sessionId] of [[1, S], [2, T], [3, S]] as const) {
          const edge = k * 1024 * 1024
          while (text.length < edge - 2000) text += line(T, `prompt ${text.length} ${"x".repeat(text.length % 700)}`)
          // ends 100 bytes before the edge
          text += line(T, "y".repeat(edge - 100 - text.length - line(T, "").length))
          text += line(sessionId, `across ${"z".repeat(300)}`)
        }
        text += line(T, "after") + line(S, "last, no newline").trimEnd()
        fs.writeFileSync(path.join(home, "history.jsonl"), text)
        const history = historyOf(home, S)
        assert.strictEqual(history.own, 3)
        const before = homeState(home)
        const plan = yield* store.removal!.plan([S])
        assert.deepStrictEqual(plan.sessions[0]!.lines, { [path.join(home, "history.jsonl")]: 3 })
        const id = yield* journal.transaction({ kind: "cleanup" }, (tx) => Effect.as(plan.write(tx), tx.id))
        assert.strictEqual(fs.readFileSync(path.join(home, "history.jsonl"), "utf8"), history.rest)
        yield* journal.rollback(id)
        assert.deepStrictEqual(homeState(home), before)
      })))

  it.effect("history.jsonl is left alone when the session has no line in it", () =>
    withHome((home, journal) =>
      Effect.gen(function*() {
        const store = yield* ClaudeStore.ClaudeStore
        // only T's lines: the fixture's history has none of the beta session's
        const beta = Fixtures.byRole("beta_plain").sessionId
        assert.strictEqual(historyOf(home, beta).own, 0)
        const historyBefore = fs.statSync(path.join(home, "history.jsonl"))
        const plan = yield* store.removal!.plan([beta])
        assert.deepStrictEqual(plan.sessions[0]!.lines, {})
        assert.deepStrictEqual(plan.sessions[0]!.files, filesNaming(home, beta))
        const id = yield* journal.transaction({ kind: "cleanup" }, (tx) => Effect.as(plan.write(tx), tx.id))
        assert.deepStrictEqual((yield* journal.get(id)).operations.map((op) => op.kind), ["remove_files"])
        const historyAfter = fs.statSync(path.join(home, "history.jsonl"))
        assert.deepStrictEqual([historyAfter.ino, historyAfter.mtimeMs], [historyBefore.ino, historyBefore.mtimeMs])
      })))

  it.effect("a session this home does not have is refused, naming it", () =>
    withHome(() =>
      Effect.gen(function*() {
        const store = yield* ClaudeStore.ClaudeStore
        const missing = "01900000-0000-7000-8000-00000000000f"
        const error = yield* Effect.flip(store.removal!.plan([S, missing]))
        assert.include(error.message, `no Claude session ${missing}`)
      })))
})
