/**
 * Compaction: the superseded and receipts rules on hand-written indexes and receipts, then `run`
 * on a hand-made exchange folder.
 */
import { assert, describe, it } from "@effect/vitest"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import type { Outbox } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Compaction from "../src/Compaction.js"

afterAll(removeTemps)

const OWN = "alice-laptop-3f9a01c2"
const BOB = "bob-pc-0a1b2c3d"
const CAROL = "carol-4e5f6a7b"

type S = { readonly id: string; readonly size: number; readonly parent_of?: string }

// seq n's digest is the hex digit n repeated: its stem is "00000n-nnnn…" (32 of them)
const sha = (seq: number) => seq.toString(16).repeat(64)
const stem = (seq: number) => `${String(seq).padStart(6, "0")}-${seq.toString(16).repeat(32)}`

const entry = (seq: number, sessions: ReadonlyArray<S>): Outbox.OutboxEntry => ({
  seq,
  file: `packages/${stem(seq)}.tgz`,
  sha256: sha(seq),
  size: 100 * seq,
  package_id: `pkg-${seq}`,
  pushed_at: `2026-01-0${seq}T00:00:00.000Z`,
  agents: ["codex"],
  sessions: sessions.map((s) => ({ agent: "codex", updated_at: "2026-01-01T00:00:00.000Z", ...s }))
})

const index = (...packages: ReadonlyArray<Outbox.OutboxEntry>): Outbox.OutboxIndex => ({
  format: 1,
  kind: "sessionport-outbox",
  machine_id: OWN,
  machine_name: "alice-laptop",
  writer: "0123456789abcdef",
  producer: { name: "sessionport", version: "0.1.0" },
  updated_at: "2026-01-09T00:00:00.000Z",
  packages
})

const pulled = (entries: Record<string, ReadonlyArray<number>>) =>
  new Map(Object.entries(entries).map(([id, seqs]) => [id, new Set(seqs.map(stem))]))

describe("Compaction.plan", () => {
  it("removes a package whose sessions are all in later packages, once every other machine pulled it", () => {
    const own = index(
      entry(1, [{ id: "a", size: 100 }]),
      entry(2, [{ id: "a", size: 200 }, { id: "b", size: 50 }]),
      entry(3, [{ id: "b", size: 50 }])
    )
    const plan = Compaction.plan(own, pulled({ [BOB]: [1, 2, 3], [CAROL]: [1, 2] }))
    assert.deepStrictEqual(plan.removable, [stem(1)])
    assert.deepStrictEqual(plan.kept, [
      // 2 still holds the newest copy of a (b at an equal size is in 3)
      { stem: stem(2), why: "newest", sessions: ["codex:a"] },
      { stem: stem(3), why: "newest", sessions: ["codex:b"] }
    ])
  })

  it("keeps a superseded package some machine has not pulled, and one a machine without receipts has not", () => {
    const own = index(entry(1, [{ id: "a", size: 100 }]), entry(2, [{ id: "a", size: 200 }]))
    assert.deepStrictEqual(Compaction.plan(own, pulled({ [BOB]: [1, 2], [CAROL]: [2] })).kept[0], {
      stem: stem(1),
      why: "not_pulled",
      machines: [CAROL]
    })
    // a known machine with no receipts (an empty set) blocks compaction
    assert.deepStrictEqual(Compaction.plan(own, pulled({ [BOB]: [1, 2], [CAROL]: [] })).removable, [])
    // no other machine at all: superseded is enough
    assert.deepStrictEqual(Compaction.plan(own, new Map()).removable, [stem(1)])
  })

  it("counts a fork's parent as a session of the package", () => {
    const own = index(
      entry(1, [{ id: "p", size: 10, parent_of: "f" }, { id: "f", size: 30 }]),
      entry(2, [{ id: "f", size: 40 }])
    )
    const plan = Compaction.plan(own, new Map())
    assert.deepStrictEqual(plan.removable, [])
    assert.deepStrictEqual(plan.kept[0], { stem: stem(1), why: "newest", sessions: ["codex:p"] })
    // once the parent is in a later package too, the first one goes
    const later = index(...own.packages, entry(3, [{ id: "p", size: 10, parent_of: "g" }, { id: "g", size: 5 }]))
    assert.deepStrictEqual(Compaction.plan(later, new Map()).removable, [stem(1)])
  })

  it("does not take a later, smaller copy of a session as superseding", () => {
    const own = index(entry(1, [{ id: "a", size: 300 }]), entry(2, [{ id: "a", size: 200 }]))
    assert.deepStrictEqual(Compaction.plan(own, new Map()).removable, [])
    // the same id of another agent is another session
    const other = index(entry(1, [{ id: "a", size: 100 }]), {
      ...entry(2, []),
      sessions: [{ agent: "claude", id: "a", size: 500, updated_at: "2026-01-01T00:00:00.000Z" }]
    })
    assert.deepStrictEqual(Compaction.plan(other, new Map()).removable, [])
  })
})

const writeJson = (file: string, value: unknown) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n")
}

/** A folder with this machine's outbox (three packages, files written) and Bob's, who pulled `bobPulled`. */
const folderWith = (bobPulled: ReadonlyArray<number>) => {
  const dir = tempDir("compact")
  const own = index(
    entry(1, [{ id: "a", size: 100 }]),
    entry(2, [{ id: "a", size: 200 }]),
    entry(3, [{ id: "b", size: 50 }])
  )
  writeJson(path.join(dir, OWN, "outbox.json"), own)
  fs.mkdirSync(path.join(dir, OWN, "packages"))
  for (const e of own.packages) fs.writeFileSync(path.join(dir, OWN, e.file), `package ${e.seq}`)
  writeJson(path.join(dir, BOB, "outbox.json"), { ...index(), machine_id: BOB, machine_name: "bob-pc" })
  writeJson(path.join(dir, BOB, "receipts.json"), {
    format: 1,
    kind: "sessionport-receipts",
    machine_id: BOB,
    updated_at: "2026-01-09T00:00:00.000Z",
    pulled: { [OWN]: bobPulled.map(stem) }
  })
  return dir
}

const listedSeqs = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, OWN, "outbox.json"), "utf8")).packages.map((p: { seq: number }) => p.seq)
const files = (dir: string) => fs.readdirSync(path.join(dir, OWN, "packages")).sort()

describe("Compaction.run", () => {
  it.effect("takes the package out of the index and deletes its file; a dry run changes nothing", () =>
    Effect.gen(function*() {
      const dir = folderWith([1, 2, 3])
      const before = fs.readFileSync(path.join(dir, OWN, "outbox.json"), "utf8")
      const dry = yield* Compaction.run(dir, OWN, { dryRun: true })
      assert.deepStrictEqual(dry.removed, [`packages/${stem(1)}.tgz`])
      assert.strictEqual(fs.readFileSync(path.join(dir, OWN, "outbox.json"), "utf8"), before)
      assert.deepStrictEqual(files(dir), [1, 2, 3].map((n) => `${stem(n)}.tgz`))

      const done = yield* Compaction.run(dir, OWN, { dryRun: false })
      assert.deepStrictEqual(done.removable, [stem(1)])
      assert.deepStrictEqual(done.removed, [`packages/${stem(1)}.tgz`])
      assert.deepStrictEqual(listedSeqs(dir), [2, 3])
      assert.deepStrictEqual(files(dir), [2, 3].map((n) => `${stem(n)}.tgz`))
    }))

  it.effect("keeps what Bob has not pulled, and writes nothing then", () =>
    Effect.gen(function*() {
      const dir = folderWith([2, 3])
      const before = fs.statSync(path.join(dir, OWN, "outbox.json")).mtimeMs
      const result = yield* Compaction.run(dir, OWN, { dryRun: false })
      assert.deepStrictEqual(result.removed, [])
      assert.deepStrictEqual(result.kept[0], { stem: stem(1), why: "not_pulled", machines: [BOB] })
      assert.strictEqual(fs.statSync(path.join(dir, OWN, "outbox.json")).mtimeMs, before)
      assert.deepStrictEqual(files(dir).length, 3)
    }))
})
