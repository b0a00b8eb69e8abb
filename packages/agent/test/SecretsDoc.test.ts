/**
 * docs/secrets.md states the rule set that runs: its version, and its kinds table equal to
 * `RuleSet.KINDS` (kind, description, source), in order.
 */
import { assert, describe, it } from "@effect/vitest"
import { RuleSet } from "@sessionport/secrets"
import * as fs from "node:fs"
import * as path from "node:path"

const doc = fs.readFileSync(path.resolve(import.meta.dirname, "..", "..", "..", "docs", "secrets.md"), "utf8")

describe("docs/secrets.md", () => {
  it("names the rule set's version", () => {
    assert.include(doc, `\n${RuleSet.RULESET_VERSION}\n`)
  })

  it("lists every kind as RuleSet.KINDS does", () => {
    const table = doc.slice(doc.indexOf("<!-- kinds:start"), doc.indexOf("<!-- kinds:end -->"))
    const rows = table.split("\n").filter((line) => line.startsWith("| `"))
    const expected = RuleSet.KINDS.map((k) => `| \`${k.kind}\` | ${k.description.replace(/\|/g, "\\|")} | ${k.source} |`)
    assert.deepStrictEqual(rows, expected, `the table should read:\n${expected.join("\n")}`)
  })
})
