/**
 * `Redaction.textEquivalent` / `redactionEquivalent`: pure. Each placeholder is computed here from
 * the planted secret alone (`[REDACTED:<kind>:<first 8 hex of its SHA-256>]`), never by the code
 * under test.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redaction } from "@sessionport/lineage"
import { createHash } from "node:crypto"

const placeholder = (kind: string, secret: string) =>
  `[REDACTED:${kind}:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}]`

// made-up values, put together at run time so no secret-shaped literal sits in this source
const KEY = "sk-" + "proj-" + "Tq8vLm3Xw9Zr2Kp7".repeat(3)
const TOKEN = "gh" + "p_" + "a1B2c3D4e5".repeat(3) + "F6g7H8"
const PASSWORD = "Vq7rT2pLx9" + "zKw4mN8s"
const PEM = ["-----BEGIN EC PRIVATE KEY-----", "MHcCAQEEIB3kq".padEnd(64, "x"), "AwEHoUQDQgAE".padEnd(64, "y"), "-----END EC PRIVATE KEY-----"].join("\n")

/** Both directions: the relation is symmetric. */
const both = (a: string, b: string): boolean => {
  const ab = Redaction.textEquivalent(a, b)
  assert.strictEqual(Redaction.textEquivalent(b, a), ab, "symmetric")
  return ab
}

describe("Redaction.textEquivalent", () => {
  it("equal strings, with or without placeholders", () => {
    assert.isTrue(both("plain text", "plain text"))
    assert.isTrue(both(`a ${placeholder("openai", KEY)} b`, `a ${placeholder("openai", KEY)} b`))
    assert.isFalse(both("plain text", "plain test"))
  })

  it("a placeholder stands for the secret it was made from, whichever side is redacted", () => {
    assert.isTrue(both(`export OPENAI_API_KEY=${KEY}\n`, `export OPENAI_API_KEY=${placeholder("openai", KEY)}\n`))
    // at the start, at the end, the whole string
    assert.isTrue(both(`${KEY} is the key`, `${placeholder("openai", KEY)} is the key`))
    assert.isTrue(both(`the key is ${KEY}`, `the key is ${placeholder("openai", KEY)}`))
    assert.isTrue(both(KEY, placeholder("openai", KEY)))
  })

  it("not for another secret, nor with other text around it", () => {
    assert.isFalse(both(`key=${KEY}`, `key=${placeholder("openai", `${KEY}x`)}`))
    assert.isFalse(both(`key=${KEY}`, `key=${placeholder("openai", TOKEN)}`))
    assert.isFalse(both(`key=${KEY}!`, `key=${placeholder("openai", KEY)}`))
    assert.isFalse(both(`key: ${KEY}`, `key=${placeholder("openai", KEY)}`))
    // the secret must fill the gap exactly: nothing left over, nothing missing
    assert.isFalse(both(`key=${KEY} and more`, `key=${placeholder("openai", KEY)}`))
    assert.isFalse(both(`key=${KEY.slice(0, -1)}`, `key=${placeholder("openai", KEY)}`))
  })

  it("no secret is empty", () => {
    assert.isFalse(both("", placeholder("openai", "")))
    assert.isFalse(both("ab", `a${placeholder("openai", "")}b`))
  })

  it("several placeholders, the same secret twice, two adjacent ones", () => {
    const text = `token ${TOKEN} then postgres://app:${PASSWORD}@db/app and again ${TOKEN}`
    const redacted = `token ${placeholder("github", TOKEN)} then postgres://app:${placeholder("database-url", PASSWORD)}@db/app and again ${
      placeholder("github", TOKEN)
    }`
    assert.isTrue(both(text, redacted))
    // adjacent: no literal between them to align on, every split is tried
    assert.isTrue(both(`${TOKEN}${PASSWORD}`, `${placeholder("github", TOKEN)}${placeholder("password", PASSWORD)}`))
    assert.isFalse(both(`${PASSWORD}${TOKEN}`, `${placeholder("github", TOKEN)}${placeholder("password", PASSWORD)}`))
  })

  it("a secret that holds the literal after its placeholder is still aligned (the nearest end that hashes right)", () => {
    // a PEM block holds line ends, and the text after it starts with one
    const text = `cat key.pem\n${PEM}\nexit 0\n`
    assert.isTrue(both(text, `cat key.pem\n${placeholder("private-key", PEM)}\nexit 0\n`))
    // the literal after the secret occurs inside it, and earlier in the string
    const secret = `ab-cd-${PASSWORD}`
    assert.isTrue(both(`x-${secret}-tail-end`, `x-${placeholder("dotenv", secret)}-tail-end`))
    // the literal before the next placeholder occurs inside the first secret: its first
    // occurrence would make the first gap hash wrong
    const first = `u:${PASSWORD}:v`
    assert.isTrue(both(`${first}:${TOKEN}`, `${placeholder("url-password", first)}:${placeholder("github", TOKEN)}`))
  })

  it("a secret whose text is a prefix of a longer run is not stretched over the literal", () => {
    // `K` then `-K`: the gap must be `K`, and the rest must still align
    assert.isTrue(both(`${KEY}-${KEY}`, `${placeholder("openai", KEY)}-${placeholder("openai", KEY)}`))
    assert.isFalse(both(`${KEY}-${KEY}`, `${placeholder("openai", `${KEY}-${KEY}`)}-${placeholder("openai", KEY)}`))
  })

  it("both sides redacted: a placeholder may stand across from the same one; secrets each side alone redacted are not recognised", () => {
    // a later rule set redacted one more secret
    const older = `a ${placeholder("openai", KEY)} b ${TOKEN} c`
    const newer = `a ${placeholder("openai", KEY)} b ${placeholder("github", TOKEN)} c`
    assert.isTrue(both(older, newer))
    // each redacted what the other kept
    assert.isFalse(both(`a ${placeholder("openai", KEY)} b ${TOKEN} c`, `a ${KEY} b ${placeholder("github", TOKEN)} c`))
  })

  it("text shaped almost like a placeholder is only text", () => {
    const h8 = placeholder("openai", KEY).slice(-9, -1)
    assert.isFalse(both(KEY, `[REDACTED:OpenAI:${h8}]`))
    assert.isFalse(both(KEY, `[REDACTED:openai:${h8.toUpperCase()}]`))
  })

  it("characters outside ASCII: the secret is hashed as UTF-8", () => {
    const secret = "pässwörd-€-" + PASSWORD
    assert.isTrue(both(`« ${secret} »`, `« ${placeholder("dotenv", secret)} »`))
    assert.isFalse(both(`« ${secret} »`, `« ${placeholder("dotenv", secret.normalize("NFD"))} »`))
  })

  it("adversarial text ends quickly: a literal at every position, long runs", () => {
    const started = Date.now()
    const run = "a".repeat(200_000)
    assert.isFalse(both(run, `${placeholder("openai", "zz")}a${placeholder("openai", "zz")}`))
    assert.isFalse(both(run, `${placeholder("openai", "zz")}${placeholder("openai", "zz")}${placeholder("openai", "zz")}`))
    assert.isFalse(both(`${run}b`, `a${placeholder("openai", "a")}a${placeholder("openai", "a")}b`))
    assert.isBelow(Date.now() - started, 20_000)
  })
})

/** A JSONL record with `secret` in one of its string values, and its redacted form as a redactor writes it (the value edited, the line re-serialized). */
const record = (secret: string) => ({
  timestamp: "2026-01-01T00:00:00.000Z",
  type: "response_item",
  payload: {
    type: "function_call_output",
    call_id: "call_1",
    seq: 7,
    output: JSON.stringify({ output: `OPENAI_API_KEY=${secret}\nDEBUG=1\n`, metadata: { exit_code: 0, duration_seconds: 0.1 } })
  }
})

describe("Redaction.redactionEquivalent", () => {
  const line = JSON.stringify(record(KEY))
  const redacted = JSON.stringify(record(placeholder("openai", KEY)))

  it("a record and its redacted copy, both ways; the copy re-serialized with other escapes", () => {
    assert.isTrue(Redaction.redactionEquivalent(line, redacted))
    assert.isTrue(Redaction.redactionEquivalent(redacted, line))
    // the original line written with `\u` escapes and spaces: the values decide, not the bytes
    const escaped = line.replace(/=/g, "\\u003d").replace(/,"/g, ", \"")
    assert.notStrictEqual(escaped, line)
    assert.deepStrictEqual(JSON.parse(escaped), JSON.parse(line))
    assert.isTrue(Redaction.redactionEquivalent(escaped, redacted))
  })

  it("a JSON-escaped PEM block inside a string value", () => {
    const withKey = JSON.stringify({ type: "event_msg", payload: { type: "exec_command_end", stdout: `${PEM}\n`, exit_code: 0 } })
    const withPlaceholder = JSON.stringify({ type: "event_msg", payload: { type: "exec_command_end", stdout: `${placeholder("private-key", PEM)}\n`, exit_code: 0 } })
    assert.isTrue(Redaction.redactionEquivalent(withKey, withPlaceholder))
  })

  it("anything else that differs: a number, a key, key order, structure, another secret, no placeholder at all", () => {
    const value = record(placeholder("openai", KEY))
    const variants: ReadonlyArray<unknown> = [
      { ...value, timestamp: "2026-01-01T00:00:01.000Z" },
      { ...value, payload: { ...value.payload, seq: 8 } },
      { ...value, extra: true },
      { payload: value.payload, type: value.type, timestamp: value.timestamp },
      { ...value, payload: [value.payload] },
      { ...value, payload: { ...value.payload, call_id: null } },
      record(placeholder("openai", TOKEN))
    ]
    for (const variant of variants) assert.isFalse(Redaction.redactionEquivalent(line, JSON.stringify(variant)), JSON.stringify(variant))
    assert.isFalse(Redaction.redactionEquivalent(line, JSON.stringify(record(TOKEN))))
  })

  it("lines that are not JSON compare as text; JSON against not JSON never", () => {
    assert.isTrue(Redaction.redactionEquivalent(`KEY=${KEY}`, `KEY=${placeholder("dotenv", KEY)}`))
    assert.isFalse(Redaction.redactionEquivalent(`{"k":"${KEY}"`, JSON.stringify({ k: placeholder("openai", KEY) })))
  })
})
