import { assert, describe, it } from "@effect/vitest"
import { fixtureHome, fixtures, fixtureThreads } from "@sessionport/codex-oracle/Fixtures"
import { Neutralizer, PathRules, Rewriter } from "@sessionport/localize"
import { Chunk, Effect, Sink, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { encryptedContents, linesOf, surfaceValues, unzstd } from "./utils/independent.js"

const source = fixtures.source as typeof fixtures.source & { readonly home: string; readonly userHome: string }
const MARKERS = new Set<unknown>(["@path", "@file-url", "@thread-id", "@timestamp", 0])

const plans: ReadonlyArray<readonly [string, Rewriter.Plan]> = [
  ["posix, mapped projects, new ids and start times", {
    idMap: new Map(fixtureThreads.map((s, i) => [s.threadId, `019f0000-0000-7000-8000-${String(i + 1).padStart(12, "0")}`])),
    timestamps: new Map(fixtureThreads.map((s, i) => [s.threadId, `2031-02-0${i + 1}T10:00:00.000Z`])),
    pathRules: PathRules.make({
      maps: [{ from: source.alpha, to: "/home/bob/code/alpha" }, { from: source.beta, to: "/srv/beta project/β" }],
      sourceHome: source.userHome,
      targetHome: "/home/bob",
      targetPlatform: "posix"
    })
  }],
  ["windows, everything under the source root moved", {
    idMap: new Map(fixtureThreads.map((s, i) => [s.threadId, `01a00000-0000-7000-8000-${String(i + 7).padStart(12, "0")}`])),
    pathRules: PathRules.make({
      maps: [{ from: source.root, to: "D:\\work\\ported" }],
      targetHome: "C:\\Users\\bob",
      targetPlatform: "windows"
    })
  }]
]

const read = (rel: string) => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(fixtureHome, rel)))
  return rel.endsWith(".zst") ? unzstd(bytes) : bytes
}

/** Every fixture thread installed under a plan: parents first, each fork given its parent's line ends. */
const install = (plan: Rewriter.Plan) =>
  Effect.gen(function*() {
    const firstLine = (bytes: Uint8Array) => JSON.parse(linesOf(bytes)[0]!.text).payload
    const wanted = new Map<string, Set<number>>()
    for (const fork of fixtureThreads.filter((s) => s.parentId !== undefined)) {
      const base = firstLine(read(fork.rollout)).history_base
      wanted.set(base.thread_id, new Set([...(wanted.get(base.thread_id) ?? []), base.end_byte_offset]))
    }
    const offsets = new Map<string, ReadonlyMap<number, number>>()
    const out: Array<{ readonly id: string; readonly before: Uint8Array; readonly after: Uint8Array }> = []
    for (const session of [...fixtureThreads].sort((a, b) => Number(a.parentId !== undefined) - Number(b.parentId !== undefined))) {
      const before = read(session.rollout)
      const [chunks, report] = yield* Rewriter.run(
        Stream.make(before),
        { ...plan, lineEnds: wanted.get(session.threadId), historyBaseOffsets: offsets },
        Sink.collectAll<Uint8Array>()
      )
      offsets.set(session.threadId, report.lineEnds)
      out.push({ id: session.threadId, before, after: new Uint8Array(Buffer.concat([...Chunk.toReadonlyArray(chunks)])) })
    }
    return out
  })

const fixtureLines = fixtureThreads.flatMap((s) => linesOf(read(s.rollout)).map((l) => l.text)).filter((t) => t.length > 0)

/** The leaves of a JSON value with their paths, in document order. */
const leaves = (value: unknown, at = "", out: Array<readonly [string, unknown]> = []) => {
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) leaves(v, `${at}/${k}`, out)
  } else out.push([at, value])
  return out
}

describe("Neutralizer", () => {
  it.effect("a fixture line and its installed counterpart have the same canonical text, under any plan", () =>
    Effect.gen(function*() {
      for (const [label, plan] of plans) {
        let differing = 0
        for (const { after, before, id } of yield* install(plan)) {
          const a = linesOf(before)
          const b = linesOf(after)
          assert.strictEqual(b.length, a.length)
          a.forEach((line, i) => {
            if (line.text !== b[i]!.text) differing++
            assert.strictEqual(Neutralizer.canonical(b[i]!.text), Neutralizer.canonical(line.text), `${label}: ${id} line ${i + 1}`)
          })
        }
        assert.isAbove(differing, 50, label)
      }
    }))

  it("answers exactly for the lines that hold a surface value (read by hand), and the pre-check passes them all", () => {
    let held = 0
    for (const text of fixtureLines) {
      const values = surfaceValues(JSON.parse(text))
      const neutral = Neutralizer.neutralize(text)
      assert.strictEqual(neutral !== undefined, values.length > 0, text.slice(0, 200))
      if (values.length > 0) (held++, assert.isTrue(Neutralizer.mayHoldSurface(text)))
    }
    assert.isAbove(held, 40)
    assert.isBelow(held, fixtureLines.length)
  })

  it("puts a marker in every surface value and changes nothing else (encrypted_content, text, ids of turns and calls)", () => {
    for (const text of fixtureLines) {
      const neutral = Neutralizer.neutralize(text)
      if (neutral === undefined) continue
      const before = JSON.parse(text)
      const after = JSON.parse(neutral)
      assert.deepStrictEqual(encryptedContents(after), encryptedContents(before))
      for (const v of surfaceValues(after)) {
        assert.isTrue(MARKERS.has(v.value) || /^@path#\d+$/.test(String(v.value)), `${v.value} in ${before.type}`)
      }
      const values = surfaceValues(before).map((v) => String(v.value))
      if (before.type === "session_meta") {
        // fork parentage is each machine's bookkeeping: dropped, not marked
        assert.notProperty(after.payload, "forked_from_id")
        delete before.payload.forked_from_id
      }
      const [a, b] = [leaves(before), leaves(after)]
      assert.strictEqual(b.length, a.length)
      a.forEach(([at, value], i) => {
        const [atAfter, valueAfter] = b[i]!
        if (atAfter !== at) assert.match(atAfter, /\/changes\/@path#\d+\//, at)
        if (valueAfter === value) return
        // a changed leaf held a surface value: the value itself, or text (arguments, an
        // environment context) around it
        assert.isTrue(values.some((v) => v === String(value) || String(value).includes(v)), `${at} of ${before.type}`)
        assert.isTrue(MARKERS.has(valueAfter) || String(valueAfter).includes("@path"), `${at} of ${before.type}`)
      })
    }
  })

  it("leaves lines without a surface value to the caller, and lines that are not JSON objects", () => {
    const reasoning = fixtureLines.find((t) => JSON.parse(t).payload?.type === "reasoning")!
    assert.include(reasoning, "encrypted_content")
    for (const text of [reasoning, "not json", "[1,2]", "\"cwd\"", "{\"type\":\"turn_context\",\"payload\":{\"cwd\":3}}", ""]) {
      assert.isUndefined(Neutralizer.neutralize(text), text)
      assert.strictEqual(Neutralizer.canonical(text), text)
    }
  })

  it("keeps a byte order mark and a carriage return around the canonical text, as the Rewriter keeps them", () =>
    Effect.runPromise(Effect.gen(function*() {
      const [, plan] = plans[0]!
      const id = fixtureThreads[0]!.threadId
      const cwd = `${source.alpha}/x`
      const meta = { timestamp: "t", type: "session_meta", payload: { id, timestamp: "s", cwd, originator: "o", cli_version: "1" } }
      const turn = {
        timestamp: "t",
        type: "turn_context",
        payload: { cwd, approval_policy: "never", sandbox_policy: { type: "read-only" }, model: "m", summary: "none" }
      }
      const input = `\ufeff${JSON.stringify(meta)}\r\n${JSON.stringify(turn)}\r\n`
      const [chunks] = yield* Rewriter.run(Stream.make(new TextEncoder().encode(input)), plan, Sink.collectAll<Uint8Array>())
      const output = Buffer.concat([...Chunk.toReadonlyArray(chunks)]).toString("utf8")
      assert.notStrictEqual(output, input)
      const [a, b] = [input.split("\n"), output.split("\n")]
      assert.strictEqual(
        Neutralizer.neutralize(a[0]!),
        "\ufeff{\"timestamp\":\"t\",\"type\":\"session_meta\",\"payload\":{\"id\":\"@thread-id\",\"timestamp\":\"@timestamp\"," +
          "\"cwd\":\"@path\",\"originator\":\"o\",\"cli_version\":\"1\"}}\r"
      )
      for (let i = 0; i < 2; i++) {
        assert.notStrictEqual(b[i], a[i])
        assert.strictEqual(Neutralizer.neutralize(b[i]!), Neutralizer.neutralize(a[i]!))
      }
    })))

  it("finds surface values written with escapes (\\u in a key, \\/ in a path, spacing), so no line is skipped", () => {
    const cases = [
      "{\"type\":\"turn_context\",\"payload\":{\"c\\u0077d\":\"\\/a\\/b\"}}",
      "{ \"type\" : \"event_msg\" , \"payload\" : { \"type\" : \"exec_command_end\" , \"cwd\" : \"/a\" } }",
      "{\"type\":\"response_item\",\"payload\":{\"type\":\"function_call\",\"arguments\":\"{\\\"w\\\\u006frkdir\\\": \\\"/a\\\"}\"}}",
      "{\"type\":\"session_\\u006deta\",\"payload\":{\"id\":\"x\"}}"
    ]
    for (const text of cases) {
      assert.isTrue(Neutralizer.mayHoldSurface(text), text)
      assert.include(Neutralizer.neutralize(text) ?? "", "@", text)
    }
  })

  it("function_call arguments: the workdir is neutralized inside the JSON text, its spacing kept", () => {
    const call = (workdir: string) =>
      JSON.stringify({
        type: "response_item",
        payload: { type: "function_call", name: "exec_command", arguments: `{"cmd": "ls -la",  "workdir": "${workdir}"}`, call_id: "c" }
      })
    const neutral = JSON.parse(Neutralizer.neutralize(call("/tmp/a"))!)
    assert.strictEqual(neutral.payload.arguments, "{\"cmd\": \"ls -la\",  \"workdir\": \"@path\"}")
    assert.strictEqual(Neutralizer.neutralize(call("C:\\\\w\\\\x")), Neutralizer.neutralize(call("/tmp/a")))
  })

  it("paths held as map keys become markers by position, so no entry is lost", () => {
    const line = {
      type: "event_msg",
      payload: { type: "patch_apply_end", changes: { "/a/x": { type: "add", content: "1" }, "/a/y": { type: "delete", content: "2" } } }
    }
    const neutral = JSON.parse(Neutralizer.neutralize(JSON.stringify(line))!)
    assert.deepStrictEqual(neutral.payload.changes, { "@path#0": { type: "add", content: "1" }, "@path#1": { type: "delete", content: "2" } })
  })

  it("the needles: ASCII, none holding a newline or another needle", () => {
    assert.include(Neutralizer.needles, "\\u")
    for (const needle of Neutralizer.needles) {
      assert.match(needle, /^[\x20-\x7e]+$/)
      for (const other of Neutralizer.needles) if (other !== needle) assert.notInclude(needle, other)
    }
  })
})
