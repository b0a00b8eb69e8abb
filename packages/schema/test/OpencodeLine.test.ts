import { assert, describe, it } from "@effect/vitest"
import { OpencodeLine, OpencodeRow } from "@sessionport/schema"
import { Effect, Either, Schema } from "effect"
import { opencodeFacts, opencodeRows, type Row, transcriptRows } from "./utils/opencodeDb.js"

type Table = OpencodeLine.LineType

const tables: ReadonlyArray<Table> = ["session", "message", "part", "todo"]

/** fromRow, parsed, then toRow: must be the row itself (same columns, same order, same data text). */
const assertRoundTrip = (table: Table, row: Row) => {
  const text = OpencodeLine.fromRow(table, row)
  const back = OpencodeLine.toRow(JSON.parse(text))
  assert.strictEqual(back.table, table)
  assert.deepStrictEqual(back.row, row)
  assert.deepStrictEqual(Object.keys(back.row), Object.keys(row))
  if ("data" in row) assert.strictEqual(back.row.data, row.data)
  return text
}

describe("rows", () => {
  it("the column constants are 1.18.33's columns in table order", () => {
    const { columns } = opencodeRows()
    for (const table of ["session", "message", "part", "todo", "project"] as const) {
      assert.deepStrictEqual(OpencodeRow.columns[table], columns[table], table)
    }
  })

  it("every row of the fixture database matches its table's schema", () => {
    const rows = opencodeRows()
    const schemas = {
      session: OpencodeRow.SessionRow,
      message: OpencodeRow.MessageRow,
      part: OpencodeRow.PartRow,
      todo: OpencodeRow.TodoRow,
      project: OpencodeRow.ProjectRow
    } as const
    for (const table of ["session", "message", "part", "todo", "project"] as const) {
      assert.strictEqual(rows[table].length, opencodeFacts.tableRows[table], table)
      for (const row of rows[table]) assert.isTrue(Schema.is(schemas[table] as Schema.Schema<any>)(row), `${table} ${row.id}`)
    }
    // the fixture has no todo: one as OpenCode writes it, read with safe integers, with a newer column
    const todo = { session_id: "ses_db0c99832ffeaYUmzvoCqn6Xui", content: "c", status: "pending", priority: "high", position: 0n, time_created: 1n, time_updated: 1n }
    assert.isTrue(Schema.is(OpencodeRow.TodoRow)({ ...todo, done_by: null }))
    assert.isFalse(Schema.is(OpencodeRow.TodoRow)({ ...todo, session_id: "global" }))
  })
})

describe("transcript lines", () => {
  it("toRow(fromRow(row)) is every row of the fixture database, byte for byte", () => {
    const rows = opencodeRows()
    let count = 0
    for (const table of tables) {
      for (const row of rows[table]) {
        const text = assertRoundTrip(table, row)
        // OpenCode writes data with JSON.stringify: it is carried parsed
        assert.notInclude(text, "\"data_text\"")
        count++
      }
    }
    assert.strictEqual(count, tables.reduce((sum, table) => sum + opencodeFacts.tableRows[table]!, 0))
  })

  it("a line starts with its type, then the columns in table order, data parsed", () => {
    const session = opencodeFacts.sessions.tools!
    const lines = transcriptRows(session.sessionId).map(({ row, table }) => ({ row, table, text: OpencodeLine.fromRow(table, row) }))
    assert.strictEqual(lines.filter((line) => line.table === "message").length, session.messages)
    assert.strictEqual(lines.filter((line) => line.table === "part").length, session.parts)
    for (const { row, table, text } of lines) {
      assert.isTrue(text.startsWith(`{"type":"${table}","`), text.slice(0, 40))
      const json = JSON.parse(text)
      assert.deepStrictEqual(Object.keys(json), ["type", ...Object.keys(row)])
      assert.deepStrictEqual(Object.keys(json), ["type", ...OpencodeRow.columns[table]])
      if (table === "message" || table === "part") {
        assert.deepStrictEqual(json.data, JSON.parse(String(row.data)))
        // the whole line is what JSON.stringify gives: one JSON value, nothing re-serialized
        assert.strictEqual(JSON.stringify(json), text)
      }
    }
    const first = JSON.parse(lines[0]!.text)
    assert.strictEqual(first.id, session.sessionId)
    assert.strictEqual(first.directory, session.directory)
    assert.strictEqual(first.time_compacting, null)
  })

  it("data that does not round-trip through JSON is carried raw in data_text and comes back unchanged", () => {
    const [message] = opencodeRows().message
    const [part] = opencodeRows().part
    const texts = ["{\"a\": 1}", "{\"b\":1,\"1\":2}", "{\"n\":1.0}", "[1]", "\"text\"", "null", "{not json", ""]
    for (const data of texts) {
      for (const [table, row] of [["message", { ...message, data }], ["part", { ...part, data }]] as const) {
        const line = JSON.parse(assertRoundTrip(table, row))
        assert.strictEqual(line.data_text, data)
        assert.notProperty(line, "data")
        assert.deepStrictEqual(Object.keys(line), ["type", ...Object.keys(row).map((key) => key === "data" ? "data_text" : key)])
        assert.isTrue(Either.isRight(OpencodeLine.decode(line)))
      }
    }
  })

  it("columns a later version adds are kept in place", () => {
    const [session] = opencodeRows().session
    const row = { ...session, time_pinned: 5, labels: null, note: "x" }
    const line = JSON.parse(assertRoundTrip("session", row))
    assert.strictEqual(line.note, "x")
    assert.isTrue(Either.isRight(OpencodeLine.decode(line)))
  })

  it("bigints, from a database read with safe integers, are written as plain numbers", () => {
    const row = { session_id: "ses_db0c99832ffeaYUmzvoCqn6Xui", content: "c", status: "pending", priority: "low", position: 0n, time_created: 1796625295309n, time_updated: 1796625295309n }
    const text = OpencodeLine.fromRow("todo", row)
    assert.strictEqual(text, "{\"type\":\"todo\",\"session_id\":\"ses_db0c99832ffeaYUmzvoCqn6Xui\",\"content\":\"c\",\"status\":\"pending\",\"priority\":\"low\",\"position\":0,\"time_created\":1796625295309,\"time_updated\":1796625295309}")
    assert.deepStrictEqual(OpencodeLine.toRow({ type: "todo", ...row }).row, row)
  })

  it("refuses what no line or row can carry", () => {
    const [message] = opencodeRows().message
    assert.throws(() => OpencodeLine.fromRow("session", { id: "x", type: "t" }))
    assert.throws(() => OpencodeLine.fromRow("event" as Table, { id: "x" }))
    assert.throws(() => OpencodeLine.fromRow("message", { ...message, data_text: "x" }))
    assert.throws(() => OpencodeLine.fromRow("message", { ...message, data: null }))
    assert.throws(() => OpencodeLine.fromRow("todo", { position: Number.NaN }))
    assert.throws(() => OpencodeLine.fromRow("todo", { content: new Uint8Array(1) }))
    assert.throws(() => OpencodeLine.toRow({ type: "event", id: "e" }))
    assert.throws(() => OpencodeLine.toRow({ type: "todo", content: { a: 1 } }))
  })
})

describe("decode", () => {
  it("every line of every fixture session is its type's line, given back as it is", () => {
    for (const facts of Object.values(opencodeFacts.sessions)) {
      for (const { row, table } of transcriptRows(facts.sessionId)) {
        const json = JSON.parse(OpencodeLine.fromRow(table, row))
        const decoded = OpencodeLine.decode(json)
        assert.isTrue(Either.isRight(decoded), `${table} ${row.id}`)
        assert.strictEqual(Either.getOrThrow(decoded), json)
        const schema = { session: OpencodeLine.SessionLine, message: OpencodeLine.MessageDataLine, part: OpencodeLine.PartDataLine, todo: OpencodeLine.TodoLine }[table]
        assert.isTrue(Schema.is(schema as Schema.Schema<any>)(json))
        assert.isFalse(Schema.is(OpencodeLine.UnknownLine)(json))
      }
    }
  })

  it.effect("a line of another type is kept; the Effect schema agrees", () =>
    Effect.gen(function*() {
      const future = { type: "session_share", session_id: "ses_db0c99832ffeaYUmzvoCqn6Xui", url: "https://x" }
      const decoded = OpencodeLine.decode(future)
      assert.isTrue(Either.isRight(decoded))
      assert.strictEqual(Either.getOrThrow(decoded), future)
      assert.deepStrictEqual(yield* Schema.encode(OpencodeLine.Line)(yield* Schema.decodeUnknown(OpencodeLine.Line)(future)), future)
      assert.deepStrictEqual(OpencodeLine.lineTypes, ["session", "message", "part", "todo"])
    }))

  it("never throws: a mismatching line of a known type, or no line at all, is a ParseError", () => {
    const [message] = opencodeRows().message
    const good = JSON.parse(OpencodeLine.fromRow("message", message!))
    for (
      const bad of [
        { ...good, data: { role: "user" } },
        { ...good, id: "prt_24f366831001m13npYfpftmGQX" },
        { ...good, data_text: "{}" },
        { type: "session", id: "ses_db0c99832ffeaYUmzvoCqn6Xui" },
        { type: 5 },
        [],
        null,
        "text"
      ]
    ) {
      const decoded = OpencodeLine.decode(bad)
      assert.isTrue(Either.isLeft(decoded), JSON.stringify(bad))
      if (Either.isLeft(decoded)) assert.strictEqual(decoded.left._tag, "ParseError")
    }
  })
})
