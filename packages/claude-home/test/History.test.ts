/**
 * `HistoryEntries`: which up-arrow history entries a home has already, so a sync adds a prompt
 * once. Placeholders are computed here from the key alone: `[REDACTED:<kind>:<first 8 hex of
 * sha256(key)>]`.
 */
import { assert, describe, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { HistoryEntries } from "../src/internal/history.js"

const placeholder = (secret: string) => `[REDACTED:openai:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}]`
// made-up keys, put together at run time so no secret-shaped literal sits in this source
const KEY = "sk-" + "proj-" + "Tq8vLm3Xw9Zr2Kp7".repeat(3)
const OTHER_KEY = "sk-" + "proj-" + "Hy5cNb1Qe6Wd4Rt0".repeat(3)
const SESSION = "01900000-0000-7000-8000-00000000b0b0"

const entry = (display: string, fields: Record<string, unknown> = {}) =>
  `${JSON.stringify({ display, pastedContents: {}, timestamp: 1796620228316, project: "/home/bob/app", sessionId: SESSION, ...fields })}\n`

const had = (...lines: Array<string>) => {
  const entries = new HistoryEntries()
  for (const line of lines) entries.add(line)
  return entries
}

describe("HistoryEntries", () => {
  it("the same prompt: its session, time and text", () => {
    const entries = had(entry("turn one"))
    assert.isTrue(entries.has(entry("turn one")))
    // another project or paste does not make it another prompt
    assert.isTrue(entries.has(entry("turn one", { project: "/elsewhere" })))
    assert.isFalse(entries.has(entry("turn two")))
    assert.isFalse(entries.has(entry("turn one", { timestamp: 1796620228317 })))
    assert.isFalse(entries.has(entry("turn one", { sessionId: "01900000-0000-7000-8000-00000000c0c0" })))
  })

  it("a text that differs only by redaction is the same prompt, whichever side is redacted", () => {
    assert.isTrue(had(entry(`use OPENAI_API_KEY=${KEY}`)).has(entry(`use OPENAI_API_KEY=${placeholder(KEY)}`)))
    assert.isTrue(had(entry(`use OPENAI_API_KEY=${placeholder(KEY)}`)).has(entry(`use OPENAI_API_KEY=${KEY}`)))
  })

  it("not another key, its placeholder, or other text around it", () => {
    const entries = had(entry(`use OPENAI_API_KEY=${KEY}`), entry(`use OPENAI_API_KEY=${placeholder(KEY)}`, { timestamp: 1 }))
    for (const other of [`use OPENAI_API_KEY=${OTHER_KEY}`, `use OPENAI_API_KEY=${placeholder(OTHER_KEY)}`, `use OPENAI_API_KEY = ${placeholder(KEY)}`]) {
      assert.isFalse(entries.has(entry(other)), other)
      assert.isFalse(entries.has(entry(other, { timestamp: 1 })), other)
    }
  })

  it("a line that is not JSON is had when the very line is", () => {
    assert.isTrue(had("not json\n").has("not json\n"))
    assert.isFalse(had("not json\n").has("not json either\n"))
  })
})
