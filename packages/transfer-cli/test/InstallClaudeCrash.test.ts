/**
 * A Claude Code install killed outright (SIGKILL at a journal step) always ends in the exact
 * before-state of the Claude home after the next command; hostile Claude packages are refused
 * with nothing written.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Fixtures } from "@sessionport/claude-oracle"
import { crashLoop } from "@sessionport/codex-oracle/CrashLoop"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const source = Fixtures.load().source

/** A package of every Claude fixture session, with the interactive one's file history. */
const setup = Effect.gen(function*() {
  const a = yield* Fixtures.copyHome({ prefix: "claude-a-" })
  const pkg = path.join(tempDir("pkg"), "claude.tgz")
  const exported = yield* sessionTransfer(
    ["export", "--agent", "claude", "--claude-home", a.configDir, "--all", "--include-file-history", "--out", pkg],
    { env: { HOME: source.home } }
  )
  assert.strictEqual(exported.code, 0, exported.stderr)
  return pkg
})

/** A Claude home that has run (a copy of the fixtures), to install into. */
const freshHome = () => {
  const root = tempDir("claude-b")
  const configDir = path.join(root, ".claude")
  fs.cpSync(Fixtures.fixtureHome, configDir, { recursive: true })
  fs.mkdirSync(path.join(root, "alpha"))
  return { root, configDir }
}

// the journal keeps its records: the rest is the home
const state = (configDir: string) => fileState(configDir, { skip: ["sessionport"] })

describe("Claude install under kill -9", () => {
  it.scoped("killed at 50 random points, the next command brings the home back exactly to before", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      // every step the install takes, then random points: each on a home of its own, two at a time
      const { steps } = yield* crashLoop({
        cli: sessionTransfer,
        kind: "install",
        concurrency: 2,
        target: () => {
          const { configDir, root } = freshHome()
          return {
            command: ["install", pkg, "--claude-home", configDir, "--map", `${source.alpha}=${path.join(root, "alpha")}`],
            options: ["--claude-home", configDir],
            env: { HOME: root },
            state: () => state(configDir)
          }
        }
      })
      assert.isAtLeast(steps, 8, "an install takes journal steps")
    }).pipe(Effect.provide(NodeContext.layer)), 600_000)
})

describe("install refuses hostile Claude packages", () => {
  it.scoped("a session path that escapes its folder, a sessionId with / or .., a transcript over its declared size: one line, exit 1, nothing written", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      const { configDir, root } = freshHome()
      const before = state(configDir)
      const unpacked = tempDir("unpacked")
      fs.mkdirSync(path.join(unpacked, "p"))
      // the valid package as a folder, changed per case; its manifest rewritten to match, so only
      // the case's own flaw is there to find
      execFileSync("tar", ["xzf", pkg, "-C", path.join(unpacked, "p")])
      const id = Fixtures.byRole("tools").sessionId
      const variant = (name: string, change: (dir: string, manifest: Record<string, any>) => void) => {
        const dir = path.join(tempDir("hostile"), name)
        fs.cpSync(path.join(unpacked, "p"), dir, { recursive: true })
        const file = path.join(dir, "package_manifest.json")
        const manifest = JSON.parse(fs.readFileSync(file, "utf8"))
        change(dir, manifest)
        fs.writeFileSync(file, JSON.stringify(manifest, null, 2))
        return dir
      }
      const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
        [
          "escape",
          variant("escape", (_, m) => m.agent_sessions.push({ agent: "claude", id: "../../../../etc" })),
          /cannot name a file/
        ],
        [
          "slash",
          variant("slash", (_, m) => m.agent_sessions.push({ agent: "claude", id: "a/b" })),
          /cannot name a file/
        ],
        [
          "dotdot",
          variant("dotdot", (_, m) => m.agent_sessions.push({ agent: "claude", id: ".." })),
          /cannot name a file/
        ],
        [
          "unlisted session folder",
          variant("unlisted", (dir, m) => {
            const extra = "agents/claude/sessions/x/transcript.jsonl"
            fs.mkdirSync(path.join(dir, "agents/claude/sessions/x"), { recursive: true })
            fs.writeFileSync(path.join(dir, extra), "{}\n")
            m.files.push({ path: extra, size: 3, sha256: "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356" })
          }),
          /not in the manifest's agent_sessions/
        ],
        [
          "over its declared size",
          variant("oversize", (dir) => {
            fs.appendFileSync(path.join(dir, `agents/claude/sessions/${id}/transcript.jsonl`), "{\"type\":\"user\"}\n")
          }),
          /bytes, the manifest says/
        ],
        [
          "unknown agent",
          variant("unknown-agent", (_, m) => m.agents.push("gemini")),
          /holds sessions of gemini, which this sessionport cannot install/
        ]
      ]
      for (const [name, dir, message] of cases) {
        const result = yield* sessionTransfer(["install", dir, "--claude-home", configDir], { env: { HOME: root } })
        assert.strictEqual(result.code, 1, `${name}: ${result.stderr}`)
        const lines = errorLines(result)
        assert.strictEqual(lines.length, 1, `${name}: ${result.stderr}`)
        assert.match(lines[0]!, message, name)
        assert.deepStrictEqual(state(configDir), before, name)
      }
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})

describe("install while Claude Code runs on the home", () => {
  it.scoped("refused with one line naming the process, nothing written", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      const { configDir, root } = freshHome()
      // what an interactive Claude keeps while it runs: sessions/<pid>.json of a live process
      const claude = spawn("sleep", ["60"], { stdio: "ignore" })
      yield* Effect.addFinalizer(() => Effect.sync(() => claude.kill("SIGKILL")))
      fs.mkdirSync(path.join(configDir, "sessions"), { recursive: true })
      fs.writeFileSync(path.join(configDir, "sessions", `${claude.pid}.json`), JSON.stringify({ pid: claude.pid }))
      const before = state(configDir)
      const result = yield* sessionTransfer(["install", pkg, "--claude-home", configDir], { env: { HOME: root } })
      assert.strictEqual(result.code, 1, result.stderr)
      const lines = errorLines(result)
      assert.strictEqual(lines.length, 1, result.stderr)
      assert.match(lines[0]!, new RegExp(`Claude Code is running on .* \\(pid ${claude.pid}\\)`))
      assert.deepStrictEqual(state(configDir), before)
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
