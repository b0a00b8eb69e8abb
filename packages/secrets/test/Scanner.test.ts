import { assert, describe, it } from "@effect/vitest"
import { Scanner } from "@sessionport/secrets"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ALNUM, generator, pkcs8PrivateKey, rsaPrivateKey, samples } from "./utils/samples.js"
import { jsonl, scanBytes, scanText } from "./utils/scan.js"

const secretOf = (kind: string) => samples.find((sample) => sample.kind === kind)!.secret
const github = secretOf("github")
const openai = secretOf("openai")
const stripe = secretOf("stripe")
const { pick } = generator(99)

const codex = { agent: "codex", format: "jsonl" } as const
const claude = { agent: "claude", format: "jsonl" } as const
const opencode = { agent: "opencode", format: "jsonl" } as const

/** findings without the secret, for comparisons */
const located = (result: Scanner.ScanResult) =>
  result.findings.map(({ end, kept, kind, path, record, start }) => ({ kind, record, path, start, end, ...(kept === undefined ? {} : { kept }) }))

const output = (text: string) => ({
  timestamp: "2026-11-21T09:17:11.623Z",
  type: "response_item",
  payload: { type: "function_call_output", call_id: "call_2", output: text }
})

describe("Scanner", () => {
  it.effect("a record's string values are scanned: findings name the record, the JSON path and the offsets in the value", () =>
    Effect.gen(function*() {
      const shell = `$ cat .env\nOPENAI_API_KEY=${openai}\nDEBUG=1\n`
      const text = jsonl(
        { type: "session_meta", payload: { cwd: "/tmp/project", instructions: "be brief and careful today" } },
        output(shell),
        { type: "response_item", payload: { type: "message", role: "user", content: [{ type: "input_text", text: "x" }, { type: "input_text", text: `push with ${github} please` }] } }
      )
      const result = yield* scanText(text, codex)
      assert.deepStrictEqual(located(result), [
        { kind: "openai", record: 2, path: ["payload", "output"], start: shell.indexOf(openai), end: shell.indexOf(openai) + openai.length },
        { kind: "github", record: 3, path: ["payload", "content", 1, "text"], start: 10, end: 10 + github.length }
      ])
      assert.deepStrictEqual(result.findings.map((finding) => finding.secret), [openai, github])
      // the original lines of the records to redact, nothing else
      const lines = text.split("\n")
      assert.deepStrictEqual([...result.lines], [[2, lines[1]], [3, lines[2]]])
    }))

  it.effect("chunk boundaries change nothing: byte by byte, odd chunks and whole give the same findings", () =>
    Effect.gen(function*() {
      // multibyte characters before the secrets (offsets are UTF-16), CRLF ends, no final line end
      const text = jsonl(
        output(`héllo 中文 😀 ${github}`),
        { type: "event_msg", payload: { type: "agent_message", message: `🎉 done: ${stripe}` } }
      ).replaceAll("\n", "\r\n") + `not json 😀 ${openai}`
      const whole = yield* scanText(text, codex)
      assert.deepStrictEqual(whole.findings.map((finding) => [finding.kind, finding.record]), [["github", 1], ["stripe", 2], ["openai", 3]])
      assert.strictEqual(whole.findings[0]!.start, `héllo 中文 😀 `.length)
      // the CR stays in the original line
      assert.isTrue(whole.lines.get(1)!.endsWith("\r"))
      for (const chunk of [1, 3, 7, 64]) assert.deepStrictEqual(yield* scanText(text, codex, chunk), whole, `chunks of ${chunk}`)
    }))

  it.effect("a PEM key in a JSON string (escaped line ends undone) and one shown escaped", () =>
    Effect.gen(function*() {
      const shown = JSON.stringify({ type: "service_account", private_key: rsaPrivateKey })
      const text = jsonl(output(`$ cat key.pem\n${pkcs8PrivateKey}\n$ cat sa.json\n${shown}\n`))
      // the record holds `\n` escapes; the value scanned has real line ends
      assert.include(text, "-----BEGIN PRIVATE KEY-----\\nMI")
      const value = `$ cat key.pem\n${pkcs8PrivateKey}\n$ cat sa.json\n${shown}\n`
      const escaped = JSON.stringify(rsaPrivateKey).slice(1, -1)
      const result = yield* scanText(text, codex)
      assert.deepStrictEqual(located(result), [
        { kind: "private-key", record: 1, path: ["payload", "output"], start: value.indexOf(pkcs8PrivateKey), end: value.indexOf(pkcs8PrivateKey) + pkcs8PrivateKey.length },
        { kind: "private-key", record: 1, path: ["payload", "output"], start: value.indexOf(escaped), end: value.indexOf(escaped) + escaped.length }
      ])
    }))

  it.effect("a PEM key cut off at the end of a value: the finding ends with the value, not in the next", () =>
    Effect.gen(function*() {
      const cut = pkcs8PrivateKey.slice(0, 120)
      const record = { payload: { type: "function_call_output", output: `head key.pem\n${cut}`, next: "MIGHAgEAMBMGByqGSM49AgEGCCqG" } }
      const result = yield* scanText(jsonl(record), codex)
      const start = record.payload.output.indexOf("-----BEGIN")
      assert.deepStrictEqual(located(result), [{ kind: "private-key", record: 1, path: ["payload", "output"], start, end: record.payload.output.length }])
    }))

  it.effect("a text file: raw lines, a key over several lines is one finding per line", () =>
    Effect.gen(function*() {
      const keyLines = pkcs8PrivateKey.split("\n")
      const text = ["# deploy notes", ...keyLines, "done"].join("\n") + "\n"
      const result = yield* scanText(text, { agent: "claude", format: "text" })
      assert.deepStrictEqual(
        located(result),
        keyLines.map((line, i) => ({ kind: "private-key", record: i + 2, path: [], start: 0, end: line.length }))
      )
      assert.deepStrictEqual([...result.lines.keys()], keyLines.map((_, i) => i + 2))
    }))

  it.effect("a line of a JSONL file that is not a JSON object is scanned as text", () =>
    Effect.gen(function*() {
      const text = jsonl(output("fine")) + `{"truncated": "${github}\n"${stripe}"\n`
      const result = yield* scanText(text, codex)
      assert.deepStrictEqual(located(result), [
        { kind: "github", record: 2, path: [], start: 15, end: 15 + github.length },
        { kind: "stripe", record: 3, path: [], start: 1, end: 1 + stripe.length }
      ])
    }))

  it.effect("a value under a key that says secret is read with its name", () =>
    Effect.gen(function*() {
      const password = `hunter2${pick(ALNUM, 6)}`
      const result = yield* scanText(jsonl({ type: "part", data: { type: "tool", state: { input: { password, user: "deploy-user" } } } }), opencode)
      assert.deepStrictEqual(located(result), [
        { kind: "secret-assignment", record: 1, path: ["data", "state", "input", "password"], start: 0, end: password.length }
      ])
    }))

  it.effect("never scanned: ids, signatures, encrypted content, data: URIs", () =>
    Effect.gen(function*() {
      const codexText = jsonl(
        { type: "response_item", payload: { type: "reasoning", summary: [], encrypted_content: `gAAA ${github}` } },
        { type: "response_item", payload: { type: "function_call", call_id: github, id: github, arguments: "{}" } },
        { type: "response_item", payload: { type: "message", content: [{ type: "input_image", image_url: `data:image/png;base64,${github}` }] } },
        { type: "response_item", payload: { type: "mcp_result", content: [{ type: "image", data: github, mimeType: "image/png" }] } }
      )
      assert.deepStrictEqual((yield* scanText(codexText, codex)).findings, [])
      const claudeText = jsonl(
        { type: "assistant", uuid: github, sessionId: github, message: { id: github, content: [{ type: "thinking", thinking: "plain", signature: github }] } },
        { type: "assistant", message: { content: [{ type: "redacted_thinking", data: github }] } },
        { type: "user", message: { content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: github } }] } }
      )
      assert.deepStrictEqual((yield* scanText(claudeText, claude)).findings, [])
      const opencodeText = jsonl(
        { type: "part", id: "prt_1", data: { type: "reasoning", text: "plain", metadata: { anthropic: { signature: github } } } },
        { type: "part", id: "prt_2", data: { type: "reasoning", text: "plain", metadata: { openai: { itemId: "rs_1", reasoningEncryptedContent: github } } } },
        { type: "part", id: "prt_3", data: { type: "file", mime: "text/plain", url: `data:text/plain;base64,${github}` } }
      )
      assert.deepStrictEqual((yield* scanText(opencodeText, opencode)).findings, [])
      // the same values elsewhere are found
      assert.lengthOf((yield* scanText(jsonl({ payload: { note: `sig ${github}` } }), codex)).findings, 1)
    }))

  it.effect("signed thinking is reported kept, and is not among the lines to redact; unsigned thinking is redactable", () =>
    Effect.gen(function*() {
      const claudeText = jsonl(
        { type: "assistant", message: { content: [{ type: "thinking", thinking: `the key is ${github}`, signature: "EqMBCkYIBxgCKkA" }] } },
        { type: "assistant", message: { content: [{ type: "thinking", thinking: `the key is ${github}` }] } }
      )
      const claudeResult = yield* scanText(claudeText, claude)
      assert.deepStrictEqual(located(claudeResult), [
        { kind: "github", record: 1, path: ["message", "content", 0, "thinking"], start: 11, end: 11 + github.length, kept: "signed thinking" },
        { kind: "github", record: 2, path: ["message", "content", 0, "thinking"], start: 11, end: 11 + github.length }
      ])
      assert.deepStrictEqual([...claudeResult.lines.keys()], [2])
      const reasoning = { type: "reasoning", text: `the key is ${github}`, metadata: { anthropic: { signature: "EqMBCkYIBxgCKkA" } } }
      const opencodeText = jsonl(
        { type: "part", id: "prt_1", data: reasoning },
        { type: "part", id: "prt_2", data_text: JSON.stringify(reasoning, null, 1) },
        { type: "part", id: "prt_3", data: { type: "reasoning", text: `the key is ${github}`, metadata: {} } }
      )
      const opencodeResult = yield* scanText(opencodeText, opencode)
      assert.deepStrictEqual(
        opencodeResult.findings.map((finding) => [finding.record, finding.path, finding.kept]),
        [[1, ["data", "text"], "signed thinking"], [2, ["data_text"], "signed thinking"], [3, ["data", "text"], undefined]]
      )
      assert.deepStrictEqual([...opencodeResult.lines.keys()], [3])
    }))

  it.effect("records are scanned in blocks: findings across many blocks, a record longer than a block, backpressure", () =>
    Effect.gen(function*() {
      const filler = "x".repeat(1000)
      const records: Array<unknown> = []
      for (let i = 0; i < 1200; i++) records.push(output(i % 400 === 7 ? `${filler} ${github}` : filler))
      records.push(output(`${"y ".repeat(Scanner.BLOCK_CHARS)}${stripe}`))
      records.push(output(`after ${openai}`))
      const text = jsonl(...records)
      const result = yield* scanText(text, codex, 256 * 1024)
      assert.deepStrictEqual(
        result.findings.map((finding) => [finding.kind, finding.record, finding.start]),
        [["github", 8, 1001], ["github", 408, 1001], ["github", 808, 1001], ["stripe", 1201, 2 * Scanner.BLOCK_CHARS], ["openai", 1202, 6]]
      )
      // a write that fills a block answers a promise: the caller waits for the scan
      const scanner = Scanner.make(codex)
      const written = scanner.write(Buffer.from(text.slice(0, 3 * Scanner.BLOCK_CHARS)))
      assert.instanceOf(written, Promise)
      yield* Effect.promise(() => written!)
      assert.isUndefined(scanner.write(Buffer.from(jsonl(output("small")))))
    }))

  it.effect("a real Claude transcript line: a planted secret is found where it was put", () =>
    Effect.gen(function*() {
      const file = new URL("../../../fixtures/claude/home/projects/-tmp-sessionport-claude-src-projects-alpha/2b943e55-bf8c-4f73-a213-5205f81f9fcd.jsonl", import.meta.url)
      const lines = fs.readFileSync(file, "utf8").split("\n")
      const index = lines.findIndex((line) => line.includes("\"type\":\"user\"") && line.includes("\"content\":\"turn one: use-tool\""))
      lines[index] = lines[index]!.replace("turn one: use-tool", `turn one: use ${github}`)
      const result = yield* scanText(lines.join("\n"), claude)
      assert.deepStrictEqual(located(result), [
        { kind: "github", record: index + 1, path: ["message", "content"], start: 14, end: 14 + github.length }
      ])
    }))

  it.effect("scanFile: the first `size` bytes; an unreadable file is a SecretsError", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-scan-"))
      const file = path.join(dir, "rollout.jsonl")
      const first = jsonl(output(`one ${github}`))
      fs.writeFileSync(file, first + jsonl(output(`two ${stripe}`)))
      const all = yield* Scanner.scanFile(file, codex)
      assert.deepStrictEqual(all.findings.map((finding) => finding.kind), ["github", "stripe"])
      const prefix = yield* Scanner.scanFile(file, { ...codex, size: Buffer.byteLength(first) })
      assert.deepStrictEqual(prefix.findings.map((finding) => finding.kind), ["github"])
      assert.deepStrictEqual((yield* Scanner.scanFile(file, { ...codex, size: 0 })).findings, [])
      const missing = yield* Effect.either(Scanner.scanFile(path.join(dir, "missing.jsonl"), codex))
      assert.isTrue(Either.isLeft(missing) && missing.left._tag === "SecretsError" && missing.left.reason === "unreadable")
      fs.rmSync(dir, { recursive: true })
    }))

  it.effect("bytes that are not UTF-8 and an empty file scan without failing", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual((yield* scanBytes(new Uint8Array([0xff, 0xfe, 0x0a, 0xc3]), codex)).findings, [])
      assert.deepStrictEqual((yield* scanBytes(new Uint8Array(), codex)).findings, [])
    }))
})
