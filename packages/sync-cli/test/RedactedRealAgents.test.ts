/**
 * Redaction is not divergence, and a sync never swaps a local secret for a placeholder (issue
 * 18), with real packages of sessions the real Codex, Claude Code and OpenCode made and continued.
 *
 * On machine A the agent makes a session holding planted secrets
 * (`@sessionport/codex-oracle/PlantedSecrets`; the first prompt pastes a key, so the redacted
 * and the plain copy start differently). A exports it twice, with and without `--redact`: B1
 * installs the redacted package (`session-transfer install`: B1 knows the session by its
 * content only), B2 takes the plain one with a first `session-sync sync` (its sidecar knows
 * it). A goes on with one more turn (its prompt pastes another key) and exports again both
 * ways. Then:
 * - B1 syncs A's plain package: a fast-forward (not a branch), B1's earlier records byte for
 *   byte (placeholders, no secret put back), the new turn appended as the package has it; a
 *   repeat sync is unchanged and writes nothing; the agent on B1 resumes the session.
 * - B2 syncs A's redacted package: a fast-forward, B2's own secrets still there byte for byte,
 *   the new turn appended redacted; a repeat sync is unchanged; the agent on B2 resumes it.
 * Expected values are the planted texts and the records of the transcripts A exported.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Block, Harness as ClaudeHarness, MessagesServer } from "@sessionport/claude-oracle"
import * as ClaudeSession from "@sessionport/claude-oracle/PlantedSession"
import * as SignedThinking from "@sessionport/claude-oracle/SignedThinking"
import { openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { codexOn, machine } from "@sessionport/codex-oracle/Harness"
import { fileState, homeState } from "@sessionport/codex-oracle/HomeState"
import * as Planted from "@sessionport/codex-oracle/PlantedSecrets"
import * as CodexSession from "@sessionport/codex-oracle/PlantedSession"
import { ChatServer, Harness as OpencodeHarness } from "@sessionport/opencode-oracle"
import { dataState } from "@sessionport/opencode-oracle/DataState"
import * as OpencodeSession from "@sessionport/opencode-oracle/PlantedSession"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const ok = (result: CliResult, what: string) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** `text` as it sits inside a JSON string. */
const json = (text: string) => JSON.stringify(text).slice(1, -1)

/** The one file under `dir` whose name ends with `suffix`. */
const fileEndingWith = (dir: string, suffix: string): string => {
  const found = (fs.readdirSync(dir, { recursive: true }) as Array<string>).filter((f) => f.endsWith(suffix))
  assert.lengthOf(found, 1, `${suffix} under ${dir}`)
  return path.join(dir, found[0]!)
}

/** What A's next turn is answered. */
const LATER_REPLY = "Wired up the Anthropic client."

/** One machine of the scenario, as the scenario needs it. */
interface Side {
  /** the home options of session-transfer / session-sync */
  readonly options: ReadonlyArray<string>
  readonly env: { readonly env: Record<string, string> }
  readonly project: string
  /**
   * The records this machine holds of a session: a file's lines, in order (`ordered`), or
   * OpenCode's message and part rows (its database keeps no order but the ids').
   */
  readonly held: (id: string) => ReadonlyArray<string>
  readonly ordered: boolean
  /** everything a sync may write */
  readonly state: () => unknown
  /** one more turn of the real agent on a session; the request its model received */
  readonly turn: (id: string, prompt: string) => Effect.Effect<string, unknown, never>
}

const fileLines = (file: string) => fs.readFileSync(file, "utf8").split("\n").slice(0, -1)

interface Agent {
  readonly name: string
  /** whether sync's decision counts the records of the transcript (OpenCode's leaves out its session and todo lines) */
  readonly transcriptRecords: boolean
  /** machine A, its session with the planted secrets made */
  readonly source: Effect.Effect<{ readonly side: Side; readonly id: string }, unknown, any>
  readonly target: (label: string) => Effect.Effect<Side, unknown, any>
}

const codex: Agent = {
  name: "Codex",
  transcriptRecords: true,
  source: Effect.gen(function*() {
    const a = machine("redsync-codex-a", { projects: ["app"] })
    const cli = yield* codexOn(a.home, a.root)
    const id = yield* CodexSession.firstTurn(cli, a.projects[0]!)
    return { side: codexSide(a, cli), id }
  }),
  target: (label) =>
    Effect.gen(function*() {
      const b = machine(label, { projects: ["app-on-b"] })
      return codexSide(b, yield* codexOn(b.home, b.root))
    })
}

function codexSide(m: ReturnType<typeof machine>, cli: CodexSession.Codex): Side {
  return {
    options: ["--codex-home", m.home],
    env: { env: { HOME: m.root } },
    project: m.projects[0]!,
    held: (id) => fileLines(fileEndingWith(path.join(m.home, "sessions"), `${id}.jsonl`)),
    ordered: true,
    state: () => homeState(m.home),
    turn: (id, prompt) => CodexSession.nextTurn(cli, m.projects[0]!, id, prompt, LATER_REPLY)
  }
}

const claude: Agent = {
  name: "Claude Code",
  transcriptRecords: true,
  source: Effect.gen(function*() {
    const a = yield* ClaudeHarness.machine({ projects: ["app"] })
    const id = yield* ClaudeSession.firstTurn(a, a.projects[0]!, () => [Block.text(LATER_REPLY)])
    return { side: claudeSide(a), id }
  }),
  target: () => Effect.map(ClaudeHarness.machine({ projects: ["app-on-b"] }), claudeSide)
}

function claudeSide(m: ClaudeHarness.Machine): Side {
  return {
    options: ["--claude-home", m.configDir],
    env: { env: { HOME: m.home } },
    project: m.projects[0]!,
    held: (id) => fileLines(fileEndingWith(path.join(m.configDir, "projects"), `${id}.jsonl`)),
    ordered: true,
    // reading the sidecar may leave SQLite's -wal: the home without it
    state: () => fileState(m.configDir, { skip: ["sessionport"] }),
    turn: (id, prompt) =>
      Effect.gen(function*() {
        yield* m.server.clearRequests
        const result = yield* m.cli.print(prompt, { resume: id, cwd: m.projects[0]! })
        assert.strictEqual(result.sessionId, id)
        const request = (yield* m.server.requests)[0]!
        // the API's check: the signed thinking comes back as the model sent it
        assert.deepStrictEqual(SignedThinking.blocksOf(request), [{ ...ClaudeSession.thinkingBlock }])
        assert.deepStrictEqual(SignedThinking.tampered(request), [])
        assert.include(MessagesServer.conversation(request).map((m) => m.text).join("\n"), prompt)
        return request.text
      })
  }
}

const opencode: Agent = {
  name: "OpenCode",
  transcriptRecords: false,
  source: Effect.gen(function*() {
    const a = yield* OpencodeHarness.machine({ projects: ["app"] })
    const id = yield* OpencodeSession.firstTurn(a, a.projects[0]!, () => ChatServer.text(LATER_REPLY))
    return { side: opencodeSide(a), id }
  }),
  target: () => Effect.map(OpencodeHarness.machine({ projects: ["app-on-b"], initDatabase: true }), opencodeSide)
}

function opencodeSide(m: OpencodeHarness.Machine): Side {
  return {
    options: ["--opencode-data", m.dataDir],
    env: { env: { HOME: m.home } },
    project: m.projects[0]!,
    held: (id) => {
      const db = openDatabase(path.join(m.dataDir, "opencode.db"), { readonly: true })
      try {
        const rows = (table: string) =>
          (db.prepare(`SELECT id, data FROM ${table} WHERE session_id = ? ORDER BY id`).all(id) as Array<{ id: string; data: string }>)
            .map((r) => `${table} ${r.id} ${r.data}`)
        return [...rows("message"), ...rows("part")]
      } finally {
        db.close()
      }
    },
    ordered: false,
    state: () => dataState(m.dataDir),
    turn: (id, prompt) =>
      Effect.gen(function*() {
        yield* m.server.clearRequests
        const result = yield* m.cli.run(prompt, { session: id, cwd: m.projects[0]! })
        assert.strictEqual(result.sessionId, id)
        return (yield* m.server.chatRequests).at(-1)!.text
      })
  }
}

interface Decision {
  readonly source_id: string
  readonly class: string
  readonly action: string
  readonly local_id?: string
  readonly new_local_id?: string
  readonly appended?: number
  readonly records?: number
  readonly common?: number
}

interface SyncJson {
  readonly transaction_id?: string
  readonly sessions: ReadonlyArray<Decision>
}

/** The transcript of session `id` in a package, as records (its lines). */
const packaged = (pkg: string, id: string) =>
  Effect.map(Effect.promise(() => Planted.packageFiles(pkg)), (files) => {
    const entries = [...files.keys()].filter((name) => name.endsWith(`${id}.jsonl`) || name.endsWith(`${id}/transcript.jsonl`))
    assert.lengthOf(entries, 1, [...files.keys()].join(", "))
    return files.get(entries[0]!)!.toString("utf8").split("\n").slice(0, -1)
  })

/**
 * What `after` holds beyond `before`, after checking that it still holds every record of
 * `before` byte for byte (in its place, when the side keeps an order).
 */
const grownFrom = (side: Side, before: ReadonlyArray<string>, after: ReadonlyArray<string>, what: string): string => {
  if (side.ordered) {
    assert.deepStrictEqual(after.slice(0, before.length), before, what)
    return after.slice(before.length).join("\n")
  }
  const kept = new Set(after)
  assert.deepStrictEqual(before.filter((r) => !kept.has(r)), [], what)
  const old = new Set(before)
  return after.filter((r) => !old.has(r)).join("\n")
}

const scenario = (agent: Agent) =>
  Effect.gen(function*() {
    const { id, side: a } = yield* agent.source
    const exportA = (redact: boolean) =>
      Effect.gen(function*() {
        const pkg = path.join(tempDir("redsync-pkg"), "sessions.tgz")
        ok(yield* sessionTransfer(["export", ...(redact ? ["--redact"] : []), "--all", ...a.options, "--out", pkg, "--json"], a.env), "export")
        return pkg
      })
    assert.deepStrictEqual(Planted.leaks(a.held(id).join("\n")), Planted.firstTurn.map((p) => p.name), "A's session holds every secret")
    const redacted1 = yield* exportA(true)
    const plain1 = yield* exportA(false)
    assert.deepStrictEqual(Planted.leaks(Planted.tarBytes(redacted1)), [], "the redacted package holds no secret")
    const recordsA1 = (yield* packaged(plain1, id)).length
    assert.strictEqual((yield* packaged(redacted1, id)).length, recordsA1, "redaction keeps every record")

    // B1 installs the redacted package (session-transfer install); B2 takes the plain one with a
    // first session-sync sync (which records the session in its sidecar)
    const install = (b: Side, pkg: string, how: "install" | "sync") =>
      Effect.gen(function*() {
        const maps = ["--map", `${a.project}=${b.project}`]
        const local = how === "install"
          ? ok(yield* sessionTransfer(["install", pkg, ...b.options, ...maps, "--json"], b.env), "install").sessions[0].local_id as string
          : ok(yield* sessionSync(["sync", pkg, ...b.options, ...maps, "--yes", "--json"], b.env), "first sync").sessions[0].new_local_id as string
        assert.isString(local)
        const sync = (next: string) =>
          Effect.map(sessionSync(["sync", next, ...b.options, ...maps, "--yes", "--json"], b.env), (r) => ok(r, "sync") as SyncJson)
        return { local, before: b.held(local), sync }
      })
    const b1 = yield* agent.target("redsync-b1")
    const b2 = yield* agent.target("redsync-b2")
    const onB1 = yield* install(b1, redacted1, "install")
    const onB2 = yield* install(b2, plain1, "sync")
    assert.deepStrictEqual(Planted.leaks(onB1.before.join("\n")), [], "B1 holds placeholders")
    assert.deepStrictEqual(Planted.unredacted(onB1.before.join("\n"), Planted.firstTurn), [])
    assert.deepStrictEqual(Planted.leaks(onB2.before.join("\n")), Planted.firstTurn.map((p) => p.name), "B2 holds the secrets")

    // A goes on: one more turn, pasting another key; then exports both ways
    yield* a.turn(id, Planted.prompts.later)
    const plain2 = yield* exportA(false)
    const redacted2 = yield* exportA(true)
    assert.deepStrictEqual(Planted.leaks(Planted.tarBytes(redacted2)), [])
    const recordsA2 = (yield* packaged(plain2, id)).length
    assert.isAbove(recordsA2, recordsA1)

    const forward = (result: SyncJson, local: string) => {
      assert.lengthOf(result.sessions, 1, JSON.stringify(result.sessions))
      const d = result.sessions[0]!
      assert.strictEqual(d.source_id, id)
      assert.strictEqual(d.class, "fast_forward_import", `${agent.name}: redaction is not a divergence: ${JSON.stringify(d)}`)
      assert.strictEqual(d.action, "append")
      assert.strictEqual(d.local_id, local)
      assert.isUndefined(d.new_local_id, "no branch")
      assert.strictEqual(d.appended, recordsA2 - recordsA1, "A's new turn, record for record")
      if (agent.transcriptRecords) {
        assert.strictEqual(d.records, recordsA2)
        assert.strictEqual(d.common, recordsA1)
      }
      assert.isString(result.transaction_id)
    }
    const unchanged = (b: Side, sync: Effect.Effect<SyncJson, unknown, any>) =>
      Effect.gen(function*() {
        const before = b.state()
        const again = yield* sync
        assert.deepStrictEqual(again.sessions.map((s) => s.class), ["unchanged"], JSON.stringify(again.sessions))
        assert.isUndefined(again.transaction_id)
        assert.deepStrictEqual(b.state(), before, "a repeat sync writes nothing")
      })

    // ---- B1 (redacted) takes A's plain package: its placeholders stay, the new turn comes as the package has it
    forward(yield* onB1.sync(plain2), onB1.local)
    const tail1 = grownFrom(b1, onB1.before, b1.held(onB1.local), "B1's earlier records byte for byte: no secret put back")
    assert.include(tail1, json(Planted.prompts.later), "the new turn, unredacted as the plain package carries it")
    assert.include(tail1, json(LATER_REPLY))
    yield* unchanged(b1, onB1.sync(plain2))
    const sent1 = yield* b1.turn(onB1.local, "continue on B1")
    assert.deepStrictEqual(Planted.leaks(sent1, Planted.firstTurn), [], "B1's model receives no secret of the first turn")
    assert.deepStrictEqual(Planted.unredacted(sent1, Planted.firstTurn), [])
    assert.include(sent1, json(Planted.prompts.later))
    assert.include(sent1, json(LATER_REPLY))

    // ---- B2 (plain) takes A's redacted package: its own secrets stay, the new turn comes redacted
    forward(yield* onB2.sync(redacted2), onB2.local)
    const tail2 = grownFrom(b2, onB2.before, b2.held(onB2.local), "B2's earlier records byte for byte: its secrets stay")
    assert.deepStrictEqual(Planted.leaks(tail2), [], "the new turn arrives redacted")
    assert.include(tail2, json(Planted.redactedPrompts.later))
    yield* unchanged(b2, onB2.sync(redacted2))
    const sent2 = yield* b2.turn(onB2.local, "continue on B2")
    assert.deepStrictEqual(Planted.leaks(sent2), Planted.firstTurn.map((p) => p.name), "B2's model receives B2's own secrets, and not the new one")
    assert.include(sent2, json(Planted.redactedPrompts.later))
    assert.include(sent2, json(LATER_REPLY))
  })

describe("a redacted and a plain package of the same session sync as a fast-forward, judged by the real agents", () => {
  for (const agent of [codex, claude, opencode]) {
    it.scoped(`${agent.name}: both ways, local lines kept byte for byte, a repeat sync unchanged, the agent resumes`, () =>
      scenario(agent).pipe(Effect.provide(NodeContext.layer)), 120_000)
  }
})
