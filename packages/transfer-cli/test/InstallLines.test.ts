// Lines install takes as they are, and the one it cannot: a line Codex would skip (not JSON, a NUL
// byte) is installed byte for byte with a warning naming it; a line over the 12 MiB decode limit
// is copied as it comes when it holds nothing to localize, and refused when it does. No option or
// environment variable lowers the limit (none exists for any limit), so the long lines here are
// real: just over 12 MiB, written in pieces (some 13 MB in this process, about a second).
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { assistant, rolloutPath, sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const START = new Date(Date.UTC(2026, 0, 1))
const SOURCE_CWD = "/src/proj"

/** A source home holding one session of `lines`, exported to a folder package. */
const packageOf = (id: string, lines: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const source = tempDir("lines-src")
    writeRollout(source, id, START, lines)
    const pkg = path.join(tempDir("lines-pkg"), "pkg")
    const exported = yield* sessionTransfer(["export", "--all", "--codex-home", source, "--out", pkg])
    assert.strictEqual(exported.code, 0, exported.stderr)
    return { pkg, rollout: rolloutPath(source, id, START) }
  })

/** A home to install into, and a folder for the session's working directory. */
const target = () => {
  const home = tempDir("lines-home")
  const cwd = tempDir("lines-cwd")
  return { home, cwd, map: ["--map", `${SOURCE_CWD}=${cwd}`] }
}

const linesOf = (file: string): Array<Buffer> => {
  const bytes = fs.readFileSync(file)
  const out: Array<Buffer> = []
  for (let start = 0, nl = bytes.indexOf(10); nl !== -1; start = nl + 1, nl = bytes.indexOf(10, start)) {
    out.push(bytes.subarray(start, nl))
  }
  return out
}

describe("install: lines Codex would skip", () => {
  it.effect("a line that is not JSON (5) and one with a NUL (7): a warning names them, human and --json; they are installed as they are", () =>
    Effect.gen(function*() {
      const id = uuid(0x51)
      const nul = `{"timestamp":"2026-01-01T00:00:00.000Z","type":"event_msg","payload":{"type":"agent_message","message":"a\u0000b"}}`
      const { pkg, rollout } = yield* packageOf(id, [
        sessionMeta({ id, cwd: SOURCE_CWD }),
        userMessage("hello"),
        assistant("one"),
        assistant("two"),
        "this line is not JSON",
        assistant("three"),
        nul,
        assistant("four")
      ])
      const source = linesOf(rollout)
      assert.isTrue(source[6]!.includes(0), "line 7 holds a NUL byte")
      const warning = `session ${id}: 2 lines are not JSON: 5, 7 (line 7 holds NUL bytes); Codex skips such lines; installed as they are`

      const human = target()
      const installed = yield* sessionTransfer(["install", pkg, "--codex-home", human.home, ...human.map])
      assert.strictEqual(installed.code, 0, installed.stderr)
      assert.include(installed.stderr, warning)

      const json = target()
      const run = yield* sessionTransfer(["install", pkg, "--codex-home", json.home, ...json.map, "--json"])
      assert.strictEqual(run.code, 0, run.stderr)
      const result = JSON.parse(run.stdout)
      assert.include(result.warnings, warning)
      const written = linesOf(result.sessions[0].rollout)
      assert.strictEqual(written.length, source.length)
      for (const n of [5, 7]) assert.isTrue(written[n - 1]!.equals(source[n - 1]!), `line ${n} byte for byte`)
    }), 60_000)
})

describe("install: lines over the 12 MiB decode limit", () => {
  const MiB = 1024 * 1024
  /** a function call of `bytes` of command and a working directory (a path to localize) */
  const longCall = (bytes: number, workdir: boolean) =>
    JSON.stringify({
      timestamp: "2026-01-01T00:00:01.000Z",
      type: "response_item",
      payload: {
        type: workdir ? "function_call" : "function_call_output",
        call_id: "c1",
        ...(workdir
          ? { name: "exec_command", arguments: JSON.stringify({ cmd: "x".repeat(bytes), workdir: SOURCE_CWD }) }
          : { output: "x".repeat(bytes) })
      }
    })

  it.effect("one that holds a path to localize: refused with one line naming the session, line, size and limit; the home untouched", () =>
    Effect.gen(function*() {
      const id = uuid(0x52)
      const line = longCall(12 * MiB, true)
      const { pkg } = yield* packageOf(id, [sessionMeta({ id, cwd: SOURCE_CWD }), userMessage("hello"), line])
      const { map } = target()
      const home = copyFixtureHome()
      const before = homeState(home)
      const run = yield* sessionTransfer(["install", pkg, "--codex-home", home, ...map])
      assert.strictEqual(run.code, 1, run.stderr)
      assert.strictEqual(errorLines(run).length, 1, run.stderr)
      assert.match(
        errorLines(run)[0]!,
        new RegExp(
          `^session-transfer: session ${id}: line 3 is ${Buffer.byteLength(line)} bytes, over the 12 MiB limit on a line sessionport decodes; nothing was changed`
        )
      )
      assert.notInclude(run.stderr, "    at ")
      assert.deepStrictEqual(homeState(home), before)
    }), 60_000)

  it.effect("one with nothing to localize: installed byte for byte", () =>
    Effect.gen(function*() {
      const id = uuid(0x53)
      const line = longCall(12 * MiB + 1000, false)
      const { pkg, rollout } = yield* packageOf(id, [sessionMeta({ id, cwd: SOURCE_CWD }), userMessage("hello"), line])
      const { home, map } = target()
      const run = yield* sessionTransfer(["install", pkg, "--codex-home", home, ...map, "--json"])
      assert.strictEqual(run.code, 0, run.stderr)
      const written = linesOf(JSON.parse(run.stdout).sessions[0].rollout)
      assert.isTrue(written[2]!.equals(linesOf(rollout)[2]!), "the long line byte for byte")
    }), 60_000)
})
