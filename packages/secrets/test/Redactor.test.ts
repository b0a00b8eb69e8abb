import { assert, describe, it } from "@effect/vitest"
import { Placeholder, Redactor, type Scanner } from "@sessionport/secrets"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { pkcs8PrivateKey, samples } from "./utils/samples.js"
import { jsonl, scanText } from "./utils/scan.js"

const secretOf = (kind: string) => samples.find((sample) => sample.kind === kind)!.secret
const github = secretOf("github")

/** the placeholder, computed here from its definition: kind and the first 8 hex of SHA-256 */
const placeholder = (kind: string, secret: string) => `[REDACTED:${kind}:${createHash("sha256").update(secret).digest("hex").slice(0, 8)}]`

/** every line of `text` with its findings redacted (the way export redacts) */
const redactAll = (text: string, options: { readonly agent: Scanner.Agent; readonly format: Scanner.Format }) =>
  Effect.map(scanText(text, options), (result) =>
    text.split("\n").map((line, i) =>
      result.lines.has(i + 1) ? Redactor.redactLine(line, result.findings.filter((finding) => finding.record === i + 1)) : line
    ).join("\n"))

const codex = { agent: "codex", format: "jsonl" } as const

describe("Redactor", () => {
  it.effect("a JSON record: the secret becomes its placeholder, the rest of the record is as it was (key order, CR)", () =>
    Effect.gen(function*() {
      const record = { timestamp: "t", type: "response_item", payload: { z: 1, type: "function_call_output", output: `token ${github} end`, a: [true, null] } }
      const line = JSON.stringify(record) + "\r"
      const result = yield* scanText(line + "\n", codex)
      const redacted = Redactor.redactLine(result.lines.get(1)!, result.findings)
      assert.strictEqual(
        redacted,
        JSON.stringify({ ...record, payload: { ...record.payload, output: `token ${placeholder("github", github)} end` } }) + "\r"
      )
      assert.strictEqual(Placeholder.make("github", github), placeholder("github", github))
    }))

  it.effect("only the edited string changes: integer-like keys, number spelling and other escapes stay as they were", () =>
    Effect.gen(function*() {
      const line = `{"b": 1.0, "2": "caf\\u00e9", "1": "tok ${github}", "big": 12345678901234567890, "1": "tok ${github} again"}`
      const result = yield* scanText(line + "\n", codex)
      // the last of duplicate keys is the value, as JSON.parse takes it
      assert.deepStrictEqual(result.findings.map((finding) => [finding.path, finding.start]), [[["1"], 4]])
      assert.strictEqual(
        Redactor.redactLine(line, result.findings),
        line.replace(`tok ${github} again`, `tok ${placeholder("github", github)} again`)
      )
    }))

  it.effect("a raw line is spliced; several findings in one value; kept findings stay", () =>
    Effect.gen(function*() {
      const stripe = secretOf("stripe")
      const raw = `not json ${github} and ${stripe}`
      const result = yield* scanText(raw + "\n", codex)
      assert.strictEqual(Redactor.redactLine(raw, result.findings), `not json ${placeholder("github", github)} and ${placeholder("stripe", stripe)}`)
      const kept = result.findings.map((finding) => ({ ...finding, kept: "signed thinking" }))
      assert.strictEqual(Redactor.redactLine(raw, kept), raw)
    }))

  it.effect("a URL keeps all but its password; a PEM block is replaced whole; escaped in JSON too", () =>
    Effect.gen(function*() {
      const password = samples.find((sample) => sample.kind === "database-url")!
      const text = jsonl({ payload: { output: password.context } }, { payload: { output: `key:\n${pkcs8PrivateKey}\nok` } })
      const redacted = yield* redactAll(text, codex)
      const [first, second] = redacted.split("\n").map((line) => line === "" ? undefined : JSON.parse(line))
      assert.strictEqual(first.payload.output, password.context.replace(password.secret, placeholder("database-url", password.secret)))
      assert.strictEqual(second.payload.output, `key:\n${placeholder("private-key", pkcs8PrivateKey)}\nok`)
    }))

  it.effect("redacting twice changes nothing; a redacted text has no findings (every kind)", () =>
    Effect.gen(function*() {
      const text = jsonl(...samples.map((sample) => ({ type: "response_item", payload: { type: "function_call_output", output: sample.context } }))) +
        samples.map((sample) => sample.context.replaceAll("\n", " ")).join("\n") + "\n"
      const once = yield* redactAll(text, codex)
      assert.notStrictEqual(once, text)
      for (const sample of samples) assert.notInclude(once, sample.secret, sample.kind)
      assert.deepStrictEqual((yield* scanText(once, codex)).findings, [])
      assert.strictEqual(yield* redactAll(once, codex), once)
    }))

  it("a finding whose text is not at its place (stale) is left alone", () => {
    const finding = { kind: "github", record: 1, path: [], start: 0, end: github.length, secret: github }
    assert.strictEqual(Redactor.redactLine(`x${github}`, [finding]), `x${github}`)
    const json = JSON.stringify({ a: "something else entirely" })
    assert.strictEqual(Redactor.redactLine(json, [{ ...finding, path: ["a"] }]), json)
    assert.strictEqual(Redactor.redactLine(json, [{ ...finding, path: ["missing", 0] }]), json)
  })
})
