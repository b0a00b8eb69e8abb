import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { generateRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const threadIds = [...new Set(Object.values(fixtures.sessions).map((s) => s.threadId))].sort()
const multi = fixtureByRole("multi_turn_tools")

// fzstd is the schema package's dependency; borrowed to read .zst fixtures independently
const requireHere = createRequire(import.meta.url)
const { decompress } = createRequire(requireHere.resolve("@sessionport/schema/package.json"))("fzstd") as {
  decompress: (bytes: Uint8Array) => Uint8Array
}

const jsonl = (stdout: string): Array<any> => stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))

/** Lines of a fixture rollout by plain JSON.parse (zstd decompressed here, not by the code under test). */
const recorded = (home: string, rollout: string): Array<any> => {
  const bytes = fs.readFileSync(path.join(home, rollout))
  return new TextDecoder().decode(rollout.endsWith(".zst") ? decompress(bytes) : bytes)
    .split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
}

/** Per thread: the turn markers, and the ids of the command / patch / search items it completed. */
const expectedTypes = (lines: ReadonlyArray<any>): Record<string, number> => {
  const counts: Record<string, number> = { session_started: 1 }
  const add = (type: string) => (counts[type] = (counts[type] ?? 0) + 1)
  const types: Record<string, string> = {
    task_started: "turn_started",
    task_complete: "turn_completed",
    CommandExecution: "command_execution",
    FileChange: "file_change",
    WebSearch: "web_search",
    McpToolCall: "mcp_tool_call"
  }
  for (const { payload: p } of lines) {
    const type = p?.type === "item_completed" ? types[p.item.type] : types[p?.type]
    if (type !== undefined) add(type)
  }
  return counts
}

const countTypes = (actions: ReadonlyArray<any>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const a of actions) counts[a.action_type] = (counts[a.action_type] ?? 0) + 1
  return counts
}

describe("session-transfer actions", () => {
  it.effect("a thread id of the Codex home: one actions.v1 JSON line per action, in order", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const result = yield* sessionTransfer(["actions", multi.threadId, "--codex-home", home])
      assert.strictEqual(result.code, 0, result.stderr)
      assert.strictEqual(result.stderr, "")
      const actions = jsonl(result.stdout)
      assert.deepStrictEqual(countTypes(actions), expectedTypes(recorded(home, multi.rollout)))
      assert.deepStrictEqual(actions.map((a) => a.seq), actions.map((_, i) => i))
      for (const a of actions) {
        assert.strictEqual(a.schema_version, "actions.v1")
        assert.strictEqual(a.session_id, multi.threadId)
        assert.notProperty(a, "text")
      }
      const commands = actions.filter((a) => a.action_type === "command_execution")
      assert.deepStrictEqual(commands.map((a) => [a.command[2], a.status, a.exit_code]), [
        ["cat README.md", "completed", 0],
        ["cat docs/missing.md", "failed", 1],
        ["git status --short", "completed", 0]
      ])
      const [change] = actions.filter((a) => a.action_type === "file_change")
      assert.deepStrictEqual(change.changed_paths.map((p: any) => [p.kind, path.relative(multi.cwd, p.path)]), [
        ["add", "docs/notes.md"],
        ["update", "README.md"]
      ])
    }))

  it.effect("every fixture thread, archived and compressed ones too, by id", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      for (const threadId of threadIds) {
        const session = Object.values(fixtures.sessions).find((s) => s.threadId === threadId)!
        const result = yield* sessionTransfer(["actions", threadId, "--codex-home", home])
        assert.strictEqual(result.code, 0, `${threadId}: ${result.stderr}`)
        assert.deepStrictEqual(countTypes(jsonl(result.stdout)), expectedTypes(recorded(home, session.rollout)), threadId)
      }
    }))

  it.effect("a rollout file gives what its thread id gives", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const byId = yield* sessionTransfer(["actions", multi.threadId, "--codex-home", home])
      const byFile = yield* sessionTransfer(["actions", path.join(home, multi.rollout)])
      assert.strictEqual(byFile.code, 0, byFile.stderr)
      assert.strictEqual(byFile.stdout, byId.stdout)
    }))

  it.effect("a package made by export: the actions of every session, each with its session id", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const out = path.join(tempDir("out"), "pkg.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", home, "--out", out])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const result = yield* sessionTransfer(["actions", out])
      assert.strictEqual(result.code, 0, result.stderr)
      const actions = jsonl(result.stdout)
      assert.deepStrictEqual([...new Set(actions.map((a) => a.session_id))].sort(), threadIds)
      for (const threadId of threadIds) {
        const session = Object.values(fixtures.sessions).find((s) => s.threadId === threadId)!
        const own = actions.filter((a) => a.session_id === threadId)
        assert.deepStrictEqual(countTypes(own), expectedTypes(recorded(home, session.rollout)), threadId)
        assert.deepStrictEqual(own.map((a) => a.seq), own.map((_, i) => i))
        const alone = yield* sessionTransfer(["actions", threadId, "--codex-home", home])
        assert.deepStrictEqual(own, jsonl(alone.stdout))
      }
    }))

  it.effect("--format json is one array of the same actions; --format table is readable", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const base = ["actions", multi.threadId, "--codex-home", home]
      const lines = jsonl((yield* sessionTransfer(base)).stdout)
      const json = yield* sessionTransfer([...base, "--format", "json"])
      assert.strictEqual(json.code, 0, json.stderr)
      assert.deepStrictEqual(JSON.parse(json.stdout), lines)

      const table = yield* sessionTransfer([...base, "--format", "table"])
      assert.strictEqual(table.code, 0, table.stderr)
      const rows = table.stdout.split("\n").filter((l) => l !== "")
      assert.strictEqual(rows[0], `session ${multi.threadId}`)
      assert.match(rows[1]!, /SEQ\s+TIME\s+TYPE\s+STATUS\s+EXIT\s+COMMAND \/ PATHS/)
      assert.strictEqual(rows.length, lines.length + 2)
      assert.match(table.stdout, /command_execution\s+failed\s+1\s+cat docs\/missing\.md/)
      assert.match(table.stdout, /file_change\s+completed\s+0\s+A docs\/notes\.md, M README\.md/)
      assert.notInclude(table.stdout, "\u001b[")

      const empty = path.join(tempDir("empty"), "rollout-empty.jsonl")
      fs.writeFileSync(empty, "")
      assert.strictEqual((yield* sessionTransfer(["actions", empty, "--format", "json"])).stdout, "[]\n")
    }))

  it.effect("--include-text adds the first prompt and each turn's last agent message, and nothing else", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const plain = yield* sessionTransfer(["actions", multi.threadId, "--codex-home", home])
      assert.notInclude(plain.stdout, multi.prompts[0]!)
      const result = yield* sessionTransfer(["actions", multi.threadId, "--codex-home", home, "--include-text"])
      assert.strictEqual(result.code, 0, result.stderr)
      const actions = jsonl(result.stdout)
      assert.strictEqual(actions[0].text, multi.prompts[0])
      const lastMessages = recorded(home, multi.rollout)
        .filter((l) => l.payload?.type === "task_complete")
        .map((l) => l.payload.last_agent_message)
      assert.deepStrictEqual(actions.filter((a) => a.action_type === "turn_completed").map((a) => a.text), lastMessages)
      for (const a of actions) {
        if (a.action_type !== "session_started" && a.action_type !== "turn_completed") assert.notProperty(a, "text")
      }
      // prompts of later turns stay out
      assert.notInclude(result.stdout, multi.prompts[1]!)
    }))

  it.effect("an unknown thread id: one line on stderr, exit 1", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const missing = "01a1fd65-0000-7000-8000-000000000000"
      const result = yield* sessionTransfer(["actions", missing, "--codex-home", home])
      assert.strictEqual(result.code, 1)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(errorLines(result), [
        `session-transfer: no session ${missing} in the Codex home ${home} (set --codex-home or CODEX_HOME)`
      ])
      const neither = yield* sessionTransfer(["actions", path.join(home, "no-such-file.jsonl")])
      assert.strictEqual(neither.code, 1)
      assert.strictEqual(errorLines(neither).length, 1)
    }))

  it.effect("a bad --format, or no target, is a usage error: exit 2", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      for (const args of [["actions", multi.threadId, "--codex-home", home, "--format", "xml"], ["actions"]]) {
        const result = yield* sessionTransfer(args)
        assert.strictEqual(result.code, 2, args.join(" "))
        assert.strictEqual(result.stdout, "")
      }
      const help = yield* sessionTransfer(["actions", "--help"])
      assert.strictEqual(help.code, 0)
      assert.include(help.stdout, "--include-text")
    }))

  it.effect("streams: the first action comes at once, and a reader that goes away (| head -1) ends the run quietly", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir("big"), "rollout-2026-05-11T08-00-00-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl")
      yield* Effect.promise(() => generateRollout(file, 40 * 2 ** 20))
      const bin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))
      // like `session-transfer actions FILE | head -1`
      const run = yield* Effect.async<{ code: number | null; first: string; stderr: string }>((resume) => {
        const child = spawn(process.execPath, [bin, "actions", file], { stdio: ["ignore", "pipe", "pipe"] })
        let first = ""
        let stderr = ""
        child.stderr.on("data", (d) => (stderr += d))
        child.stdout.once("data", (d) => {
          first = String(d).split("\n")[0]!
          child.stdout.destroy()
        })
        child.on("close", (code) => resume(Effect.succeed({ code, first, stderr })))
      })
      assert.strictEqual(run.stderr, "")
      assert.strictEqual(run.code, 0)
      assert.strictEqual(JSON.parse(run.first).action_type, "session_started")
    }))
})
