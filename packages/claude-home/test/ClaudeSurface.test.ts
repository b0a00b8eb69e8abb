import { assert, describe, it } from "@effect/vitest"
import { Fixtures } from "@sessionport/claude-oracle"
import { ClaudeStore, ClaudeSurface } from "@sessionport/claude-home"
import { PathRules, Rewriter } from "@sessionport/localize"
import * as fs from "node:fs"
import * as path from "node:path"

const source = Fixtures.load().source
const lines = (role: string) =>
  fs.readFileSync(path.join(Fixtures.fixtureHome, Fixtures.byRole(role).transcript), "utf8").split("\n").filter((l) => l !== "")

/** Rewrites a whole transcript (one chunk) as install does. */
const rewrite = (text: string, idMap: ReadonlyMap<string, string>, to: string) => {
  const rules = PathRules.make({ maps: [{ from: source.alpha, to }], sourceHome: source.home, targetHome: "/home/bob", targetPlatform: "posix" })
  const run = Rewriter.reportingChunks([Buffer.from(text)], { idMap, pathRules: rules, dialect: ClaudeSurface.dialect })
  return Buffer.concat([...run.chunks].map((c) => Buffer.from(c))).toString("utf8")
}

describe("Claude rewrite surface", () => {
  it("every line of a real transcript: a new id and new paths, the rest byte for byte", () => {
    for (const role of ["tools", "interactive"]) {
      const id = Fixtures.byRole(role).sessionId
      const input = lines(role)
      const output = rewrite(input.join("\n") + "\n", new Map([[id, "01900000-0000-7000-8000-0000000000aa"]]), "/srv/b/moved").split("\n").filter((l) => l !== "")
      assert.strictEqual(output.length, input.length)
      for (const [i, line] of output.entries()) {
        assert.notInclude(line, id, `${role} line ${i + 1}`)
        assert.notInclude(line, source.alpha, `${role} line ${i + 1}`)
        const json = JSON.parse(line)
        const before = JSON.parse(input[i]!)
        // what the surface does not name is as it was: the message text the user typed, the model's text
        if (json.type === "user" && typeof json.message?.content === "string") assert.strictEqual(json.message.content, before.message.content)
        if (json.type === "assistant") {
          for (const [k, block] of (json.message.content as Array<{ type: string; text?: string }>).entries()) {
            if (block.type === "text") assert.strictEqual(block.text, before.message.content[k].text)
          }
        }
        if (!input[i]!.includes(id) && !input[i]!.includes(source.alpha) && !input[i]!.includes(source.home)) assert.strictEqual(line, input[i])
      }
    }
  })

  it("lineage: a line and its installed copy neutralize alike; titles are not records", () => {
    const neutralizer = ClaudeStore.lineage.neutralizer
    const id = Fixtures.byRole("tools").sessionId
    const input = lines("tools")
    const a = rewrite(input.join("\n") + "\n", new Map([[id, "01900000-0000-7000-8000-0000000000aa"]]), "/srv/b/moved").split("\n")
    const b = rewrite(input.join("\n") + "\n", new Map([[id, "01900000-0000-7000-8000-0000000000bb"]]), "/opt/c").split("\n")
    for (const [i, line] of input.entries()) {
      const canonical = neutralizer.neutralize(line) ?? line
      assert.strictEqual(neutralizer.neutralize(a[i]!) ?? a[i], canonical, `line ${i + 1}`)
      assert.strictEqual(neutralizer.neutralize(b[i]!) ?? b[i], canonical, `line ${i + 1}`)
    }
    assert.isTrue(ClaudeStore.lineage.ignoredLinePrefixes.some((p) => JSON.stringify({ type: "custom-title", customTitle: "x" }).startsWith(p)))
    const prompt = input.find((l) => JSON.parse(l).type === "user" && typeof JSON.parse(l).message.content === "string")!
    assert.isTrue(ClaudeStore.lineage.isPrompt(prompt))
    assert.isFalse(ClaudeStore.lineage.isPrompt(input.find((l) => JSON.parse(l).type === "assistant")!))
  })
})
