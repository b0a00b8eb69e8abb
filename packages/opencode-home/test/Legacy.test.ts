/**
 * The JSON storage of OpenCode ≤ 1.1 (`<data>/storage/`) read as the rows a 1.18.33 database
 * holds: a synthetic storage tree (a git project and `global`, one session in each, a tool part
 * holding an absolute path, a patch part, a todo file, a broken part file), whose expected rows
 * and transcript lines are written out here by hand; then exported by the bundled
 * `session-transfer` from a data folder with no database, installed into a data folder made by
 * the real OpenCode 1.18.33, and read back by that OpenCode.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { runBin } from "@sessionport/codex-oracle/Cli"
import { Harness } from "@sessionport/opencode-oracle"
import { OpencodeId } from "@sessionport/schema"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { fromStorage } from "../src/internal/legacy.js"
import type { Counts } from "../src/internal/transcript.js"

const sessionTransfer = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runBin(fileURLToPath(new URL("../../transfer-cli/bin/session-transfer.mjs", import.meta.url)), args, options)

// -------------------------------------------------------------------------------------------------
// the storage tree

/** 2026-01-01T00:00:00Z: when the legacy sessions were made */
const T = 1767225600000
const SRC = "/tmp/sessionport-legacy-src/projects"
const SRC_ALPHA = `${SRC}/alpha`
const SRC_BETA = `${SRC}/beta`
const GIT_ID = "5f0c3b8a9e2d4c1b7a6f5e4d3c2b1a0f9e8d7c6b"

const id = (prefix: OpencodeId.Prefix, ms: number, name: string) =>
  OpencodeId.make(prefix, OpencodeId.encodeTime(prefix, ms), `${name}00000000000000`.slice(0, 14))

const SES1 = id("ses", T, "LegacyAlpha")
const SES2 = id("ses", T + 100_000, "LegacyBeta")
const M1 = id("msg", T + 1000, "AlphaUser1")
const M2 = id("msg", T + 2000, "AlphaAsst1")
// made later than M2 but its id sorts before it: messages go by time, then id
const M3 = id("msg", T + 1500, "AlphaUser2")
const M4 = id("msg", T + 11_000, "AlphaAsst2")
const M5 = id("msg", T + 101_000, "BetaUser")
const M6 = id("msg", T + 102_000, "BetaAsst")
const P0 = id("prt", T + 1005, "p0")
const P1 = id("prt", T + 1010, "p1")
const P2 = id("prt", T + 2050, "p2")
const P3 = id("prt", T + 2100, "p3")
const P_BROKEN = id("prt", T + 2150, "broken")
const P4 = id("prt", T + 2200, "p4")
const P5 = id("prt", T + 2300, "p5")
const P6 = id("prt", T + 2500, "p6")
const P7 = id("prt", T + 10_010, "p7")
const P8 = id("prt", T + 11_500, "p8")
const P9 = id("prt", T + 12_000, "p9")
const P10 = id("prt", T + 101_010, "p10")
const P11 = id("prt", T + 102_100, "p11")
const P12 = id("prt", T + 102_200, "p12")

const session1 = {
  slug: "brave-falcon",
  version: "1.1.4",
  projectID: GIT_ID,
  directory: SRC_ALPHA,
  title: "Legacy alpha",
  time: { created: T, updated: T + 60_000 },
  summary: { additions: 3, deletions: 1, files: 1 }
}
const session2 = {
  slug: "calm-river",
  version: "1.0.220",
  projectID: "global",
  directory: SRC_BETA,
  path: SRC_BETA.slice(1),
  title: "Legacy beta",
  permission: [{ permission: "bash", pattern: "*", action: "allow" }],
  time: { created: T + 100_000, updated: T + 110_000 }
}

const model = { providerID: "mock", modelID: "mock-model" }
const m1 = { role: "user", time: { created: T + 1000 }, agent: "build", model }
const m2 = {
  role: "assistant",
  parentID: M1,
  modelID: "mock-model",
  providerID: "mock",
  mode: "build",
  agent: "build",
  path: { cwd: SRC_ALPHA, root: SRC_ALPHA },
  cost: 0.25,
  tokens: { input: 100, output: 20, reasoning: 0, cache: { read: 5, write: 0 } },
  time: { created: T + 2000, completed: T + 5000 },
  finish: "stop"
}
const m3 = { role: "user", time: { created: T + 10_000 }, agent: "build", model }
const m4 = {
  ...m2,
  parentID: M3,
  cost: 0.5,
  tokens: { input: 50, output: 10, reasoning: 2, cache: { read: 0, write: 7 } },
  time: { created: T + 11_000, completed: T + 12_000 }
}
const m5 = { role: "user", time: { created: T + 101_000 }, agent: "build", model }
const m6 = {
  ...m2,
  parentID: M5,
  path: { cwd: SRC_BETA, root: "/" },
  cost: 0,
  tokens: { input: 10, output: 5, reasoning: 0, cache: { read: 0, write: 0 } },
  time: { created: T + 102_000, completed: T + 103_000 }
}

const readme = `${SRC_ALPHA}/README.md`
// made when a file is attached: not what the user typed
const p0 = { type: "text", text: `Called the Read tool with the following input: {"filePath":"${readme}"}`, synthetic: true }
const p1 = { type: "text", text: "read the README and patch it" }
const p2 = { type: "step-start" }
const p3 = {
  type: "tool",
  callID: "call_read_1",
  tool: "read",
  state: {
    status: "completed",
    input: { filePath: readme },
    output: `<path>${readme}</path>\n<content>\n1: # alpha\n</content>`,
    title: "README.md",
    metadata: { preview: "# alpha", truncated: false },
    time: { start: T + 2100, end: T + 2150 }
  }
}
const p4 = { type: "patch", hash: "4b825dc642cb6eb9a060e54bf8d69288fbee4904", files: [readme] }
const p5 = { type: "text", text: "Patched README.md.", time: { start: T + 2300, end: T + 2400 } }
const p6 = { type: "step-finish", reason: "stop", cost: 0.25, tokens: m2.tokens }
const p7 = { type: "text", text: "thanks" }
const p8 = { type: "text", text: "You're welcome.", time: { start: T + 11_500, end: T + 11_600 } }
const p9 = { type: "step-finish", reason: "stop", cost: 0.5, tokens: m4.tokens }
const p10 = { type: "text", text: "what is in this folder?" }
const p11 = { type: "text", text: "Nothing much.", time: { start: T + 102_100, end: T + 102_150 } }
const p12 = { type: "step-finish", reason: "stop", cost: 0, tokens: m6.tokens }

const todos = [
  { id: "t1", content: "Read README", status: "completed", priority: "high" },
  { id: "t2", content: "Patch README", status: "in_progress", priority: "medium" },
  // no content: left out, as OpenCode's migration left it out
  { id: "t3", status: "pending", priority: "low" }
]

const write = (file: string, value: unknown) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2))
}

/** Writes the storage tree as OpenCode ≤ 1.1 did (pretty JSON, ids in the files too). */
const writeStorage = (storage: string) => {
  write(path.join(storage, "migration"), "2")
  write(path.join(storage, "project", `${GIT_ID}.json`), {
    id: GIT_ID,
    worktree: SRC_ALPHA,
    vcs: "git",
    time: { created: T - 1000, updated: T + 60_000 },
    sandboxes: []
  })
  write(path.join(storage, "project", "global.json"), { id: "global", worktree: "/", time: { created: T - 2000 } })
  write(path.join(storage, "session", GIT_ID, `${SES1}.json`), { id: SES1, ...session1 })
  write(path.join(storage, "session", "global", `${SES2}.json`), { id: SES2, ...session2 })
  const messages: Array<[string, string, object]> = [[SES1, M1, m1], [SES1, M2, m2], [SES1, M3, m3], [SES1, M4, m4], [SES2, M5, m5], [SES2, M6, m6]]
  for (const [s, m, data] of messages) write(path.join(storage, "message", s, `${m}.json`), { id: m, sessionID: s, ...data })
  const parts: Array<[string, string, string, object]> = [
    [SES1, M1, P0, p0],
    [SES1, M1, P1, p1],
    [SES1, M2, P2, p2],
    [SES1, M2, P3, p3],
    [SES1, M2, P4, p4],
    [SES1, M2, P5, p5],
    [SES1, M2, P6, p6],
    [SES1, M3, P7, p7],
    [SES1, M4, P8, p8],
    [SES1, M4, P9, p9],
    [SES2, M5, P10, p10],
    [SES2, M6, P11, p11],
    [SES2, M6, P12, p12]
  ]
  for (const [s, m, p, data] of parts) write(path.join(storage, "part", m, `${p}.json`), { id: p, sessionID: s, messageID: m, ...data })
  write(path.join(storage, "part", M2, `${P_BROKEN}.json`), `{"id":"${P_BROKEN}","type":"text","te`)
  write(path.join(storage, "todo", `${SES1}.json`), todos)
  write(path.join(storage, "session_diff", `${SES1}.json`), [])
}

// -------------------------------------------------------------------------------------------------
// what the rows must be (by hand: columns in OpenCode 1.18.33's order)

const sessionColumns = (o: {
  id: string
  project_id: string
  slug: string
  directory: string
  path: string | null
  title: string
  version: string
  summary: [number, number, number] | null
  sums: [number, number, number, number, number, number]
  permission: string | null
  created: number
  updated: number
}) => ({
  id: o.id,
  project_id: o.project_id,
  workspace_id: null,
  parent_id: null,
  slug: o.slug,
  directory: o.directory,
  path: o.path,
  title: o.title,
  version: o.version,
  share_url: null,
  summary_additions: o.summary?.[0] ?? null,
  summary_deletions: o.summary?.[1] ?? null,
  summary_files: o.summary?.[2] ?? null,
  summary_diffs: null,
  metadata: null,
  cost: o.sums[0],
  tokens_input: o.sums[1],
  tokens_output: o.sums[2],
  tokens_reasoning: o.sums[3],
  tokens_cache_read: o.sums[4],
  tokens_cache_write: o.sums[5],
  revert: null,
  permission: o.permission,
  agent: null,
  model: null,
  time_created: o.created,
  time_updated: o.updated,
  time_compacting: null,
  time_archived: null
})

const row1 = (sums: [number, number, number, number, number, number]) =>
  sessionColumns({
    id: SES1,
    project_id: GIT_ID,
    slug: "brave-falcon",
    directory: SRC_ALPHA,
    path: null,
    title: "Legacy alpha",
    version: "1.1.4",
    summary: [3, 1, 1],
    sums,
    permission: null,
    created: T,
    updated: T + 60_000
  })
const row2 = (sums: [number, number, number, number, number, number]) =>
  sessionColumns({
    id: SES2,
    project_id: "global",
    slug: "calm-river",
    directory: SRC_BETA,
    path: "tmp/sessionport-legacy-src/projects/beta",
    title: "Legacy beta",
    version: "1.0.220",
    summary: null,
    sums,
    permission: `[{"permission":"bash","pattern":"*","action":"allow"}]`,
    created: T + 100_000,
    updated: T + 110_000
  })

const line = (type: string, columns: object) => JSON.stringify({ type, ...columns })
const messageLine = (messageId: string, sessionId: string, created: number, data: object) =>
  line("message", { id: messageId, session_id: sessionId, time_created: created, time_updated: created, data })
const partLine = (partId: string, messageId: string, sessionId: string, created: number, updated: number, data: object) =>
  line("part", { id: partId, message_id: messageId, session_id: sessionId, time_created: created, time_updated: updated, data })
const todoLine = (content: string, status: string, priority: string, position: number) =>
  line("todo", { session_id: SES1, content, status, priority, position, time_created: T + 60_000, time_updated: T + 60_000 })

const expectedLines1 = [
  line("session", row1([0.75, 150, 30, 2, 5, 7])),
  messageLine(M1, SES1, T + 1000, m1),
  partLine(P0, M1, SES1, T + 1000, T + 1000, p0),
  partLine(P1, M1, SES1, T + 1000, T + 1000, p1),
  messageLine(M2, SES1, T + 2000, m2),
  partLine(P2, M2, SES1, T + 2000, T + 2000, p2),
  // a tool part's times are in its state: the message's stand in
  partLine(P3, M2, SES1, T + 2000, T + 2000, p3),
  partLine(P4, M2, SES1, T + 2000, T + 2000, p4),
  partLine(P5, M2, SES1, T + 2300, T + 2400, p5),
  partLine(P6, M2, SES1, T + 2000, T + 2000, p6),
  messageLine(M3, SES1, T + 10_000, m3),
  partLine(P7, M3, SES1, T + 10_000, T + 10_000, p7),
  messageLine(M4, SES1, T + 11_000, m4),
  partLine(P8, M4, SES1, T + 11_500, T + 11_600, p8),
  partLine(P9, M4, SES1, T + 11_000, T + 11_000, p9),
  todoLine("Read README", "completed", "high", 0),
  todoLine("Patch README", "in_progress", "medium", 1)
]

const expectedLines2 = [
  line("session", row2([0, 10, 5, 0, 0, 0])),
  messageLine(M5, SES2, T + 101_000, m5),
  partLine(P10, M5, SES2, T + 101_000, T + 101_000, p10),
  messageLine(M6, SES2, T + 102_000, m6),
  partLine(P11, M6, SES2, T + 102_100, T + 102_150, p11),
  partLine(P12, M6, SES2, T + 102_000, T + 102_000, p12)
]

/** Every file under `dir`: its bytes and mtime, by relative path. */
const fileState = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out[path.relative(dir, p)] = `${fs.statSync(p).mtimeMs} ${fs.readFileSync(p, "base64")}`
    }
  }
  walk(dir)
  return out
}

const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

// -------------------------------------------------------------------------------------------------

describe("legacy storage (OpenCode ≤ 1.1) as a source", () => {
  it("gives the rows and transcript lines OpenCode's migration would have made, without writing", () => {
    const storage = path.join(tempDir("opencode-legacy-"), "storage")
    writeStorage(storage)
    const before = fileState(storage)
    const source = fromStorage(storage)
    assert.isDefined(source)
    assert.strictEqual(source.kind, "legacy")
    assert.strictEqual(source.path, storage)

    // sessions(): every session file, oldest first; cost and tokens left 0 (no part is read)
    assert.deepStrictEqual(source.sessions().map((r) => JSON.stringify(r)), [
      JSON.stringify(row1([0, 0, 0, 0, 0, 0])),
      JSON.stringify(row2([0, 0, 0, 0, 0, 0]))
    ])
    // session(id): with cost and tokens summed over its step-finish parts
    assert.strictEqual(JSON.stringify(source.session(SES1)), JSON.stringify(row1([0.75, 150, 30, 2, 5, 7])))
    assert.strictEqual(JSON.stringify(source.session(SES2)), JSON.stringify(row2([0, 10, 5, 0, 0, 0])))
    assert.isUndefined(source.session(id("ses", T, "Missing")))
    assert.isUndefined(source.session("../session"))

    assert.strictEqual(
      JSON.stringify(source.project(GIT_ID)),
      JSON.stringify({
        id: GIT_ID,
        worktree: SRC_ALPHA,
        vcs: "git",
        name: null,
        icon_url: null,
        icon_url_override: null,
        icon_color: null,
        time_created: T - 1000,
        time_updated: T + 60_000,
        time_initialized: null,
        sandboxes: "[]",
        commands: null
      })
    )
    const global = source.project("global")
    assert.strictEqual(global?.worktree, "/")
    assert.strictEqual(global?.vcs, null)
    assert.strictEqual(global?.time_created, T - 2000)
    assert.isUndefined(source.project("0000000000000000000000000000000000000000"))

    // lines: the row passed in, summed either way; the broken part and the todo without content left out
    const counts: Counts = { messages: 0, parts: 0, todos: 0, turns: 0 }
    assert.deepStrictEqual([...source.lines(source.session(SES1)!, counts)], expectedLines1)
    assert.deepStrictEqual(counts, { messages: 4, parts: 10, todos: 2, turns: 2, firstPrompt: p1.text })
    assert.deepStrictEqual([...source.lines(source.sessions()[0]!)], expectedLines1)
    assert.deepStrictEqual([...source.lines(source.session(SES2)!)], expectedLines2)

    // stats: files counted and their sizes summed, not parsed (the broken part is counted)
    const size = (...p: Array<string>) => fs.statSync(path.join(storage, ...p)).size
    const stats = source.stats()
    const bytes1 = [M1, M2, M3, M4].reduce((n, m) => n + size("message", SES1, `${m}.json`), 0) +
      [[M1, P0], [M1, P1], [M2, P2], [M2, P3], [M2, P_BROKEN], [M2, P4], [M2, P5], [M2, P6], [M3, P7], [M4, P8], [M4, P9]]
        .reduce((n, [m, p]) => n + size("part", m!, `${p}.json`), 0)
    assert.deepStrictEqual(stats.get(SES1), { messages: 4, parts: 11, bytes: bytes1 })
    assert.deepStrictEqual(stats.get(SES2)?.messages, 2)
    assert.deepStrictEqual(stats.get(SES2)?.parts, 3)

    source.close()
    assert.deepStrictEqual(fileState(storage), before, "the storage is only read")
  })

  it("skips what cannot be read, keeps the rest; no session folder: no source", () => {
    const root = tempDir("opencode-legacy-")
    const storage = path.join(root, "storage")
    writeStorage(storage)
    const orphanProject = "1234567890abcdef1234567890abcdef12345678"
    const SES3 = id("ses", T + 200_000, "Orphan")
    const SES4 = id("ses", T + 300_000, "Broken")
    // a session whose project file is missing: still read, its project the folder's name
    write(path.join(storage, "session", orphanProject, `${SES3}.json`), { id: SES3, projectID: "elsewhere", directory: "/x", title: "orphan", time: { created: T + 200_000 } })
    // a session file that is not JSON, one that is not an object: not sessions
    write(path.join(storage, "session", "global", `${SES4}.json`), "{\"id\":")
    write(path.join(storage, "session", "global", `${id("ses", T + 400_000, "Array")}.json`), "[]")
    // a broken message: left out, its session read as before
    write(path.join(storage, "message", SES1, `${id("msg", T + 1200, "Broken")}.json`), "not json")
    // a todo file that is not an array: no todos
    write(path.join(storage, "todo", `${SES2}.json`), { content: "x" })
    // a file that is not JSON by its name
    write(path.join(storage, "session", "global", "notes.txt"), "hello")
    const source = fromStorage(storage)!
    assert.deepStrictEqual(source.sessions().map((r) => r.id), [SES1, SES2, SES3])
    const orphan = source.session(SES3)!
    assert.strictEqual(orphan.project_id, orphanProject)
    assert.strictEqual(orphan.slug, "")
    assert.strictEqual(orphan.version, "")
    assert.strictEqual(orphan.path, null)
    assert.strictEqual(orphan.time_updated, T + 200_000)
    assert.isUndefined(source.project(orphanProject))
    assert.deepStrictEqual([...source.lines(orphan)], [line("session", { ...orphan })])
    assert.isUndefined(source.session(SES4))
    assert.deepStrictEqual([...source.lines(source.session(SES1)!)], expectedLines1)
    assert.deepStrictEqual([...source.lines(source.session(SES2)!)], expectedLines2)

    assert.isUndefined(fromStorage(path.join(root, "nothing-here")))
    const empty = path.join(root, "empty", "storage")
    fs.mkdirSync(path.join(empty, "project"), { recursive: true })
    assert.isUndefined(fromStorage(empty))
  })

  it.scoped("exported with no database, installed with --map, read back by the real OpenCode", () =>
    Effect.gen(function*() {
      const dataA = path.join(tempDir("opencode-legacy-a-"), "opencode")
      writeStorage(path.join(dataA, "storage"))
      const before = fileState(dataA)
      const out = path.join(tempDir("opencode-legacy-pkg-"), "x.tgz")
      const exported = yield* sessionTransfer(["export", "--agent", "opencode", "--opencode-data", dataA, "--all", "--out", out, "--json"])
      assert.strictEqual(exported.code, 0, exported.stderr)
      assert.deepStrictEqual(JSON.parse(exported.stdout).sessions.map((s: { id: string }) => s.id).sort(), [SES1, SES2].sort())
      assert.deepStrictEqual(fileState(dataA), before, "export reads the storage only, and makes no database")

      const b = yield* Harness.machine({ initDatabase: true })
      const [alphaB, betaB] = b.projects.map((p) => fs.realpathSync(p)) as [string, string]
      const installed = yield* sessionTransfer(
        ["install", out, "--opencode-data", b.dataDir, "--map", `${SRC_ALPHA}=${alphaB}`, "--map", `${SRC_BETA}=${betaB}`, "--json"],
        { env: { HOME: b.home } }
      )
      assert.strictEqual(installed.code, 0, installed.stderr)
      const localOf = (sourceId: string): string =>
        JSON.parse(installed.stdout).sessions.find((s: { source_id: string }) => s.source_id === sourceId).local_id
      const local1 = localOf(SES1)
      const local2 = localOf(SES2)

      const listedA = yield* b.cli.sessionList({ cwd: alphaB })
      const a = listedA.find((s) => s.id === local1)
      assert.isDefined(a, JSON.stringify(listedA))
      assert.strictEqual(a.title, "Legacy alpha")
      assert.strictEqual(a.directory, alphaB)
      assert.strictEqual(a.projectId, "ad243cfc821ddf02ba8efc1e5d58a4550a9f65de")
      const listedB = yield* b.cli.sessionList({ cwd: betaB })
      const g = listedB.find((s) => s.id === local2)
      assert.isDefined(g, JSON.stringify(listedB))
      assert.strictEqual(g.title, "Legacy beta")
      assert.strictEqual(g.projectId, "global")

      const exportedB = yield* b.cli.export(local1, { cwd: alphaB })
      assert.strictEqual(exportedB.info["id"], local1)
      // the session row as the storage gave it, cost and tokens the sums over its step-finish parts
      assert.strictEqual(exportedB.info["slug"], "brave-falcon")
      assert.strictEqual(exportedB.info["version"], "1.1.4")
      assert.strictEqual(exportedB.info["cost"], 0.75)
      assert.deepStrictEqual(exportedB.info["tokens"], { input: 150, output: 30, reasoning: 2, cache: { read: 5, write: 7 } })
      assert.deepStrictEqual(exportedB.info["time"], { created: T, updated: T + 60_000 })
      assert.deepStrictEqual(exportedB.messages.map((m) => m.info["role"]), ["user", "assistant", "user", "assistant"])
      assert.deepStrictEqual(exportedB.messages.map((m) => m.parts.map((p) => p["type"])), [
        ["text", "text"],
        ["step-start", "tool", "patch", "text", "step-finish"],
        ["text"],
        ["text", "step-finish"]
      ])
      assert.strictEqual(exportedB.messages[0]!.parts[1]!["text"], p1.text)
      assert.strictEqual(exportedB.messages[1]!.info["parentID"], exportedB.messages[0]!.info["id"])
      const tool = exportedB.messages[1]!.parts[1] as { state: { input: { filePath: string } } }
      assert.strictEqual(tool.state.input.filePath, `${alphaB}/README.md`)
      assert.deepStrictEqual(exportedB.messages[1]!.parts[2]!["files"], [`${alphaB}/README.md`])
      // no source path is left, but in the text parts (the surface never rewrites text: the synthetic one keeps its path)
      const rest = { ...exportedB, messages: exportedB.messages.map((m) => ({ ...m, parts: m.parts.filter((p) => p["type"] !== "text") })) }
      assert.notInclude(JSON.stringify(rest), SRC)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})
