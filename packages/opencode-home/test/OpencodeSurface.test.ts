/**
 * OpenCode's rewrite surface, checked against the sessions OpenCode 1.18.33 wrote (the
 * fixtures): the fixture transcripts, rewritten with `--map` rules for both source projects,
 * keep no source path and no source session id anywhere; every path field of the fixtures
 * (those `/tmp/opencode-facts.md` §4 lists that occur there) is an entry of the surface.
 */
import { assert, describe, it } from "@effect/vitest"
import { Rewriter, PathRules } from "@sessionport/localize"
import { OpencodeData, OpencodeSurface, SessionCatalog } from "@sessionport/opencode-home"
import { Fixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"

const fixtures = Fixtures.load()
const { source } = fixtures
const SOURCE_ROOT = source.root
const TARGET = { alpha: "/home/bob/code/alpha", beta: "/home/bob/code/beta" }

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
})

type Line = Record<string, any>

/** Every fixture session's transcript, rendered from a copy of the fixture database. */
const transcripts = Effect.gen(function*() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opencode-surface-"))
  temps.push(dir)
  fs.cpSync(Fixtures.fixtureData, path.join(dir, "opencode"), { recursive: true })
  return yield* Effect.scoped(Effect.map(SessionCatalog.open(OpencodeData.make({ root: path.join(dir, "opencode") })), (s) =>
    new Map(s!.sessions().map((row) => [String(row.id), [...s!.lines(row)].join("\n") + "\n"] as const))
  ))
})

/** Every string of a JSON value with where it is (`a.b[*].c`; JSON inside a string: `@json`). */
const strings = (value: unknown, at = ""): Array<{ readonly at: string; readonly text: string }> => {
  if (typeof value === "string") {
    try {
      const inner = JSON.parse(value) as unknown
      if (typeof inner === "object" && inner !== null) return strings(inner, `${at}@json`)
    } catch {
      // text
    }
    return [{ at, text: value }]
  }
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, `${at}[*]`))
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => strings(v, at === "" ? k : `${at}.${k}`))
  }
  return []
}

/** A line's kind as the surface names it: its table, and a part's `data.type` (and tool). */
const kindOf = (line: Line) =>
  line.type === "part" ? `part ${line.data?.type}${line.data?.type === "tool" ? `:${line.data.tool}` : ""}` : String(line.type)

describe("OpencodeSurface", () => {
  it("every entry is of a transcript line type, once, of the tested OpenCode", () => {
    assert.deepStrictEqual([...OpencodeSurface.lineTypes].sort(), ["message", "part", "session", "todo"])
    assert.deepStrictEqual([...OpencodeSurface.dialect.knownTypes].sort(), [...OpencodeSurface.lineTypes].sort())
    const seen = new Set<string>()
    for (const entry of OpencodeSurface.entries) {
      assert.include(OpencodeSurface.lineTypes, entry.type, `${entry.type} ${entry.field}`)
      assert.strictEqual(entry.since, "1.18.33", entry.field)
      const key = `${entry.type} ${entry.field}`
      assert.isFalse(seen.has(key), `${key} once`)
      seen.add(key)
    }
    assert.strictEqual(OpencodeSurface.dialect.recognise({ type: "part" }), "known")
    assert.strictEqual(OpencodeSurface.dialect.recognise({ type: "event" }), "unknown")
  })

  it.effect("every path field of the fixture sessions is on the surface", () =>
    Effect.gen(function*() {
      const on = (type: string, field: string) => OpencodeSurface.entries.some((e) => e.type === type && e.field === field)
      // where the fixtures hold a source path (§4 of the facts), and the surface entry for it
      const expected: Record<string, readonly [string, string]> = {
        "session directory": ["session", "directory"],
        "message data.path.cwd": ["message", "data.path.cwd"],
        "message data.path.root": ["message", "data.path.root"],
        "part tool:write data.state.input.filePath": ["part", "data[?type=tool].state.input.filePath"],
        "part tool:write data.state.metadata.filepath": ["part", "data[?type=tool].state.metadata.filepath"],
        "part patch data.files[*]": ["part", "data[?type=patch].files"],
        // not a path: relative to the project, derived again by install (off the surface by design)
        "session path": ["session", "path"]
      }
      const found = new Set<string>()
      for (const text of (yield* transcripts).values()) {
        for (const line of text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Line)) {
          for (const s of strings(line)) {
            if (!s.text.includes(SOURCE_ROOT.slice(1))) continue
            const kind = `${kindOf(line)} ${s.at}`
            assert.property(expected, kind, `${kind} holds ${s.text}: a path field the test does not know`)
            found.add(kind)
          }
        }
      }
      assert.deepStrictEqual([...found].sort(), Object.keys(expected).sort(), "the fixtures hold each of these")
      for (const [kind, [type, field]] of Object.entries(expected)) {
        if (kind === "session path") assert.isFalse(on(type, field), "session.path is derived by install, not rewritten")
        else assert.isTrue(on(type, field), `${kind}: ${type} ${field} is on the surface`)
      }
    }))

  it.effect("the fixture transcripts rewritten with --map: no source path and no source session id remain", () =>
    Effect.gen(function*() {
      const rules = PathRules.make({
        maps: [{ from: source.alpha, to: TARGET.alpha }, { from: source.beta, to: TARGET.beta }],
        sourceHome: source.home,
        targetHome: "/home/bob",
        targetPlatform: "posix"
      })
      const all = yield* transcripts
      const idMap = new Map([...all.keys()].map((id) => [id, `${id.slice(0, 16)}Zz${id.slice(18)}`] as const))
      assert.strictEqual(all.size, Object.keys(fixtures.sessions).length)
      for (const [id, text] of all) {
        const rewrite = Rewriter.reportingChunks([new TextEncoder().encode(text)], {
          idMap,
          pathRules: rules,
          dialect: OpencodeSurface.dialect,
          label: id
        })
        const out = Buffer.concat([...rewrite.chunks]).toString("utf8")
        const report = yield* rewrite.report
        assert.strictEqual(report.skipped, 0, `${id}: every line that holds something to rewrite was rewritten`)
        const lines = out.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Line)
        assert.strictEqual(lines.length, text.split("\n").filter((l) => l !== "").length)
        for (const line of lines) {
          for (const s of strings(line)) {
            assert.notInclude(s.text, SOURCE_ROOT, `${id}: ${kindOf(line)} ${s.at}`)
            assert.notInclude(s.text, id, `${id}: ${kindOf(line)} ${s.at} keeps the source session id`)
            if (line.type === "session" && s.at === "path") continue
            assert.notInclude(s.text, SOURCE_ROOT.slice(1), `${id}: ${kindOf(line)} ${s.at}`)
          }
        }
        const session = lines[0]!
        assert.strictEqual(session.id, idMap.get(id))
        const target = fixtures.sessions["tools"]!.sessionId === id ? TARGET.alpha : TARGET.beta
        assert.strictEqual(session.directory, target)
        for (const line of lines.filter((l) => l.type === "message" && l.data.role === "assistant")) {
          assert.strictEqual(line.data.path.cwd, target)
        }
      }
    }))
})
