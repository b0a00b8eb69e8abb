/**
 * `opencode export` JSON, both ways, on the fixture sessions (made by the real OpenCode 1.18.33):
 * a transcript as OpenCode prints the session, and such a file back as a transcript and as a
 * package's part; then files that are not what OpenCode writes, or are hostile.
 *
 * Expected values come from the fixture database read with plain SQL and from OpenCode's export
 * as its shipped code maps a row (`Session.Info` keys in their order, messages
 * `{...data, id, sessionID}` by time then id, parts `{...data, id, sessionID, messageID}` by id),
 * written out here, never from the code under test. The real `opencode export` is compared byte
 * for byte in `@sessionport/opencode-oracle`'s OpencodeJson test.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { PackageExport } from "@sessionport/agent"
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import { OpencodeJson } from "@sessionport/opencode-home"
import { Fixtures } from "@sessionport/opencode-oracle"
import { PackageReader, Progress } from "@sessionport/package-format"
import { OpencodeId } from "@sessionport/schema"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"
import { fromDatabase } from "../src/internal/source.js"

type Json = Record<string, any>

const fixtureDb = path.join(Fixtures.fixtureData, "opencode.db")
const roles = ["tools", "beta_plain"] as const

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
})
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opencode-json-"))
  temps.push(dir)
  return dir
}

/** The rows of a fixture session, with plain SQL, in OpenCode's order. */
const sqlRows = (id: string) => {
  const db = openDatabase(fixtureDb, { readonly: true })
  try {
    return {
      session: db.prepare("SELECT * FROM session WHERE id = ?").get(id) as Json,
      messages: db.prepare("SELECT * FROM message WHERE session_id = ? ORDER BY time_created, id").all(id) as Array<Json>,
      parts: db.prepare("SELECT * FROM part WHERE session_id = ? ORDER BY message_id, id").all(id) as Array<Json>
    }
  } finally {
    db.close()
  }
}

/**
 * What `opencode export` prints for a fixture session, from its rows: the fixture sessions have
 * no workspace, parent, share, metadata, revert, compaction or archive, and their three
 * `summary_*` columns are 0 (so `summary` is there, without diffs).
 */
const expectedExport = (id: string): Json => {
  const { messages, parts, session: s } = sqlRows(id)
  return {
    info: {
      id: s.id,
      slug: s.slug,
      projectID: s.project_id,
      directory: s.directory,
      path: s.path,
      title: s.title,
      agent: s.agent,
      model: JSON.parse(s.model),
      version: s.version,
      summary: { additions: s.summary_additions, deletions: s.summary_deletions, files: s.summary_files },
      cost: s.cost,
      tokens: {
        input: s.tokens_input,
        output: s.tokens_output,
        reasoning: s.tokens_reasoning,
        cache: { read: s.tokens_cache_read, write: s.tokens_cache_write }
      },
      permission: JSON.parse(s.permission),
      time: { created: s.time_created, updated: s.time_updated }
    },
    messages: messages.map((m) => ({
      info: { ...JSON.parse(m.data), id: m.id, sessionID: m.session_id },
      parts: parts.filter((p) => p.message_id === m.id).map((p) => ({ ...JSON.parse(p.data), id: p.id, sessionID: p.session_id, messageID: p.message_id }))
    }))
  }
}

/** A fixture session's transcript lines, as the package export renders them. */
const transcriptOf = (id: string): Array<string> => {
  const source = fromDatabase(fixtureDb)
  try {
    return [...source.lines(source.session(id)!)]
  } finally {
    source.close()
  }
}

const right = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) assert.fail(`expected a result, got ${String(either.left)}`)
  return (either as Either.Right<E, A>).right
}

const left = <A>(either: Either.Either<A, OpencodeJson.OpencodeJsonError>): OpencodeJson.OpencodeJsonError => {
  if (Either.isRight(either)) assert.fail("expected a refusal")
  return (either as Either.Left<OpencodeJson.OpencodeJsonError, A>).left
}

const clone = (json: Json): Json => JSON.parse(JSON.stringify(json))

const id = (prefix: OpencodeId.Prefix, ms: number, name: string) =>
  OpencodeId.make(prefix, OpencodeId.encodeTime(prefix, ms), `${name}00000000000000`.slice(0, 14))

describe.skipIf(!Fixtures.available)("OpencodeJson", () => {
  describe("fromTranscript", () => {
    for (const role of roles) {
      it(`${role}: the session as opencode export prints it, key for key`, () => {
        const { sessionId } = Fixtures.byRole(role)
        const rendered = right(OpencodeJson.fromTranscript(transcriptOf(sessionId)))
        const expected = expectedExport(sessionId)
        // key order too: the file is compared byte for byte with OpenCode's
        assert.strictEqual(JSON.stringify(rendered.json), JSON.stringify(expected))
        assert.strictEqual(OpencodeJson.render(rendered.json), JSON.stringify(expected, null, 2) + os.EOL)
        assert.strictEqual(rendered.messages, Fixtures.byRole(role).messages)
        assert.strictEqual(rendered.parts, Fixtures.byRole(role).parts)
        assert.deepStrictEqual(rendered.warnings, [])
      })
    }

    it("todo lines are left out, with a warning; the rest is the same", () => {
      const { sessionId } = Fixtures.byRole("tools")
      const lines = transcriptOf(sessionId)
      const todo = (position: number) =>
        JSON.stringify({ type: "todo", session_id: sessionId, content: `step ${position}`, status: "pending", priority: "high", position, time_created: 1, time_updated: 1 })
      const rendered = right(OpencodeJson.fromTranscript([...lines, todo(0), todo(1)]))
      assert.deepStrictEqual(rendered.json, right(OpencodeJson.fromTranscript(lines)).json)
      assert.deepStrictEqual(rendered.warnings, [`session ${sessionId}: its todo list (2 item(s)) is not carried: opencode export 1.18.33 has no todos`])
    })

    it("the optional keys of Session.Info, as OpenCode maps the columns", () => {
      const lines = transcriptOf(Fixtures.byRole("beta_plain").sessionId)
      const session = JSON.parse(lines[0]!)
      const parent = id("ses", 1796625000000, "Parent")
      Object.assign(session, {
        workspace_id: "wrk_1",
        parent_id: parent,
        share_url: "https://opncd.ai/share/x",
        summary_additions: 3,
        summary_deletions: null,
        summary_files: null,
        summary_diffs: "[]",
        metadata: "{\"k\":1}",
        revert: "{\"diff\":\"d\",\"messageID\":\"msg_1\",\"extra\":1,\"partID\":\"\"}",
        time_compacting: 5,
        time_archived: 6
      })
      const info = right(OpencodeJson.fromTranscript([JSON.stringify(session)])).json.info
      assert.deepStrictEqual(Object.keys(info), [
        "id", "slug", "projectID", "workspaceID", "directory", "path", "parentID", "title", "agent", "model", "version",
        "summary", "cost", "tokens", "share", "metadata", "revert", "permission", "time"
      ])
      assert.strictEqual(info.workspaceID, "wrk_1")
      assert.strictEqual(info.parentID, parent)
      assert.deepStrictEqual(info.share, { url: "https://opncd.ai/share/x" })
      // a null summary column reads as 0; the diffs parsed
      assert.strictEqual(JSON.stringify(info.summary), JSON.stringify({ additions: 3, deletions: 0, files: 0, diffs: [] }))
      assert.deepStrictEqual(info.metadata, { k: 1 })
      // revert: its four keys only, in OpenCode's order; an empty partID left out
      assert.strictEqual(JSON.stringify(info.revert), JSON.stringify({ messageID: "msg_1", diff: "d" }))
      assert.strictEqual(JSON.stringify(info.time), JSON.stringify({ created: session.time_created, updated: session.time_updated, compacting: 5, archived: 6 }))
    })

    it("refuses a message whose data is not a JSON object, and a JSON column that is not JSON", () => {
      const { sessionId } = Fixtures.byRole("beta_plain")
      const lines = transcriptOf(sessionId)
      const message = JSON.parse(lines[1]!)
      const asText = { ...message, data: undefined, data_text: "[1,2]" }
      const error = left(OpencodeJson.fromTranscript([lines[0]!, JSON.stringify(asText)]))
      assert.strictEqual(error.reason, "bad_session")
      assert.strictEqual(error.message, `session ${sessionId}: message ${message.id}'s data is not a JSON object; opencode-json cannot carry it`)
      // a data_text that is an object (spacing of its own) is carried
      const spaced = { ...message, data: undefined, data_text: JSON.stringify(message.data, null, 1) }
      const carried = right(OpencodeJson.fromTranscript([lines[0]!, JSON.stringify(spaced)]))
      assert.deepStrictEqual(carried.json.messages[0]!.info, { ...message.data, id: message.id, sessionID: sessionId })

      const session = { ...JSON.parse(lines[0]!), model: "{not json" }
      assert.strictEqual(left(OpencodeJson.fromTranscript([JSON.stringify(session)])).message, `session ${sessionId}: its model column is not JSON text; opencode-json cannot carry it`)
      assert.strictEqual(left(OpencodeJson.fromTranscript([lines[1]!])).message, "the first line of the transcript is not the session row")
      assert.strictEqual(left(OpencodeJson.fromTranscript([])).message, "the transcript holds no session row")
    })
  })

  describe("toTranscript", () => {
    for (const role of roles) {
      it(`${role}: back to the original transcript, but for the times the JSON does not hold`, () => {
        const { sessionId } = Fixtures.byRole(role)
        const original = transcriptOf(sessionId).map((line) => JSON.parse(line) as Json).filter((line) => line.type !== "todo")
        const back = right(OpencodeJson.toTranscript(expectedExport(sessionId)))
        const lines = back.lines.map((line) => JSON.parse(line) as Json)
        assert.strictEqual(lines.length, original.length)
        // the session row is all there
        assert.strictEqual(back.lines[0], transcriptOf(sessionId)[0])
        const created = new Map<string, number>()
        for (const [i, line] of lines.entries()) {
          const was = original[i]!
          // a message's update, a part's creation and update: the JSON holds none of them; the
          // legacy reader's stand-ins (a message's created, a part's start/end, else its message's)
          if (line.type === "message") {
            created.set(line.id, was.time_created)
            assert.deepStrictEqual(line, { ...was, time_updated: was.data.time.updated ?? was.time_created })
          }
          if (line.type === "part") {
            const start = was.data.time?.start ?? created.get(was.message_id)
            assert.deepStrictEqual(line, { ...was, time_created: start, time_updated: was.data.time?.end ?? start })
          }
          if (line.type === "session") assert.deepStrictEqual(line, was)
        }
        assert.deepStrictEqual(back.counts, {
          messages: Fixtures.byRole(role).messages,
          parts: Fixtures.byRole(role).parts,
          todos: 0,
          turns: Fixtures.byRole(role).prompts.length,
          // `opencode run "…"` stores the prompt in literal quotes
          firstPrompt: JSON.stringify(Fixtures.byRole(role).prompts[0])
        })
      })

      it(`${role}: JSON → transcript → JSON gives the file byte for byte`, () => {
        const expected = expectedExport(Fixtures.byRole(role).sessionId)
        const back = right(OpencodeJson.fromTranscript(right(OpencodeJson.toTranscript(expected)).lines))
        assert.strictEqual(OpencodeJson.render(back.json), JSON.stringify(expected, null, 2) + os.EOL)
      })
    }

    it("todos (older and newer exports carry them) become todo lines; messages go by time, parts by id", () => {
      const json = expectedExport(Fixtures.byRole("tools").sessionId)
      const shuffled: Json = { ...json, messages: [...json.messages].reverse().map((m: Json) => ({ ...m, parts: [...m.parts].reverse() })) }
      shuffled.todos = [
        { content: "first", status: "pending", priority: "high" },
        { content: "", status: "pending", priority: "low" },
        { content: "third", status: "completed", priority: "low", id: "x" }
      ]
      const back = right(OpencodeJson.toTranscript(shuffled))
      const plain = right(OpencodeJson.toTranscript(json))
      assert.deepStrictEqual(back.lines.slice(0, plain.lines.length), plain.lines)
      const updated = json.info.time.updated
      const sid = json.info.id
      assert.deepStrictEqual(back.lines.slice(plain.lines.length).map((line) => JSON.parse(line)), [
        { type: "todo", session_id: sid, content: "first", status: "pending", priority: "high", position: 0, time_created: updated, time_updated: updated },
        { type: "todo", session_id: sid, content: "third", status: "completed", priority: "low", position: 2, time_created: updated, time_updated: updated }
      ])
      assert.strictEqual(back.counts.todos, 2)
    })

    describe("refuses what OpenCode would not write", () => {
      const base = () => clone(expectedExport(Fixtures.byRole("tools").sessionId))
      const cases: ReadonlyArray<readonly [string, (json: Json) => unknown, string]> = [
        ["not an object", () => [1], "not what opencode export writes: it needs an \"info\" object and a \"messages\" array"],
        ["no messages", (j) => ({ info: j.info }), "not what opencode export writes: it needs an \"info\" object and a \"messages\" array"],
        ["a session id not of the scheme", (j) => ((j.info.id = "ses_../../x"), j), "session id \"ses_../../x\" is not of OpenCode's scheme"],
        ["no creation time", (j) => ((j.info.time = { updated: 1 }), j), `session ${base().info.id} has no time.created (ms)`],
        ["a parent id not of the scheme", (j) => ((j.info.parentID = "../p"), j), `session ${base().info.id}: parent session id "../p" is not of OpenCode's scheme`],
        ["a message that is not {info, parts}", (j) => ((j.messages[1] = { info: j.messages[1].info }), j), `session ${base().info.id}: message 2 is not {"info": {…}, "parts": […]}`],
        ["a message id twice", (j) => ((j.messages[1].info.id = j.messages[0].info.id), j), `session ${base().info.id}: message ${base().messages[0].info.id} twice`],
        ["a message id not of the scheme", (j) => ((j.messages[0].info.id = "msg_/etc"), j), `session ${base().info.id}: message id "msg_/etc" is not of OpenCode's scheme`],
        ["a role of another kind", (j) => ((j.messages[0].info.role = "system"), j), `session ${base().info.id}: message ${base().messages[0].info.id}'s role "system" is neither user nor assistant`],
        ["a message without its time", (j) => ((j.messages[0].info.time = { created: "yesterday" }), j), `session ${base().info.id}: message ${base().messages[0].info.id} has no time.created (ms)`],
        ["a part id twice", (j) => ((j.messages[1].parts[1].id = j.messages[1].parts[0].id), j), `session ${base().info.id}: part ${base().messages[1].parts[0].id} twice`],
        [
          "a part naming another message",
          (j) => ((j.messages[1].parts[0].messageID = j.messages[0].info.id), j),
          `session ${base().info.id}: part ${base().messages[1].parts[0].id} is listed under message ${base().messages[1].info.id} but names message "${base().messages[0].info.id}"`
        ],
        ["a part id not of the scheme", (j) => ((j.messages[1].parts[0].id = 7), j), `session ${base().info.id}: part id 7 of message ${base().messages[1].info.id} is not of OpenCode's scheme`]
      ]
      for (const [name, edit, message] of cases) {
        it(name, () => {
          const error = left(OpencodeJson.toTranscript(edit(base())))
          assert.strictEqual(error.message, message)
        })
      }

      it("data nested too deep for JSON.stringify: refused, not thrown", () => {
        const json = base()
        let deep: unknown = "bottom"
        for (let i = 0; i < 200_000; i++) deep = [deep]
        json.messages[0].parts[0].nested = deep
        const error = left(OpencodeJson.toTranscript(json))
        assert.strictEqual(error.reason, "bad_session")
        assert.match(error.message, /^the session cannot be read from opencode-json: /)
      })

      it("a __proto__ key stays a key of the data, and no prototype changes", () => {
        const json = JSON.parse(JSON.stringify(base()).replace("{\"type\":\"text\"", "{\"__proto__\":{\"polluted\":true},\"type\":\"text\""))
        const back = right(OpencodeJson.toTranscript(json))
        const part = back.lines.map((line) => JSON.parse(line)).find((line) => line.type === "part" && Object.hasOwn(line.data, "__proto__"))
        assert.deepStrictEqual(part.data["__proto__"], { polluted: true })
        assert.isUndefined(({} as Json).polluted)
        // and back out as it came in
        const again = right(OpencodeJson.fromTranscript(back.lines))
        assert.strictEqual(JSON.stringify(again.json), JSON.stringify(json))
      })
    })
  })

  describe("readPart", () => {
    it.effect("a file becomes a package whose OpenCode session is the file's, checked by the package reader", () =>
      Effect.gen(function*() {
        const tools = Fixtures.byRole("tools")
        const dir = tempDir()
        const file = path.join(dir, "tools.json")
        fs.writeFileSync(file, JSON.stringify(expectedExport(tools.sessionId), null, 2) + "\n")
        const { origin, part } = yield* OpencodeJson.readPart(file)
        assert.deepStrictEqual(origin, { format: "opencode-json", integrity: "unverified", sessionId: tools.sessionId })
        assert.deepStrictEqual(part.sessions.map((s) => [s.id, s.cwd, s.title, s.archived]), [[tools.sessionId, tools.directory, tools.title, false]])
        const out = path.join(dir, "package")
        yield* PackageExport.write({ out, ids: [tools.sessionId], cwds: [], since: undefined, all: false, includeArchived: true, includeSkills: false, dryRun: false }, [part])
          .pipe(Effect.provide(Progress.none))
        const verified = yield* PackageReader.verify(out, { agents: ["opencode"] })
        assert.includeMembers(verified.files.map((f) => f.path), [`agents/opencode/sessions/${tools.sessionId}/transcript.jsonl`, "agents/opencode/sessions.jsonl"])
        const transcript = fs.readFileSync(path.join(out, "agents", "opencode", "sessions", tools.sessionId, "transcript.jsonl"), "utf8")
        // the session row as the database has it; the messages and parts of the session
        const lines = transcript.trimEnd().split("\n").map((line) => JSON.parse(line))
        assert.deepStrictEqual(lines[0], JSON.parse(transcriptOf(tools.sessionId)[0]!))
        assert.deepStrictEqual(lines.filter((l) => l.type === "message").map((l) => l.id), sqlRows(tools.sessionId).messages.map((m) => m.id))
        assert.strictEqual(lines.filter((l) => l.type === "part").length, tools.parts)
        const meta = JSON.parse(fs.readFileSync(path.join(out, "agents", "opencode", "sessions.jsonl"), "utf8"))
        assert.deepInclude(meta, {
          id: tools.sessionId,
          directory: tools.directory,
          cwd: tools.directory,
          title: tools.title,
          first_prompt: JSON.stringify(tools.prompts[0]),
          parent_id: null,
          project: { id: tools.projectId, worktree: null, vcs: null, name: null },
          archived: false,
          messages: tools.messages,
          parts: tools.parts,
          todos: 0,
          turns: tools.prompts.length,
          size: Buffer.byteLength(transcript),
          source: "opencode-json"
        })
      }).pipe(Effect.provide(NodeContext.layer)))

    it.effect("refuses a file that is not JSON, not an export, or too large, naming it", () =>
      Effect.gen(function*() {
        const dir = tempDir()
        const write = (name: string, text: string) => {
          const file = path.join(dir, name)
          fs.writeFileSync(file, text)
          return file
        }
        const failure = (file: string) => Effect.flip(OpencodeJson.readPart(file))
        const notJson = write("a.json", "{\"info\": ")
        const e1 = yield* failure(notJson)
        assert.strictEqual(e1.reason, "not_an_export")
        assert.match(e1.message, new RegExp(`^${notJson} is not JSON: `))
        const e2 = yield* failure(write("b.json", "{\"sessions\": []}"))
        assert.strictEqual(e2.reason, "not_an_export")
        const huge = path.join(dir, "huge.json")
        fs.writeFileSync(huge, "{")
        // sparse: nothing is read past the size check
        fs.truncateSync(huge, OpencodeJson.MAX_BYTES + 1)
        const e3 = yield* failure(huge)
        assert.strictEqual(e3.reason, "too_large")
        const e4 = yield* failure(path.join(dir, "missing.json"))
        assert.strictEqual(e4.reason, "unreadable")
      }))
  })
})
