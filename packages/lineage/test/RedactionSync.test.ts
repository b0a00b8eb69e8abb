/**
 * Sync of Codex packages that differ from the local copy only by redaction, in process: machine A
 * (copies of the fixture home, the `multi_turn_tools` session with a secret planted in a tool's
 * output, or the placeholder in its place) exports; machine B syncs. Redaction never makes a
 * divergence, and B's lines stay as they are, secret or placeholder. Expected values are read
 * from the files: B's rollout bytes, its records counted by hand, the print of its bytes computed
 * independently, the sidecar's rows through better-sqlite3.
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Syncer from "../src/Syncer.js"
import { layerFor, machineWith, type Machine } from "./utils/exchange.js"
import { expectedPrint } from "./utils/independent.js"
import { envLine, KEY, OTHER_KEY, placeholder, plant } from "./utils/redaction.js"
import { exportOne } from "./utils/exportOne.js"

afterAll(removeTemps)

const session = fixtureByRole("multi_turn_tools")
const id = session.threadId
// a line of a tool's output (`cat README.md`): the secret goes after it
const NEEDLE = "A tiny project used to make Codex fixtures."

const linesOf = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
const fixtureLines = linesOf(path.join(copyFixtureHome(), session.rollout))
const withSecret = plant(fixtureLines, NEEDLE, envLine(KEY))
const redacted = plant(fixtureLines, NEEDLE, envLine(placeholder(KEY)))
// the older copy of the conversation stops 3 records after the first one with the secret
const OLDER = withSecret.findIndex((l) => l.includes(KEY)) + 3
const older = (lines: ReadonlyArray<string>) => lines.slice(0, OLDER)

const machine = (home: string): Machine => machineWith(home, tempDir("exchange"), "b-desktop")

/** Machine A with the session's rollout holding `lines`. */
const homeA = (lines: ReadonlyArray<string>) => {
  const home = copyFixtureHome()
  fs.writeFileSync(path.join(home, session.rollout), lines.map((l) => `${l}\n`).join(""))
  return machine(home)
}

/** A package of the session, exported from a machine A whose rollout holds `lines`. */
const packageOf = (lines: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    const a = homeA(lines)
    return Effect.provide(exportFrom(path.join(tempDir("redaction-pkg"), "session.tgz")), layerFor(a))
  })

const exportFrom = (out: string) => exportOne(out, id)

const sync = (m: Machine, pkg: string) =>
  Effect.flatMap(Syncer.Syncer, (syncer) => syncer.sync({ package: pkg, maps: m.maps, dryRun: false })).pipe(Effect.provide(layerFor(m)))

/** The one decision of a sync of the session. */
const decisionOf = (result: Syncer.SyncResult) => {
  assert.strictEqual(result.sessions.length, 1)
  return result.sessions[0]!
}

/** A Codex home's rollout of a session, by the id that ends its file name. */
const rolloutOf = (home: string, localId: string): string => {
  const files = fs.readdirSync(path.join(home, "sessions"), { recursive: true }) as Array<string>
  const rel = files.find((f) => path.basename(f).endsWith(`-${localId}.jsonl`))
  assert.isDefined(rel, `a rollout of ${localId}`)
  return path.join(home, "sessions", rel!)
}

const records = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8").split("\n").slice(0, -1).filter((l) => l.trim() !== "")

/** The sidecar's row of a local session (plain SQL). */
const sidecarRow = (home: string, localId: string) => {
  const db = openDatabase(path.join(home, "sessionport", "sidecar.sqlite"), { readonly: true })
  try {
    return db.prepare("SELECT records, head, prints FROM local_sessions WHERE local_id = ?").get(localId) as
      | { records: number; head: string; prints: Uint8Array }
      | undefined
  } finally {
    db.close()
  }
}

/** The sidecar holds the print of the file as it is: its own lines' prints, never the package's. */
const assertRecordedPrint = (home: string, localId: string) => {
  const expected = expectedPrint(fs.readFileSync(rolloutOf(home, localId)))
  const row = sidecarRow(home, localId)!
  assert.deepStrictEqual({ records: row.records, head: row.head, prints: Buffer.from(row.prints).toString("hex") }, {
    records: expected.records,
    head: expected.head,
    prints: Buffer.from(expected.prints).toString("hex")
  })
}

describe("Syncer: redaction is not divergence (Codex)", () => {
  it.effect("installed from a redacted package, then the unredacted longer package of the same machine: a fast-forward; the placeholder lines stay, the new records are appended", () =>
    Effect.gen(function*() {
      const b = machine(tempDir("home-b"))
      const first = decisionOf(yield* sync(b, yield* packageOf(older(redacted))))
      assert.strictEqual(first.class, "new_lineage")
      const local = first.newLocalId!
      const file = rolloutOf(b.home, local)
      const before = fs.readFileSync(file)
      assert.include(before.toString("utf8"), placeholder(KEY))
      assert.notInclude(before.toString("utf8"), KEY)

      const second = decisionOf(yield* sync(b, yield* packageOf(withSecret)))
      assert.strictEqual(second.class, "fast_forward_import")
      assert.strictEqual(second.localId, local)
      assert.strictEqual(second.appended, withSecret.length - OLDER)
      assert.include(second.detail, "only by redaction")
      const after = fs.readFileSync(file)
      // B's lines byte for byte, then A's later records
      assert.isTrue(after.subarray(0, before.length).equals(before))
      assert.strictEqual(records(after).length, withSecret.length)
      assertRecordedPrint(b.home, local)

      // A goes on: the next package is a fast-forward again, from the print the sidecar holds
      const third = decisionOf(yield* sync(b, yield* packageOf([...withSecret, withSecret.at(-1)!])))
      assert.deepStrictEqual([third.class, third.localId, third.appended], ["fast_forward_import", local, 1])
      assert.isTrue(fs.readFileSync(file).subarray(0, after.length).equals(after))
      assertRecordedPrint(b.home, local)
    }), 120_000)

  it.effect("local with the secret, then redacted packages of it: unchanged, then a fast-forward; the local secret stays byte for byte", () =>
    Effect.gen(function*() {
      const b = machine(tempDir("home-b"))
      const first = decisionOf(yield* sync(b, yield* packageOf(older(withSecret))))
      assert.strictEqual(first.class, "new_lineage")
      const local = first.newLocalId!
      const file = rolloutOf(b.home, local)
      const before = fs.readFileSync(file)
      assert.include(before.toString("utf8"), KEY)

      const same = decisionOf(yield* sync(b, yield* packageOf(older(redacted))))
      assert.deepStrictEqual([same.class, same.relation, same.localId], ["unchanged", "identical", local])
      assert.isTrue(fs.readFileSync(file).equals(before))

      const longer = decisionOf(yield* sync(b, yield* packageOf(redacted)))
      assert.deepStrictEqual([longer.class, longer.localId, longer.appended], ["fast_forward_import", local, withSecret.length - OLDER])
      const after = fs.readFileSync(file)
      assert.isTrue(after.subarray(0, before.length).equals(before))
      assert.include(after.toString("utf8"), KEY)
      assertRecordedPrint(b.home, local)
    }), 120_000)

  it.effect("a real change is still a branch: a placeholder of another secret", () =>
    Effect.gen(function*() {
      const b = machine(tempDir("home-b"))
      const local = decisionOf(yield* sync(b, yield* packageOf(older(withSecret)))).newLocalId!
      const before = fs.readFileSync(rolloutOf(b.home, local))
      const other = decisionOf(yield* sync(b, yield* packageOf(plant(fixtureLines, NEEDLE, envLine(placeholder(OTHER_KEY))))))
      assert.deepStrictEqual([other.class, other.localId], ["diverged_lineage", local])
      assert.isDefined(other.newLocalId)
      assert.isTrue(fs.readFileSync(rolloutOf(b.home, local)).equals(before))
    }), 120_000)

  it.effect("a secret in the first prompt: the sidecar route finds the session installed redacted, the same-id route the original", () =>
    Effect.gen(function*() {
      const prompt = session.prompts[0]!
      const inPrompt = plant(fixtureLines, prompt, envLine(KEY))
      const promptRedacted = plant(fixtureLines, prompt, envLine(placeholder(KEY)))
      assert.notDeepEqual(inPrompt, fixtureLines)
      // B installed the redacted older copy; the unredacted package of A reaches it through the sidecar
      const b = machine(tempDir("home-b"))
      const local = decisionOf(yield* sync(b, yield* packageOf(older(promptRedacted)))).newLocalId!
      const forward = decisionOf(yield* sync(b, yield* packageOf(inPrompt)))
      assert.deepStrictEqual([forward.class, forward.via, forward.localId], ["fast_forward_import", "sidecar", local])
      assertRecordedPrint(b.home, local)
      // A, holding the original, syncs a redacted package of its own session: the same id
      const a = homeA(inPrompt)
      const own = decisionOf(yield* sync(a, yield* packageOf(promptRedacted)))
      assert.deepStrictEqual([own.class, own.via, own.localId], ["unchanged", "same_id", id])
      assert.deepStrictEqual(linesOf(path.join(a.home, session.rollout)), inPrompt)
    }), 120_000)
})
