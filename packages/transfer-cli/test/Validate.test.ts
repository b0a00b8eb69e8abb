import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { errorLines, sessionTransfer } from "./utils/cli.js"

const fixtureHome = path.resolve(import.meta.dirname, "..", "..", "..", "fixtures", "codex", "home")
const fixtures = JSON.parse(fs.readFileSync(path.join(fixtureHome, "..", "fixtures.json"), "utf8"))
const beta = path.join(fixtureHome, fixtures.sessions.beta_cwd.rollout)

const tempFile = (name: string, text: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp-validate-"))
  fs.writeFileSync(path.join(dir, name), text)
  return path.join(dir, name)
}

describe("session-transfer validate", () => {
  it.effect("counts a real rollout's lines by type", () =>
    Effect.gen(function*() {
      const result = yield* sessionTransfer(["validate", beta, "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      const report = JSON.parse(result.stdout)
      const lines = fs.readFileSync(beta, "utf8").split("\n").filter((l) => l !== "")
      const types: Record<string, number> = {}
      for (const line of lines) {
        const json = JSON.parse(line)
        const key = typeof json.payload?.type === "string" ? `${json.type}/${json.payload.type}` : json.type
        types[key] = (types[key] ?? 0) + 1
      }
      assert.strictEqual(report.ok, true)
      assert.strictEqual(report.files[0].lines, lines.length)
      assert.deepStrictEqual(report.files[0].by_type, types)
    }))

  it.effect("exits 1 and names the line numbers of lines that are not JSON", () =>
    Effect.gen(function*() {
      const good = fs.readFileSync(beta, "utf8").split("\n")
      const file = tempFile("rollout-broken.jsonl", [good[0], "{not json", good[1], "", "also } bad"].join("\n"))
      const text = yield* sessionTransfer(["validate", file])
      assert.strictEqual(text.code, 1)
      assert.match(text.stdout, /line 2: not JSON/)
      assert.match(text.stdout, /line 5: not JSON/)
      const json = yield* sessionTransfer(["validate", file, "--json"])
      assert.strictEqual(json.code, 1)
      assert.deepStrictEqual(JSON.parse(json.stdout).files[0].invalid_lines.map((l: any) => l.line_number), [2, 5])
    }))

  it.effect("a missing file: one line on stderr, exit 1, no stack", () =>
    Effect.gen(function*() {
      const result = yield* sessionTransfer(["validate", "/nonexistent/rollout.jsonl"])
      assert.strictEqual(result.code, 1)
      assert.deepStrictEqual(errorLines(result), ["session-transfer: cannot read /nonexistent/rollout.jsonl: no such file"])
      assert.strictEqual(result.stdout, "")
    }))

  it.effect("with --json the error is one JSON line on stderr", () =>
    Effect.gen(function*() {
      const result = yield* sessionTransfer(["validate", "/nonexistent/rollout.jsonl", "--json"])
      assert.strictEqual(result.code, 1)
      const [line, ...rest] = errorLines(result)
      assert.deepStrictEqual(rest, [])
      assert.strictEqual(JSON.parse(line!).error._tag, "RolloutReadError")
    }))
})

describe("session-transfer usage", () => {
  it.effect("--help works on the root and every command, without colour in a pipe", () =>
    Effect.gen(function*() {
      for (const args of [["--help"], ["validate", "--help"]]) {
        const result = yield* sessionTransfer(args)
        assert.strictEqual(result.code, 0, args.join(" "))
        assert.include(result.stdout, "USAGE")
        assert.notInclude(result.stdout, "\u001b[")
      }
    }))

  it.effect("usage errors exit 2", () =>
    Effect.gen(function*() {
      for (const args of [["validate"], ["frobnicate"], ["validate", "--bogus", "x"]]) {
        const result = yield* sessionTransfer(args)
        assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
      }
    }))
})
