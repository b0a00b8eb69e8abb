/**
 * Repeat imports of a Claude Code session, judged by the real Claude Code 2.1.332. Home A is a
 * copy of the committed fixture home (its sessions made by Claude in P_A); home B installed the
 * `tools` session under P_B. Both machines go on with it: A's next package reaches B as a branch
 * next to B's own continuation, and A's package after that as a fast-forward of that branch.
 * Expected values are the markers each machine's user typed.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Fixtures, Harness, MessagesServer, SdkSessions } from "@sessionport/claude-oracle"
import { makeFolder, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { randomCrashes } from "@sessionport/codex-oracle/Steps"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionSync, sessionTransfer } from "./utils/cli.js"

const source = Fixtures.load().source
const P_A = source.alpha
const tools = Fixtures.byRole("tools")

// Claude runs A's turns in P_A, the folder its sessions were made in: a real folder for the run
const removeFolder = makeFolder(P_A)

afterAll(() => {
  removeTemps()
  removeFolder()
})

const ok = (result: CliResult, what: string) => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return result
}
const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")
const A1 = "machine A, day two: marker-A1"
const A2 = "machine A, day three: marker-A2"
const B1 = "machine B, day two: marker-B1"

interface SyncJson {
  readonly transaction_id?: string
  readonly sessions: ReadonlyArray<{ readonly agent: string; readonly class: string; readonly local_id?: string; readonly new_local_id?: string }>
}

/** Machines A and B, B holding an install of A's `tools` session (local id `local`). */
const setup = Effect.gen(function*() {
  const a = yield* Harness.machine({ fixtureHome: true })
  const b = yield* Harness.machine({ projects: ["moved"] })
  const P_B = b.projects[0]!
  const envA = { env: { HOME: source.home } }
  const envB = { env: { HOME: b.home } }
  const exportA = (name: string) =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("pkg"), `${name}.tgz`)
      ok(yield* sessionTransfer(["export", "--agent", "claude", "--claude-home", a.configDir, "--thread", tools.sessionId, "--out", pkg], envA), `export ${name}`)
      return pkg
    })
  const maps = ["--map", `${P_A}=${P_B}`]
  const installed = ok(yield* sessionTransfer(["install", yield* exportA("first"), "--claude-home", b.configDir, ...maps, "--json"], envB), "install")
  const local = JSON.parse(installed.stdout).sessions[0].local_id as string
  const sync = (pkg: string, extra: ReadonlyArray<string> = []) =>
    Effect.map(sessionSync(["sync", pkg, "--claude-home", b.configDir, ...maps, "--yes", "--json", ...extra], envB), (r) => JSON.parse(ok(r, "sync").stdout) as SyncJson)
  return { a, b, P_B, local, exportA, sync, maps, envB }
})

describe("session-sync: a Claude Code session both machines went on with, judged by the real Claude Code CLI", () => {
  it.scoped("diverged: B's file is kept byte for byte and A's turn arrives as a branch; then a fast-forward of the branch; then nothing", () =>
    Effect.gen(function*() {
      const { a, b, P_B, exportA, local, sync } = yield* setup
      // both machines go on with the same conversation
      yield* a.cli.print(A1, { resume: tools.sessionId, cwd: P_A })
      yield* b.cli.print(B1, { resume: local, cwd: P_B })
      const bFile = fs.readdirSync(path.join(b.configDir, "projects")).map((d) => path.join(b.configDir, "projects", d, `${local}.jsonl`))
        .find((f) => fs.existsSync(f))!
      const bBytes = sha(bFile)

      const first = yield* sync(yield* exportA("a1"))
      assert.strictEqual(first.sessions.length, 1)
      assert.strictEqual(first.sessions[0]!.agent, "claude")
      assert.strictEqual(first.sessions[0]!.class, "diverged_lineage")
      assert.strictEqual(first.sessions[0]!.local_id, local)
      const branch = first.sessions[0]!.new_local_id!
      assert.isDefined(branch)
      assert.strictEqual(sha(bFile), bBytes, "B's own session is kept byte for byte")
      const branchFile = path.join(path.dirname(bFile), `${branch}.jsonl`)
      const titles = fs.readFileSync(branchFile, "utf8").split("\n").filter((l) => l.startsWith("{\"type\":\"custom-title\""))
      assert.match(JSON.parse(titles[titles.length - 1]!).customTitle, /^\[branch\] /)

      // the branch resumes with A's history (on a copy of B: resuming writes to it)
      const copy = yield* Harness.machine({ projects: ["moved"] })
      fs.rmSync(copy.configDir, { recursive: true, force: true })
      fs.cpSync(b.configDir, copy.configDir, { recursive: true })
      yield* copy.cli.print("marker-branch", { resume: branch, cwd: P_B })
      const sent = MessagesServer.conversation((yield* copy.server.requests)[0]!).map((m) => m.text).join("\n")
      assert.include(sent, A1)
      assert.notInclude(sent, B1)
      for (const prompt of tools.prompts) assert.include(sent, prompt)

      // A goes on alone: the next sync fast-forwards the branch, and B's resume sends A's new turn
      yield* a.cli.print(A2, { resume: tools.sessionId, cwd: P_A })
      // the prompt's up-arrow history line, as the interactive CLI writes it (`-p` writes none)
      const typed = { display: A2, pastedContents: {}, timestamp: Date.now(), project: P_A, sessionId: tools.sessionId }
      fs.appendFileSync(path.join(a.configDir, "history.jsonl"), JSON.stringify(typed) + "\n")
      const pkg = yield* exportA("a2")
      const second = yield* sync(pkg)
      assert.strictEqual(second.sessions[0]!.class, "fast_forward_import")
      assert.strictEqual(second.sessions[0]!.local_id, branch)
      assert.strictEqual(sha(bFile), bBytes, "B's own session is still as it was")
      const history = fs.readFileSync(path.join(b.configDir, "history.jsonl"), "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
      assert.deepStrictEqual(history.filter((h) => h.display === A2), [{ ...typed, project: P_B, sessionId: branch }])
      const messages = yield* SdkSessions.getSessionMessages(b, branch, { dir: P_B })
      const texts = messages.map((m) => SdkSessions.messageText(m)).join("\n")
      assert.include(texts, A1)
      assert.include(texts, A2)
      yield* b.server.clearRequests
      yield* b.cli.print("marker-after-forward", { resume: branch, cwd: P_B })
      const resumed = MessagesServer.conversation((yield* b.server.requests)[0]!).map((m) => m.text).join("\n")
      assert.include(resumed, A2)
      assert.notInclude((yield* b.server.requests)[0]!.text, P_A)

      // a repeat sync of the same package changes nothing (reading the sidecar may leave SQLite's -wal)
      const home = () => fileState(b.configDir, { skip: ["sessionport"] })
      const before = home()
      const third = yield* sync(pkg)
      assert.strictEqual(third.transaction_id, undefined)
      assert.deepStrictEqual(home(), before)
    }).pipe(Effect.provide(NodeContext.layer)), 240_000)

  it.scoped("killed at 50 random points of a Claude sync, the next command brings home B back exactly to before", () =>
    Effect.gen(function*() {
      const { a, b, P_B, exportA, local, maps, envB } = yield* setup
      yield* a.cli.print(A1, { resume: tools.sessionId, cwd: P_A })
      yield* b.cli.print(B1, { resume: local, cwd: P_B })
      const pkg = yield* exportA("a1")
      const template = path.join(tempDir("b-template"), ".claude")
      fs.cpSync(b.configDir, template, { recursive: true })
      const state = () => fileState(b.configDir, { skip: ["sessionport"] })
      const reset = () => {
        fs.rmSync(b.configDir, { recursive: true, force: true })
        fs.cpSync(template, b.configDir, { recursive: true, preserveTimestamps: true })
      }
      const crashAt = (point: string) =>
        Effect.gen(function*() {
          reset()
          const before = state()
          const run = yield* sessionSync(["sync", pkg, "--claude-home", b.configDir, ...maps, "--yes"], {
            env: { ...envB.env, SESSIONPORT_CRASH_AT: point, TMPDIR: tempDir("tmp") }
          })
          const next = ok(yield* sessionSync(["list-transactions", "--claude-home", b.configDir, "--json"], envB), point)
          // the sync's own transaction, if it began one (the install's is there before it)
          const mine = (JSON.parse(next.stdout) as Array<{ id: string; kind: string; status: string }>).find((t) => t.kind === "sync")
          if (run.code === 0) return false
          assert.strictEqual(run.signal, "SIGKILL", `${point}: ${run.stderr}`)
          if (mine?.status === "completed") ok(yield* sessionSync(["rollback", mine.id, "--claude-home", b.configDir], envB), point)
          else assert.oneOf(mine?.status, [undefined, "failed"], point)
          assert.deepStrictEqual(state(), before, `crash at ${point}: home B is back to before`)
          return true
        })
      // one home B, reset for each point: one at a time
      assert.isAtLeast(yield* randomCrashes(crashAt), 6, "a sync takes journal steps")
    }).pipe(Effect.provide(NodeContext.layer)), 600_000)
})
