/**
 * Classification of a session against a copy that differs only by redaction, for the transcript
 * format of each agent (Codex rollouts, Claude Code transcripts, OpenCode transcripts as its
 * package carries them), through the files: `Redaction.sharedPrefix`, then `Comparison.classify`.
 *
 * Each case starts from a real fixture session, plants a secret in string values (as a pasted
 * `.env` line or a tool's output holds it), and makes the redacted copy here, by planting the
 * placeholder `[REDACTED:openai:<first 8 hex of sha256(secret)>]` computed from the secret alone,
 * each edited line re-serialized as a redactor writes it. The local copy of the other machine is
 * its install: ids and paths rewritten by the Rewriter. Expected record counts are counted on the
 * lines by hand.
 */
import { assert, describe, it } from "@effect/vitest"
import type { AgentStore } from "@sessionport/agent"
import * as ClaudeStore from "@sessionport/claude-home/ClaudeStore"
import * as ClaudeSurface from "@sessionport/claude-home/ClaudeSurface"
import { fixtureByRole, fixtureHome, removeTemps, repoRoot, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Dialect, PathRules, Rewriter } from "@sessionport/localize"
import * as OpencodeStore from "@sessionport/opencode-home/OpencodeStore"
import * as OpencodeSurface from "@sessionport/opencode-home/OpencodeSurface"
import * as SessionCatalog from "@sessionport/opencode-home/SessionCatalog"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import * as Comparison from "../src/Comparison.js"
import * as Fingerprint from "../src/Fingerprint.js"
import * as Redaction from "../src/Redaction.js"
import { plain } from "./utils/independent.js"
import { envLine, KEY, OTHER_KEY, placeholder, plant } from "./utils/redaction.js"

afterAll(removeTemps)

interface Agent {
  readonly name: string
  readonly lineage: AgentStore.LineageDialect
  readonly surface: Dialect.Dialect
  readonly sessionId: string
  /** the project folder the session was made in (an install maps it) */
  readonly project: string
  readonly lines: () => ReadonlyArray<string>
  /**
   * a text of a record after the first prompt that lineage prints (Claude Code's and OpenCode's
   * tool inputs and outputs are neutralized whole, so a redaction there changes no print)
   */
  readonly later: string
  /** the first prompt's text, when a secret in it changes the conversation's root key */
  readonly prompt: string | undefined
}

const linesOfBytes = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8").split("\n").filter((l) => l !== "")
const readLines = (file: string) => linesOfBytes(fs.readFileSync(file))

const codexSession = fixtureByRole("multi_turn_tools")
const fixturesJson = (agent: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, "fixtures", agent, "fixtures.json"), "utf8"))
const claude = fixturesJson("claude")
const opencode = fixturesJson("opencode")

/** An OpenCode session's transcript lines, as its package carries them (rendered from the fixture database). */
const opencodeLines = (id: string) => {
  const root = path.join(repoRoot, "fixtures", "opencode", "data")
  return Effect.runSync(Effect.scoped(Effect.map(
    SessionCatalog.open({ root, database: path.join(root, "opencode.db"), legacyStorage: path.join(root, "storage") }),
    (source) => [...source!.lines(source!.session(id)!)]
  )))
}

const agents: ReadonlyArray<Agent> = [
  {
    name: "Codex",
    lineage: Fingerprint.codex,
    surface: Dialect.codex,
    sessionId: codexSession.threadId,
    project: fixturesJson("codex").source.alpha,
    lines: () => readLines(path.join(fixtureHome, codexSession.rollout)),
    later: "A tiny project used to make Codex fixtures.",
    prompt: "Look around this project, then add a notes file and link it from the README."
  },
  {
    name: "Claude Code",
    lineage: ClaudeStore.lineage,
    surface: ClaudeSurface.dialect,
    sessionId: claude.sessions.tools.sessionId,
    project: claude.source.alpha,
    lines: () => readLines(path.join(repoRoot, "fixtures", "claude", "home", claude.sessions.tools.transcript)),
    later: "turn two: write-file",
    prompt: "turn one: use-tool"
  },
  {
    name: "OpenCode",
    lineage: OpencodeStore.lineage,
    surface: OpencodeSurface.dialect,
    sessionId: opencode.sessions.tools.sessionId,
    project: opencode.source.alpha,
    lines: () => opencodeLines(opencode.sessions.tools.sessionId),
    later: "Done (reply 2).",
    // OpenCode's first prompt is the user message line; its text is a part after it: the root stays
    prompt: undefined
  }
]

for (const agent of agents) {
  describe(`${agent.name}: records that differ only by redaction are shared`, () => {
    const isRecord = (line: string) => line.trim() !== "" && !agent.lineage.ignoredLinePrefixes.some((p) => line.startsWith(p))
    const records = (lines: ReadonlyArray<string>) => lines.filter(isRecord)
    const dir = tempDir(`redaction-${agent.name.replace(/\W/g, "")}`)
    let n = 0
    const write = (lines: ReadonlyArray<string>): string => {
      const file = path.join(dir, `${n++}.jsonl`)
      fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""))
      return file
    }
    /** the lines installed on the other machine: a new session id, the project under another folder */
    const installed = (lines: ReadonlyArray<string>): Array<string> => {
      const plan: Rewriter.Plan = {
        idMap: new Map([[agent.sessionId, "01900000-0000-7000-8000-00000000b0b0"]]),
        pathRules: PathRules.make({ maps: [{ from: agent.project, to: "/home/bob/ported" }], targetHome: "/home/bob", targetPlatform: "posix" }),
        dialect: agent.surface
      }
      const bytes = Buffer.concat([...Rewriter.reportingChunks([Buffer.from(lines.map((l) => `${l}\n`).join(""))], plan).chunks])
      return bytes.toString("utf8").split("\n").filter((l) => l !== "")
    }
    const printOf = (file: string) => Effect.runSync(Fingerprint.fromFile(file, { dialect: agent.lineage }))
    /** the incoming file classified against the local one (a candidate of `via`), through the files */
    const classify = (incoming: string, local: string, via: Comparison.Candidate["via"] = "sidecar") =>
      Effect.gen(function*() {
        const incomingPrint = printOf(incoming)
        const localPrint = printOf(local)
        const common = yield* Redaction.sharedPrefix({ path: incoming, print: incomingPrint }, { path: local, print: localPrint }, agent.lineage)
        const read = Comparison.classify(incomingPrint, [{ localId: "local", print: localPrint, via, common }])
        const printed = Comparison.classify(incomingPrint, [{ localId: "local", print: localPrint, via }])
        return { class: read.class, common: read.common, printed: printed.class, incomingPrint, localPrint }
      })

    const all = agent.lines()
    const secret = envLine(KEY)
    const withSecret = plant(all, agent.later, secret)
    const redacted = plant(all, agent.later, envLine(placeholder(KEY)))
    // the first record holding the secret, and an older copy of the session that stops a little after it
    const at = records(withSecret).findIndex((l) => l.includes(KEY))
    const cut = withSecret.findIndex((l) => l.includes(KEY)) + 3
    assert.isAtLeast(at, 1)
    const older = (lines: ReadonlyArray<string>) => lines.slice(0, cut)
    const olderRecords = records(older(withSecret)).length
    const allRecords = records(withSecret).length

    it("the planted copies are what the cases need", () => {
      assert.isAtLeast(at, 1)
      assert.isBelow(olderRecords, allRecords)
      assert.strictEqual(records(redacted).length, allRecords)
      assert.notInclude(redacted.join("\n"), KEY)
      // installed on another machine, the line with the secret reads otherwise besides the secret
      const local = installed(older(withSecret))
      const line = records(local)[at]!
      assert.include(line, KEY)
      assert.notStrictEqual(line, records(withSecret)[at])
    })

    it.effect("local with the secret, incoming redacted: the same records are unchanged, more are a fast-forward", () =>
      Effect.gen(function*() {
        const local = write(installed(older(withSecret)))
        const same = yield* classify(write(older(redacted)), local)
        assert.deepStrictEqual([same.class, same.common], ["unchanged", olderRecords])
        // the prints alone part at the secret
        assert.strictEqual(same.printed, "diverged_lineage")
        const longer = yield* classify(write(redacted), local)
        assert.deepStrictEqual([longer.class, longer.common], ["fast_forward_import", olderRecords])
        assert.strictEqual(longer.printed, "diverged_lineage")
      }))

    it.effect("local installed redacted, incoming unredacted and longer: a fast-forward", () =>
      Effect.gen(function*() {
        const local = write(installed(older(redacted)))
        const result = yield* classify(write(withSecret), local)
        assert.deepStrictEqual([result.class, result.common], ["fast_forward_import", olderRecords])
        assert.strictEqual(result.printed, "diverged_lineage")
      }))

    it.effect("a real change is still a divergence: another secret, other text, a placeholder of another secret", () =>
      Effect.gen(function*() {
        const local = write(installed(older(withSecret)))
        const otherSecret = plant(all, agent.later, envLine(OTHER_KEY))
        const otherText = plant(all, agent.later, ` OPENAI_API_KEY =${placeholder(KEY)}`)
        const otherPlaceholder = plant(all, agent.later, envLine(placeholder(OTHER_KEY)))
        for (const incoming of [otherSecret, otherText, otherPlaceholder]) {
          const result = yield* classify(write(incoming), local)
          assert.deepStrictEqual([result.class, result.common], ["diverged_lineage", at])
        }
        // the local session installed redacted, and a package with another secret in its place
        const fromRedacted = yield* classify(write(otherSecret), write(installed(older(redacted))))
        assert.deepStrictEqual([fromRedacted.class, fromRedacted.common], ["diverged_lineage", at])
      }))

    if (agent.prompt !== undefined) {
      const prompt = agent.prompt
      it.effect("a secret in the first prompt changes the root key: same id and sidecar still find it (the fingerprint route: RedactionRoot.test.ts)", () =>
        Effect.gen(function*() {
          const inPrompt = plant(all, prompt, secret)
          const promptRedacted = plant(all, prompt, envLine(placeholder(KEY)))
          const local = write(installed(older(inPrompt)))
          const incoming = write(promptRedacted)
          const incomingPrint = printOf(incoming)
          const localPrint = printOf(local)
          assert.isDefined(Fingerprint.rootKey(localPrint))
          assert.notStrictEqual(Fingerprint.rootKey(incomingPrint), Fingerprint.rootKey(localPrint))
          for (const via of ["same_id", "sidecar"] as const) {
            const result = yield* classify(incoming, local, via)
            assert.deepStrictEqual([result.class, result.common], ["fast_forward_import", olderRecords])
            // the prints alone: unrelated past the first prompt (an id collision for a same-id candidate)
            assert.strictEqual(result.printed, via === "same_id" ? "id_collision_unrelated" : "new_lineage")
          }
        }))
    }
  })
}

describe("Codex: a zstd rollout against a plain redacted copy", () => {
  const zst = fixtureByRole("zst")
  // a text of the rollout stands for the secret: the copy holds its placeholder instead
  const SECRET = "alpha and beta"
  it.effect("read through the decompressor: the records that differ only by redaction are shared, either side", () =>
    Effect.gen(function*() {
      const lines = linesOfBytes(plain(zst.rollout))
      // the lines holding it re-serialized with the placeholder in its place, as a redactor writes them
      const redacted = lines.map((line) =>
        line.includes(SECRET)
          ? JSON.stringify(JSON.parse(line), (_key, value) => typeof value === "string" ? value.split(SECRET).join(placeholder(SECRET)) : value)
          : line
      )
      assert.notDeepEqual(redacted, lines)
      const dir = tempDir("redaction-zst")
      const copy = path.join(dir, "redacted.jsonl")
      fs.writeFileSync(copy, redacted.map((l) => `${l}\n`).join(""))
      const longer = path.join(dir, "longer.jsonl")
      fs.writeFileSync(longer, [...redacted, redacted.at(-1)!].map((l) => `${l}\n`).join(""))
      const compressed = path.join(fixtureHome, zst.rollout)
      const zstPrint = Effect.runSync(Fingerprint.fromFile(compressed))
      assert.isTrue(zstPrint.compressed)
      for (const [file, records] of [[copy, lines.length], [longer, lines.length + 1]] as const) {
        const print = Effect.runSync(Fingerprint.fromFile(file))
        assert.isBelow(Fingerprint.commonPrefix(print, zstPrint), lines.length)
        assert.strictEqual(yield* Redaction.sharedPrefix({ path: file, print }, { path: compressed, print: zstPrint }), lines.length)
        assert.strictEqual(yield* Redaction.sharedPrefix({ path: compressed, print: zstPrint }, { path: file, print }), lines.length)
        assert.strictEqual(print.records, records)
      }
    }))
})
