import { afterAll, assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import * as fs from "node:fs"
import * as path from "node:path"
import { suffixChunks } from "../src/internal/suffix.js"

afterAll(removeTemps)

/** A record: a line ended by `\n` with a byte other than space, tab or `\r` (split by hand). */
const isRecord = (line: string, ignored: ReadonlyArray<string>) =>
  /[^ \t\r]/.test(line) && !ignored.some((prefix) => line.startsWith(prefix))

/** The bytes after the first `skip` records through the `records`-th, found line by line. */
const expected = (text: string, skip: number, records: number, ignored: ReadonlyArray<string>): string => {
  const lines = text.split("\n")
  lines.pop()
  let seen = 0
  let out = ""
  for (const line of lines) {
    if (seen >= records) break
    // every line after the end of record `skip`
    if (seen >= skip) out += `${line}\n`
    if (isRecord(line, ignored)) seen++
  }
  return out
}

describe("suffixChunks", () => {
  it("cuts a plain file after `skip` records through `records`, blank and ignored lines as they come, across reads", () => {
    const dir = tempDir("lineage-suffix")
    // over 2 MiB (reads are 1 MiB): lines of every kind, some long
    const kinds = ["{\"a\":1}", "", "  \t", "\r", "# own", "{\"b\":\"" + "x".repeat(70_000) + "\"}", " {\"c\":2}\r", "#x not ignored"]
    const lines = Array.from({ length: 400 }, (_, i) => kinds[(i * 7 + (i >> 3)) % kinds.length]!)
    const text = lines.map((l) => `${l}\n`).join("") + "{\"unfinished\":"
    const file = path.join(dir, "rollout.jsonl")
    fs.writeFileSync(file, text)
    for (const ignored of [[], ["# "]]) {
      const total = lines.filter((l) => isRecord(l, ignored)).length
      for (const [skip, records] of [[0, total], [0, 1], [1, 3], [17, 18], [40, total - 1], [total - 1, total], [5, 5], [total, total]]) {
        const got = Buffer.concat([...suffixChunks(file, skip!, records!, ignored)]).toString("utf8")
        assert.strictEqual(got, expected(text, skip!, records!, ignored), `skip ${skip}, records ${records}, ignored ${ignored.length}`)
      }
    }
  })
})
