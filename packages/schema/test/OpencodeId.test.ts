import { assert, describe, it } from "@effect/vitest"
import { OpencodeId } from "@sessionport/schema"
import { Effect, Either, Schema } from "effect"
import { opencodeFacts, opencodeRows } from "./utils/opencodeDb.js"

const isSession = Schema.is(OpencodeId.SessionId)
const isMessage = Schema.is(OpencodeId.MessageId)
const isPart = Schema.is(OpencodeId.PartId)

// a time within a year of the fixture ids: when the generator ran
const near = Date.parse(opencodeFacts.generatedAt)

describe("fixture ids", () => {
  it("every id of the database passes its filter, and only its own", () => {
    const { message, part, session } = opencodeRows()
    assert.strictEqual(session.length, 2)
    for (const row of session) {
      assert.isTrue(isSession(row.id), String(row.id))
      assert.isTrue(OpencodeId.is("ses", row.id))
      assert.isFalse(isMessage(row.id))
    }
    for (const row of message) {
      assert.isTrue(isMessage(row.id), String(row.id))
      assert.isTrue(isSession(row.session_id))
      assert.isFalse(isPart(row.id))
    }
    for (const row of part) {
      assert.isTrue(isPart(row.id), String(row.id))
      assert.isTrue(isMessage(row.message_id))
      assert.isFalse(isSession(row.id))
    }
  })

  it("a message's or part's id holds its time_created (the id is made a few ms before the row)", () => {
    const { message, part } = opencodeRows()
    for (const row of [...message, ...part]) {
      const id = String(row.id)
      const lag = Number(row.time_created) - OpencodeId.timeOf(id, near)
      assert.isTrue(lag >= 0 && lag <= 10, `${id}: ${lag} ms`)
      assert.isAtLeast(OpencodeId.counterOf(id), 1)
    }
  })

  it("a session id holds the session's creation time, bitwise inverted", () => {
    for (const listed of [...opencodeFacts.sessionList.alpha!, ...opencodeFacts.sessionList.beta!]) {
      const lag = listed.created - OpencodeId.timeOf(listed.id, near)
      assert.isTrue(lag >= 0 && lag <= 10, `${listed.id}: ${lag} ms`)
    }
    // descending: the later session has the smaller id
    const [alpha, beta] = [opencodeFacts.sessions.tools!.sessionId, opencodeFacts.sessions.beta_plain!.sessionId]
    assert.isTrue(beta < alpha)
  })

  it("the time is read as ms mod 2^36: timeOf picks the period nearest the given time", () => {
    const id = "msg_24f366831001m13npYfpftmGQX" // the beta prompt, time_created 1796625295409
    assert.strictEqual(OpencodeId.encodedTime(id), 1796625295409 % 2 ** 36)
    assert.strictEqual(OpencodeId.timeOf(id, 1796625295409), 1796625295409)
    const day = 86_400_000
    assert.strictEqual(OpencodeId.timeOf(id, 1796625295409 + 300 * day), 1796625295409)
    assert.strictEqual(OpencodeId.timeOf(id, 1796625295409 - 300 * day), 1796625295409)
    assert.strictEqual(OpencodeId.timeOf(id, 1796625295409 + 795 * day), 1796625295409 + 2 ** 36)
    assert.isNaN(OpencodeId.timeOf("msg_zz", near))
  })

  it("encodeTime writes the 12 hex digits OpenCode wrote", () => {
    assert.strictEqual(OpencodeId.encodeTime("msg", 1796625295409, 1), "24f366831001")
    // the beta session: created 1796625295309 (sessionList), inverted
    assert.strictEqual(OpencodeId.encodeTime("ses", 1796625295309, 1), "db0c99832ffe")
    const { message, part } = opencodeRows()
    for (const row of [...message, ...part]) {
      const id = String(row.id)
      const prefix = id.slice(0, 3) as OpencodeId.Prefix
      assert.strictEqual(OpencodeId.encodeTime(prefix, OpencodeId.timeOf(id, near), OpencodeId.counterOf(id)), OpencodeId.timeHex(id))
    }
  })
})

describe("filters", () => {
  const good = "prt_24f36498c001p7czQEHzhdtLnO"

  it("reject a wrong prefix, a wrong length, a non-base62 tail, a non-hex time", () => {
    assert.isTrue(isPart(good))
    for (
      const bad of [
        "msg_24f36498c001p7czQEHzhdtLnO",
        "prt24f36498c001p7czQEHzhdtLnO",
        good.slice(0, -1),
        `${good}x`,
        "prt_24f36498c001p7czQEHzhdtL-O",
        "prt_24f36498c001p7czQEHzhdtL_O",
        "prt_24f36498c001p7czQEHzhdtLnÖ",
        "prt_24F36498C001p7czQEHzhdtLnO",
        "prt_24f36498c0g1p7czQEHzhdtLnO",
        ""
      ]
    ) {
      assert.isFalse(isPart(bad), bad)
      assert.isFalse(OpencodeId.is("prt", bad), bad)
    }
    assert.isFalse(OpencodeId.is("prt", 5))
  })

  it.effect("say what an id must look like", () =>
    Effect.gen(function*() {
      const result = Schema.decodeUnknownEither(OpencodeId.SessionId)("ses_short")
      assert.isTrue(Either.isLeft(result))
      const decoded = yield* Schema.decodeUnknown(OpencodeId.SessionId)(opencodeFacts.sessions.tools!.sessionId)
      assert.strictEqual(decoded, "ses_db0c9b6fbffeWeRfbm5QU9Wup6")
    }))
})

describe("make", () => {
  it("assembles an id from its prefix, time hex and random part; refuses malformed parts", () => {
    const id = OpencodeId.make("msg", OpencodeId.encodeTime("msg", 1796625295409, 1), "m13npYfpftmGQX")
    assert.strictEqual(id, "msg_24f366831001m13npYfpftmGQX")
    assert.strictEqual(OpencodeId.timeHex(id), "24f366831001")
    assert.throws(() => OpencodeId.make("msg", "24f366831001", "short"))
    assert.throws(() => OpencodeId.make("msg", "24F366831001", "m13npYfpftmGQX"))
    assert.throws(() => OpencodeId.make("ses", "24f366831001", "m13npYfp-tmGQX"))
  })

  it("prefixes and their order", () => {
    assert.deepStrictEqual(OpencodeId.prefixes, { session: "ses", message: "msg", part: "prt" })
    assert.isTrue(OpencodeId.isDescending("ses"))
    assert.isFalse(OpencodeId.isDescending("msg"))
    assert.isFalse(OpencodeId.isDescending("prt"))
  })
})
