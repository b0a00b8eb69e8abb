/**
 * The session picker and the typed confirmation under a real pseudo-terminal (tmux), over copies
 * of the three agents' fixture homes: `export` and `cleanup` given no selection open the picker
 * (type to filter, tab to select, or space once ↑/↓ moved onto a session: while typing, a space is
 * part of the filter; enter to confirm; Ctrl-C or Esc ends the command with 130 and writes
 * nothing); `cleanup` then shows its plan and asks for `remove N` typed out. Off a terminal
 * (stdin or stderr not one) nothing is interactive: a usage error instead.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { NO_CLAUDE_HOME, NO_XDG_DATA_HOME } from "@sessionport/codex-oracle/Cli"
import { fixtureByRole, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import * as Tmux from "@sessionport/codex-oracle/Tmux"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { type AgentHomes, copyAgentHomes, listed } from "./utils/agentHomes.js"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const bin = fileURLToPath(new URL("../bin/session-transfer.mjs", import.meta.url))

// the sessions picked: the only one whose title says "checklist" (Codex), and the only one
// matching both "beta" and "mock" (OpenCode's beta session, "Mock title 2")
const checklist = fixtureByRole("named")
const betaMock = OpencodeFixtures.byRole("beta_plain")

/** `session-transfer ARGS` on the homes, under a pseudo-terminal; the pane kept once it ends. */
const onTerminal = (homes: AgentHomes, args: ReadonlyArray<string>, argv: ReadonlyArray<string> = [process.execPath, bin]) =>
  Tmux.start({
    cwd: tempDir("picker-cwd"),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: homes.home,
      TERM: "xterm-256color",
      CLAUDE_CONFIG_DIR: NO_CLAUDE_HOME,
      XDG_DATA_HOME: NO_XDG_DATA_HOME
    },
    argv: [...argv, ...args, ...homes.options],
    width: 200,
    height: 40,
    keepAfterExit: true
  })

/** Types `text` into the picker's filter; the screen once it shows `matches` sessions. */
const filter = (term: Tmux.Tmux, text: string, matches: number) =>
  Effect.zipRight(term.sendText(text), term.waitFor(`${text}█ (${matches} match`, "10 seconds"))

/** The screen line showing `title`. */
const lineOf = (screen: string, title: string) => screen.split("\n").find((l) => l.includes(title)) ?? ""

describe("the session picker", () => {
  it.scoped("export with no selection on a terminal: type to filter, select, enter; the package holds exactly the chosen sessions", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const out = path.join(tempDir("pkg"), "picked.tgz")
      const term = yield* onTerminal(homes, ["export", "--out", out])
      const opened = yield* term.waitFor("Sessions to export", "30 seconds")
      for (const title of ["Release checklist", "Mock title 2", "interactive hello"]) assert.include(opened, title)

      // a word narrows the list to the sessions that have it; tab selects the one shown
      const narrowed = yield* filter(term, "checklist", 1)
      assert.include(narrowed, "Release checklist")
      assert.notInclude(narrowed, "Mock title 2")
      assert.notInclude(narrowed, "interactive hello")
      yield* term.sendKeys("Tab")
      yield* term.waitFor(/◼ \S+ › Release checklist/, "10 seconds")

      // every word must match; once ↑/↓ moved onto a session, space selects it too
      yield* term.sendKeys(..."checklist".split("").map(() => "BSpace"))
      yield* term.waitFor("type to filter", "10 seconds")
      const both = yield* filter(term, "beta mock", 1)
      assert.include(both, "Mock title 2")
      assert.notInclude(both, "Mock title 1")
      assert.notInclude(both, "Release checklist")
      yield* term.sendKeys("Down")
      yield* term.sendKeys("Space")
      const chosen = yield* term.waitFor(/◼ \S+ › Mock title 2/, "10 seconds")
      assert.include(lineOf(chosen, "Mock title 2"), "opencode")

      yield* term.sendKeys("Enter")
      assert.strictEqual(yield* term.exitStatus("60 seconds"), 0, yield* term.capture)
      assert.match(yield* term.capture, /exported 2 session\(s\)/)
      const inspected = yield* sessionTransfer(["inspect", out, "--json"])
      assert.strictEqual(inspected.code, 0, inspected.stderr)
      assert.deepStrictEqual(
        JSON.parse(inspected.stdout).sessions.map((s: { agent: string; thread_id: string }) => `${s.agent} ${s.thread_id}`).sort(),
        [`codex ${checklist.threadId}`, `opencode ${betaMock.sessionId}`].sort()
      )
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("Ctrl-C or Esc in the picker: exit 130, says so, nothing written; enter with none selected: exit 2", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      for (const key of ["C-c", "Escape"]) {
        const out = path.join(tempDir("pkg"), "never.tgz")
        const term = yield* onTerminal(homes, ["export", "--out", out])
        yield* term.waitFor("Sessions to export", "30 seconds")
        yield* filter(term, "checklist", 1)
        yield* term.sendKeys("Tab")
        yield* term.waitFor("◼", "10 seconds")
        yield* term.sendKeys(key)
        assert.strictEqual(yield* term.exitStatus("30 seconds"), 130, `${key}: ${yield* term.capture}`)
        assert.match(yield* term.capture, /session-transfer: interrupted/, key)
        assert.deepStrictEqual(fs.readdirSync(path.dirname(out)), [], `${key}: nothing written`)
      }
      // enter with nothing selected (a space typed after the filter is part of the filter): a usage error
      const out = path.join(tempDir("pkg"), "never.tgz")
      const term = yield* onTerminal(homes, ["export", "--out", out])
      yield* term.waitFor("Sessions to export", "30 seconds")
      yield* filter(term, "checklist", 1)
      yield* term.sendKeys("Space")
      yield* term.sendKeys("Enter")
      assert.strictEqual(yield* term.exitStatus("30 seconds"), 2, yield* term.capture)
      assert.match(yield* term.capture, /session-transfer: no session chosen/)
      assert.deepStrictEqual(fs.readdirSync(path.dirname(out)), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})

describe("cleanup on a terminal", () => {
  it.scoped("picker, then the plan and a typed confirmation: a wrong answer or Ctrl-C removes nothing (2, 130); `remove 1` removes (0)", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const before = homes.state()
      const everyKey = [...(yield* listed(homes)).keys()].sort()
      const rollout = path.join(homes.codex, checklist.rollout)

      /** cleanup, the Codex session picked; the screen at the typed confirmation */
      const atConfirmation = Effect.gen(function*() {
        const term = yield* onTerminal(homes, ["cleanup"])
        yield* term.waitFor("Sessions to remove", "30 seconds")
        yield* filter(term, "checklist", 1)
        yield* term.sendKeys("Tab")
        yield* term.waitFor("◼", "10 seconds")
        yield* term.sendKeys("Enter")
        const screen = yield* term.waitFor(`Type "remove 1" to go ahead:`, "30 seconds")
        // the plan first
        assert.include(screen, "would remove 1 session(s):")
        assert.include(lineOf(screen, checklist.threadId), "codex")
        return term
      })

      for (const answer of ["yes", "remove 2", "remove"]) {
        const wrong = yield* atConfirmation
        yield* wrong.sendText(answer)
        yield* wrong.sendKeys("Enter")
        assert.strictEqual(yield* wrong.exitStatus("30 seconds"), 2, `${answer}: ${yield* wrong.capture}`)
        assert.include(yield* wrong.capture, "nothing was removed")
        assert.deepStrictEqual(homes.state(), before, answer)
      }

      const interrupted = yield* atConfirmation
      yield* interrupted.sendText("remo")
      yield* interrupted.sendKeys("C-c")
      assert.strictEqual(yield* interrupted.exitStatus("30 seconds"), 130, yield* interrupted.capture)
      assert.match(yield* interrupted.capture, /session-transfer: interrupted/)
      assert.deepStrictEqual(homes.state(), before)

      const agreed = yield* atConfirmation
      yield* agreed.sendText("remove 1")
      yield* agreed.sendKeys("Enter")
      assert.strictEqual(yield* agreed.exitStatus("30 seconds"), 0, yield* agreed.capture)
      assert.match(yield* agreed.capture, /removed 1 session\(s\)/)
      assert.isFalse(fs.existsSync(rollout))
      assert.deepStrictEqual([...(yield* listed(homes)).keys()].sort(), everyKey.filter((k) => k !== `codex ${checklist.threadId}`))
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})

const syncBin = fileURLToPath(new URL("../../sync-cli/bin/session-sync.mjs", import.meta.url))

/**
 * A package of every session of one machine, and a second machine that has them all but one
 * (removed by cleanup): in the package that one is `new` here, the others `already here`.
 */
const oneMissing = Effect.gen(function*() {
  const source = copyAgentHomes()
  const pkg = path.join(tempDir("pkg"), "all.tgz")
  const exported = yield* sessionTransfer(["export", "--all", "--out", pkg, ...source.options], { env: source.env })
  assert.strictEqual(exported.code, 0, exported.stderr)
  const target = copyAgentHomes()
  const removed = yield* sessionTransfer(["cleanup", "--thread", checklist.threadId, "--yes", ...target.options], { env: target.env })
  assert.strictEqual(removed.code, 0, removed.stderr)
  return { pkg, target }
})

/** The picker's line of `title`: its box (◼ selected, ◻ not) and its status. */
const row = (screen: string, title: string) => {
  const line = lineOf(screen, title)
  return { selected: line.includes("◼"), status: /[◼◻] (new|already here|behind|ahead|diverged) /.exec(line)?.[1] }
}

describe("installing or syncing a package of several sessions on a terminal", () => {
  it.scoped("install: each session with its status, those not here preselected; enter installs exactly them; Ctrl-C installs nothing (130)", () =>
    Effect.gen(function*() {
      const { pkg, target } = yield* oneMissing
      const before = target.state()
      const interrupted = yield* onTerminal(target, ["install", pkg])
      yield* interrupted.waitFor("Sessions to install", "60 seconds")
      yield* interrupted.sendKeys("C-c")
      assert.strictEqual(yield* interrupted.exitStatus("30 seconds"), 130, yield* interrupted.capture)
      assert.deepStrictEqual(target.state(), before, "Ctrl-C at the picker: nothing changed")

      const before2 = yield* listed(target)
      const term = yield* onTerminal(target, ["install", pkg])
      const screen = yield* term.waitFor("Sessions to install", "60 seconds")
      assert.deepStrictEqual(row(screen, "Release checklist"), { selected: true, status: "new" })
      // a package shows an OpenCode session by its first prompt (the fixture's are quoted)
      for (const title of ["Which files are in this folder?", "interactive hello", "\"turn one: use-tool\""]) {
        assert.deepStrictEqual(row(screen, title), { selected: false, status: "already here" }, title)
      }
      yield* term.sendKeys("Enter")
      assert.strictEqual(yield* term.exitStatus("60 seconds"), 0, yield* term.capture)
      assert.match(yield* term.capture, /installed 1 session\(s\)/)
      const after = yield* listed(target)
      const added = [...after.values()].filter((s) => !before2.has(`${s.agent} ${s.id}`))
      assert.deepStrictEqual(added.map((s) => [s.agent, s.title]), [["codex", "Release checklist"]])
    }).pipe(Effect.provide(NodeContext.layer)), 240_000)

  it.scoped("sync: the picker preselects what would change here, and choosing is the go-ahead", () =>
    Effect.gen(function*() {
      const { pkg, target } = yield* oneMissing
      const before = yield* listed(target)
      const term = yield* onTerminal(target, ["sync", pkg], [process.execPath, syncBin])
      const screen = yield* term.waitFor("Sessions to sync", "60 seconds")
      assert.deepStrictEqual(row(screen, "Release checklist"), { selected: true, status: "new" })
      assert.deepStrictEqual(row(screen, "interactive hello"), { selected: false, status: "already here" })
      yield* term.sendKeys("Enter")
      assert.strictEqual(yield* term.exitStatus("60 seconds"), 0, yield* term.capture)
      const after = yield* listed(target)
      const added = [...after.values()].filter((s) => !before.has(`${s.agent} ${s.id}`))
      assert.deepStrictEqual(added.map((s) => [s.agent, s.title]), [["codex", "Release checklist"]])
    }).pipe(Effect.provide(NodeContext.layer)), 240_000)
})

describe("off a terminal", () => {
  it.scoped("export with no selection: exit 2 with one usage line, never a prompt (stdin not a terminal, or stderr piped away)", () =>
    Effect.gen(function*() {
      const homes = copyAgentHomes()
      const dir = tempDir("pkg")
      const out = path.join(dir, "never.tgz")
      const run = yield* sessionTransfer(["export", "--out", out, ...homes.options], { env: homes.env })
      assert.strictEqual(run.code, 2, run.stderr)
      const lines = errorLines(run)
      assert.strictEqual(lines.length, 1, run.stderr)
      assert.include(lines[0], "--thread")
      assert.notInclude(run.stderr, "Sessions to export")
      assert.strictEqual(run.stdout, "")

      // on a terminal, but its stderr (where a prompt would be drawn) goes to a file
      const stderr = path.join(tempDir("stderr"), "stderr.txt")
      const term = yield* onTerminal(homes, ["export", "--out", out], ["/bin/sh", "-c", `exec "$0" "$@" 2>'${stderr}'`, process.execPath, bin])
      assert.strictEqual(yield* term.exitStatus("30 seconds"), 2, yield* term.capture)
      const written = fs.readFileSync(stderr, "utf8").split("\n").filter((l) => l.trim() !== "")
      assert.strictEqual(written.length, 1, written.join("\n"))
      assert.include(written[0], "--thread")
      assert.notInclude(yield* term.capture, "Sessions to export")
      assert.deepStrictEqual(fs.readdirSync(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
