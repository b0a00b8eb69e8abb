import { assert, describe, it } from "@effect/vitest"
import { ClaudeLine } from "@sessionport/schema"
import { Either, FastCheck as fc, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { writerShapedLines } from "./utils/claudeSamples.js"
import { claudeFixtureTranscripts, claudeKind, claudeTranscripts, nonEmptyLines, readWhole } from "./utils/files.js"

const options = { onExcessProperty: "preserve" } as const
const decodeSchema = Schema.decodeUnknownSync(ClaudeLine.ClaudeLine, options)
const encodeSchema = Schema.encodeSync(ClaudeLine.ClaudeLine, options)

/** Known, and decode -> encode gives the input back (through `decode` and through the Effect schema). */
const assertKnown = (json: unknown, where = "") => {
  const entry = ClaudeLine.decode(json)
  assert.strictEqual(
    entry._tag,
    "Known",
    entry._tag === "Unknown" ? `${where} ${entry.reason} ${entry.type}/${entry.subtype}: ${entry.detail}` : undefined
  )
  assert.deepStrictEqual(ClaudeLine.encode(entry), json, where)
  assert.deepStrictEqual(encodeSchema(decodeSchema(json)), json, where)
  return entry as ClaudeLine.KnownEntry
}

const assertUnknown = (json: unknown, reason: ClaudeLine.UnknownReason) => {
  const entry = ClaudeLine.decode(json)
  assert.strictEqual(entry._tag, "Unknown")
  const unknown = entry as ClaudeLine.UnknownEntry
  assert.strictEqual(unknown.reason, reason, unknown.detail)
  assert.strictEqual(ClaudeLine.encode(unknown), json)
  return unknown
}

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")
const name = (file: string) => path.relative(repoRoot, file)

// Every kind of line seen in transcripts the real Claude Code 2.1.332 wrote (fixtures/claude and
// test/fixtures/claude).
const observedKinds = [
  "user",
  "assistant",
  "attachment:environment",
  "attachment:model",
  "attachment:deferred_tools_delta",
  "attachment:agent_listing_delta",
  "attachment:skill_listing",
  "attachment:session_context",
  "attachment:date",
  "attachment:remote_session_change",
  "attachment:prompt_snapshot",
  "attachment:auto_mode",
  "attachment:auto_mode_exit",
  "attachment:plan_mode_exit",
  "attachment:file",
  "system:turn_duration",
  "system:local_command",
  "system:compact_boundary",
  "queue-operation",
  "api-request",
  "api-request-blob",
  "api-request-shape",
  "atis-latch",
  "last-prompt",
  "cost-state",
  "tools-used",
  "mode",
  "permission-mode",
  "file-history-snapshot",
  "file-history-delta",
  "custom-title",
  "ai-title",
  "agent-name"
]

// The line types Claude Code 2.1.332's loader names (its per-type tables, read in the binary).
const loaderTypes = [
  "user", "assistant", "attachment", "system", "progress",
  "file-history-snapshot", "file-history-delta", "last-prompt", "continued-in", "resume-head-vouch",
  "content-replacement", "data-flow-records", "data-flow-incomplete", "data-flow-handover", "derived-from",
  "api-request-shape", "api-request-blob", "api-request", "api-request-resumed", "fork-context-ref",
  "frame-link", "summary", "custom-title", "ended-by-model", "ai-title", "tag", "relocated", "agent-name",
  "agent-color", "agent-setting", "pr-link", "artifact-comment-monitor", "artifact-autoreact-ledger",
  "bridge-session", "history-suppression", "attribution-snapshot", "mode", "permission-mode",
  "isolation-latch", "session-owner", "dev-mods", "memory-mode", "atis-latch", "tools-used",
  "worktree-state", "cost-state", "queue-operation", "observer-ref", "host-row", "repl-mode",
  "hybrid-organization"
]

describe("real transcripts", () => {
  it("finds the fixtures", () => {
    assert.isAtLeast(claudeFixtureTranscripts().length, 4, "fixtures/claude holds the real-Claude sessions")
    assert.isAtLeast(claudeTranscripts().length, 6)
  })

  for (const file of claudeTranscripts()) {
    it(`every line of ${name(file)} is known and round-trips`, () => {
      nonEmptyLines(readWhole(file)).forEach((raw, i) => assertKnown(JSON.parse(raw), `${name(file)}:${i + 1}`))
    })
  }

  it("holds every line kind Claude Code 2.1.332 was seen writing", () => {
    const kinds = new Set<string>()
    for (const file of claudeTranscripts()) {
      for (const raw of nonEmptyLines(readWhole(file))) kinds.add(claudeKind(JSON.parse(raw)))
    }
    assert.deepStrictEqual([...kinds].filter((kind) => !observedKinds.includes(kind)), [], "a kind missing from the list")
    assert.deepStrictEqual(observedKinds.filter((kind) => !kinds.has(kind)), [], "a kind no longer in the transcripts")
  })

  it("decode, parse and the Effect schema agree on every line", () => {
    for (const file of claudeTranscripts()) {
      for (const raw of nonEmptyLines(readWhole(file))) {
        const parsed = Either.getOrThrow(ClaudeLine.parse(raw))
        assert.strictEqual(parsed._tag, "Known")
        assert.isTrue(Schema.is(ClaudeLine.ClaudeLine)(JSON.parse(raw)))
      }
    }
  })
})

describe("line types", () => {
  it("are the loader's list: conversation, progress, and metadata", () => {
    assert.deepStrictEqual([...ClaudeLine.lineTypes].sort(), [...loaderTypes].sort())
    assert.deepStrictEqual(ClaudeLine.conversationLineTypes, ["user", "assistant", "attachment", "system"])
    assert.strictEqual(new Set(ClaudeLine.lineTypes).size, ClaudeLine.lineTypes.length)
    for (const type of ClaudeLine.metadataLineTypes) assert.isFalse(ClaudeLine.isConversationType(type), type)
  })

  it("each type not seen in a run is known in the shape its writer gives it", () => {
    const seen = new Set(observedKinds.map((kind) => kind.split(":")[0]!))
    const shaped = new Set(writerShapedLines.map((line) => line.type as string))
    assert.deepStrictEqual(ClaudeLine.lineTypes.filter((type) => !seen.has(type) && !shaped.has(type)), [])
    for (const line of writerShapedLines) assertKnown(line, String(line.type))
  })
})

describe("passthrough", () => {
  const user = {
    parentUuid: null,
    isSidechain: false,
    type: "user",
    message: { role: "user", content: "hi" },
    uuid: "u1",
    timestamp: "2026-12-07T04:55:05.144Z",
    cwd: "/p",
    sessionId: "s",
    version: "2.1.332",
    gitBranch: "main",
    entrypoint: "cli"
  }

  it("a line of an unknown type passes through as Unknown", () => {
    const json = { type: "hologram-latch", sessionId: "s", beam: [1, { x: null }] }
    const entry = assertUnknown(json, "unknown_type")
    assert.strictEqual(entry.type, "hologram-latch")
    assert.strictEqual(ClaudeLine.sessionIdOf(json), "s")
  })

  it("fields this version does not know stay on a known line, at every level", () => {
    assertKnown({ ...user, brandNew: { deep: [1] } })
    assertKnown({ ...user, message: { role: "user", content: "hi", extra: 1 } })
    assertKnown({
      ...user,
      type: "assistant",
      message: {
        role: "assistant",
        content: [
          { type: "text", text: "x", future: true },
          { type: "tool_use", id: "t", name: "Write", input: { file_path: "/p/a" }, caller: { type: "direct" } }
        ],
        container: null
      }
    })
    assertKnown({ ...user, type: "attachment", attachment: { type: "date", date: "2026-12-07", tz: "UTC" } })
    assertKnown({ type: "mode", mode: "normal", sessionId: "s", since: 1 })
  })

  it("an attachment kind, system subtype or content block not modelled keeps the line known", () => {
    assertKnown({ ...user, type: "attachment", attachment: { type: "todo_reminder", content: [], itemCount: 0 } })
    assertKnown({ ...user, type: "system", subtype: "informational", content: "x", level: "info" })
    assertKnown({ ...user, type: "system", subtype: "api_error", error: { status: 529 }, retryAttempt: 1 })
    assertKnown({
      ...user,
      type: "assistant",
      message: { role: "assistant", content: [{ type: "web_search_tool_result", tool_use_id: "s", content: [] }] }
    })
    assertKnown({
      ...user,
      message: {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "tool_reference", tool_name: "Monitor" }] }]
      }
    })
  })

  it("a modelled kind whose fields do not match is a shape mismatch, never another kind", () => {
    const date = assertUnknown({ ...user, type: "attachment", attachment: { type: "date", date: 20261207 } }, "shape_mismatch")
    assert.strictEqual(date.subtype, "date")
    assert.match(date.detail!, /attachment\.date/)
    const turn = assertUnknown({ ...user, type: "system", subtype: "turn_duration", durationMs: "1s" }, "shape_mismatch")
    assert.strictEqual(turn.subtype, "turn_duration")
    const thinking = assertUnknown({
      ...user,
      type: "assistant",
      message: { role: "assistant", content: [{ type: "thinking", signature: "sig" }] }
    }, "shape_mismatch")
    assert.strictEqual(thinking.type, "assistant")
    assertUnknown({ ...user, uuid: undefined }, "shape_mismatch")
    assertUnknown({ type: "custom-title", sessionId: "s" }, "shape_mismatch")
  })
})

describe("parse and decode never throw", () => {
  it("text that is not JSON is an InvalidLine; any JSON value is an entry", () => {
    const invalid = ClaudeLine.parse("{\"type\":\"user\",\"mess", 17)
    assert.isTrue(Either.isLeft(invalid))
    if (Either.isLeft(invalid)) {
      assert.strictEqual(invalid.left._tag, "InvalidLine")
      assert.strictEqual(invalid.left.lineNumber, 17)
    }
    for (const json of [null, 5, "user", [], {}, { type: 5 }, { type: "attachment" }, { type: "system" }]) {
      const entry = ClaudeLine.decode(json)
      assert.strictEqual(entry._tag, "Unknown")
    }
    assert.strictEqual((ClaudeLine.decode({ type: 5 }) as ClaudeLine.UnknownEntry).reason, "unrecognized")
    fc.assert(fc.property(fc.jsonValue(), (json) => ClaudeLine.encode(ClaudeLine.decode(json)) === json), { numRuns: 300 })
    fc.assert(fc.property(fc.string(), (raw) => ClaudeLine.parse(raw) !== undefined), { numRuns: 300 })
  })
})

describe("helpers", () => {
  const fixtures = JSON.parse(
    fs.readFileSync(path.join(repoRoot, "fixtures", "claude", "fixtures.json"), "utf8")
  ) as { sessions: Record<string, { sessionId: string; transcript: string; cwd: string }> }

  it("sessionIdOf and cwdOf read every fixture line; conversation and metadata split the lines", () => {
    for (const session of Object.values(fixtures.sessions)) {
      const file = path.join(repoRoot, "fixtures", "claude", "home", session.transcript)
      let conversation = 0
      for (const raw of nonEmptyLines(readWhole(file))) {
        const json = JSON.parse(raw)
        const sessionId = ClaudeLine.sessionIdOf(json)
        if (json.type === "file-history-snapshot" || json.type === "file-history-delta") assert.isUndefined(sessionId)
        else assert.strictEqual(sessionId, session.sessionId, raw.slice(0, 100))
        assert.notStrictEqual(ClaudeLine.isConversation(json), ClaudeLine.isMetadata(json))
        if (ClaudeLine.isConversation(json)) {
          conversation++
          assert.strictEqual(ClaudeLine.cwdOf(json), session.cwd)
        } else {
          assert.isUndefined(ClaudeLine.cwdOf(json))
        }
      }
      assert.isAbove(conversation, 5)
    }
  })

  it("cwdOf reads a relocated line; summary names no session", () => {
    assert.strictEqual(ClaudeLine.cwdOf({ type: "relocated", sessionId: "s", relocatedCwd: "/new" }), "/new")
    assert.isUndefined(ClaudeLine.cwdOf({ type: "mode", relocatedCwd: "/new" }))
    assert.isUndefined(ClaudeLine.sessionIdOf({ type: "summary", summary: "x", leafUuid: "l" }))
    assert.isUndefined(ClaudeLine.sessionIdOf(null))
    assert.isFalse(ClaudeLine.isConversation({ type: "user" }))
    assert.isFalse(ClaudeLine.isConversation({ type: "progress", uuid: "u" }))
    assert.isFalse(ClaudeLine.isMetadata({ type: "progress", uuid: "u" }))
    assert.isTrue(ClaudeLine.isMetadata({ type: "brand-new-kind" }))
  })
})
