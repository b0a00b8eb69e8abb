import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, fixtures, openDatabase, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionSync } from "./utils/cli.js"
import {
  appendLines,
  assertMixedPlan,
  codexMachine,
  continuationLines,
  countsOf,
  decisionOf,
  exportPackage,
  FIXTURE_IDS,
  fileHash,
  fixtureRecords,
  fixtureRollout,
  idOf,
  inspect,
  install,
  localRollout,
  type Machine,
  mappedCwd,
  mixedScenario,
  OLDER,
  projectionRows,
  recordLines,
  type Role,
  ROLES,
  rolloutFiles,
  reidentify,
  sessionMeta,
  sessionNames,
  sidecarPath,
  sourceHome,
  sync,
  type SyncJson,
  threadRow,
  transactions,
  truncateRollout
} from "./utils/scenarios.js"

// Every scenario starts from the real-Codex fixture sessions. Expected values (record counts, ids,
// names, prompts) are read from the fixture files and fixtures.json here, not from the code under test.

afterAll(removeTemps)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The sessions an older copy of a conversation is cut from, and where. */
const CUT: ReadonlyArray<Role> = ["multi_turn_tools", "beta_cwd", "named"]

const olderHome = () => sourceHome({ truncate: { multi_turn_tools: OLDER.multi_turn_tools!, beta_cwd: OLDER.beta_cwd!, named: OLDER.named! } })

/** A session a sync created: its file, session_meta, row and localization. */
const assertImported = (m: Machine, role: Role, newId: string, records: number) => {
  assert.match(newId, UUID, role)
  assert.notInclude(FIXTURE_IDS, newId, `${role}: a new id`)
  const file = localRollout(m.home, newId)
  assert.isTrue(file.endsWith(".jsonl"), `${role}: written as plain .jsonl`)
  assert.strictEqual(
    path.relative(m.home, file).split(path.sep)[0],
    fixtureByRole(role).archived ? "archived_sessions" : "sessions",
    `${role}: archived sessions stay archived`
  )
  assert.strictEqual(recordLines(file).length, records, `${role}: every record`)
  const meta = sessionMeta(file)
  assert.strictEqual(meta.id, newId, role)
  assert.strictEqual(meta.cwd, mappedCwd(m, role), `${role}: cwd mapped`)
  const text = fs.readFileSync(file, "utf8")
  for (const id of FIXTURE_IDS) assert.notInclude(text, id, `${role}: no fixture id left`)
  assert.notInclude(text, fixtures.source.alpha, role)
  assert.notInclude(text, fixtures.source.beta, role)
  const row = threadRow(m.home, newId)
  assert.isDefined(row, `${role}: a threads row`)
  assert.strictEqual(row!.rollout_path, file, role)
  assert.strictEqual(row!.cwd, mappedCwd(m, role), role)
  assert.strictEqual(Number(row!.archived), fixtureByRole(role).archived ? 1 : 0, role)
  return file
}

/** The first prompt of a rollout: the text of its first `UserMessage` item. */
const firstPrompt = (file: string): string | undefined => {
  for (const line of recordLines(file)) {
    const o = JSON.parse(line)
    if (o.payload?.type === "item_completed" && o.payload.item?.type === "UserMessage") return o.payload.item.content[0].text
  }
  return undefined
}

const snapshotFiles = (files: ReadonlyArray<string>) => new Map(files.map((f) => [f, fs.readFileSync(f)]))

describe("sync: each class and its action", () => {
  it.effect("new_lineage: every session B never had becomes a new local session with its row", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const pkg = yield* exportPackage(copyFixtureHome(), "all")
      const result = yield* sync(pkg, m)
      assert.isString(result.transaction_id)
      assert.isFalse(result.dry_run)
      assert.deepStrictEqual(result.counts, countsOf({ new_lineage: ROLES.length }))
      const newIds = new Map<Role, string>()
      for (const role of ROLES) {
        const d = decisionOf(result, idOf(role))
        assert.strictEqual(d.class, "new_lineage", role)
        assert.strictEqual(d.action, "import", role)
        assert.isUndefined(d.local_id, role)
        assert.isString(d.new_local_id, role)
        assert.notStrictEqual(d.new_local_id, idOf(role), role)
        assert.strictEqual(d.records, fixtureRecords(role), role)
        newIds.set(role, d.new_local_id!)
      }
      assert.strictEqual(new Set(newIds.values()).size, ROLES.length, "distinct new ids")
      for (const role of ROLES) assertImported(m, role, newIds.get(role)!, fixtureRecords(role))
      assert.strictEqual(rolloutFiles(m.home).length, ROLES.length, "nothing else written")
      // the fork follows its parent's new id, and its history base the parent's rewritten file
      const fork = sessionMeta(localRollout(m.home, newIds.get("forked")!))
      const parentFile = localRollout(m.home, newIds.get("multi_turn_tools")!)
      assert.strictEqual(fork.forked_from_id, newIds.get("multi_turn_tools"))
      assert.strictEqual(fork.history_base.thread_id, newIds.get("multi_turn_tools"))
      // in the fixture the fork's base is the parent's whole file: so it is after the rewrite
      assert.strictEqual(sessionMeta(fixtureRollout("forked")).history_base.end_byte_offset, fs.statSync(fixtureRollout("multi_turn_tools")).size)
      assert.strictEqual(fork.history_base.end_byte_offset, fs.statSync(parentFile).size)
      assert.strictEqual(sessionNames(m.home).get(newIds.get("named")!), fixtureByRole("named").name)
    }), 120_000)

  it.effect("unchanged (identical): sessions installed by session-transfer are adopted by fingerprint; syncing twice writes nothing", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const pkg = yield* exportPackage(copyFixtureHome(), "all")
      const installed = yield* install(pkg, m)
      const before = homeState(m.home)
      const first = yield* sync(pkg, m)
      assert.deepStrictEqual(first.counts, countsOf({ unchanged: ROLES.length }))
      for (const role of ROLES) {
        const d = decisionOf(first, idOf(role))
        assert.strictEqual(d.class, "unchanged", role)
        assert.strictEqual(d.relation, "identical", role)
        assert.strictEqual(d.via, "fingerprint", role)
        assert.strictEqual(d.action, "none", role)
        assert.strictEqual(d.local_id, installed.get(idOf(role))!.localId, role)
        assert.isUndefined(d.new_local_id, role)
        assert.strictEqual(d.records, fixtureRecords(role), role)
        assert.strictEqual(d.common, fixtureRecords(role), role)
      }
      assert.deepStrictEqual(homeState(m.home), before, "adopting touches nothing of Codex's")
      const journal = (yield* transactions(m)).length
      const sidecar = fileHash(sidecarPath(m.home))
      const second = yield* sync(pkg, m)
      assert.deepStrictEqual(second.counts, countsOf({ unchanged: ROLES.length }))
      for (const d of second.sessions) assert.strictEqual(d.local_id, installed.get(d.source_id)!.localId)
      assert.isUndefined(second.transaction_id, "no transaction")
      assert.deepStrictEqual(homeState(m.home), before)
      assert.strictEqual((yield* transactions(m)).length, journal, "no journal entry")
      assert.strictEqual(fileHash(sidecarPath(m.home)), sidecar, "the sidecar unchanged")
    }), 120_000)

  it.effect("unchanged (local ahead): B's copies hold more records than the incoming ones", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const installed = yield* install(yield* exportPackage(copyFixtureHome(), CUT), m)
      const before = homeState(m.home)
      const result = yield* sync(yield* exportPackage(olderHome(), CUT), m)
      assert.deepStrictEqual(result.counts, countsOf({ unchanged: CUT.length }))
      for (const role of CUT) {
        const d = decisionOf(result, idOf(role))
        assert.strictEqual(d.class, "unchanged", role)
        assert.strictEqual(d.relation, "local_ahead", role)
        assert.strictEqual(d.local_id, installed.get(idOf(role))!.localId, role)
        assert.strictEqual(d.records, OLDER[role], role)
        assert.strictEqual(d.common, OLDER[role], role)
        assert.isUndefined(d.new_local_id, role)
      }
      assert.deepStrictEqual(homeState(m.home), before)
    }), 120_000)

  it.effect("fast_forward_import: B's older installed copies gain exactly the missing records, localized, and keep their ids", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const installed = yield* install(yield* exportPackage(olderHome(), CUT), m)
      const local = (role: Role) => installed.get(idOf(role))!
      const old = snapshotFiles(CUT.map((role) => local(role).rollout))
      for (const role of CUT) assert.strictEqual(recordLines(local(role).rollout).length, OLDER[role], role)
      const filesBefore = rolloutFiles(m.home)

      const newer = sourceHome({ bumpRows: CUT })
      const full = yield* exportPackage(newer, CUT)
      // what the installer makes of the full sessions on a machine of their own, with B's maps
      const oracle = codexMachine("empty")
      const oracleInstalled = yield* install(full, oracle, m.maps)

      const result = yield* sync(full, m)
      assert.isString(result.transaction_id)
      assert.deepStrictEqual(result.counts, countsOf({ fast_forward_import: CUT.length }))
      for (const role of CUT) {
        const d = decisionOf(result, idOf(role))
        const k = OLDER[role]!
        const n = fixtureRecords(role)
        assert.strictEqual(d.class, "fast_forward_import", `${role}: ${d.detail}`)
        assert.strictEqual(d.relation, "incoming_ahead", role)
        assert.strictEqual(d.action, "append", role)
        assert.strictEqual(d.via, "fingerprint", role)
        assert.strictEqual(d.local_id, local(role).localId, role)
        assert.isUndefined(d.new_local_id, role)
        assert.strictEqual(d.records, n, role)
        assert.strictEqual(d.common, k, role)
        assert.strictEqual(d.appended, n - k, role)

        const file = local(role).rollout
        const bytes = fs.readFileSync(file)
        const before = old.get(file)!
        assert.isTrue(bytes.subarray(0, before.length).equals(before), `${role}: the bytes before the appended part are unchanged`)
        assert.strictEqual(recordLines(file).length, n, `${role}: ${n - k} records appended`)
        const appended = bytes.subarray(before.length).toString("utf8")
        assert.strictEqual(appended.split("\n").filter((l) => l !== "").length, n - k, role)
        assert.isTrue(appended.endsWith("\n"), role)
        assert.include(appended, local(role).localId, `${role}: B's id inside`)
        for (const id of FIXTURE_IDS) assert.notInclude(appended, id, `${role}: no source id`)
        assert.notInclude(appended, fixtures.source.alpha, role)
        assert.notInclude(appended, fixtures.source.beta, role)
        // exactly what a first install makes of those records, with B's id
        const theirs = oracleInstalled.get(idOf(role))!
        const expected = recordLines(theirs.rollout).slice(k).map((l) => l.split(theirs.localId).join(local(role).localId) + "\n").join("")
        assert.strictEqual(appended, expected, `${role}: the appended records are localized as an install would`)
        assert.strictEqual(sessionMeta(file).id, local(role).localId, role)

        const row = threadRow(m.home, local(role).localId)!
        const source = threadRow(newer, idOf(role))!
        assert.strictEqual(row.rollout_path, file, role)
        assert.strictEqual(Number(row.tokens_used), Number(source.tokens_used), `${role}: tokens_used brought up to date`)
        assert.strictEqual(Number(row.updated_at), Number(source.updated_at), `${role}: updated_at brought up to date`)
        assert.strictEqual(Number(row.updated_at_ms), Number(source.updated_at_ms), role)
      }
      assert.deepStrictEqual(rolloutFiles(m.home), filesBefore, "no new session")
    }), 120_000)

  it.effect("fast_forward_import of Codex's own session (same id): the missing records byte for byte, its history projection dropped", () =>
    Effect.gen(function*() {
      // B is the machine where Codex made the sessions; its copy of `named` is older
      const m = codexMachine("fixture")
      const file = path.join(m.home, fixtureByRole("named").rollout)
      truncateRollout(file, OLDER.named!)
      const projections = projectionRows(m.home)
      assert.isDefined(projections[idOf("named")], "the fixture has a projection of `named`")
      const newer = sourceHome({ bumpRows: ["named"] })
      // no --map: the paths are this machine's own
      const result = yield* sync(yield* exportPackage(newer, ["named"]), { ...m, maps: [] })
      const d = decisionOf(result, idOf("named"))
      assert.strictEqual(d.class, "fast_forward_import", d.detail)
      assert.strictEqual(d.via, "same_id")
      assert.strictEqual(d.local_id, idOf("named"))
      assert.strictEqual(d.appended, fixtureRecords("named") - OLDER.named!)
      assert.isTrue(fs.readFileSync(file).equals(fs.readFileSync(fixtureRollout("named"))), "the file is the fixture's again")
      const after = projectionRows(m.home)
      assert.isUndefined(after[idOf("named")], "the projection of the fast-forwarded thread is dropped")
      const { [idOf("named")]: _, ...others } = projections
      assert.deepStrictEqual(after, others, "the other threads' projections are kept")
      assert.strictEqual(Number(threadRow(m.home, idOf("named"))!.tokens_used), Number(threadRow(newer, idOf("named"))!.tokens_used))
    }), 120_000)

  it.effect("fast_forward_import of a session with realtime items (Codex's trigger drops them with its projection): the rollback restores the home exactly, rowids included", () =>
    Effect.gen(function*() {
      const m = codexMachine("fixture")
      truncateRollout(path.join(m.home, fixtureByRole("named").rollout), OLDER.named!)
      // a voice conversation left realtime items on `named` and on another thread
      const history = openDatabase(path.join(m.home, "thread_history_1.sqlite"))
      const realtime = history.prepare(
        "INSERT INTO thread_realtime_items (thread_id, item_id, rollout_ordinal, created_at_ms, item_type, item_json) VALUES (?, ?, ?, ?, ?, ?)"
      )
      realtime.run(idOf("named"), "rt-1", 2, 1763700000001, "realtime_session_started", "{}")
      realtime.run(idOf("beta_cwd"), "rt-2", 2, 1763700000002, "realtime_session_started", "{}")
      history.close()
      const before = homeState(m.home)
      const result = yield* sync(yield* exportPackage(sourceHome({ bumpRows: ["named"] }), ["named"]), { ...m, maps: [] })
      assert.strictEqual(decisionOf(result, idOf("named")).class, "fast_forward_import")
      const after = openDatabase(path.join(m.home, "thread_history_1.sqlite"), { readonly: true })
      assert.deepStrictEqual(after.prepare("SELECT item_id FROM thread_realtime_items").all(), [{ item_id: "rt-2" }])
      after.close()
      const undo = yield* sessionSync(["rollback", "--latest", "--codex-home", m.home])
      assert.strictEqual(undo.code, 0, undo.stderr)
      assert.deepStrictEqual(homeState(m.home), before)
    }), 120_000)

  it.effect("fast_forward_import through the sidecar: older, then full, then a newer copy with a turn appended", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const first = yield* sync(yield* exportPackage(olderHome(), CUT), m)
      assert.deepStrictEqual(first.counts, countsOf({ new_lineage: CUT.length }))
      const localId = (role: Role) => decisionOf(first, idOf(role)).new_local_id!
      for (const role of CUT) assertImported(m, role, localId(role), OLDER[role]!)

      const second = yield* sync(yield* exportPackage(copyFixtureHome(), CUT), m)
      assert.deepStrictEqual(second.counts, countsOf({ fast_forward_import: CUT.length }))
      for (const role of CUT) {
        const d = decisionOf(second, idOf(role))
        assert.strictEqual(d.via, "sidecar", role)
        assert.strictEqual(d.local_id, localId(role), role)
        assert.strictEqual(d.appended, fixtureRecords(role) - OLDER[role]!, role)
        assertImported(m, role, localId(role), fixtureRecords(role))
      }

      const prompt = "One more thing: how long is the notes file?"
      const newer = sourceHome({ continueWith: { multi_turn_tools: prompt } })
      const added = continuationLines(fixtureRollout("multi_turn_tools"), prompt).length
      assert.strictEqual(recordLines(path.join(newer, fixtureByRole("multi_turn_tools").rollout)).length, fixtureRecords("multi_turn_tools") + added)
      const mFile = localRollout(m.home, localId("multi_turn_tools"))
      const beforeM = fs.readFileSync(mFile)
      const third = yield* sync(yield* exportPackage(newer, CUT), m)
      assert.deepStrictEqual(third.counts, countsOf({ fast_forward_import: 1, unchanged: 2 }))
      const d = decisionOf(third, idOf("multi_turn_tools"))
      assert.strictEqual(d.class, "fast_forward_import")
      assert.strictEqual(d.via, "sidecar")
      assert.strictEqual(d.local_id, localId("multi_turn_tools"))
      assert.strictEqual(d.appended, added)
      for (const role of ["beta_cwd", "named"] as const) assert.strictEqual(decisionOf(third, idOf(role)).local_id, localId(role), role)
      const bytes = fs.readFileSync(mFile)
      assert.isTrue(bytes.subarray(0, beforeM.length).equals(beforeM))
      const appended = bytes.subarray(beforeM.length).toString("utf8")
      assert.strictEqual(appended.split("\n").filter((l) => l !== "").length, added)
      assert.include(appended, prompt)
      assert.include(appended, localId("multi_turn_tools"))
      assert.include(appended, `"cwd":"${m.alpha}"`, "the turn_context cwd mapped")
      assert.notInclude(appended, idOf("multi_turn_tools"))
      assert.notInclude(appended, fixtures.source.alpha)
      assert.strictEqual(rolloutFiles(m.home).length, CUT.length)
    }), 120_000)

  it.effect("diverged_lineage: B went on locally, the incoming went on differently → B's file untouched, a branch", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const installed = yield* install(yield* exportPackage(olderHome(), CUT), m)
      const local = (role: Role) => installed.get(idOf(role))!
      for (const role of CUT) {
        appendLines(local(role).rollout, continuationLines(local(role).rollout, `A question only B asked (${role}).`))
      }
      const localRecords = new Map(CUT.map((role) => [role, recordLines(local(role).rollout).length]))
      const names = sessionNames(m.home)
      const before = snapshotFiles(CUT.map((role) => local(role).rollout))
      const rowsBefore = new Map(CUT.map((role) => [role, threadRow(m.home, local(role).localId)]))

      const result = yield* sync(yield* exportPackage(copyFixtureHome(), CUT), m)
      assert.deepStrictEqual(result.counts, countsOf({ diverged_lineage: CUT.length }))
      for (const role of CUT) {
        const d = decisionOf(result, idOf(role))
        const k = OLDER[role]!
        assert.strictEqual(d.class, "diverged_lineage", `${role}: ${d.detail}`)
        assert.strictEqual(d.relation, "diverged", role)
        assert.strictEqual(d.action, "import_branch", role)
        assert.strictEqual(d.local_id, local(role).localId, role)
        assert.strictEqual(d.common, k, role)
        assert.strictEqual(d.records, fixtureRecords(role), role)
        assert.isString(d.new_local_id, role)
        assert.notStrictEqual(d.new_local_id, local(role).localId, role)
        assert.isTrue(fs.readFileSync(local(role).rollout).equals(before.get(local(role).rollout)!), `${role}: B's file byte-identical`)
        assert.strictEqual(recordLines(local(role).rollout).length, localRecords.get(role))
        assert.deepStrictEqual(threadRow(m.home, local(role).localId), rowsBefore.get(role), `${role}: B's row untouched`)
        assert.strictEqual(sessionNames(m.home).get(local(role).localId), names.get(local(role).localId), `${role}: B's name untouched`)

        const branch = assertImported(m, role, d.new_local_id!, fixtureRecords(role))
        assert.strictEqual(sessionMeta(branch).forked_from_id, local(role).localId, `${role}: forked from B's session`)
        const name = sessionNames(m.home).get(d.new_local_id!)
        assert.isDefined(name, `${role}: the branch is named`)
        assert.match(name!, /branch/i, `${role}: the name says it is a branch`)
        if (fixtureByRole(role).name !== undefined) assert.include(name!, fixtureByRole(role).name!, `${role}: after the session's name`)
        const row = threadRow(m.home, d.new_local_id!)!
        assert.match(String(row.title), /branch/i, `${role}: titled as a branch`)
        assert.strictEqual(row.name, name, `${role}: the row has the branch's name`)
      }
    }), 120_000)

  it.effect("id_collision_unrelated: incoming sessions carrying the ids of unrelated local sessions are imported under new ids", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      const installed = yield* install(yield* exportPackage(copyFixtureHome(), ["multi_turn_tools", "named"]), m)
      const local = (role: Role) => installed.get(idOf(role))!
      // other conversations, given those local ids by hand
      const pkg = yield* exportPackage(copyFixtureHome(), ["beta_cwd", "archived"], "dir")
      const collides: ReadonlyArray<readonly [Role, Role]> = [["beta_cwd", "named"], ["archived", "multi_turn_tools"]]
      for (const [role, victim] of collides) reidentify(pkg, idOf(role), local(victim).localId)
      const before = snapshotFiles([local("multi_turn_tools").rollout, local("named").rollout])
      const rowsBefore = [threadRow(m.home, local("multi_turn_tools").localId), threadRow(m.home, local("named").localId)]

      const result = yield* sync(pkg, m)
      assert.deepStrictEqual(result.counts, countsOf({ id_collision_unrelated: 2 }))
      const newIds = new Set<string>()
      for (const [role, victim] of collides) {
        const d = decisionOf(result, local(victim).localId)
        assert.strictEqual(d.class, "id_collision_unrelated", `${role}: ${d.detail}`)
        assert.strictEqual(d.relation, "unrelated", role)
        assert.strictEqual(d.via, "same_id", role)
        assert.strictEqual(d.action, "import_new_id", role)
        assert.strictEqual(d.local_id, local(victim).localId, role)
        assert.isString(d.new_local_id)
        assert.notStrictEqual(d.new_local_id, local(victim).localId, role)
        newIds.add(d.new_local_id!)
        const file = assertImported(m, role, d.new_local_id!, fixtureRecords(role))
        assert.strictEqual(firstPrompt(file), fixtureByRole(role).prompts[0], `${role}: its own conversation`)
        assert.strictEqual(threadRow(m.home, d.new_local_id!)!.title, fixtureByRole(role).prompts[0], role)
      }
      assert.strictEqual(newIds.size, 2)
      for (const [file, bytes] of before) assert.isTrue(fs.readFileSync(file).equals(bytes), `${file}: the local session kept`)
      assert.deepStrictEqual([threadRow(m.home, local("multi_turn_tools").localId), threadRow(m.home, local("named").localId)], rowsBefore)
      assert.strictEqual(sessionNames(m.home).get(local("named").localId), fixtureByRole("named").name)
      assert.strictEqual(firstPrompt(local("named").rollout), fixtureByRole("named").prompts[0])
    }), 120_000)
})

describe("sync: a fork whose parent B already holds", () => {
  /** Where record `k` of a rollout ends: the bytes of its first k records and their line ends. */
  const endOfRecord = (file: string, k: number): number => {
    const text = fs.readFileSync(file)
    let at = 0
    for (let i = 0; i < k; i++) at = text.indexOf(10, at) + 1
    return at
  }

  // The fixture fork reads its first records from its parent's file (history_base: parent id,
  // end ordinal, end byte offset). Imported as a new session next to a parent B already has (as
  // it is, or fast-forwarded by the same sync), it must read them from B's copy of the parent.
  for (const parentOnB of ["the same", "older"] as const) {
    it.effect(`the new fork reads its base from B's copy of the parent (B's parent: ${parentOnB})`, () =>
      Effect.gen(function*() {
        const base = sessionMeta(fixtureRollout("forked")).history_base
        assert.strictEqual(base.thread_id, idOf("multi_turn_tools"))
        const m = codexMachine("empty")
        const parentHome = parentOnB === "older" ? sourceHome({ truncate: { multi_turn_tools: OLDER.multi_turn_tools! } }) : copyFixtureHome()
        const installed = yield* install(yield* exportPackage(parentHome, ["multi_turn_tools"]), m)
        const parent = installed.get(idOf("multi_turn_tools"))!
        const result = yield* sync(yield* exportPackage(copyFixtureHome(), ["multi_turn_tools", "forked"]), m)
        assert.strictEqual(
          decisionOf(result, idOf("multi_turn_tools")).class,
          parentOnB === "older" ? "fast_forward_import" : "unchanged"
        )
        const fork = decisionOf(result, idOf("forked"))
        assert.strictEqual(fork.class, "new_lineage")
        const meta = sessionMeta(localRollout(m.home, fork.new_local_id!))
        assert.strictEqual(meta.forked_from_id, parent.localId, "forked from B's copy of the parent")
        assert.strictEqual(meta.history_base.thread_id, parent.localId, "its base read from B's copy of the parent")
        assert.strictEqual(meta.history_base.end_ordinal_exclusive, base.end_ordinal_exclusive)
        assert.strictEqual(
          meta.history_base.end_byte_offset,
          endOfRecord(parent.rollout, base.end_ordinal_exclusive),
          "the offset where B's copy of the parent's base ends"
        )
        assertImported(m, "forked", fork.new_local_id!, fixtureRecords("forked"))
      }), 120_000)
  }
})

describe("sync: one package of every class", () => {
  it.effect("each session gets its class's action; syncing it again is all unchanged and writes nothing", () =>
    Effect.gen(function*() {
      const mixed = yield* mixedScenario
      const m = mixed.machine
      const local = (role: Role) => mixed.installed.get(idOf(role))!
      const before = snapshotFiles([local("multi_turn_tools").rollout, local("beta_cwd").rollout, local("named").rollout])
      const files = rolloutFiles(m.home)

      const result = yield* sync(mixed.pkg, m)
      assertMixedPlan(result, mixed)
      assert.isString(result.transaction_id)
      // fast-forward: the missing records appended
      const mFile = local("multi_turn_tools").rollout
      const mBefore = before.get(mFile)!
      assert.isTrue(fs.readFileSync(mFile).subarray(0, mBefore.length).equals(mBefore))
      assert.strictEqual(recordLines(mFile).length, fixtureRecords("multi_turn_tools"))
      assert.strictEqual(decisionOf(result, idOf("multi_turn_tools")).appended, fixtureRecords("multi_turn_tools") - OLDER.multi_turn_tools!)
      // diverged: B's file kept, a branch of it
      assert.isTrue(fs.readFileSync(local("beta_cwd").rollout).equals(before.get(local("beta_cwd").rollout)!))
      const branchId = decisionOf(result, idOf("beta_cwd")).new_local_id!
      const branch = assertImported(m, "beta_cwd", branchId, fixtureRecords("beta_cwd"))
      assert.strictEqual(sessionMeta(branch).forked_from_id, local("beta_cwd").localId)
      // unchanged
      assert.isTrue(fs.readFileSync(local("named").rollout).equals(before.get(local("named").rollout)!))
      assert.isUndefined(decisionOf(result, idOf("named")).new_local_id)
      // collision: B's `named` kept, the archived conversation under a new id
      const collisionId = decisionOf(result, mixed.collisionId).new_local_id!
      assert.notStrictEqual(collisionId, mixed.collisionId)
      const collided = assertImported(m, "archived", collisionId, fixtureRecords("archived"))
      assert.strictEqual(firstPrompt(collided), fixtureByRole("archived").prompts[0])
      // new: the compressed session, written plain
      const zstId = decisionOf(result, idOf("zst")).new_local_id!
      assertImported(m, "zst", zstId, fixtureRecords("zst"))
      assert.deepStrictEqual(rolloutFiles(m.home), [...files, branch, collided, localRollout(m.home, zstId)].sort())

      const after = homeState(m.home)
      const journal = (yield* transactions(m)).length
      const sidecar = fileHash(sidecarPath(m.home))
      const again = yield* sync(mixed.pkg, m)
      assert.deepStrictEqual(again.counts, countsOf({ unchanged: 5 }))
      assert.isUndefined(again.transaction_id)
      assert.deepStrictEqual(homeState(m.home), after, "the second run writes nothing")
      assert.strictEqual((yield* transactions(m)).length, journal)
      assert.strictEqual(fileHash(sidecarPath(m.home)), sidecar)
      // the sessions it holds now: the fast-forwarded, the branch, named, the collision's import, zst
      const holders = Object.fromEntries(again.sessions.map((s) => [s.source_id, s.local_id]))
      assert.deepStrictEqual(holders, {
        [idOf("multi_turn_tools")]: local("multi_turn_tools").localId,
        [idOf("beta_cwd")]: branchId,
        [idOf("named")]: local("named").localId,
        [mixed.collisionId]: collisionId,
        [idOf("zst")]: zstId
      })
    }), 120_000)
})

describe("sync --dry-run and inspect-package write nothing", () => {
  it.effect("the plan of the mixed package; the home, the journal and the (absent) sidecar as they were", () =>
    Effect.gen(function*() {
      const mixed = yield* mixedScenario
      const m = mixed.machine
      const before = homeState(m.home)
      const journal = yield* transactions(m)
      assert.isFalse(fs.existsSync(sidecarPath(m.home)), "no sidecar yet (only session-transfer ran)")

      const inspected: SyncJson = yield* inspect(mixed.pkg, m)
      assert.isTrue(inspected.dry_run)
      assert.isUndefined(inspected.transaction_id)
      assertMixedPlan(inspected, mixed)
      assert.deepStrictEqual(homeState(m.home), before)
      assert.isFalse(fs.existsSync(sidecarPath(m.home)), "inspect-package creates no sidecar")

      const dry = yield* sync(mixed.pkg, m, ["--dry-run"])
      assert.isTrue(dry.dry_run)
      assert.isUndefined(dry.transaction_id)
      assertMixedPlan(dry, mixed)
      assert.deepStrictEqual(homeState(m.home), before)
      assert.isFalse(fs.existsSync(sidecarPath(m.home)), "a dry run creates no sidecar")
      assert.deepStrictEqual(yield* transactions(m), journal, "no journal entry")

      // and the plan is what the real run then does
      const real = yield* sync(mixed.pkg, m)
      assertMixedPlan(real, mixed)
      for (const d of real.sessions) {
        const planned = decisionOf(dry, d.source_id)
        assert.deepStrictEqual(
          { class: planned.class, relation: planned.relation, localId: planned.local_id, action: planned.action, records: planned.records, common: planned.common },
          { class: d.class, relation: d.relation, localId: d.local_id, action: d.action, records: d.records, common: d.common },
          d.source_id
        )
      }
    }), 120_000)

  it.effect("after a sync, inspect-package of a newer package writes nothing either", () =>
    Effect.gen(function*() {
      const m = codexMachine("empty")
      yield* sync(yield* exportPackage(olderHome(), CUT), m)
      const before = homeState(m.home)
      const sidecar = fileHash(sidecarPath(m.home))
      assert.isDefined(sidecar)
      const journal = yield* transactions(m)
      const inspected = yield* inspect(yield* exportPackage(copyFixtureHome(), CUT), m)
      assert.deepStrictEqual(inspected.counts, countsOf({ fast_forward_import: CUT.length }))
      assert.deepStrictEqual(homeState(m.home), before)
      assert.strictEqual(fileHash(sidecarPath(m.home)), sidecar)
      assert.deepStrictEqual(yield* transactions(m), journal)
    }), 120_000)
})
