import { assert, describe, it } from "@effect/vitest"
import { SecretGuard } from "@sessionport/agent"
import { PackageWriter } from "@sessionport/package-format"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

// put together at run time: no secret-shaped literal in this source
const TOKEN = "gh" + "p_" + "a1B2c3D4e5".repeat(3) + "F6g7H8"
const OTHER = "gh" + "p_" + "Z9y8X7w6V5".repeat(3) + "u4T3s2"
const placeholder = (kind: string, secret: string) =>
  `[REDACTED:${kind}:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}]`
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "sessionport-guard-"))

const SESSION = "4f1c6a0e-0000-4000-8000-000000000001"
const ENTRY = `agents/claude/sessions/${SESSION}/transcript.jsonl`

/** What a redaction makes of a JSON line: the secret replaced in its value, the record written again. */
const redactJson = (line: string, secret: string, kind = "github") => JSON.stringify(JSON.parse(line.split(secret).join(placeholder(kind, secret))))

describe("SecretGuard.target", () => {
  it("knows each file of the layout: agent, session, format; leaves the rest alone", () => {
    const rollout = "sessions/rollout-2026-11-21T09-17-12-01a1fd65-3b6f-78b0-9d50-5e39e0dd417f.jsonl"
    const cases: ReadonlyArray<readonly [string, SecretGuard.Target | undefined]> = [
      [rollout, { agent: "codex", session: "01a1fd65-3b6f-78b0-9d50-5e39e0dd417f", format: "jsonl", scanAs: "codex" }],
      ["metadata/threads.jsonl", { agent: "codex", format: "jsonl", scanAs: "codex" }],
      ["metadata/session_index.jsonl", { agent: "codex", format: "jsonl", scanAs: "codex" }],
      ["README.md", { format: "text", scanAs: "codex" }],
      [ENTRY, { agent: "claude", session: SESSION, format: "jsonl", scanAs: "claude" }],
      [`agents/claude/sessions/${SESSION}/session/subagents/agent-a1.jsonl`, { agent: "claude", session: SESSION, format: "jsonl", scanAs: "claude" }],
      [`agents/claude/sessions/${SESSION}/file-history/9ed8d4c80929da0c@v2`, { agent: "claude", session: SESSION, format: "text", scanAs: "claude" }],
      ["agents/claude/history.jsonl", { agent: "claude", format: "jsonl", scanAs: "claude" }],
      ["agents/opencode/sessions/ses_1/transcript.jsonl", { agent: "opencode", session: "ses_1", format: "jsonl", scanAs: "opencode" }],
      ["package_manifest.json", undefined],
      ["metadata/path_localization.json", undefined],
      ["skeleton/required-directories.json", undefined],
      ["skills/deploy/SKILL.md", undefined]
    ]
    for (const [entry, expected] of cases) {
      const t = SecretGuard.target(entry)
      assert.deepStrictEqual(t === undefined ? undefined : JSON.parse(JSON.stringify(t)), expected, entry)
    }
    // a rollout's session as export names it
    assert.strictEqual(SecretGuard.target(rollout, new Map([[rollout, "x"]]))?.session, "x")
  })
})

describe("SecretGuard over a package writer", () => {
  /** a transcript whose lines with secrets sit across the 1 MiB read chunks, end in CRLF, are not UTF-8, or lack a final newline */
  const transcript = () => {
    const first = JSON.stringify({ type: "user", message: { role: "user", content: `my token is ${TOKEN}, caf\u00e9` } })
    const padding = JSON.stringify({ type: "assistant", text: "x".repeat(1024 * 1024 - first.length - 40) })
    // starts a few bytes before the 1 MiB boundary
    const straddling = JSON.stringify({ type: "user", message: { role: "user", content: `again ${OTHER} and ${TOKEN}` } })
    const notUtf8 = Buffer.concat([Buffer.from(`{"type":"user","note":"bad byte `), Buffer.from([0xff]), Buffer.from(` then ${TOKEN}"}`)])
    const crlf = JSON.stringify({ type: "user", message: { role: "user", content: `crlf ${OTHER}` } })
    const plain = JSON.stringify({ type: "assistant", text: "nothing here \\u00e9" })
    const last = JSON.stringify({ type: "user", message: { role: "user", content: `last ${TOKEN}` } })
    const bytes = Buffer.concat([
      Buffer.from(`${first}\n${padding}\n${straddling}\n`),
      notUtf8,
      Buffer.from(`\n${crlf}\r\n${plain}\n${last}`)
    ])
    const expected = Buffer.concat([
      Buffer.from(`${redactJson(first, TOKEN)}\n${padding}\n${redactJson(redactJson(straddling, TOKEN), OTHER)}\n`),
      notUtf8,
      Buffer.from(`\n${redactJson(crlf, OTHER)}\r\n${plain}\n${redactJson(last, TOKEN)}`)
    ])
    return { bytes, expected }
  }

  const writeWith = (redact: boolean, source: string, size: number) =>
    Effect.gen(function*() {
      const out = path.join(tempDir(), "pkg")
      const writer = yield* PackageWriter.open(out, { format: "directory" })
      const guard = SecretGuard.make(writer, { out, redact })
      const [file] = yield* guard.sink.addFiles([{ path: ENTRY, size, source }])
      const report = yield* guard.report
      yield* writer.commit
      return { out, file: file!, report, written: fs.readFileSync(path.join(out, ENTRY)) }
    })

  it.scoped("--redact: exactly the lines with secrets are rewritten; a line that is not UTF-8 is kept and reported", () =>
    Effect.gen(function*() {
      const { bytes, expected } = transcript()
      const source = path.join(tempDir(), "t.jsonl")
      fs.writeFileSync(source, bytes)
      const { file, report, written } = yield* writeWith(true, source, bytes.length)
      assert.isTrue(written.equals(expected))
      assert.deepStrictEqual(file, { path: ENTRY, size: expected.length, sha256: sha256(expected) })
      assert.isTrue(report.redacted)
      assert.deepStrictEqual(report.findings, [{
        agent: "claude",
        session: SESSION,
        file: ENTRY,
        kind: "github",
        count: 6,
        records: [1, 3, 4, 5, 7],
        redacted: 5,
        kept: 1,
        kept_in: ["a line that is not UTF-8 text"]
      }])
      for (const secret of [TOKEN, OTHER]) assert.isFalse(written.toString("latin1").replace(/bad byte .* then [^"]*/, "").includes(secret))
    }))

  it.scoped("scanning only: the bytes go in as they are, the findings are reported", () =>
    Effect.gen(function*() {
      const { bytes } = transcript()
      const source = path.join(tempDir(), "t.jsonl")
      fs.writeFileSync(source, bytes)
      const { file, report, written } = yield* writeWith(false, source, bytes.length)
      assert.isTrue(written.equals(bytes))
      assert.strictEqual(file.sha256, sha256(bytes))
      assert.isFalse(report.redacted)
      assert.deepInclude(report.findings[0], { kind: "github", count: 6, records: [1, 3, 4, 5, 7], redacted: 0, kept: 0 })
    }))

  it.scoped("a file taken by its first `size` bytes (a session still being written): the scan and the copy see that prefix", () =>
    Effect.gen(function*() {
      const line = JSON.stringify({ type: "user", message: { role: "user", content: `token ${TOKEN}` } })
      const source = path.join(tempDir(), "t.jsonl")
      fs.writeFileSync(source, `${line}\n${line}\n`)
      const size = line.length + 1
      const { written } = yield* writeWith(true, source, size)
      assert.strictEqual(written.toString("utf8"), `${redactJson(line, TOKEN)}\n`)
    }))

  it.scoped("a file changed between the scan and the copy: refused (checksum_mismatch), nothing committed", () =>
    Effect.gen(function*() {
      const line = JSON.stringify({ type: "user", message: { role: "user", content: `token ${TOKEN}` } })
      const source = path.join(tempDir(), "t.jsonl")
      fs.writeFileSync(source, `${line}\n`)
      const out = path.join(tempDir(), "pkg")
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* PackageWriter.open(out, { format: "directory" })
        // the file changes once the scan is done, as the copy begins
        const changing: PackageWriter.PackageSink = {
          ...writer,
          add: (entry) => Effect.zipRight(Effect.sync(() => fs.writeFileSync(source, `${line.replace("token", "TOKEN")}\n`)), writer.add(entry))
        }
        const guard = SecretGuard.make(changing, { out, redact: true })
        return yield* guard.sink.addFile({ path: ENTRY, size: line.length + 1, source })
      })).pipe(Effect.flip)
      assert.strictEqual(error.reason, "checksum_mismatch")
      assert.include(error.message, "changed while it was exported")
      assert.isFalse(fs.existsSync(out))
    }))

  it.scoped("generated files (addBytes) are scanned and redacted in memory", () =>
    Effect.gen(function*() {
      const out = path.join(tempDir(), "pkg")
      const writer = yield* PackageWriter.open(out, { format: "directory" })
      const guard = SecretGuard.make(writer, { out, redact: true })
      const line = JSON.stringify({ id: SESSION, first_prompt: `use ${TOKEN}` })
      yield* guard.sink.addBytes("agents/claude/sessions.jsonl", `${line}\n`)
      // the manifest is not the guard's
      yield* guard.sink.addBytes("metadata/path_localization.json", `{"x":"${TOKEN}"}`)
      const report = yield* guard.report
      yield* writer.commit
      assert.strictEqual(fs.readFileSync(path.join(out, "agents/claude/sessions.jsonl"), "utf8"), `${redactJson(line, TOKEN)}\n`)
      assert.include(fs.readFileSync(path.join(out, "metadata/path_localization.json"), "utf8"), TOKEN)
      assert.deepStrictEqual(report.findings.map((f) => [f.file, f.agent, f.session, f.count, f.redacted]), [["agents/claude/sessions.jsonl", "claude", undefined, 1, 1]])
    }))
})

describe("SecretGuard.refusal and redactTexts", () => {
  const finding = (patch: Record<string, unknown>) => ({
    agent: "codex",
    session: "s1",
    file: "sessions/x.jsonl",
    kind: "github",
    count: 2,
    records: [3, 9],
    redacted: 0,
    kept: 0,
    ...patch
  })

  it("refuses what would travel as it is: any finding unredacted, only the kept ones redacted", () => {
    const scanned = { rules: "r", redacted: false, findings: [finding({})] }
    assert.include(SecretGuard.refusal(scanned, "nothing written")?.message, "found 2 secret(s) (github ×2) in 1 session(s): codex s1; nothing written")
    assert.isUndefined(SecretGuard.refusal({ rules: "r", redacted: true, findings: [finding({ redacted: 2 })] }, "x"))
    const kept = SecretGuard.refusal({ rules: "r", redacted: true, findings: [finding({ redacted: 1, kept: 1 })] }, "x")
    assert.include(kept?.message, "found 1 secret(s) that cannot be redacted (github ×1)")
    assert.isUndefined(SecretGuard.refusal({ rules: "r", redacted: false, findings: [] }, "x"))
  })

  it.effect("titles and names: each secret replaced by its placeholder, the rest as it was", () =>
    Effect.gen(function*() {
      const texts = ["plain title", `fix the deploy\nwith ${TOKEN} please`, ""]
      const redacted = yield* SecretGuard.redactTexts(texts)
      assert.deepStrictEqual(redacted, ["plain title", `fix the deploy\nwith ${placeholder("github", TOKEN)} please`, ""])
    }))
})
