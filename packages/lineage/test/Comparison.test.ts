import { assert, describe, it } from "@effect/vitest"
import { Comparison, type Fingerprint } from "@sessionport/lineage"
import { createHash } from "node:crypto"
import { chainHead } from "./utils/independent.js"

/**
 * A print written as one letter a record (`M` a session_meta, `P` the first prompt, others
 * whatever came next): equal letters at a position are equal records. The root is the first `P`
 * unless given (`null`: none).
 */
const sp = (records: string, rootIndex?: number | null): Fingerprint.SessionPrint => {
  const prints = [...records].map((r) => createHash("sha256").update(r).digest().subarray(0, 8))
  return {
    records: prints.length,
    prints: new Uint8Array(Buffer.concat(prints)),
    head: chainHead(prints),
    rootIndex: rootIndex === null ? undefined : rootIndex ?? (records.includes("P") ? records.indexOf("P") : undefined),
    bytes: 100 * prints.length
  }
}

describe("Comparison.compare", () => {
  const table: ReadonlyArray<readonly [string, Fingerprint.SessionPrint, Fingerprint.SessionPrint, Comparison.Relation, number]> = [
    ["the same records", sp("MPab"), sp("MPab"), "identical", 4],
    ["the incoming records begin the local session", sp("MPa"), sp("MPab"), "local_ahead", 3],
    ["the local records begin the incoming session", sp("MPab"), sp("MPa"), "incoming_ahead", 3],
    ["a common prefix past the prompt, then both went on", sp("MPax"), sp("MPay"), "diverged", 3],
    ["nothing in common", sp("MPa"), sp("NPa"), "unrelated", 0],
    ["in common only before the prompt", sp("MPa"), sp("MQa", 1), "unrelated", 1],
    ["prompts at other records", sp("MxPa"), sp("MPa"), "unrelated", 1],
    ["no prompts, one a prefix of the other", sp("Mab"), sp("Ma"), "incoming_ahead", 2],
    ["no prompts, both went on", sp("Mab"), sp("Mac"), "unrelated", 2],
    ["no prompts, no records", sp(""), sp(""), "unrelated", 0],
    ["a local copy that stops before the incoming prompt", sp("MaPb"), sp("Ma"), "incoming_ahead", 2],
    ["an incoming copy that stops before the local prompt", sp("Ma"), sp("MaPb"), "local_ahead", 2],
    ["no prompt, not a prefix", sp("MaPb"), sp("Mc"), "unrelated", 1],
    ["no prompt, a prefix, but long enough to have shown it", sp("MPab"), sp("MPa", null), "unrelated", 3]
  ]
  for (const [label, incoming, local, relation, common] of table) {
    it(label, () => assert.deepStrictEqual(Comparison.compare(incoming, local), { relation, common }))
  }
})

/** `id=records@via`, with `^n` for a root given by hand: `s=MPab@sidecar`, `g=MQ@fingerprint^1`. */
const candidates = (text: string): Array<Comparison.Candidate> =>
  text.split(" ").filter((c) => c.length > 0).map((c) => {
    const [, localId, records, via, root] = /^(\w+)=(\w*)@(\w+)(?:\^(\d+))?$/.exec(c)!
    return { localId: localId!, print: sp(records!, root === undefined ? undefined : Number(root)), via: via as Comparison.Candidate["via"] }
  })

describe("Comparison.classify", () => {
  const incoming = sp("MPabcdef")
  // label, candidates, expected "class localId relation common" (- for none)
  const table: ReadonlyArray<readonly [string, string, string]> = [
    ["no candidate: a new lineage", "", "new_lineage - - 0"],
    ["identical: unchanged", "s=MPabcdef@sidecar", "unchanged s identical 8"],
    ["the local copy went on: unchanged", "s=MPabcdefgh@same_id", "unchanged s local_ahead 8"],
    ["the local copy is a strict prefix: fast-forward", "f=MPabc@fingerprint", "fast_forward_import f incoming_ahead 5"],
    ["both went on: diverged", "s=MPabxy@sidecar", "diverged_lineage s diverged 4"],
    ["an unrelated session with the same id: a collision", "i=NPa@same_id f=MQ@fingerprint^1", "id_collision_unrelated i unrelated 0"],
    ["unrelated candidates without the same id: a new lineage", "f=NPa@fingerprint g=MQ@sidecar^1", "new_lineage - - 0"],
    ["a related candidate wins over the id collision", "i=NPa@same_id f=MPab@fingerprint", "fast_forward_import f incoming_ahead 4"],
    ["unchanged wins over fast-forward and diverged, whatever the source", "d=MPabcdexx@sidecar f=MPabcde@same_id u=MPabcdefz@fingerprint", "unchanged u local_ahead 8"],
    ["fast-forward wins over a longer diverged", "d=MPabcdexx@sidecar f=MPa@fingerprint", "fast_forward_import f incoming_ahead 3"],
    ["the same class: sidecar, then same id, then fingerprint", "f=MPabcdef@fingerprint i=MPabcdef@same_id s=MPabcdefg@sidecar", "unchanged s local_ahead 8"],
    ["fast-forward from one source: the longer common prefix", "a=MPa@fingerprint b=MPabc@fingerprint", "fast_forward_import b incoming_ahead 5"],
    ["fast-forward: the source before the longer prefix", "b=MPabc@fingerprint a=MPa@sidecar", "fast_forward_import a incoming_ahead 3"],
    ["diverged: the longest common prefix before the source", "s=MPaxx@sidecar f=MPabcx@fingerprint", "diverged_lineage f diverged 5"],
    ["diverged, equal prefixes: the source", "f=MPabx@fingerprint s=MPaby@sidecar", "diverged_lineage s diverged 4"],
    ["unchanged from one source: identical before ahead", "a=MPabcdefg@fingerprint b=MPabcdef@fingerprint", "unchanged b identical 8"]
  ]
  for (const [label, given, expected] of table) {
    it(label, () => {
      const [cls, localId, relation, common] = expected.split(" ").map((w) => w === "-" ? undefined : w)
      const list = candidates(given)
      const result = Comparison.classify(incoming, list)
      assert.deepStrictEqual(
        { class: result.class, localId: result.localId, relation: result.relation, common: result.common },
        { class: cls as Comparison.SyncClass, localId, relation: relation as Comparison.Relation | undefined, common: Number(common) }
      )
      assert.strictEqual(result.via, list.find((c) => c.localId === localId)?.via)
      if (localId !== undefined) assert.include(result.detail, localId)
    })
  }

  it("says in its detail which way an unchanged copy went", () => {
    assert.include(Comparison.classify(incoming, candidates("s=MPabcdefgh@sidecar")).detail, "ahead")
    assert.include(Comparison.classify(incoming, candidates("s=MPabcdef@sidecar")).detail, "identical")
  })
})

describe("Comparison with records shared up to redaction (a candidate's `common`, read from the files)", () => {
  // lower-case letters that differ at a position stand for a record and its redacted copy: the
  // caller read them and found them alike, and says how far the two are shared
  const table: ReadonlyArray<readonly [string, Fingerprint.SessionPrint, Fingerprint.SessionPrint, number, Comparison.Relation, number]> = [
    ["a redacted copy of the local session", sp("MPrb"), sp("MPsb"), 4, "identical", 4],
    ["a longer redacted copy", sp("MPrbcd"), sp("MPsb"), 4, "incoming_ahead", 4],
    ["a longer unredacted copy of a session installed redacted", sp("MPsbcd"), sp("MPrb"), 4, "incoming_ahead", 4],
    ["shared up to redaction, then both went on", sp("MPrbx"), sp("MPsby"), 4, "diverged", 4],
    ["the first prompt redacted: related through it", sp("MQab", 1), sp("MPab", 1), 4, "identical", 4],
    ["what the prints share is never lost", sp("MPab"), sp("MPab"), 1, "identical", 4],
    ["never past the shorter session", sp("MPrb"), sp("MPs"), 9, "incoming_ahead", 3]
  ]
  for (const [label, incoming, local, shared, relation, common] of table) {
    it(label, () => assert.deepStrictEqual(Comparison.compare(incoming, local, shared), { relation, common }))
  }

  it("classify takes a candidate's `common`, and says how many shared records differ only by redaction", () => {
    const incoming = sp("MPrbcd")
    const local = sp("MPsb")
    const printed = Comparison.classify(incoming, [{ localId: "s", print: local, via: "sidecar" }])
    assert.strictEqual(printed.class, "diverged_lineage")
    assert.notInclude(printed.detail, "redaction")
    const read = Comparison.classify(incoming, [{ localId: "s", print: local, via: "sidecar", common: 4 }])
    assert.deepStrictEqual([read.class, read.relation, read.common], ["fast_forward_import", "incoming_ahead", 4])
    assert.include(read.detail, "1 of the 4 records in common differs only by redaction")
  })
})
