/**
 * `session-sync sync` of packages that differ from the local session only by redaction, with
 * plain planted files (no agent runs): machine A is a copy of an agent's fixture home whose
 * session holds a planted key (`OPENAI_API_KEY=…` after a text lineage prints), and its redacted
 * copy holds `[REDACTED:openai:<first 8 hex of sha256(key)>]` there instead, computed here from
 * the key alone. Each of A's variants is exported by `session-transfer export`; an older copy of
 * the conversation stops three lines after the key.
 *
 * - B1 installed A's redacted older package; A's unredacted whole package syncs as a
 *   fast-forward of it (no branch), B1's lines byte for byte (its placeholders stay).
 * - B2 installed A's unredacted older package; A's redacted packages sync as unchanged (the
 *   same records) and as a fast-forward (more), B2's key still there byte for byte.
 *
 * Codex and Claude Code transcripts are files; OpenCode's are rows of its database, planted and
 * read with plain SQL.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ClaudeFixtures from "@sessionport/claude-oracle/Fixtures"
import { copyFixtureHome, fixtureByRole, fixtures, openDatabase, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import * as OpencodeFixtures from "@sessionport/opencode-oracle/Fixtures"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

// a made-up key, put together at run time so no secret-shaped literal sits in this source
const KEY = "sk-" + "proj-" + "Tq8vLm3Xw9Zr2Kp7".repeat(3)
const PLACEHOLDER = `[REDACTED:openai:${createHash("sha256").update(KEY, "utf8").digest("hex").slice(0, 8)}]`
const planted = (secret: string) => ` OPENAI_API_KEY=${secret}`

const ok = (result: CliResult, what: string) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** Every string value of a JSON value holding `needle`, with `inserted` after it; whether one did. */
const plantIn = (value: unknown, needle: string, inserted: string): { value: unknown; found: boolean } => {
  let found = false
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (!v.includes(needle)) return v
      found = true
      return v.split(needle).join(`${needle}${inserted}`)
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return { value: walk(value), found }
}

/** Transcript lines with `inserted` after `needle`: those without it byte for byte, the others re-serialized. */
const plantLines = (lines: ReadonlyArray<string>, needle: string, inserted: string) =>
  lines.map((line) => {
    const { found, value } = plantIn(JSON.parse(line), needle, inserted)
    return found ? JSON.stringify(value) : line
  })

const linesOf = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
const writeLines = (file: string, lines: ReadonlyArray<string>) => fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""))

/** The one file under `dir` whose name ends with `suffix`. */
const fileEndingWith = (dir: string, suffix: string): string => {
  const found = (fs.readdirSync(dir, { recursive: true }) as Array<string>).filter((f) => f.endsWith(suffix))
  assert.lengthOf(found, 1, `${suffix} under ${dir}`)
  return path.join(dir, found[0]!)
}

type Variant = { readonly secret: string; readonly older: boolean }

interface Agent {
  readonly name: string
  readonly id: string
  /** machine A's home with the session as `variant` has it: the export options and environment */
  readonly source: (variant: Variant) => { readonly options: ReadonlyArray<string>; readonly env: Record<string, string> }
  /** a machine with no session of it: its options, environment and maps, and what it holds of a local session */
  readonly target: () => {
    readonly options: ReadonlyArray<string>
    readonly env: Record<string, string>
    readonly maps: ReadonlyArray<string>
    /** the local session's records as stored (a transcript's bytes, or its part rows) */
    readonly held: (localId: string) => string
  }
}

const userDir = () => {
  const home = path.join(tempDir("redacted-user"), "user")
  fs.mkdirSync(home, { recursive: true })
  return home
}
const mapTo = (from: string) => {
  const to = path.join(tempDir("redacted-project"), path.basename(from))
  fs.mkdirSync(to, { recursive: true })
  return ["--map", `${from}=${to}`]
}

const codexSession = fixtureByRole("multi_turn_tools")
const codexLines = linesOf(path.join(copyFixtureHome(), codexSession.rollout))
const CODEX_NEEDLE = "A tiny project used to make Codex fixtures."

const claudeSession = ClaudeFixtures.byRole("tools")
const claudeLines = linesOf(path.join(ClaudeFixtures.fixtureHome, claudeSession.transcript))
// an assistant text (Claude Code's tool outputs are neutralized whole: redaction there changes no print)
const CLAUDE_NEEDLE = "Done (reply 2)."

/** Lines planted for a variant; an older copy stops three lines after the first planted line. */
const variantLines = (lines: ReadonlyArray<string>, needle: string, variant: Variant) => {
  const all = plantLines(lines, needle, planted(variant.secret))
  return variant.older ? all.slice(0, all.findIndex((l) => l.includes(variant.secret)) + 3) : all
}

const opencodeSession = OpencodeFixtures.byRole("tools")
// an assistant text part (a tool's output is neutralized whole, as on Claude Code)
const OPENCODE_NEEDLE = "Done (reply 2)."

const agents: ReadonlyArray<Agent> = [
  {
    name: "Codex",
    id: codexSession.threadId,
    source: (variant) => {
      const home = copyFixtureHome()
      writeLines(path.join(home, codexSession.rollout), variantLines(codexLines, CODEX_NEEDLE, variant))
      return { options: ["--codex-home", home, "--thread", codexSession.threadId], env: { HOME: userDir() } }
    },
    target: () => {
      const home = tempDir("redacted-codex-b")
      return {
        options: ["--codex-home", home],
        env: { HOME: userDir() },
        maps: [...mapTo(fixtures.source.alpha), ...mapTo(fixtures.source.beta)],
        held: (localId) => fs.readFileSync(fileEndingWith(path.join(home, "sessions"), `-${localId}.jsonl`), "utf8")
      }
    }
  },
  {
    name: "Claude Code",
    id: claudeSession.sessionId,
    source: (variant) => {
      const home = userDir()
      const config = path.join(home, ".claude")
      fs.cpSync(ClaudeFixtures.fixtureHome, config, { recursive: true })
      writeLines(path.join(config, claudeSession.transcript), variantLines(claudeLines, CLAUDE_NEEDLE, variant))
      return { options: ["--agent", "claude", "--claude-home", config, "--thread", claudeSession.sessionId], env: { HOME: home } }
    },
    target: () => {
      const home = userDir()
      const config = path.join(home, ".claude")
      fs.mkdirSync(config)
      return {
        options: ["--claude-home", config],
        env: { HOME: home },
        maps: mapTo(ClaudeFixtures.load().source.alpha),
        held: (localId) => fs.readFileSync(fileEndingWith(path.join(config, "projects"), `${localId}.jsonl`), "utf8")
      }
    }
  },
  {
    name: "OpenCode",
    id: opencodeSession.sessionId,
    source: (variant) => {
      const home = userDir()
      const data = path.join(home, ".local", "share", "opencode")
      fs.cpSync(OpencodeFixtures.fixtureData, data, { recursive: true })
      const db = openDatabase(path.join(data, "opencode.db"))
      try {
        const parts = db.prepare("SELECT id, data, time_created FROM part WHERE session_id = ? ORDER BY time_created, id").all(opencodeSession.sessionId) as Array<
          { id: string; data: string; time_created: number }
        >
        const update = db.prepare("UPDATE part SET data = ? WHERE id = ?")
        let first: number | undefined
        for (const part of parts) {
          const { found, value } = plantIn(JSON.parse(part.data), OPENCODE_NEEDLE, planted(variant.secret))
          if (!found) continue
          first ??= part.time_created
          update.run(JSON.stringify(value), part.id)
        }
        assert.isDefined(first, "the needle is in a part")
        if (variant.older) {
          // the conversation as it was: the next message of the session and all after it not yet there
          const next = db.prepare("SELECT MIN(time_created) AS t FROM message WHERE session_id = ? AND time_created > ?").get(opencodeSession.sessionId, first) as {
            t: number
          }
          db.prepare("DELETE FROM part WHERE session_id = ? AND time_created >= ?").run(opencodeSession.sessionId, next.t)
          db.prepare("DELETE FROM message WHERE session_id = ? AND time_created >= ?").run(opencodeSession.sessionId, next.t)
        }
      } finally {
        db.close()
      }
      return { options: ["--agent", "opencode", "--opencode-data", data, "--thread", opencodeSession.sessionId], env: { HOME: home } }
    },
    target: () => {
      const home = userDir()
      const data = path.join(home, ".local", "share", "opencode")
      OpencodeFixtures.emptyData(data)
      return {
        options: ["--opencode-data", data],
        env: { HOME: home },
        maps: mapTo(OpencodeFixtures.load().source.alpha),
        held: (localId) => {
          const db = openDatabase(path.join(data, "opencode.db"), { readonly: true })
          try {
            return (db.prepare("SELECT data FROM part WHERE session_id = ? ORDER BY id").all(localId) as Array<{ data: string }>)
              .map((row) => row.data).join("\n")
          } finally {
            db.close()
          }
        }
      }
    }
  }
]

for (const agent of agents) {
  describe(`session-sync sync, ${agent.name}: a package that differs only by redaction`, () => {
    const exported = (variant: Variant) =>
      Effect.gen(function*() {
        const { env, options } = agent.source(variant)
        const pkg = path.join(tempDir("redacted-pkg"), "session.tgz")
        ok(yield* sessionTransfer(["export", ...options, "--out", pkg, "--json"], { env }), `export ${JSON.stringify(variant)}`)
        return pkg
      })
    const install = (b: ReturnType<Agent["target"]>, pkg: string) =>
      Effect.map(sessionTransfer(["install", pkg, ...b.options, ...b.maps, "--json"], { env: b.env }), (r) => {
        const installed = ok(r, "install")
        assert.lengthOf(installed.sessions, 1)
        return installed.sessions[0].local_id as string
      })
    const sync = (b: ReturnType<Agent["target"]>, pkg: string) =>
      Effect.map(sessionSync(["sync", pkg, ...b.options, ...b.maps, "--yes", "--json"], { env: b.env }), (r) => {
        const synced = ok(r, "sync")
        assert.lengthOf(synced.sessions, 1)
        return synced.sessions[0] as { class: string; local_id?: string; new_local_id?: string; appended?: number; detail: string }
      })

    it.effect("installed redacted, then the unredacted whole session from the same machine: a fast-forward, the placeholders kept", () =>
      Effect.gen(function*() {
        const b = agent.target()
        const local = yield* install(b, yield* exported({ secret: PLACEHOLDER, older: true }))
        const before = b.held(local)
        assert.include(before, PLACEHOLDER)
        assert.notInclude(before, KEY)
        const decision = yield* sync(b, yield* exported({ secret: KEY, older: false }))
        assert.strictEqual(decision.class, "fast_forward_import", decision.detail)
        assert.strictEqual(decision.local_id, local)
        assert.isUndefined(decision.new_local_id)
        assert.isAbove(decision.appended!, 0)
        const after = b.held(local)
        assert.include(after, PLACEHOLDER)
        if (agent.name !== "OpenCode") assert.isTrue(after.startsWith(before), "the local lines byte for byte")
      }), 240_000)

    it.effect("installed unredacted, then redacted packages of it: unchanged, then a fast-forward; the key kept", () =>
      Effect.gen(function*() {
        const b = agent.target()
        const local = yield* install(b, yield* exported({ secret: KEY, older: true }))
        const before = b.held(local)
        assert.include(before, KEY)
        const same = yield* sync(b, yield* exported({ secret: PLACEHOLDER, older: true }))
        assert.deepStrictEqual([same.class, same.local_id], ["unchanged", local], same.detail)
        assert.strictEqual(b.held(local), before)
        const longer = yield* sync(b, yield* exported({ secret: PLACEHOLDER, older: false }))
        assert.deepStrictEqual([longer.class, longer.local_id], ["fast_forward_import", local], longer.detail)
        const after = b.held(local)
        assert.include(after, KEY)
        if (agent.name !== "OpenCode") assert.isTrue(after.startsWith(before), "the local lines byte for byte")
      }), 240_000)
  })
}
