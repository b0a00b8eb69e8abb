import { assert, describe, it } from "@effect/vitest"
import { NodeContext } from "@effect/platform-node"
import { Actions, JsonSchema, RolloutReader } from "@sessionport/schema"
import { Ajv } from "ajv"
import { Chunk, Duration, Effect, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { corpusRollouts, fixtureRollouts, readWhole } from "./utils/files.js"

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")
const fixtures = JSON.parse(fs.readFileSync(path.join(repoRoot, "fixtures", "codex", "fixtures.json"), "utf8"))
const fixtureFile = (role: string) => path.join(repoRoot, "fixtures", "codex", "home", fixtures.sessions[role].rollout)
const corpusFile = (prefix: string) => corpusRollouts().find((file) => path.basename(file).startsWith(prefix))
const allFiles = [...fixtureRollouts(), ...corpusRollouts()]

const collect = <E, R>(stream: Stream.Stream<Actions.ActionV1, E, R>) =>
  stream.pipe(Stream.runCollect, Effect.map(Chunk.toArray))

const ofFile = (file: string, options: Actions.ProjectOptions = {}) =>
  collect(Actions.readFile(file, options)).pipe(Effect.provide(NodeContext.layer))

const ofLines = (lines: ReadonlyArray<unknown>, options: Actions.ProjectOptions = {}) =>
  collect(
    Actions.fromLines(
      RolloutReader.decodeText(
        Stream.make(lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n")
      ),
      options
    )
  )

const jsonLines = (file: string): Array<any> =>
  readWhole(file).split("\n").flatMap((line) => {
    if (line.trim() === "") return []
    try {
      return [JSON.parse(line)]
    } catch {
      return []
    }
  })

const countBy = (actions: ReadonlyArray<Actions.ActionV1>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const a of actions) counts[a.action_type] = (counts[a.action_type] ?? 0) + 1
  return counts
}

// ---------------------------------------------------------------------------------------------
// An independent reading: plain JSON.parse of each line and simple counting rules written here,
// not the code under test. One action per call id per family (calls paired with their output by
// call id, end events and completed items by their id), one per turn marker and compaction.
// ---------------------------------------------------------------------------------------------

const SHELL_TOOLS = new Set(["shell", "container.exec", "local_shell", "shell_command", "exec_command"])

const expectedCounts = (lines: ReadonlyArray<any>): Record<string, number> => {
  const counts: Record<string, number> = {}
  const add = (type: string, n = 1) => {
    if (n > 0) counts[type] = (counts[type] ?? 0) + n
  }
  const open = new Map<string, string>()
  const ids: Record<string, Set<string>> = { command: new Set(), patch: new Set(), mcp: new Set(), web: new Set() }
  const webEndActions: Array<string> = []
  let sessions = 0
  let tools = 0
  let idlessSearches = 0
  for (const json of lines) {
    if (typeof json !== "object" || json === null) continue
    const p = json.payload
    if (json.type === "session_meta") sessions = 1
    if (json.type === "compacted") add("compaction")
    if (json.type === "response_item") {
      if (p.type === "function_call" || p.type === "custom_tool_call") {
        if (p.name === "write_stdin") continue
        const mcp = String(p.namespace ?? "").startsWith("mcp__") || String(p.name).startsWith("mcp__")
        open.set(p.call_id, p.name === "apply_patch" ? "patch" : SHELL_TOOLS.has(p.name) ? "command" : mcp ? "mcp" : "tool")
      }
      if (p.type === "tool_search_call") open.set(p.call_id, "tool")
      if (["function_call_output", "custom_tool_call_output", "tool_search_output"].includes(p.type)) {
        const family = open.get(p.call_id)
        open.delete(p.call_id)
        if (family === "tool") tools++
        else if (family !== undefined) ids[family]!.add(p.call_id)
      }
      if (p.type === "web_search_call") {
        if (typeof p.id === "string") ids.web!.add(p.id)
        else {
          const end = webEndActions.indexOf(JSON.stringify(p.action))
          if (end === -1) idlessSearches++
          else webEndActions.splice(end, 1)
        }
      }
    }
    if (json.type === "event_msg") {
      if (p.type === "task_started" || p.type === "turn_started") add("turn_started")
      if (p.type === "task_complete" || p.type === "turn_complete") add("turn_completed")
      if (p.type === "turn_aborted") add("turn_aborted")
      if (p.type === "exec_command_end") ids.command!.add(p.call_id)
      if (p.type === "patch_apply_end") ids.patch!.add(p.call_id)
      if (p.type === "mcp_tool_call_end") ids.mcp!.add(p.call_id)
      if (p.type === "web_search_end") {
        ids.web!.add(p.call_id)
        webEndActions.push(JSON.stringify(p.action))
      }
      if (p.type === "item_completed") {
        const family = ({ CommandExecution: "command", FileChange: "patch", McpToolCall: "mcp", WebSearch: "web" } as any)[p.item?.type]
        if (family !== undefined) ids[family]!.add(p.item.id)
      }
    }
  }
  add("session_started", sessions)
  add("command_execution", ids.command!.size)
  add("file_change", ids.patch!.size)
  add("mcp_tool_call", ids.mcp!.size)
  add("web_search", ids.web!.size + idlessSearches)
  add("tool_call", tools)
  return counts
}

/** The patch text of each apply_patch call, and the changes of each end event / item, by call id. */
const recordedPatches = (lines: ReadonlyArray<any>) => {
  const patches = new Map<string, Array<{ kind: string; path: string }>>()
  const changes = new Map<string, Record<string, any>>()
  for (const json of lines) {
    const p = json?.payload
    if (p?.type === "custom_tool_call" && p.name === "apply_patch") {
      patches.set(
        p.call_id,
        [...String(p.input).matchAll(/^\*\*\* (Add|Update|Delete) File: (.*)$/gm)].map((m) => ({
          kind: m[1]!.toLowerCase(),
          path: m[2]!
        }))
      )
    }
    if (p?.type === "patch_apply_end") changes.set(p.call_id, p.changes)
    if (p?.type === "item_completed" && p.item?.type === "FileChange") changes.set(p.item.id, p.item.changes)
  }
  return { patches, changes }
}

describe("Actions over real files", () => {
  it("finds real files to read", () => {
    assert.isAtLeast(fixtureRollouts().length, 5)
  })

  for (const file of allFiles) {
    it.effect(`${path.basename(file)}: counts per type match an independent reading`, () =>
      Effect.gen(function*() {
        const actions = yield* ofFile(file)
        assert.deepStrictEqual(countBy(actions), expectedCounts(jsonLines(file)))
        // seq is the order, without gaps; every action carries the session's id
        assert.deepStrictEqual(actions.map((a) => a.seq), actions.map((_, i) => i))
        const meta = jsonLines(file).find((json) => json.type === "session_meta")
        for (const a of actions) assert.strictEqual(a.session_id, meta?.payload.id ?? Actions.threadIdFromFileName(file))
        for (const a of actions) Schema.decodeUnknownSync(Actions.ActionV1)(a)
        for (const a of actions) assert.notProperty(a, "text")
      }))
  }

  it.effect("0.169 fixture: commands, exit codes, statuses, changed paths and web search as recorded", () =>
    Effect.gen(function*() {
      const file = fixtureFile("multi_turn_tools")
      const lines = jsonLines(file)
      const actions = yield* ofFile(file)
      assert.deepStrictEqual(actions.map((a) => a.action_type), [
        "session_started",
        "turn_started",
        "command_execution",
        "command_execution",
        "file_change",
        "web_search",
        "turn_completed",
        "turn_started",
        "command_execution",
        "turn_completed",
        "turn_started",
        "turn_completed"
      ])
      const items = new Map(
        lines.filter((l) => l.payload?.type === "item_completed").map((l) => [l.payload.item.id, l.payload.item])
      )
      const commands = actions.filter((a) => a.action_type === "command_execution")
      for (const a of commands) {
        const item = items.get(a.call_id)
        assert.deepStrictEqual(a.command, item.command)
        assert.strictEqual(a.exit_code, item.exit_code)
        assert.strictEqual(a.cwd, fixtures.source.alpha)
        assert.strictEqual(a.tool_name, "exec_command")
      }
      const failed = commands.find((a) => a.exit_code !== 0)!
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.exit_code, 1)
      assert.include(String(failed.command), "cat docs/missing.md")
      assert.deepStrictEqual(commands.filter((a) => a.status === "completed").map((a) => a.exit_code), [0, 0])

      const { patches } = recordedPatches(lines)
      const [change] = actions.filter((a) => a.action_type === "file_change")
      const written = patches.get(change!.call_id!)!
      assert.deepStrictEqual(written.map((p) => p.kind), ["add", "update"])
      assert.deepStrictEqual(
        change!.changed_paths.map((p): { kind: string | null; path: string } => ({ kind: p.kind, path: p.path })),
        written.map((p) => ({ kind: p.kind, path: path.posix.join(change!.cwd!, p.path) }))
      )
      assert.strictEqual(change!.status, "completed")
      assert.strictEqual(change!.exit_code, 0)

      const [search] = actions.filter((a) => a.action_type === "web_search")
      assert.strictEqual(search!.command, "codex apply_patch format")

      const turns = lines.filter((l) => l.payload?.type === "task_started").map((l) => l.payload.turn_id)
      assert.deepStrictEqual([...new Set(actions.slice(1).map((a) => a.turn_id))], turns)
    }))

  it.effect("0.125 extended history: one action per call, with exec_command_end's argv, exit code and duration", () =>
    Effect.gen(function*() {
      const file = corpusFile("codemie-code__rollout-2026-05-11T11-26-55")
      if (file === undefined) return
      const lines = jsonLines(file)
      const ends = new Map(lines.filter((l) => l.payload?.type === "exec_command_end").map((l) => [l.payload.call_id, l.payload]))
      const actions = yield* ofFile(file)
      const commands = actions.filter((a) => a.action_type === "command_execution")
      assert.strictEqual(commands.length, ends.size)
      for (const a of commands) {
        const end = ends.get(a.call_id)
        assert.deepStrictEqual(a.command, end.command)
        assert.strictEqual(a.cwd, end.cwd)
        assert.strictEqual(a.exit_code, end.exit_code)
        assert.strictEqual(a.status, end.exit_code === 0 ? "completed" : "failed")
        assert.strictEqual(a.duration_ms, Math.round(end.duration.secs * 1000 + end.duration.nanos / 1e6))
        assert.strictEqual(a.turn_id, end.turn_id)
      }
      assert.isAtLeast(commands.filter((a) => a.status === "failed").length, 3)

      const { changes, patches } = recordedPatches(lines)
      const fileChanges = actions.filter((a) => a.action_type === "file_change")
      assert.strictEqual(fileChanges.length, 3)
      for (const a of fileChanges) {
        const recorded = changes.get(a.call_id!)!
        assert.deepStrictEqual(a.changed_paths.map((p) => p.path), Object.keys(recorded))
        assert.deepStrictEqual(a.changed_paths.map((p) => p.kind), Object.values(recorded).map((c: any) => c.type))
        // the patch text names the same files, relative to the turn's folder
        assert.deepStrictEqual(
          patches.get(a.call_id!)!.map((p) => path.posix.join(a.cwd!, p.path)),
          a.changed_paths.map((p) => p.path)
        )
        assert.strictEqual(a.exit_code, 0)
      }
    }))

  it.effect("0.77 shell calls: argv and exit codes from the JSON output", () =>
    Effect.gen(function*() {
      const file = corpusFile("codemie-code__rollout-2026-01-02")
      if (file === undefined) return
      const lines = jsonLines(file)
      const calls = lines.filter((l) => l.payload?.type === "function_call").map((l) => l.payload)
      const outputs = new Map(
        lines.filter((l) => l.payload?.type === "function_call_output").map((l) => [l.payload.call_id, JSON.parse(l.payload.output)])
      )
      const commands = (yield* ofFile(file)).filter((a) => a.action_type === "command_execution")
      assert.deepStrictEqual(commands.map((a) => a.command), calls.map((c) => JSON.parse(c.arguments).command))
      assert.deepStrictEqual(commands.map((a) => a.exit_code), calls.map((c) => outputs.get(c.call_id).metadata.exit_code))
      assert.deepStrictEqual(commands.map((a) => a.tool_name), calls.map(() => "shell"))
      for (const a of commands) assert.strictEqual(a.status, a.exit_code === 0 ? "completed" : "failed")
    }))
})

describe("Actions JSON Schema", () => {
  const docs = path.join(repoRoot, "docs", "json-schema", "actions-v1.schema.json")

  it("docs/json-schema/actions-v1.schema.json is what ActionV1 generates (run `pnpm docs:json-schema`)", () => {
    const committed = JSON.parse(fs.readFileSync(docs, "utf8"))
    assert.deepStrictEqual(committed, JSON.parse(JSON.stringify(JsonSchema.documents()["actions-v1.schema.json"])))
  })

  it("describes every field", () => {
    const document = JSON.parse(fs.readFileSync(docs, "utf8"))
    for (const def of ["ActionV1", "ChangedPath"]) {
      for (const [name, field] of Object.entries<any>(document.$defs[def].properties)) {
        assert.isString(field.description, `${def}.${name}`)
      }
    }
  })

  it.effect("accepts every action of every real file, with and without text", () =>
    Effect.gen(function*() {
      const validate = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(docs, "utf8")))
      let n = 0
      for (const file of allFiles) {
        for (const includeText of [false, true]) {
          for (const action of yield* ofFile(file, { includeText })) {
            assert.isTrue(validate(action), `${path.basename(file)} ${JSON.stringify(validate.errors)}`)
            n++
          }
        }
      }
      // the fixtures alone hold 29 actions (58 with and without text); with the corpus, far more
      assert.isAbove(n, corpusRollouts().length === 0 ? 50 : 100)
      assert.isFalse(validate({ ...(yield* ofFile(fixtureFile("beta_cwd")))[0], extra: 1 }))
    }))
})

// ---------------------------------------------------------------------------------------------
// Cases no real file shows, written as Codex writes them.
// ---------------------------------------------------------------------------------------------

const T = "2026-05-11T08:00:00.000Z"
const meta = (extra: Record<string, unknown> = {}) => ({
  timestamp: T,
  type: "session_meta",
  payload: { id: "019e0000-0000-7000-8000-000000000001", timestamp: T, cwd: "/w", originator: "codex_cli_rs", cli_version: "0.125.0", ...extra }
})
const item = (payload: Record<string, unknown>) => ({ timestamp: T, type: "response_item", payload })
const event = (payload: Record<string, unknown>) => ({ timestamp: T, type: "event_msg", payload })
const call = (name: string, callId: string, args: unknown, extra: Record<string, unknown> = {}) =>
  item({ type: "function_call", name, arguments: JSON.stringify(args), call_id: callId, ...extra })
const output = (callId: string, out: string) => item({ type: "function_call_output", call_id: callId, output: out })
const unified = (code: number | null, session?: number) =>
  `Chunk ID: 1\nWall time: 1.5000 seconds\n${
    code === null ? `Process running with session ID ${session}` : `Process exited with code ${code}`
  }\nOriginal token count: 1\nOutput:\nProcess exited with code 99\n`

describe("Actions of every era", () => {
  it.effect("pre-envelope 2025 files: header, shell argv with JSON output, local_shell_call, apply_patch through the shell", () =>
    Effect.gen(function*() {
      const patch = "*** Begin Patch\n*** Update File: a.txt\n*** Move to: b.txt\n@@\n-x\n+y\n*** Delete File: c.txt\n*** End Patch\n"
      const actions = yield* ofLines([
        { id: "5f0d0000-0000-4000-8000-000000000001", timestamp: "2025-07-01T10:00:00.000Z", instructions: null },
        { record_type: "state" },
        { type: "function_call", name: "shell", arguments: JSON.stringify({ command: ["bash", "-lc", "false"], workdir: "/repo" }), call_id: "c1" },
        { type: "function_call_output", call_id: "c1", output: JSON.stringify({ output: "", metadata: { exit_code: 1, duration_seconds: 0.25 } }) },
        { type: "local_shell_call", call_id: "c2", status: "completed", action: { type: "exec", command: ["ls"], working_directory: "/repo/sub" } },
        { type: "function_call_output", call_id: "c2", output: JSON.stringify({ output: "a\n", metadata: { exit_code: 0, duration_seconds: 0.1 } }) },
        { type: "function_call", name: "shell", arguments: JSON.stringify({ command: ["apply_patch", patch] }), call_id: "c3" },
        { type: "function_call_output", call_id: "c3", output: JSON.stringify({ output: "Success. Updated the following files:\nM b.txt\nD c.txt\n", metadata: { exit_code: 0, duration_seconds: 0 } }) }
      ])
      assert.deepStrictEqual(actions.map((a) => [a.action_type, a.status, a.exit_code, a.timestamp]), [
        ["session_started", "completed", null, "2025-07-01T10:00:00.000Z"],
        ["command_execution", "failed", 1, null],
        ["command_execution", "completed", 0, null],
        ["file_change", "completed", 0, null]
      ])
      assert.strictEqual(actions[0]!.session_id, "5f0d0000-0000-4000-8000-000000000001")
      assert.deepStrictEqual(actions[1]!.command, ["bash", "-lc", "false"])
      assert.strictEqual(actions[1]!.cwd, "/repo")
      assert.strictEqual(actions[1]!.duration_ms, 250)
      assert.deepStrictEqual([actions[2]!.tool_name, actions[2]!.cwd], ["local_shell", "/repo/sub"])
      assert.deepStrictEqual(actions[3]!.changed_paths, [
        { path: "a.txt", kind: "move", move_path: "b.txt" },
        { path: "c.txt", kind: "delete", move_path: null }
      ])
    }))

  it.effect("unified exec: a command still running after its call ends at write_stdin, then joins its exec_command_end", () =>
    Effect.gen(function*() {
      const actions = yield* ofLines([
        meta(),
        event({ type: "task_started", turn_id: "t1" }),
        { timestamp: T, type: "turn_context", payload: { turn_id: "t1", cwd: "/w/turn", approval_policy: "never", sandbox_policy: { type: "read-only" }, model: "m", summary: "auto" } },
        call("exec_command", "long", { cmd: "sleep 5; exit 3" }),
        output("long", unified(null, 42)),
        call("exec_command", "quick", { cmd: "true", workdir: "/w/q" }),
        output("quick", unified(0)),
        call("write_stdin", "poll", { session_id: 42, chars: "" }),
        output("poll", unified(3)),
        event({ type: "exec_command_end", call_id: "long", turn_id: "t1", command: ["/bin/zsh", "-lc", "sleep 5; exit 3"], cwd: "/w/turn", exit_code: 3, duration: { secs: 5, nanos: 500_000_000 }, status: "failed", aggregated_output: "" }),
        call("shell_command", "sc", { command: "echo hi" }),
        output("sc", "Exit code: 0\nWall time: 0.2 seconds\nOutput:\nhi\n"),
        call("exec_command", "orphan", { cmd: "never answered" }),
        call("exec_command", "bg", { cmd: "server" }),
        output("bg", unified(null, 7)),
        event({ type: "task_complete", turn_id: "t1", last_agent_message: "done", duration_ms: 9000 })
      ])
      assert.deepStrictEqual(actions.map((a) => [a.action_type, a.call_id, a.status, a.exit_code]), [
        ["session_started", null, "completed", null],
        ["turn_started", null, "completed", null],
        ["command_execution", "quick", "completed", 0],
        ["command_execution", "long", "failed", 3],
        ["command_execution", "sc", "completed", 0],
        ["turn_completed", null, "completed", null],
        // still running when the session ended: its call was answered, its result never came
        ["command_execution", "bg", "unknown", null]
      ])
      const long = actions[3]!
      assert.deepStrictEqual(long.command, ["/bin/zsh", "-lc", "sleep 5; exit 3"])
      assert.deepStrictEqual([long.duration_ms, long.tool_name, long.turn_id, long.cwd], [5500, "exec_command", "t1", "/w/turn"])
      assert.deepStrictEqual([actions[2]!.command, actions[2]!.cwd, actions[2]!.duration_ms], ["true", "/w/q", 1500])
      assert.deepStrictEqual([actions[4]!.command, actions[4]!.duration_ms, actions[4]!.tool_name], ["echo hi", 200, "shell_command"])
      assert.strictEqual(actions[5]!.duration_ms, 9000)
    }))

  it.effect("patch_apply_end (old externally tagged changes), MCP calls, web searches, aborted and failed turns, compaction", () =>
    Effect.gen(function*() {
      const search = { type: "search", query: "effect streams" }
      const actions = yield* ofLines([
        meta(),
        event({ type: "patch_apply_end", call_id: "p1", stdout: "", stderr: "boom", success: false, changes: { "/w/x.ts": { update: { unified_diff: "", move_path: "/w/y.ts" } }, "/w/z.ts": { add: { content: "" } } } }),
        item({ type: "function_call", name: "query", namespace: "mcp__db__", arguments: "{}", call_id: "m1" }),
        output("m1", "Wall time: 0.5 seconds\nOutput:\n[]"),
        event({ type: "mcp_tool_call_end", call_id: "m1", invocation: { server: "db", tool: "query", arguments: {} }, duration: { secs: 0, nanos: 400_000_000 }, result: { Ok: { content: [], isError: true } } }),
        event({ type: "mcp_tool_call_end", call_id: "m2", invocation: { server: "db", tool: "drop" }, duration: { secs: 1, nanos: 0 }, result: { Err: "refused" } }),
        event({ type: "web_search_end", call_id: "ws_1", query: "effect streams", action: search }),
        item({ type: "web_search_call", status: "completed", action: search }),
        item({ type: "web_search_call", status: "completed", action: { type: "open_page", url: "https://effect.website" } }),
        event({ type: "turn_aborted", turn_id: "t2", reason: "interrupted", duration_ms: 12 }),
        { timestamp: T, type: "compacted", payload: { message: "" } },
        event({ type: "context_compacted" }),
        event({ type: "task_complete", turn_id: "t3", last_agent_message: null, error: { message: "quota" } }),
        "{not json"
      ])
      assert.deepStrictEqual(actions.map((a) => [a.action_type, a.tool_name, a.status]), [
        ["session_started", null, "completed"],
        ["file_change", "apply_patch", "failed"],
        ["mcp_tool_call", "mcp__db__query", "failed"],
        ["mcp_tool_call", "mcp__db__drop", "failed"],
        ["web_search", "web_search", "completed"],
        ["web_search", "web_search", "completed"],
        ["turn_aborted", null, "failed"],
        ["compaction", null, "completed"],
        ["turn_completed", null, "failed"]
      ])
      assert.deepStrictEqual(actions[1]!.changed_paths, [
        { path: "/w/x.ts", kind: "move", move_path: "/w/y.ts" },
        { path: "/w/z.ts", kind: "add", move_path: null }
      ])
      assert.deepStrictEqual([actions[2]!.call_id, actions[2]!.duration_ms], ["m1", 400])
      assert.deepStrictEqual([actions[4]!.call_id, actions[4]!.command], ["ws_1", "effect streams"])
      assert.deepStrictEqual([actions[5]!.call_id, actions[5]!.command], [null, "https://effect.website"])
      assert.deepStrictEqual([actions[6]!.turn_id, actions[6]!.duration_ms], ["t2", 12])
    }))

  it.effect("paginated threads: a long command's item joins what write_stdin ended, whichever came first", () =>
    Effect.gen(function*() {
      const commandItem = (id: string) =>
        event({
          type: "item_completed",
          thread_id: "x",
          turn_id: "t1",
          item: { type: "CommandExecution", id, command: ["/bin/bash", "-lc", `run ${id}`], cwd: "file:///w/a%20b", status: "completed", exit_code: 0, duration: { secs: 2, nanos: 0 } }
        })
      const actions = yield* ofLines([
        meta({ history_mode: "paginated" }),
        event({ type: "task_started", turn_id: "t1" }),
        call("exec_command", "x1", { cmd: "run x1" }),
        output("x1", unified(null, 1)),
        call("write_stdin", "w1", { session_id: 1, chars: "" }),
        output("w1", unified(0)),
        commandItem("x1"),
        call("exec_command", "x2", { cmd: "run x2" }),
        output("x2", unified(null, 2)),
        commandItem("x2"),
        call("write_stdin", "w2", { session_id: 2, chars: "" }),
        output("w2", unified(0)),
        event({ type: "task_complete", turn_id: "t1" })
      ])
      const commands = actions.filter((a) => a.action_type === "command_execution")
      assert.deepStrictEqual(commands.map((a) => [a.call_id, a.command, a.cwd, a.duration_ms, a.tool_name]), [
        ["x1", ["/bin/bash", "-lc", "run x1"], "/w/a b", 2000, "exec_command"],
        ["x2", ["/bin/bash", "-lc", "run x2"], "/w/a b", 2000, "exec_command"]
      ])
    }))

  it.effect("declined commands and patches are recorded as such", () =>
    Effect.gen(function*() {
      const actions = yield* ofLines([
        meta(),
        event({ type: "exec_command_end", call_id: "e1", command: ["rm", "-rf", "/"], cwd: "/w", exit_code: -1, duration: { secs: 0, nanos: 0 }, status: "declined" }),
        event({ type: "patch_apply_end", call_id: "p1", success: false, status: "declined", changes: {} })
      ])
      assert.deepStrictEqual(actions.slice(1).map((a) => a.status), ["declined", "declined"])
    }))
})

describe("Actions --include-text", () => {
  const lines = [
    meta(),
    event({ type: "task_started", turn_id: "t1" }),
    event({ type: "user_message", message: "# AGENTS.md instructions for /w\n\nbe nice", images: [] }),
    event({ type: "user_message", message: "fix the build", images: [] }),
    item({ type: "reasoning", summary: [{ type: "summary_text", text: "thinking" }] }),
    event({ type: "task_complete", turn_id: "t1", last_agent_message: "fixed" }),
    event({ type: "task_started", turn_id: "t2" }),
    event({ type: "user_message", message: "thanks", images: [] }),
    event({ type: "task_complete", turn_id: "t2", last_agent_message: null })
  ]

  it.effect("adds the first prompt to session_started and the last agent message to turn_completed", () =>
    Effect.gen(function*() {
      const actions = yield* ofLines(lines, { includeText: true })
      assert.deepStrictEqual(actions.map((a) => [a.action_type, a.text]), [
        ["session_started", "fix the build"],
        ["turn_started", undefined],
        ["turn_completed", "fixed"],
        ["turn_started", undefined],
        ["turn_completed", null]
      ])
      for (const a of actions.filter((a) => a.action_type === "turn_started")) assert.notProperty(a, "text")
    }))

  it.effect("without it no action has a text field", () =>
    Effect.gen(function*() {
      const actions = yield* ofLines(lines)
      assert.strictEqual(actions.length, 5)
      for (const a of actions) assert.notProperty(a, "text")
      assert.notInclude(JSON.stringify(actions), "fix the build")
    }))

  it.effect("the 0.169 fixture's first prompt comes from its UserMessage item", () =>
    Effect.gen(function*() {
      const actions = yield* ofFile(fixtureFile("multi_turn_tools"), { includeText: true })
      assert.strictEqual(actions[0]!.text, fixtures.sessions.multi_turn_tools.prompts[0])
      const completions = jsonLines(fixtureFile("multi_turn_tools")).filter((l) => l.payload?.type === "task_complete")
      assert.deepStrictEqual(
        actions.filter((a) => a.action_type === "turn_completed").map((a) => a.text),
        completions.map((l) => l.payload.last_agent_message)
      )
    }))
})

describe("Actions in bounded memory", () => {
  it.effect("streams: the first action comes before the input ends", () =>
    Effect.gen(function*() {
      const first = yield* Actions.fromLines(
        RolloutReader.decodeText(Stream.concat(Stream.make(JSON.stringify(meta()) + "\n"), Stream.never))
      ).pipe(Stream.take(1), Stream.runCollect, Effect.timeout(Duration.seconds(5)))
      assert.strictEqual(Chunk.unsafeHead(first).action_type, "session_started")
    }))

  it.effect("a full hold lets the oldest action go with what is known; order is kept", () =>
    Effect.gen(function*() {
      const lines: Array<unknown> = [meta()]
      for (let i = 0; i < 10; i++) lines.push(call("exec_command", `c${i}`, { cmd: `echo ${i}` }), output(`c${i}`, unified(0)))
      // the end event of c0 comes after c0 left the hold: it is dropped, not a second action
      lines.push(event({ type: "exec_command_end", call_id: "c0", command: ["sh", "-c", "echo 0"], exit_code: 0 }))
      const actions = yield* ofLines(lines, { maxHeld: 2 })
      assert.deepStrictEqual(actions.map((a) => a.call_id), [null, ...Array.from({ length: 10 }, (_, i) => `c${i}`)])
      assert.strictEqual(actions[1]!.command, "echo 0")
    }))

  it.effect("calls past the pending bound are forgotten; running commands past theirs are emitted as unknown", () =>
    Effect.gen(function*() {
      const actions = yield* ofLines([
        meta(),
        call("exec_command", "a", { cmd: "a" }),
        call("exec_command", "b", { cmd: "b" }),
        output("a", unified(0)),
        output("b", unified(0)),
        call("exec_command", "r1", { cmd: "r1" }),
        output("r1", unified(null, 1)),
        call("exec_command", "r2", { cmd: "r2" }),
        output("r2", unified(null, 2))
      ], { maxPending: 1, maxRunning: 1 })
      assert.deepStrictEqual(actions.map((a) => [a.call_id, a.status]), [[null, "completed"], ["b", "completed"], ["r1", "unknown"], ["r2", "unknown"]])
    }))

  it.effect("the 0.125 session through a hold of one action gives the same actions", () =>
    Effect.gen(function*() {
      const file = corpusFile("codemie-code__rollout-2026-05-11T11-26-55")
      if (file === undefined) return
      const wide = yield* ofFile(file)
      const narrow = yield* ofFile(file, { maxHeld: 1 })
      assert.deepStrictEqual(countBy(narrow), countBy(wide))
    }))
})
