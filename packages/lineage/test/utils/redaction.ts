// Secrets planted in transcript lines, and the redacted copies a redactor would write, made here
// from the planted secret alone: `[REDACTED:<kind>:<first 8 hex of sha256(secret)>]`.
import { createHash } from "node:crypto"

/** The placeholder of a secret, computed independently of the code under test. */
export const placeholder = (secret: string, kind = "openai") =>
  `[REDACTED:${kind}:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}]`

// made-up keys, put together at run time so no secret-shaped literal sits in the sources
export const KEY = "sk-" + "proj-" + "Tq8vLm3Xw9Zr2Kp7".repeat(3)
export const OTHER_KEY = "sk-" + "proj-" + "Hy5cNb1Qe6Wd4Rt0".repeat(3)

/** Every string value of a JSON value, `edit`ed. */
const mapStrings = (value: unknown, edit: (s: string) => string): unknown => {
  if (typeof value === "string") return edit(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, edit))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, edit)]))
  }
  return value
}

/**
 * The lines with `inserted` put after each `needle` in their string values; the lines without a
 * needle byte for byte as they were, the others re-serialized (as a redactor writes them).
 */
export const plant = (lines: ReadonlyArray<string>, needle: string, inserted: string): Array<string> =>
  lines.map((line) => {
    let found = false
    const edited = mapStrings(JSON.parse(line), (s) => {
      if (!s.includes(needle)) return s
      found = true
      return s.split(needle).join(`${needle}${inserted}`)
    })
    return found ? JSON.stringify(edited) : line
  })

/** What is planted after the needle: a pasted `.env` line holding `secret`. */
export const envLine = (secret: string) => ` OPENAI_API_KEY=${secret}`
