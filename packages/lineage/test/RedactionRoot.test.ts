/**
 * A secret in the first prompt: the redacted and the plain copy of a conversation have root keys
 * of their own (the prefix hash through the first prompt), so a session installed by
 * `session-transfer install` (a new id, no sidecar row) from one of them is found from the other
 * only by its files: `Redaction.sameRoot`, and the sync's fingerprint route built on it.
 *
 * Each case starts from a real fixture session (Codex `multi_turn_tools`, Claude Code `tools`)
 * with a pasted `.env` line after its first prompt's text, wherever the transcript holds that text
 * (Claude Code repeats it in its queued-prompt and last-prompt lines); the redacted copy holds
 * `[REDACTED:openai:<first 8 hex of sha256(key)>]` there instead, computed here from the key
 * alone. An older copy of the conversation stops three lines after the first line with the key.
 * Expected values are read from the files: the local bytes, records counted by hand, history
 * lines parsed here.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Agents, type AgentStore, Journals, PackageInstall } from "@sessionport/agent"
import * as ClaudeStore from "@sessionport/claude-home/ClaudeStore"
import * as ClaudeSurface from "@sessionport/claude-home/ClaudeSurface"
import { copyFixtureHome, fixtureByRole, fixtures, openDatabase, removeTemps, repoRoot, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Dialect, PathRules, Rewriter } from "@sessionport/localize"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Fingerprint from "../src/Fingerprint.js"
import { MarkerWatch } from "../src/internal/redaction.js"
import * as Redaction from "../src/Redaction.js"
import * as Syncer from "../src/Syncer.js"
import { layerFor, machineWith, type Machine } from "./utils/exchange.js"
import { expectedPrint } from "./utils/independent.js"
import { envLine, KEY, OTHER_KEY, placeholder, plant } from "./utils/redaction.js"
import { exportOne } from "./utils/exportOne.js"

afterAll(removeTemps)

const linesOf = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
const writeLines = (file: string, lines: ReadonlyArray<string>) => fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""))
const records = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8").split("\n").slice(0, -1).filter((l) => l.trim() !== "")

/** The variants of a transcript: the key after its first prompt's text, its placeholder, and what is not the same. */
const variantsOf = (lines: ReadonlyArray<string>, prompt: string) => {
  const withKey = plant(lines, prompt, envLine(KEY))
  const redacted = plant(lines, prompt, envLine(placeholder(KEY)))
  // the older copy: three lines past the first line holding the key
  const cut = withKey.findIndex((l) => l.includes(KEY)) + 3
  return {
    withKey,
    redacted,
    older: (variant: ReadonlyArray<string>) => variant.slice(0, cut),
    others: {
      "another key": plant(lines, prompt, envLine(OTHER_KEY)),
      "the placeholder of another key": plant(lines, prompt, envLine(placeholder(OTHER_KEY))),
      "other text around the placeholder": plant(lines, prompt, ` OPENAI_API_KEY =${placeholder(KEY)}`)
    }
  }
}

const codexSession = fixtureByRole("multi_turn_tools")
const codexLines = linesOf(path.join(copyFixtureHome(), codexSession.rollout))
const claudeFixtures = JSON.parse(fs.readFileSync(path.join(repoRoot, "fixtures", "claude", "fixtures.json"), "utf8"))
const claudeSession = claudeFixtures.sessions.tools as { sessionId: string; transcript: string; prompts: Array<string>; cwd: string }
const claudeHome = path.join(repoRoot, "fixtures", "claude", "home")
const claudeLines = linesOf(path.join(claudeHome, claudeSession.transcript))

describe("Redaction.sameRoot: the first prompt differs only by redaction", () => {
  const agents = [
    {
      name: "Codex",
      lineage: Fingerprint.codex,
      surface: Dialect.codex,
      sessionId: codexSession.threadId,
      project: fixtures.source.alpha,
      lines: codexLines,
      prompt: codexSession.prompts[0]!
    },
    {
      name: "Claude Code",
      lineage: ClaudeStore.lineage,
      surface: ClaudeSurface.dialect,
      sessionId: claudeSession.sessionId,
      project: claudeFixtures.source.alpha as string,
      lines: claudeLines,
      prompt: claudeSession.prompts[0]!
    }
  ]
  for (const agent of agents) {
    const dir = tempDir(`sameroot-${agent.name.replace(/\W/g, "")}`)
    let n = 0
    const write = (lines: ReadonlyArray<string>) => {
      const file = path.join(dir, `${n++}.jsonl`)
      writeLines(file, lines)
      return file
    }
    /** installed on another machine: a new session id, the project under another folder */
    const installed = (lines: ReadonlyArray<string>) => {
      const plan: Rewriter.Plan = {
        idMap: new Map([[agent.sessionId, "01900000-0000-7000-8000-00000000b0b0"]]),
        pathRules: PathRules.make({ maps: [{ from: agent.project, to: "/home/bob/ported" }], targetHome: "/home/bob", targetPlatform: "posix" }),
        dialect: agent.surface
      }
      return write(Buffer.concat([...Rewriter.reportingChunks([Buffer.from(lines.map((l) => `${l}\n`).join(""))], plan).chunks]).toString("utf8").split("\n").filter((l) => l !== ""))
    }
    const variants = variantsOf(agent.lines, agent.prompt)
    /** the incoming file whole, the local one by the print of its first records (as a sync reads them) */
    const sameRoot = (incoming: string, local: string) =>
      Effect.gen(function*() {
        const incomingPrint = yield* Fingerprint.fromFile(incoming, { dialect: agent.lineage })
        const localPrint = yield* Fingerprint.rootPrintOfFile(local, agent.lineage)
        assert.notStrictEqual(Fingerprint.rootKey(incomingPrint), Fingerprint.rootKey(localPrint), "the root keys differ")
        return yield* Redaction.sameRoot({ path: incoming, print: incomingPrint }, { path: local, print: localPrint }, agent.lineage)
      })

    it.effect(`${agent.name}: the same conversation, whichever side is redacted`, () =>
      Effect.gen(function*() {
        assert.isTrue(yield* sameRoot(write(variants.withKey), installed(variants.older(variants.redacted))))
        assert.isTrue(yield* sameRoot(write(variants.redacted), installed(variants.older(variants.withKey))))
      }))

    it.effect(`${agent.name}: not for a first prompt that really differs`, () =>
      Effect.gen(function*() {
        for (const local of [installed(variants.older(variants.withKey)), installed(variants.older(variants.redacted))]) {
          for (const [what, other] of Object.entries(variants.others)) {
            assert.isFalse(yield* sameRoot(write(other), local), what)
          }
        }
      }))
  }
})

describe("MarkerWatch: where a file's first placeholder begins, seen a chunk at a time", () => {
  const text = Buffer.from(`{"a":"no secret here"}\n{"b":"key ${placeholder(KEY)}"}\n{"c":"${placeholder(OTHER_KEY)}"}\n`)
  const first = text.indexOf("[REDACTED:")

  it("whole, or cut anywhere (a marker across two chunks too)", () => {
    for (let size = 1; size <= text.length; size++) {
      const watch = new MarkerWatch()
      for (let at = 0; at < text.length; at += size) watch.onRead(text.subarray(at, at + size), at)
      assert.strictEqual(watch.first, first, `chunks of ${size}`)
      assert.isTrue(watch.before(first + "[REDACTED:".length))
      assert.isFalse(watch.before(first + "[REDACTED:".length - 1))
    }
  })

  it("none in a file without one; fed by the fingerprinter as it reads", () =>
    Effect.gen(function*() {
      const watch = new MarkerWatch()
      watch.onRead(text.subarray(0, first + 5), 0)
      assert.isUndefined(watch.first)
      const file = path.join(tempDir("marker"), "t.jsonl")
      fs.writeFileSync(file, text)
      const read = new MarkerWatch()
      yield* Fingerprint.fromFile(file, { onRead: read.onRead })
      assert.strictEqual(read.first, first)
    }).pipe(Effect.runSync))
})

// ---- the sync, in process: B installs a package of A (`PackageInstall`, as `session-transfer install`), then syncs A's next one

// the services of a machine: what each command asks of them
type Services = Layer.Layer<Agents.Agents | Journals.Journals | Syncer.Syncer | Progress.Progress, unknown>

const exportWith = (layer: Services, id: string) =>
  exportOne(path.join(tempDir("rootpkg"), "session.tgz"), id).pipe(Effect.provide(layer))

const installWith = (layer: Services, pkg: string, maps: Machine["maps"]) =>
  Effect.gen(function*() {
    const { stores } = yield* Agents.Agents
    const result = yield* PackageInstall.install({ package: pkg, maps, dryRun: false }, stores)
    assert.lengthOf(result.sessions, 1)
    return result.sessions[0]!.localId
  }).pipe(Effect.provide(Layer.merge(layer, NodeContext.layer)))

const syncWith = (layer: Services, pkg: string, maps: Machine["maps"]) =>
  Effect.gen(function*() {
    const result = yield* Effect.flatMap(Syncer.Syncer, (s) => s.sync({ package: pkg, maps, dryRun: false }))
    assert.lengthOf(result.sessions, 1)
    return result.sessions[0]!
  }).pipe(Effect.provide(layer))

/** The local ids the sidecar of a home tracks (none without a sidecar). */
const trackedIn = (home: string): Array<string> => {
  const file = path.join(home, "sessionport", "sidecar.sqlite")
  if (!fs.existsSync(file)) return []
  const db = openDatabase(file, { readonly: true })
  try {
    return (db.prepare("SELECT local_id FROM local_sessions").all() as Array<{ local_id: string }>).map((r) => r.local_id)
  } finally {
    db.close()
  }
}

describe("Syncer, Codex: installed from one copy, synced from the other, a secret in the first prompt", () => {
  const variants = variantsOf(codexLines, codexSession.prompts[0]!)
  const id = codexSession.threadId

  const machine = (home: string): Machine => machineWith(home, tempDir("exchange"), "b-desktop")
  /** a package of the session from a machine A whose rollout holds `lines` */
  const packageOf = (lines: ReadonlyArray<string>) =>
    Effect.suspend(() => {
      const home = copyFixtureHome()
      writeLines(path.join(home, codexSession.rollout), lines)
      return exportWith(layerFor(machine(home)), id)
    })
  const rolloutOf = (home: string, localId: string): string => {
    const files = fs.readdirSync(path.join(home, "sessions"), { recursive: true }) as Array<string>
    const rel = files.find((f) => path.basename(f).endsWith(`-${localId}.jsonl`))
    assert.isDefined(rel, `a rollout of ${localId}`)
    return path.join(home, "sessions", rel!)
  }
  /** machine B with the session installed from a package of `lines`: untracked, under a new id */
  const installedOn = (lines: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const b = machine(tempDir("home-b"))
      const local = yield* installWith(layerFor(b), yield* packageOf(lines), b.maps)
      assert.notStrictEqual(local, id)
      assert.deepStrictEqual(trackedIn(b.home), [], "an install leaves the sidecar alone")
      const file = rolloutOf(b.home, local)
      return { b, local, file, before: fs.readFileSync(file) }
    })
  const sync = (b: Machine, pkg: string) => syncWith(layerFor(b), pkg, b.maps)

  it.effect("installed redacted, then the unredacted longer package: a fast-forward found by fingerprint; the placeholders stay", () =>
    Effect.gen(function*() {
      const { b, before, file, local } = yield* installedOn(variants.older(variants.redacted))
      assert.include(before.toString("utf8"), placeholder(KEY))
      assert.notInclude(before.toString("utf8"), KEY)
      const forward = yield* sync(b, yield* packageOf(variants.withKey))
      assert.deepStrictEqual([forward.class, forward.via, forward.localId], ["fast_forward_import", "fingerprint", local], forward.detail)
      assert.strictEqual(forward.appended, variants.withKey.length - variants.older(variants.withKey).length)
      const after = fs.readFileSync(file)
      assert.isTrue(after.subarray(0, before.length).equals(before), "B's lines byte for byte")
      assert.strictEqual(records(after).length, variants.withKey.length)
      // the sidecar holds the print of the file as it is, and knows it from now on
      const expected = expectedPrint(after)
      const db = openDatabase(path.join(b.home, "sessionport", "sidecar.sqlite"), { readonly: true })
      const row = db.prepare("SELECT records, head FROM local_sessions WHERE local_id = ?").get(local) as { records: number; head: string }
      db.close()
      assert.deepStrictEqual(row, { records: expected.records, head: expected.head })
      const again = yield* sync(b, yield* packageOf(variants.withKey))
      assert.deepStrictEqual([again.class, again.localId], ["unchanged", local])
    }), 120_000)

  it.effect("installed unredacted, then redacted packages: unchanged, then a fast-forward; the local key stays", () =>
    Effect.gen(function*() {
      const { b, before, file, local } = yield* installedOn(variants.older(variants.withKey))
      assert.include(before.toString("utf8"), KEY)
      const same = yield* sync(b, yield* packageOf(variants.older(variants.redacted)))
      assert.deepStrictEqual([same.class, same.via, same.localId], ["unchanged", "fingerprint", local], same.detail)
      assert.isTrue(fs.readFileSync(file).equals(before))
      const longer = yield* sync(b, yield* packageOf(variants.redacted))
      assert.deepStrictEqual([longer.class, longer.localId], ["fast_forward_import", local], longer.detail)
      const after = fs.readFileSync(file)
      assert.isTrue(after.subarray(0, before.length).equals(before))
      assert.include(after.toString("utf8"), KEY)
    }), 120_000)

  for (const from of ["unredacted", "redacted"] as const) {
    it.effect(`installed ${from}: a first prompt that really differs is a new lineage, the local session untouched`, () =>
      Effect.gen(function*() {
        // each on a B of its own: once imported, the package's session is known there by its id
        for (const [what, other] of Object.entries(variants.others)) {
          const { b, before, file, local } = yield* installedOn(variants.older(from === "redacted" ? variants.redacted : variants.withKey))
          const decision = yield* sync(b, yield* packageOf(other))
          assert.deepStrictEqual([decision.class, decision.localId], ["new_lineage", undefined], `${what}: ${decision.detail}`)
          assert.notStrictEqual(decision.newLocalId, local)
          assert.isTrue(fs.readFileSync(file).equals(before))
        }
      }), 180_000)
  }
})

describe("Syncer, Claude Code: installed from one copy, synced from the other, a secret in the first prompt", () => {
  const variants = variantsOf(claudeLines, claudeSession.prompts[0]!)
  const id = claudeSession.sessionId
  const [firstPrompt, secondPrompt] = claudeSession.prompts as [string, string]
  /** A's history entries of the session: its prompts as typed, the first one planted as the transcript is */
  const historyOf = (secret: string, older: boolean) =>
    [[`${firstPrompt}${envLine(secret)}`, 1796620228316], [secondPrompt, 1796620229124]].slice(0, older ? 1 : 2).map(([display, timestamp]) =>
      JSON.stringify({ display, pastedContents: {}, timestamp, project: claudeSession.cwd, sessionId: id })
    )

  /** The services of a command on a Claude Code home alone. */
  const layerOf = (config: string) => {
    const agents = Layer.scoped(
      Agents.Agents,
      Effect.map(Layer.build(ClaudeStore.layerHome({ root: config })), (context) => ({
        stores: [Context.get(context, ClaudeStore.ClaudeStore)] as ReadonlyArray<AgentStore.AgentStore>
      }))
    )
    const journals = Layer.succeed(Journals.Journals, Journals.make([{ agent: "claude", home: config }]))
    return Syncer.layer.pipe(
      Layer.provideMerge(agents),
      Layer.provideMerge(journals),
      Layer.provideMerge(Layer.mergeAll(Progress.none, NodeContext.layer))
    )
  }
  const machineB = () => {
    const config = path.join(tempDir("claude-b"), ".claude")
    fs.mkdirSync(config, { recursive: true })
    const project = path.join(tempDir("claude-project"), "alpha")
    fs.mkdirSync(project)
    return { config, maps: [{ from: claudeFixtures.source.alpha as string, to: project }] }
  }
  /** a package of the session from a machine A whose transcript holds `lines` and history `history` */
  const packageOf = (lines: ReadonlyArray<string>, history: ReadonlyArray<string>) =>
    Effect.suspend(() => {
      const config = path.join(tempDir("claude-a"), ".claude")
      fs.cpSync(claudeHome, config, { recursive: true })
      writeLines(path.join(config, claudeSession.transcript), lines)
      fs.appendFileSync(path.join(config, "history.jsonl"), history.map((l) => `${l}\n`).join(""))
      return exportWith(layerOf(config), id)
    })
  const transcriptOf = (config: string, localId: string) => {
    const files = (fs.readdirSync(path.join(config, "projects"), { recursive: true }) as Array<string>).filter((f) => f.endsWith(`${localId}.jsonl`))
    assert.lengthOf(files, 1)
    return path.join(config, "projects", files[0]!)
  }
  /** B's history entries of a session: their texts, in order */
  const historyOn = (config: string, localId: string) =>
    linesOf(path.join(config, "history.jsonl")).map((l) => JSON.parse(l)).filter((e) => e.sessionId === localId).map((e) => e.display as string)

  for (const [installed, incoming] of [["redacted", "unredacted"], ["unredacted", "redacted"]] as const) {
    it.effect(`installed ${installed}, then the ${incoming} longer package: a fast-forward by fingerprint; the history holds each prompt once`, () =>
      Effect.gen(function*() {
        const local = { redacted: placeholder(KEY), unredacted: KEY }
        const linesFor = (variant: keyof typeof local) => variant === "redacted" ? variants.redacted : variants.withKey
        const b = machineB()
        const localId = yield* installWith(layerOf(b.config), yield* packageOf(variants.older(linesFor(installed)), historyOf(local[installed], true)), b.maps)
        assert.notStrictEqual(localId, id)
        assert.deepStrictEqual(trackedIn(b.config), [])
        const file = transcriptOf(b.config, localId)
        const before = fs.readFileSync(file)
        assert.deepStrictEqual(historyOn(b.config, localId), [`${firstPrompt}${envLine(local[installed])}`])

        const forward = yield* syncWith(layerOf(b.config), yield* packageOf(linesFor(incoming), historyOf(local[incoming], false)), b.maps)
        assert.deepStrictEqual([forward.class, forward.via, forward.localId], ["fast_forward_import", "fingerprint", localId], forward.detail)
        assert.strictEqual(forward.appended, variants.withKey.length - variants.older(variants.withKey).length)
        const after = fs.readFileSync(file)
        assert.isTrue(after.subarray(0, before.length).equals(before), "B's lines byte for byte")
        // the first prompt's entry as B had it, and the second one's once
        assert.deepStrictEqual(historyOn(b.config, localId), [`${firstPrompt}${envLine(local[installed])}`, secondPrompt])
      }), 120_000)
  }

  it.effect("installed unredacted: another key in the first prompt is a new lineage", () =>
    Effect.gen(function*() {
      const b = machineB()
      const localId = yield* installWith(layerOf(b.config), yield* packageOf(variants.older(variants.withKey), historyOf(KEY, true)), b.maps)
      const before = fs.readFileSync(transcriptOf(b.config, localId))
      const other = yield* syncWith(layerOf(b.config), yield* packageOf(variants.others["another key"], historyOf(OTHER_KEY, false)), b.maps)
      assert.deepStrictEqual([other.class, other.localId], ["new_lineage", undefined], other.detail)
      assert.isTrue(fs.readFileSync(transcriptOf(b.config, localId)).equals(before))
    }), 120_000)
})
