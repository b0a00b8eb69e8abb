/**
 * docs/opencode-rewrite-surface.md lists the surface as data: its table must be
 * `OpencodeSurface.entries`, in order, field for field.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { OpencodeSurface } from "../src/index.js"

const doc = fs.readFileSync(path.resolve(import.meta.dirname, "../../../docs/opencode-rewrite-surface.md"), "utf8")

describe("docs/opencode-rewrite-surface.md", () => {
  it("lists every entry of OpencodeSurface.entries, in order", () => {
    const section = doc.slice(doc.indexOf("## The surface"), doc.indexOf("Why tool inputs"))
    const rows = section.split("\n").filter((line) => line.startsWith("| `")).map((line) => {
      const cells = line.split(" | ").map((cell) => cell.replace(/^\| /, "").replace(/ \|$/, "").trim())
      return { type: cells[0]!.replaceAll("`", ""), field: cells[1]!.replaceAll("`", ""), holds: cells[2]! }
    })
    assert.deepStrictEqual(rows, OpencodeSurface.entries.map((e) => ({ type: e.type, field: e.field, holds: e.holds })))
  })

  it("every entry is of a line type the dialect recognises", () => {
    for (const e of OpencodeSurface.entries) assert.include(OpencodeSurface.lineTypes, e.type)
  })
})
