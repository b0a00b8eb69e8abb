import { assert, describe, it } from "@effect/vitest"
import { FormatVersion, Layout } from "@sessionport/package-format"
import * as fs from "node:fs"
import * as Path from "node:path"

const repo = Path.resolve(import.meta.dirname, "../../..")

/**
 * Every `packages/<name>/src/**\/*.ts`, relative to the repo; not the test harness
 * (codex-oracle), which writes packages byte by byte, independently of this package, on purpose.
 */
const sources = (): Array<string> => {
  const out: Array<string> = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = Path.join(dir, entry.name)
      if (entry.isDirectory() && entry.name !== "node_modules") walk(full)
      else if (entry.isFile() && entry.name.endsWith(".ts")) out.push(Path.relative(repo, full).split(Path.sep).join("/"))
    }
  }
  for (const pkg of fs.readdirSync(Path.join(repo, "packages")).filter((name) => name !== "codex-oracle")) {
    const src = Path.join(repo, "packages", pkg, "src")
    if (fs.existsSync(src)) walk(src)
  }
  return out
}

const filesContaining = (needle: string) =>
  sources().filter((file) => fs.readFileSync(Path.join(repo, file), "utf8").includes(needle)).sort()

describe("FormatVersion", () => {
  it("is 1 and supported", () => {
    assert.strictEqual(FormatVersion.FORMAT_VERSION, 1)
    assert.isTrue(FormatVersion.isSupported(FormatVersion.FORMAT_VERSION))
    assert.isFalse(FormatVersion.isSupported(99))
  })

  it("no second definition: FORMAT_VERSION and the manifest name are defined once, in package-format", () => {
    assert.isAbove(sources().length, 10, "the walk finds the sources")
    assert.deepStrictEqual(filesContaining("FORMAT_VERSION ="), ["packages/package-format/src/FormatVersion.ts"])
    assert.deepStrictEqual(filesContaining(JSON.stringify(Layout.MANIFEST)), ["packages/package-format/src/Layout.ts"])
  })
})
