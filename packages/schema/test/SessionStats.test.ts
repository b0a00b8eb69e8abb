import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { RolloutReader, SessionStats } from "@sessionport/schema"
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

const fixtureDir = path.resolve(import.meta.dirname, "..", "..", "..", "fixtures", "codex")
const fixtures = JSON.parse(fs.readFileSync(path.join(fixtureDir, "fixtures.json"), "utf8"))

describe("SessionStats", () => {
  it.effect("reads id, cwd, first prompt and turns of every real-Codex fixture", () =>
    Effect.gen(function*() {
      for (const [role, session] of Object.entries<any>(fixtures.sessions)) {
        const stats = yield* SessionStats.fromLines(RolloutReader.readFile(path.join(fixtureDir, "home", session.rollout)))
        // a paginated fork's file holds only its own turns; its parent's come through history_base
        const inherited = session.parentId === undefined
          ? 0
          : Object.values<any>(fixtures.sessions).find((s) => s.threadId === session.parentId)!.prompts.length
        const own = session.prompts.slice(inherited)
        assert.strictEqual(stats.meta?.id, session.threadId, role)
        assert.strictEqual(stats.meta?.cwd, session.cwd, role)
        assert.strictEqual(stats.firstUserMessage, own[0], role)
        assert.strictEqual(stats.turns, own.length, role)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("scanner: the same stats from bytes pushed in pieces (plain and zstd); stops reading once enough is known", () =>
    Effect.gen(function*() {
      for (const [role, session] of Object.entries<any>(fixtures.sessions)) {
        const file = path.join(fixtureDir, "home", session.rollout)
        const expected = yield* SessionStats.fromLines(RolloutReader.readFile(file))
        const bytes = fs.readFileSync(file)
        const scan = SessionStats.scanner()
        for (let at = 0; at < bytes.length; at += 1000) assert.isTrue(scan.push(bytes.subarray(at, at + 1000)), role)
        assert.deepStrictEqual(scan.end(), expected, role)
        const head = SessionStats.scanner((stats) => stats.meta !== undefined && stats.firstUserMessage !== undefined)
        let pushes = 0
        for (let at = 0; at < bytes.length && head.push(bytes.subarray(at, at + 1000)); at += 1000) pushes++
        const stats = head.end()
        assert.strictEqual(stats.meta?.id, expected.meta?.id, role)
        assert.strictEqual(stats.firstUserMessage, expected.firstUserMessage, role)
        assert.isBelow(stats.lines, expected.lines, `${role}: read only as far as the first prompt`)
        assert.isBelow(pushes, Math.ceil(bytes.length / 1000), role)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("skips injected context and strips the old request marker (2025 user_message events)", () =>
    Effect.gen(function*() {
      const line = (payload: object) => JSON.stringify({ timestamp: "2025-10-01T00:00:00.000Z", type: "event_msg", payload })
      const text = [
        JSON.stringify({ timestamp: "t0", type: "session_meta", payload: { id: "a", timestamp: "t", cwd: "/p", originator: "o", cli_version: "0.42.0" } }),
        line({ type: "user_message", message: "<user_instructions>be nice</user_instructions>", kind: "user_instructions" }),
        line({ type: "user_message", message: "<environment_context>\n  <cwd>/p</cwd>\n</environment_context>" }),
        line({ type: "user_message", message: "context\n## My request for Codex:\nfix the bug\n", kind: "plain" }),
        line({ type: "user_message", message: "and test it" }),
        "{torn"
      ].join("\n")
      const stats = yield* SessionStats.fromLines(RolloutReader.decodeText(Stream.make(text)))
      assert.strictEqual(stats.firstUserMessage, "fix the bug")
      assert.strictEqual(stats.turns, 2)
      assert.strictEqual(stats.lines, 6)
      assert.strictEqual(stats.lastTimestamp, "2025-10-01T00:00:00.000Z")
    }))
})
