/**
 * `session-transfer scan`: this machine's sessions (as export would read them), a package, one
 * file; the report names kind, count and record, never the secret; `--fail-on-secrets` exits 1
 * after the report. Secrets are planted into copies of the fixture homes (`utils/secrets.ts`).
 */
import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type AgentHomes, copyAgentHomes } from "./utils/agentHomes.js"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import { plantClaude, plantCodex, plantOpencode } from "./utils/secrets.js"

afterAll(removeTemps)

const run = (homes: AgentHomes, args: ReadonlyArray<string>) => sessionTransfer([...args, ...homes.options], { env: homes.env })

describe("session-transfer scan", () => {
  it.effect("this machine's sessions, every agent: one line per file with findings, never a secret; --fail-on-secrets exits 1 after the report", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const codex = plantCodex(homes)
      const { prompt, thinking } = plantClaude(homes)
      const opencode = plantOpencode(homes)
      const planted = [codex, prompt, thinking, opencode]

      const scanned = yield* run(homes, ["scan"])
      assert.strictEqual(scanned.code, 0, scanned.stderr)
      for (const p of planted) assert.notInclude(scanned.stdout + scanned.stderr, p.secret)
      assert.match(scanned.stdout, /^scanned \d+ session\(s\): \d+ file\(s\), /)
      assert.include(scanned.stdout, `  ! codex ${codex.session}  rollout: github ×1 (record ${codex.record})`)
      assert.include(scanned.stdout, `  ! claude ${prompt.session}  transcript.jsonl: `)
      assert.include(scanned.stdout, `openai ×1 (record ${prompt.record})`)
      assert.include(scanned.stdout, `anthropic ×1 (record ${thinking.record})`)
      assert.include(scanned.stdout, `  ! opencode ${opencode.session}  transcript.jsonl: aws ×1 (record `)
      assert.match(scanned.stdout, /\nsecrets: \d+ found in 3 of \d+ session\(s\)/)

      const json = yield* run(homes, ["scan", "--agent", "codex", "--json"])
      assert.strictEqual(json.code, 0, json.stderr)
      const result = JSON.parse(json.stdout)
      assert.isUndefined(result.path)
      assert.isAbove(result.sessions, 0)
      assert.isAbove(result.files, 0)
      assert.isAbove(result.bytes, 0)
      assert.isFalse(result.secrets.redacted)
      assert.deepStrictEqual(result.secrets.findings, [
        { agent: "codex", session: codex.session, file: codex.entry, kind: "github", count: 1, records: [codex.record], redacted: 0, kept: 0 }
      ])

      // --thread: that session only
      const one = yield* run(homes, ["scan", "--thread", prompt.session, "--json"])
      assert.strictEqual(one.code, 0, one.stderr)
      const sessions = new Set(JSON.parse(one.stdout).secrets.findings.map((f: { session?: string }) => f.session).filter((s: unknown) => s !== undefined))
      assert.deepStrictEqual([...sessions], [prompt.session])

      const refused = yield* run(homes, ["scan", "--agent", "opencode", "--fail-on-secrets"])
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.include(refused.stdout, `  ! opencode ${opencode.session}`)
      assert.lengthOf(errorLines(refused), 1)
      assert.include(refused.stderr, "found 1 secret(s) (aws ×1)")
      assert.notInclude(refused.stdout + refused.stderr, opencode.secret)
    }), 120_000)

  it.effect("PATH: a package (what it carries; redacted: what was kept), one file (by record)", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const { prompt, thinking } = plantClaude(homes)
      const dir = tempDir("secrets-scan")
      const plain = path.join(dir, "plain.tgz")
      const redacted = path.join(dir, "redacted")
      assert.strictEqual((yield* run(homes, ["export", "--agent", "claude", "--all", "--out", plain])).code, 0)
      assert.strictEqual((yield* run(homes, ["export", "--agent", "claude", "--all", "--out", redacted, "--redact"])).code, 0)

      const fromPackage = yield* sessionTransfer(["scan", plain, "--json"])
      assert.strictEqual(fromPackage.code, 0, fromPackage.stderr)
      const found = JSON.parse(fromPackage.stdout)
      assert.strictEqual(found.path, plain)
      assert.strictEqual(found.sessions, 4)
      const inTranscript = found.secrets.findings.filter((f: { file: string }) => f.file === prompt.entry)
      assert.deepStrictEqual(inTranscript.map((f: { kind: string; records: Array<number> }) => [f.kind, f.records]).sort(), [
        ["anthropic", [thinking.record]],
        ["openai", [prompt.record]]
      ])

      // what a redacted package still holds: the signed thinking
      const fromRedacted = yield* sessionTransfer(["scan", redacted])
      assert.strictEqual(fromRedacted.code, 0, fromRedacted.stderr)
      assert.include(fromRedacted.stdout, `  ! claude ${thinking.session}  transcript.jsonl: anthropic ×1 (record ${thinking.record})`)
      assert.notInclude(fromRedacted.stdout, "openai")
      assert.notInclude(fromRedacted.stdout + fromRedacted.stderr, thinking.secret)

      // one transcript, read as Claude Code's (its first line says so)
      const fromFile = yield* sessionTransfer(["scan", prompt.file!, "--json", "--fail-on-secrets"])
      assert.strictEqual(fromFile.code, 1, fromFile.stderr)
      const file = JSON.parse(fromFile.stdout)
      assert.strictEqual(file.scanned_as, "claude")
      assert.deepStrictEqual(
        file.secrets.findings.map((f: { kind: string; records: Array<number>; file: string }) => [f.kind, f.records, f.file]).sort(),
        [["anthropic", [thinking.record], prompt.file], ["openai", [prompt.record], prompt.file]]
      )
      assert.strictEqual(JSON.parse(errorLines(fromFile)[0]!).error._tag, "SecretsFound")
      assert.notInclude(fromFile.stdout + fromFile.stderr, prompt.secret)
    }), 120_000)

  it.effect("the clean fixture homes: none found, exit 0 with --fail-on-secrets", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const scanned = yield* run(homes, ["scan", "--fail-on-secrets"])
      assert.strictEqual(scanned.code, 0, scanned.stderr)
      assert.match(scanned.stdout, /\nsecrets: none found in \d+ session\(s\) \(rules: secretlint 12\.0\.0/)
    }), 60_000)

  it.effect("usage errors: a PATH with what selects local sessions, --agent twice with a PATH", () =>
    Effect.gen(function*() {
      const dir = tempDir("secrets-usage")
      for (
        const args of [
          ["scan", dir, "--thread", "x"],
          ["scan", dir, "--all"],
          ["scan", dir, "--agent", "codex", "--agent", "claude"]
        ]
      ) {
        const result = yield* sessionTransfer(args)
        assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
        assert.lengthOf(errorLines(result), 1, result.stderr)
      }
    }), 60_000)
})
