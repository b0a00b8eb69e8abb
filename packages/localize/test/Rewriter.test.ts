import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { fixtureByRole, fixtureHome, fixtures, fixtureThreads, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { generateRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { PathRules, Rewriter } from "@sessionport/localize"
import { Chunk, Effect, Sink, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { encryptedContents, linesOf, pathOf, surfaceValues, unzstd } from "./utils/independent.js"

afterAll(removeTemps)

const source = fixtures.source as typeof fixtures.source & { readonly home: string; readonly userHome: string }
const target = {
  alpha: "/home/bob/code/alpha",
  beta: "/home/bob/code/beta",
  home: "/home/bob",
  codexHome: "/home/bob/.codex"
}
const rules = PathRules.make({
  maps: [
    { from: source.alpha, to: target.alpha },
    { from: source.beta, to: target.beta },
    { from: source.home, to: target.codexHome }
  ],
  sourceHome: source.userHome,
  targetHome: target.home,
  targetPlatform: "posix"
})
const oldPrefixes = [source.alpha, source.beta, source.userHome]
const idMap = new Map(fixtureThreads.map((s, i) => [s.threadId, `019f0000-0000-7000-8000-${String(i + 1).padStart(12, "0")}`]))
const oldIds = [...idMap.keys()]

const read = (rel: string) => new Uint8Array(fs.readFileSync(path.join(fixtureHome, rel)))
const plainOf = (rel: string) => rel.endsWith(".zst") ? unzstd(read(rel)) : read(rel)
const pieces = (bytes: Uint8Array, size: number) =>
  Stream.fromIterable(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)))

const rewrite = (bytes: Uint8Array, plan: Partial<Rewriter.Plan> = {}, chunk = 64 * 1024) =>
  Rewriter.run(pieces(bytes, chunk), { idMap, pathRules: rules, ...plan }, Sink.collectAll<Uint8Array>()).pipe(
    Effect.map(([out, report]) => ({ bytes: new Uint8Array(Buffer.concat([...Chunk.toReadonlyArray(out)])), report }))
  )

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")
const isUnder = (value: string, prefix: string) => value === prefix || value.startsWith(`${prefix}/`)
const historyBase = (bytes: Uint8Array) => JSON.parse(linesOf(bytes)[0]!.text).payload.history_base

/**
 * `Rewriter.reportingChunks` over `size`-byte chunks of `bytes`, each read into the same buffer
 * (overwritten once the rewriter pulls the next), as a file reader that reuses its buffer would.
 */
const rewriteChunks = (bytes: Uint8Array, plan: Partial<Rewriter.Plan> = {}, size = 64 * 1024) =>
  Effect.gen(function*() {
    const buffer = new Uint8Array(size)
    const input: Iterable<Uint8Array> = {
      *[Symbol.iterator]() {
        for (let at = 0; at < bytes.length; at += size) {
          const piece = bytes.subarray(at, at + size)
          buffer.fill(0x7b)
          buffer.set(piece)
          yield buffer.subarray(0, piece.length)
        }
      }
    }
    const session = Rewriter.reportingChunks(input, { idMap, pathRules: rules, ...plan })
    const out: Array<Uint8Array> = []
    for (const chunk of session.chunks) out.push(chunk)
    return { bytes: new Uint8Array(Buffer.concat(out)), report: yield* session.report }
  })

/** Rewrites every fixture thread, parents first, passing each fork its parent's line ends. */
const rewriteFixtures = Effect.gen(function*() {
  const forks = fixtureThreads.filter((s) => s.parentId !== undefined)
  const wanted = new Map<string, Set<number>>()
  for (const fork of forks) {
    const base = historyBase(read(fork.rollout))
    wanted.set(base.thread_id, new Set([...(wanted.get(base.thread_id) ?? []), base.end_byte_offset]))
  }
  const ordered = [...fixtureThreads.filter((s) => s.parentId === undefined), ...forks]
  const offsets = new Map<string, ReadonlyMap<number, number>>()
  const results = new Map<string, { input: Uint8Array; bytes: Uint8Array; report: Rewriter.Report }>()
  for (const session of ordered) {
    const input = plainOf(session.rollout)
    const { bytes, report } = yield* rewrite(read(session.rollout), {
      lineEnds: wanted.get(session.threadId),
      historyBaseOffsets: offsets
    })
    offsets.set(session.threadId, report.lineEnds)
    results.set(session.threadId, { input, bytes, report })
  }
  return results
})

describe("Rewriter on the real Codex 0.169 fixtures", () => {
  it.effect("lines holding no old id and no mapped prefix come out byte for byte; unreported lines too", () =>
    Effect.gen(function*() {
      const results = yield* rewriteFixtures
      assert.strictEqual(results.size, fixtureThreads.length)
      const needles = [...oldIds, ...oldPrefixes, source.home]
      for (const [id, { bytes, input, report }] of results) {
        const before = linesOf(input)
        const after = linesOf(bytes)
        assert.strictEqual(after.length, before.length, id)
        assert.strictEqual(report.lines, before.length)
        const changedLines = new Set(report.changes.map((c) => c.line))
        let identical = 0
        before.forEach((line, i) => {
          const untouched = !needles.some((n) => line.text.includes(n)) || !changedLines.has(i + 1)
          if (untouched) {
            assert.strictEqual(after[i]!.text, line.text, `${id} line ${i + 1}`)
            assert.strictEqual(after[i]!.bytes, line.bytes)
            identical++
          }
        })
        assert.strictEqual(identical, report.passedThrough, id)
        assert.strictEqual(report.rewritten, changedLines.size)
        assert.isAbove(report.rewritten, 0)
        assert.strictEqual(report.skipped, 0)
        assert.strictEqual(report.reformatted, 0, "Codex writes what JSON.stringify writes")
      }
    }))

  it.effect("no old id and no old project path is left on the surface; the new ones are there", () =>
    Effect.gen(function*() {
      const results = yield* rewriteFixtures
      for (const session of fixtureThreads) {
        const { bytes } = results.get(session.threadId)!
        const lines = linesOf(bytes).map((l) => JSON.parse(l.text))
        let values = 0
        for (const line of lines) {
          for (const v of surfaceValues(line)) {
            values++
            const value = pathOf(v)
            if (typeof value !== "string") continue
            for (const id of oldIds) assert.notInclude(value, id, `${session.threadId}: ${JSON.stringify(line).slice(0, 120)}`)
            for (const prefix of oldPrefixes) assert.isFalse(isUnder(value, prefix), `${value} in ${line.type}`)
          }
        }
        assert.isAbove(values, 10)
        const meta = lines[0].payload
        assert.strictEqual(meta.id, idMap.get(session.threadId))
        assert.strictEqual(meta.session_id, idMap.get(session.threadId))
        assert.strictEqual(meta.cwd, session.cwd === source.alpha ? target.alpha : target.beta)
        // the whole file: no old id anywhere (ids live on the surface only)
        for (const id of oldIds) assert.notInclude(text(bytes), id)
      }
    }))

  it.effect("the report lists each change: the same (old, new) pairs an independent walk finds", () =>
    Effect.gen(function*() {
      const results = yield* rewriteFixtures
      for (const [id, { bytes, input, report }] of results) {
        const before = linesOf(input)
        const after = linesOf(bytes)
        const expected: Array<string> = []
        before.forEach((line, i) => {
          const a = surfaceValues(JSON.parse(line.text))
          const b = surfaceValues(JSON.parse(after[i]!.text))
          assert.strictEqual(a.length, b.length)
          a.forEach((v, k) => {
            if (v.value !== b[k]!.value) expected.push(`${i + 1} ${v.value} → ${b[k]!.value}`)
          })
        })
        const listed = report.changes.map((c) => `${c.line} ${c.old} → ${c.new}`)
        assert.deepStrictEqual([...listed].sort(), [...expected].sort(), id)
        assert.strictEqual(report.changeCount, listed.length)
        assert.strictEqual(report.changesOmitted, 0)
        for (const c of report.changes) assert.match(c.field, /^payload[.[]/)
      }
    }))

  it.effect("encrypted_content is never touched", () =>
    Effect.gen(function*() {
      const results = yield* rewriteFixtures
      let seen = 0
      for (const { bytes, input } of results.values()) {
        const before = linesOf(input).flatMap((l) => encryptedContents(JSON.parse(l.text)))
        const after = linesOf(bytes).flatMap((l) => encryptedContents(JSON.parse(l.text)))
        assert.deepStrictEqual(after, before)
        seen += before.length
      }
      // the mock model sends none (null); the synthetic session below has real ones
      assert.isAbove(seen, 0)
      const synthetic = path.join(tempDir("localize"), "enc.jsonl")
      yield* Effect.promise(() => generateRollout(synthetic, 2 * 2 ** 20, { id: OLD, cwd: source.alpha }))
      const input = new Uint8Array(fs.readFileSync(synthetic))
      const { bytes, report } = yield* rewrite(input)
      const blobs = linesOf(input).flatMap((l) => encryptedContents(JSON.parse(l.text)))
      assert.isAbove(blobs.filter((b) => typeof b === "string").length, 100)
      assert.deepStrictEqual(linesOf(bytes).flatMap((l) => encryptedContents(JSON.parse(l.text))), blobs)
      assert.isAbove(report.rewritten, 100)
    }))

  it.effect("the fork's history_base.end_byte_offset points at the same ordinal boundary of the rewritten parent", () =>
    Effect.gen(function*() {
      const fork = fixtureByRole("forked")
      const parent = fixtureByRole("forked_parent")
      const results = yield* rewriteFixtures
      const sourceBase = historyBase(read(fork.rollout))
      // the fixture: the offset is the parent's size at that ordinal
      assert.strictEqual(sourceBase.end_byte_offset, read(parent.rollout).length)
      const base = historyBase(results.get(fork.threadId)!.bytes)
      assert.strictEqual(base.thread_id, idMap.get(parent.threadId))
      assert.strictEqual(base.end_ordinal_exclusive, sourceBase.end_ordinal_exclusive)
      let offset = 0
      for (const line of linesOf(results.get(parent.threadId)!.bytes)) {
        if (JSON.parse(line.text).ordinal >= base.end_ordinal_exclusive) break
        offset += line.bytes
      }
      assert.strictEqual(base.end_byte_offset, offset)
      assert.notStrictEqual(offset, sourceBase.end_byte_offset, "the parent's length changed")
      assert.strictEqual(JSON.parse(linesOf(results.get(fork.threadId)!.bytes)[0]!.text).payload.forked_from_id, idMap.get(parent.threadId))
    }))

  it.effect("a fork whose parent is in the package but whose offset is missing fails; a parent outside keeps it", () =>
    Effect.gen(function*() {
      const fork = fixtureByRole("forked")
      const error = yield* Effect.flip(rewrite(read(fork.rollout)))
      assert.strictEqual(error._tag, "RewriteError")
      assert.strictEqual(error.reason, "missing_history_base_offset")
      const alone = new Map([[fork.threadId, "019f0000-0000-7000-8000-0000000000ff"]])
      const { bytes } = yield* rewrite(read(fork.rollout), { idMap: alone })
      assert.deepStrictEqual(historyBase(bytes), historyBase(read(fork.rollout)))
    }))

  it.effect("reportingChunks: the same bytes and report as the stream, for every fixture (forks, zstd), at any chunk size, its input memory reused", () =>
    Effect.gen(function*() {
      const results = yield* rewriteFixtures
      const forks = fixtureThreads.filter((s) => s.parentId !== undefined)
      const wanted = new Map<string, Set<number>>()
      for (const fork of forks) {
        const base = historyBase(read(fork.rollout))
        wanted.set(base.thread_id, new Set([...(wanted.get(base.thread_id) ?? []), base.end_byte_offset]))
      }
      for (const size of [7, 4096, 1024 * 1024]) {
        const offsets = new Map<string, ReadonlyMap<number, number>>()
        for (const session of [...fixtureThreads.filter((s) => s.parentId === undefined), ...forks]) {
          const { bytes, report } = yield* rewriteChunks(read(session.rollout), {
            lineEnds: wanted.get(session.threadId),
            historyBaseOffsets: offsets
          }, size)
          offsets.set(session.threadId, report.lineEnds)
          const expected = results.get(session.threadId)!
          assert.isTrue(Buffer.from(bytes).equals(Buffer.from(expected.bytes)), `${session.threadId} at ${size}`)
          assert.deepStrictEqual(report, expected.report)
        }
      }
    }))

  it.effect("a path the rules refuse (localized out of its rule's target) fails the rewrite, naming the input and the line", () =>
    Effect.gen(function*() {
      const toWindows = PathRules.make({ maps: [], sourceHome: "/Users/alice", targetHome: "C:\\Users\\bob", targetPlatform: "windows" })
      const hostile = "/Users/alice/x\\..\\..\\..\\Windows"
      const lines = [
        { timestamp: "2026-01-01T00:00:00.000Z", type: "session_meta", payload: { id: "t", timestamp: "2026-01-01T00:00:00.000Z", cwd: "/Users/alice/p", originator: "codex_cli_rs", cli_version: "0.1.0" } },
        { timestamp: "2026-01-01T00:00:01.000Z", type: "turn_context", payload: { cwd: hostile, approval_policy: "never", sandbox_policy: { type: "read-only" }, model: "m", summary: "auto" } }
      ]
      const input = new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join("\n") + "\n")
      const error = yield* Effect.flip(rewrite(input, { idMap: new Map(), pathRules: toWindows, label: "session t" }))
      assert.strictEqual(error.reason, "path_outside_root")
      assert.match(error.message, /^session t: line 2: /)
      assert.include(error.message, hostile)
      const thrown = assert.throws(() => Array.from(Rewriter.reportingChunks([input], { idMap: new Map(), pathRules: toWindows }).chunks))
      assert.isTrue(Rewriter.isRewriteError(thrown))
      const one = yield* Effect.flip(Rewriter.localizePath(toWindows, hostile, "session t"))
      assert.deepStrictEqual([one.reason, one.message.startsWith("session t: ")], ["path_outside_root", true])
      assert.strictEqual(yield* Rewriter.localizePath(toWindows, "/Users/alice/p"), "C:\\Users\\bob\\p")
    }))

  it.effect("reportingChunks: what the engine refuses is a thrown RewriteError; each iteration rewrites afresh; no report before the end", () =>
    Effect.gen(function*() {
      const fork = fixtureByRole("forked")
      const missing = Rewriter.reportingChunks([read(fork.rollout)], { idMap, pathRules: rules })
      let thrown: unknown
      try {
        for (const _ of missing.chunks) {
          // pulled until it throws
        }
      } catch (error) {
        thrown = error
      }
      assert.isTrue(Rewriter.isRewriteError(thrown))
      assert.strictEqual((thrown as Rewriter.RewriteError).reason, "missing_history_base_offset")
      assert.isTrue((yield* Effect.exit(missing.report))._tag === "Failure", "no report after a failure")
      const corrupt = Rewriter.reportingChunks([new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8])], { idMap, pathRules: rules })
      assert.throws(() => Array.from(corrupt.chunks), Rewriter.RewriteError, /zstd/)
      assert.isFalse(Rewriter.isRewriteError(new Error("other")))
      const input = read(fixtureByRole("named").rollout)
      const { bytes, report } = yield* rewrite(input)
      const session = Rewriter.reportingChunks([input.subarray(0, 1000), input.subarray(1000)], { idMap, pathRules: rules })
      assert.isTrue((yield* Effect.exit(session.report))._tag === "Failure", "no report before the chunks ended")
      for (let i = 0; i < 2; i++) {
        assert.strictEqual(Buffer.concat(Array.from(session.chunks)).toString("utf8"), text(bytes))
        assert.deepStrictEqual(yield* session.report, report)
      }
    }))

  it.effect("zstd input: the same plain output as its decompressed bytes, at any chunk size", () =>
    Effect.gen(function*() {
      const zst = fixtureByRole("zst")
      const compressed = read(zst.rollout)
      assert.deepStrictEqual([...compressed.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd])
      const plain = yield* rewrite(unzstd(compressed))
      for (const size of [1, 3, 1000, compressed.length]) {
        const { bytes, report } = yield* rewrite(compressed, {}, size)
        assert.strictEqual(text(bytes), text(plain.bytes), `chunk ${size}`)
        assert.deepStrictEqual({ ...report, lineEnds: [] }, { ...plain.report, lineEnds: [] })
      }
      assert.include(text(plain.bytes), idMap.get(zst.threadId)!)
      assert.include(text(plain.bytes), target.beta)
      assert.isAbove(plain.report.rewritten, 0)
    }))
})

const line = (value: unknown) => JSON.stringify(value)
const OLD = fixtureThreads[0]!.threadId
const NEW = idMap.get(OLD)!

describe("Rewriter", () => {
  it.effect("gives the same output and report at any chunk size (BOM, CRLF, multi-byte, blank, torn last line)", () =>
    Effect.gen(function*() {
      const body = text(read(fixtureByRole("multi_turn_tools").rollout))
      const input = new TextEncoder().encode(
        "\ufeff" + line({ timestamp: "t", type: "session_meta", payload: { id: OLD, timestamp: "t", cwd: source.alpha, originator: "o", cli_version: "1" } }) +
          "\n\n" + line({ timestamp: "t", type: "turn_context", payload: { cwd: `${source.beta}/日本 ✓`, approval_policy: "never", sandbox_policy: { type: "read-only" }, model: "m", summary: "none" } }) +
          "\r\n" + body + `{"timestamp":"t","type":"event_msg","payload":{"type":"item_completed","thread_id":"${OLD}`
      )
      const whole = yield* rewrite(input, {}, input.length)
      const out = text(whole.bytes)
      assert.isTrue(out.startsWith(`\ufeff{"timestamp":"t","type":"session_meta","payload":{"id":"${NEW}"`))
      assert.include(out, `\n\n{"timestamp":"t","type":"turn_context","payload":{"cwd":"${target.beta}/日本 ✓"`)
      assert.include(out, "\"summary\":\"none\"}}\r\n")
      // the torn last line: untouched, still without a newline
      assert.isTrue(out.endsWith(`"thread_id":"${OLD}`))
      assert.strictEqual(whole.report.skippedNotJson, 1)
      for (const size of [1, 2, 5, 7, 64, 4096]) {
        const { bytes, report } = yield* rewrite(input, {}, size)
        assert.strictEqual(text(bytes), out, `chunk ${size}`)
        assert.deepStrictEqual(report, whole.report)
      }
    }))

  it.effect("a torn last line of a real rollout passes through untouched", () =>
    Effect.gen(function*() {
      const body = read(fixtureByRole("beta_cwd").rollout)
      const torn = Buffer.from(`{"timestamp":"2026-11-21T09:17:13.000Z","ordinal":99,"type":"turn_context","payload":{"cwd":"${source.beta}","thread_id":"${OLD}`)
      const { bytes, report } = yield* rewrite(new Uint8Array(Buffer.concat([body, torn])))
      assert.deepStrictEqual(Buffer.from(bytes.subarray(bytes.length - torn.length)), torn)
      assert.notStrictEqual(bytes[bytes.length - torn.length - 1], undefined)
      assert.strictEqual(bytes[bytes.length - torn.length - 1], 10)
      assert.strictEqual(report.skippedNotJson, 1)
      assert.strictEqual(report.lines, linesOf(body).length + 1)
    }))

  it.effect("lines of unknown or legacy shape are not attempted, and counted", () =>
    Effect.gen(function*() {
      const lines = [
        line({ timestamp: "t", type: "event_msg", payload: { type: "future_event", thread_id: OLD, cwd: source.alpha } }),
        line({ timestamp: "t", type: "future_type", payload: { thread_id: OLD } }),
        line({ timestamp: "t", type: "turn_context", payload: { cwd: source.alpha } }),
        line({ timestamp: "t", type: "turn_context", payload: { cwd: 42, note: source.alpha } }),
        line({ id: OLD, timestamp: "t", instructions: null, git: null }),
        line({ record_type: "state", cwd: source.alpha }),
        line({ timestamp: "t", type: "event_msg", payload: { type: "agent_message", message: `see ${source.alpha}` } })
      ]
      const input = new TextEncoder().encode(lines.join("\n") + "\n")
      const { bytes, report } = yield* rewrite(input)
      assert.strictEqual(text(bytes), lines.join("\n") + "\n")
      assert.strictEqual(report.rewritten, 0)
      assert.strictEqual(report.passedThrough, lines.length)
      assert.strictEqual(report.skippedUnknown, 3)
      assert.strictEqual(report.skippedLegacy, 2)
      assert.strictEqual(report.skipped, 5)
    }))

  it.effect("never touches encrypted_content, tool outputs or model text, even when they hold old paths and ids", () =>
    Effect.gen(function*() {
      const env = `<environment_context>\n  <cwd>${source.alpha}</cwd>\n</environment_context>`
      const lines = [
        line({ timestamp: "t", type: "response_item", payload: { type: "reasoning", summary: [], encrypted_content: `${source.alpha} ${OLD}` } }),
        line({ timestamp: "t", type: "response_item", payload: { type: "function_call_output", call_id: "c", output: `cd ${source.alpha}\n${env}` } }),
        line({ timestamp: "t", type: "response_item", payload: { type: "message", role: "assistant", content: [{ type: "output_text", text: env }] } }),
        line({ timestamp: "t", type: "response_item", payload: { type: "message", role: "developer", content: [{ type: "input_text", text: env }] } }),
        line({ timestamp: "t", type: "compacted", payload: { message: env, replacement_history: [{ type: "compaction", encrypted_content: source.alpha }] } })
      ]
      const input = new TextEncoder().encode(lines.join("\n") + "\n")
      const { bytes, report } = yield* rewrite(input)
      assert.strictEqual(text(bytes), lines.join("\n") + "\n")
      assert.strictEqual(report.rewritten, 0)
    }))

  it.effect("environment_context text: <cwd>, <root>, <path> and the 2025 line form; other text stays", () =>
    Effect.gen(function*() {
      const message = (content: string) =>
        line({ timestamp: "t", type: "response_item", payload: { type: "message", role: "user", content: [{ type: "input_text", text: content }] } })
      const block = `<environment_context>\n  <cwd>${source.alpha}</cwd>\n  <writable_roots>\n    <root>${source.beta}</root>\n  </writable_roots>\n` +
        `  <environments><environment id="local"><cwd>${source.alpha}/sub</cwd></environment></environments>\n</environment_context>`
      const legacy = `<environment_context>\nCurrent working directory: ${source.alpha}\nApproval policy: on-request\n</environment_context>`
      const lines = [
        message(`before <cwd>${source.alpha}</cwd> ${block} after`),
        message(legacy),
        line({ timestamp: "t", type: "event_msg", payload: { type: "user_message", message: block, images: [], local_images: [], text_elements: [], kind: "environment_context" } }),
        line({
          timestamp: "t",
          type: "compacted",
          payload: { message: "", replacement_history: [{ type: "message", role: "user", content: [{ type: "input_text", text: block }] }] }
        })
      ]
      const { bytes, report } = yield* rewrite(new TextEncoder().encode(lines.join("\n") + "\n"))
      const out = linesOf(bytes).map((l) => JSON.parse(l.text))
      const expectedBlock = block.replaceAll(source.alpha, target.alpha).replaceAll(source.beta, target.beta)
      assert.strictEqual(out[0].payload.content[0].text, `before <cwd>${source.alpha}</cwd> ${expectedBlock} after`)
      assert.strictEqual(out[1].payload.content[0].text, legacy.replace(source.alpha, target.alpha))
      assert.strictEqual(out[2].payload.message, expectedBlock)
      assert.strictEqual(out[3].payload.replacement_history[0].content[0].text, expectedBlock)
      assert.deepStrictEqual(report.changes.slice(0, 3).map((c) => c.field), [
        "payload.content[0].text<cwd>",
        "payload.content[0].text<root>",
        "payload.content[0].text<cwd>"
      ])
    }))

  it.effect("function_call workdir: replaced inside the arguments text, the rest of it as it was", () =>
    Effect.gen(function*() {
      const call = (args: string) => line({ timestamp: "t", type: "response_item", payload: { type: "function_call", name: "exec_command", arguments: args, call_id: "c" } })
      const lines = [
        call(`{"cmd": "ls ${source.alpha}",  "workdir": "${source.alpha}/src"}`),
        call(`{"cmd":"ls","workdir":"\\/tmp\\/sessionport-fixture-src\\/projects\\/alpha"}`),
        call(`not json ${source.alpha}`),
        call(`{"cmd":"ls","workdir":"/srv/elsewhere"}`)
      ]
      const { bytes, report } = yield* rewrite(new TextEncoder().encode(lines.join("\n") + "\n"))
      const out = linesOf(bytes).map((l) => JSON.parse(l.text).payload.arguments)
      assert.strictEqual(out[0], `{"cmd": "ls ${source.alpha}",  "workdir": "${target.alpha}/src"}`)
      assert.strictEqual(out[1], `{"cmd":"ls","workdir":"${target.alpha}"}`)
      assert.strictEqual(out[2], `not json ${source.alpha}`)
      assert.strictEqual(out[3], `{"cmd":"ls","workdir":"/srv/elsewhere"}`)
      assert.deepStrictEqual(report.changes.map((c) => [c.line, c.field]), [
        [1, "payload.arguments@json.workdir"],
        [2, "payload.arguments@json.workdir"]
      ])
    }))

  it.effect("a Windows session (corpus shapes) maps to /home/bob/Documents/repo with / separators", () =>
    Effect.gen(function*() {
      const cwd = "C:\\Users\\alice\\Documents\\repo"
      const env = `<environment_context>\n  <cwd>${cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n` +
        `  <writable_roots>\n    <root>${cwd}</root>\n    <root>C:\\Users\\alice\\.codex\\memories</root>\n  </writable_roots>\n  <shell>powershell</shell>\n</environment_context>`
      const lines = [
        line({ timestamp: "2026-05-11T08:27:17.490Z", type: "session_meta", payload: { id: OLD, timestamp: "2026-05-11T08:26:55.042Z", cwd, originator: "codex_vscode", cli_version: "0.125.0", source: "vscode", model_provider: "openai" } }),
        line({ timestamp: "2026-05-11T08:27:17.495Z", type: "response_item", payload: { type: "message", role: "user", content: [{ type: "input_text", text: env }] } }),
        line({
          timestamp: "2026-05-11T08:27:17.496Z",
          type: "turn_context",
          payload: {
            cwd,
            approval_policy: "on-request",
            sandbox_policy: { type: "workspace-write", writable_roots: [cwd, "C:\\Users\\alice\\.codex\\memories"], network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false },
            permission_profile: { type: "managed", file_system: { type: "restricted", entries: [{ path: { type: "special", value: { kind: "current_working_directory" } }, access: "write" }, { path: { type: "path", path: `${cwd}\\.git` }, access: "read" }] }, network: "restricted" },
            model: "gpt-5.5",
            summary: "none"
          }
        }),
        line({ timestamp: "t", type: "response_item", payload: { type: "function_call", name: "shell_command", arguments: JSON.stringify({ command: "dir", workdir: `${cwd}\\src` }), call_id: "c" } }),
        line({ timestamp: "t", type: "event_msg", payload: { type: "exec_command_end", call_id: "c", turn_id: "u", command: ["dir"], cwd: `${cwd}\\src`, parsed_cmd: [], source: "agent", aggregated_output: "", exit_code: 0, duration: { secs: 0, nanos: 1 }, status: "completed", stdout: "", stderr: "", formatted_output: "" } }),
        line({ timestamp: "t", type: "event_msg", payload: { type: "patch_apply_end", call_id: "c", turn_id: "u", stdout: "", stderr: "", success: true, changes: { [`${cwd}\\a.txt`]: { type: "add", content: "x" }, "D:\\other\\b.txt": { type: "delete", content: "" } }, status: "completed" } })
      ]
      const input = new TextEncoder().encode(lines.join("\r\n") + "\r\n")
      const withHome = PathRules.make({ maps: [], sourceHome: "C:\\Users\\alice", targetHome: "/home/bob", targetPlatform: "posix" })
      const documentsOnly = PathRules.make({ maps: [], targetHome: "/home/bob", targetPlatform: "posix" })
      for (const [pathRules, memories] of [[withHome, "/home/bob/.codex/memories"], [documentsOnly, "C:\\Users\\alice\\.codex\\memories"]] as const) {
        const { bytes } = yield* rewrite(input, { pathRules })
        const out = linesOf(bytes).map((l) => JSON.parse(l.text))
        assert.strictEqual(out[0].payload.cwd, "/home/bob/Documents/repo")
        assert.strictEqual(out[0].payload.id, NEW)
        assert.strictEqual(
          out[1].payload.content[0].text,
          env.replaceAll(`<cwd>${cwd}<`, "<cwd>/home/bob/Documents/repo<").replace(`<root>${cwd}<`, "<root>/home/bob/Documents/repo<")
            .replace("C:\\Users\\alice\\.codex\\memories", memories)
        )
        assert.strictEqual(out[2].payload.cwd, "/home/bob/Documents/repo")
        assert.deepStrictEqual(out[2].payload.sandbox_policy.writable_roots, ["/home/bob/Documents/repo", memories])
        assert.strictEqual(out[2].payload.permission_profile.file_system.entries[1].path.path, "/home/bob/Documents/repo/.git")
        assert.strictEqual(JSON.parse(out[3].payload.arguments).workdir, "/home/bob/Documents/repo/src")
        assert.strictEqual(out[4].payload.cwd, "/home/bob/Documents/repo/src")
        assert.deepStrictEqual(Object.keys(out[5].payload.changes), ["/home/bob/Documents/repo/a.txt", "D:\\other\\b.txt"])
        assert.isTrue(text(bytes).endsWith("\r\n"), "CRLF lines keep their CR")
      }
    }))

  it.effect("reformatted counts changed lines that were not written the way JSON.stringify writes them", () =>
    Effect.gen(function*() {
      const tokens = (extra: string) => `{"timestamp":"t","type":"token_usage_record","payload":{"thread_id":"${OLD}"${extra}}}`
      const lines = [
        tokens(""),
        tokens(`,"note":"caf\\u00e9"`),
        `{"timestamp": "t", "type": "token_usage_record", "payload": {"thread_id": "${OLD}"}}`,
        tokens(`,"big":12345678901234567890`),
        tokens(`,"ok":[1,2.5,"x\\n"]`)
      ]
      const { bytes, report } = yield* rewrite(new TextEncoder().encode(lines.join("\n") + "\n"))
      assert.strictEqual(report.rewritten, 5)
      assert.strictEqual(report.reformatted, 3)
      const out = linesOf(bytes).map((l) => l.text)
      assert.strictEqual(out[0], tokens("").replace(OLD, NEW))
      assert.strictEqual(out[4], tokens(`,"ok":[1,2.5,"x\\n"]`).replace(OLD, NEW))
    }))

  it.effect("timestamps: session_meta.timestamp of the named thread only", () =>
    Effect.gen(function*() {
      const other = fixtureThreads[1]!.threadId
      const lines = [
        line({ timestamp: "2026-01-01T00:00:00.000Z", type: "session_meta", payload: { id: OLD, timestamp: "2026-01-01T00:00:00.000Z", cwd: "/srv", originator: "o", cli_version: "1" } }),
        line({ timestamp: "2026-01-01T00:00:00.000Z", type: "session_meta", payload: { id: other, timestamp: "2026-01-01T00:00:00.000Z", cwd: "/srv", originator: "o", cli_version: "1" } })
      ]
      const { bytes } = yield* rewrite(new TextEncoder().encode(lines.join("\n") + "\n"), {
        timestamps: new Map([[OLD, "2026-12-01T10:00:00.000Z"]])
      })
      const out = linesOf(bytes).map((l) => JSON.parse(l.text))
      assert.strictEqual(out[0].payload.timestamp, "2026-12-01T10:00:00.000Z")
      assert.strictEqual(out[0].timestamp, "2026-01-01T00:00:00.000Z")
      assert.strictEqual(out[1].payload.timestamp, "2026-01-01T00:00:00.000Z")
    }))

  it.effect("keeps the first maxChanges changes and counts the rest", () =>
    Effect.gen(function*() {
      const lines = Array.from({ length: 30 }, () => line({ timestamp: "t", type: "token_usage_record", payload: { thread_id: OLD, session_id: OLD } }))
      const { report } = yield* rewrite(new TextEncoder().encode(lines.join("\n")), { maxChanges: 7 })
      assert.strictEqual(report.changes.length, 7)
      assert.strictEqual(report.changeCount, 60)
      assert.strictEqual(report.changesOmitted, 53)
      assert.strictEqual(report.rewritten, 30)
    }))

  it.effect("the pre-check on bytes: ids (UUID-shaped or not, few or many) and prefixes are found wherever chunks cut them", () =>
    Effect.gen(function*() {
      const many = new Map(Array.from({ length: 50 }, (_, i) => [
        `01a00000-0000-7000-8000-${String(i).padStart(12, "0")}`,
        `01b00000-0000-7000-8000-${String(i).padStart(12, "0")}`
      ]))
      const plain = new Map([["not-a-uuid", "renamed-id"]])
      const token = (id: string) => line({ timestamp: "t", type: "token_usage_record", payload: { thread_id: id } })
      const lines = [
        token("01a00000-0000-7000-8000-000000000049"),
        token("not-a-uuid"),
        line({ timestamp: "t", type: "turn_context", payload: { cwd: `${source.alpha}/日本`, approval_policy: "never", sandbox_policy: { type: "read-only" }, model: "m", summary: "none" } }),
        token("01a00000-0000-7000-8000-999999999999"),
        token("01a00000-0000-7000-8000-000000000007")
      ]
      const input = new TextEncoder().encode(lines.join("\n") + "\n")
      for (const ids of [new Map([...many, ...plain]), new Map([...[...many].slice(0, 3), ...plain])]) {
        const whole = yield* rewrite(input, { idMap: ids }, input.length)
        const out = linesOf(whole.bytes).map((l) => JSON.parse(l.text).payload)
        assert.strictEqual(out[0].thread_id, ids.has("01a00000-0000-7000-8000-000000000049") ? "01b00000-0000-7000-8000-000000000049" : "01a00000-0000-7000-8000-000000000049")
        assert.strictEqual(out[1].thread_id, "renamed-id")
        assert.strictEqual(out[2].cwd, `${target.alpha}/日本`)
        assert.strictEqual(out[3].thread_id, "01a00000-0000-7000-8000-999999999999")
        for (const size of [1, 5, 37, 100]) {
          const cut = yield* rewriteChunks(input, { idMap: ids }, size)
          assert.strictEqual(text(cut.bytes), text(whole.bytes), `chunk ${size}`)
          assert.deepStrictEqual(cut.report, whole.report)
        }
      }
    }))

  it.effect("many ids: the pre-check finds any of them", () =>
    Effect.gen(function*() {
      const many = new Map(Array.from({ length: 500 }, (_, i) => [
        `01a00000-0000-7000-8000-${String(i).padStart(12, "0")}`,
        `01b00000-0000-7000-8000-${String(i).padStart(12, "0")}`
      ]))
      const lines = [123, 499, 7].map((i) => line({ timestamp: "t", type: "token_usage_record", payload: { thread_id: `01a00000-0000-7000-8000-${String(i).padStart(12, "0")}` } }))
      lines.push(line({ timestamp: "t", type: "token_usage_record", payload: { thread_id: "01a00000-0000-7000-8000-999999999999" } }))
      const { bytes, report } = yield* rewrite(new TextEncoder().encode(lines.join("\n") + "\n"), { idMap: many })
      assert.strictEqual(report.rewritten, 3)
      assert.deepStrictEqual(linesOf(bytes).map((l) => JSON.parse(l.text).payload.thread_id), [
        "01b00000-0000-7000-8000-000000000123",
        "01b00000-0000-7000-8000-000000000499",
        "01b00000-0000-7000-8000-000000000007",
        "01a00000-0000-7000-8000-999999999999"
      ])
    }))

  it.effect("rewrite and reporting: the same bytes as run, afresh on every run of the stream", () =>
    Effect.gen(function*() {
      const input = read(fixtureByRole("named").rollout)
      const { bytes, report } = yield* rewrite(input)
      const stream = Rewriter.rewrite(pieces(input, 4096), { idMap, pathRules: rules })
      const session = Rewriter.reporting(pieces(input, 4096), { idMap, pathRules: rules })
      const early = yield* Effect.exit(session.report)
      assert.isTrue(early._tag === "Failure", "no report before the stream ended")
      for (let i = 0; i < 2; i++) {
        for (const s of [stream, session.bytes]) {
          const out = Chunk.toReadonlyArray(yield* Stream.runCollect(s))
          assert.strictEqual(Buffer.concat(out).toString("utf8"), text(bytes))
        }
        assert.deepStrictEqual(yield* session.report, report)
      }
    }))

  it.effect("a 200 MB generated session rewrites streaming, with flat memory", () =>
    Effect.gen(function*() {
      const dir = tempDir("localize")
      const file = path.join(dir, "big.jsonl")
      const out = path.join(dir, "out.jsonl")
      const id = "019e1625-789d-76c0-80ab-3724b5ddb799"
      const cwd = "/Users/u/repos/app"
      const { bytes, lines } = yield* Effect.promise(() => generateRollout(file, 200 * 2 ** 20, { id, cwd }))
      const plan: Rewriter.Plan = {
        idMap: new Map([[id, NEW]]),
        pathRules: PathRules.make({ maps: [], sourceHome: "/Users/u", targetHome: "/home/bob", targetPlatform: "posix" })
      }
      const base = process.memoryUsage().rss
      let peak = base
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
      const report = yield* Effect.gen(function*() {
        const fsys = yield* FileSystem.FileSystem
        const [, report] = yield* Rewriter.run(fsys.stream(file, { chunkSize: 256 * 1024 }), plan, fsys.sink(out))
        return report
      }).pipe(Effect.provide(NodeContext.layer), Effect.ensuring(Effect.sync(() => clearInterval(timer))))
      assert.strictEqual(report.lines, lines)
      assert.strictEqual(report.outputBytes, fs.statSync(out).size)
      assert.strictEqual(report.rewritten, Math.round((lines - 1) / 12) * 3 + 1, "session_meta, and per turn turn_context, function_call, exec_command_end")
      assert.isAbove(report.outputBytes, bytes)
      assert.isBelow((peak - base) / 2 ** 20, 256, "memory does not grow with the file")
      // a few lines from the head and the tail
      const fd = fs.openSync(out, "r")
      const head = Buffer.alloc(256 * 1024)
      fs.readSync(fd, head, 0, head.length, 0)
      const tail = Buffer.alloc(64 * 1024)
      fs.readSync(fd, tail, 0, tail.length, report.outputBytes - tail.length)
      fs.closeSync(fd)
      const first = head.toString("utf8").split("\n").slice(0, 14).map((l) => JSON.parse(l))
      assert.strictEqual(first[0].payload.id, NEW)
      assert.strictEqual(first[0].payload.cwd, "/home/bob/repos/app")
      assert.deepStrictEqual(first[2].payload.sandbox_policy.writable_roots, ["/home/bob/repos/app"])
      assert.strictEqual(JSON.parse(first[6].payload.arguments).workdir, "/home/bob/repos/app")
      assert.strictEqual(first[8].payload.cwd, "/home/bob/repos/app")
      const last = tail.toString("utf8").split("\n").at(-2)!
      assert.strictEqual(JSON.parse(last).payload.type, "task_complete")
      assert.notInclude(tail.toString("utf8"), cwd)
    }), { timeout: 180_000 })
})
