/**
 * Claude Code sessions carried from machine A to machine B, judged by the real Claude Code
 * 2.1.332: A is a copy of the committed fixture home (made by Claude itself, at fixed source
 * paths); B is a fresh home with its projects elsewhere. Expected values come from the fixtures'
 * own inventory and transcripts, not from the code under test.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Fixtures, Harness, MessagesServer, Picker, SdkSessions } from "@sessionport/claude-oracle"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { sessionTransfer } from "./utils/cli.js"

const source = Fixtures.load().source
const roles = ["tools", "interactive", "beta_plain", "named"] as const

/** Claude's folder name for a working directory (every character outside [A-Za-z0-9] becomes `-`). */
const folderOf = (cwd: string) => cwd.replace(/[^a-zA-Z0-9]/g, "-")

const lines = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")

/** Exports every fixture session from a copy of the fixture home, as machine A would (its HOME). */
const exportFixtures = Effect.fn("exportFixtures")(function*(out: string) {
  const a = yield* Fixtures.copyHome({ prefix: "claude-a-" })
  const result = yield* sessionTransfer(["export", "--agent", "claude", "--claude-home", a.configDir, "--all", "--include-file-history", "--out", out, "--json"], {
    env: { HOME: source.home }
  })
  assert.strictEqual(result.code, 0, result.stderr)
  return { a, exported: JSON.parse(result.stdout) }
})

describe("session-transfer: Claude Code sessions, judged by the real Claude Code CLI", () => {
  it.scoped("export from A, install into B with --map: placed, re-identified, localized; rollback leaves B as it was", () =>
    Effect.gen(function*() {
      const out = path.join(fs.mkdtempSync("/tmp/claude-pkg-"), "claude.tgz")
      const { exported } = yield* exportFixtures(out)
      assert.deepStrictEqual(
        exported.sessions.map((s: { id: string }) => s.id).sort(),
        roles.map((r) => Fixtures.byRole(r).sessionId).sort()
      )
      const b = yield* Harness.machine({ projects: ["alpha-moved", "beta-moved"] })
      const [alphaB, betaB] = b.projects as [string, string]
      // the journal keeps its records (a rolled-back transaction is listed as such): the rest is the home
      const state = () => fileState(b.configDir, { skip: ["sessionport"] })
      const before = state()
      const install = ["install", out, "--claude-home", b.configDir, "--map", `${source.alpha}=${alphaB}`, "--map", `${source.beta}=${betaB}`, "--json"]

      const first = yield* sessionTransfer(install, { env: { HOME: b.home } })
      assert.strictEqual(first.code, 0, first.stderr)
      const rolled = yield* sessionTransfer(["rollback", JSON.parse(first.stdout).transaction_id, "--claude-home", b.configDir], { env: { HOME: b.home } })
      assert.strictEqual(rolled.code, 0, rolled.stderr)
      assert.deepStrictEqual(state(), before, "rollback leaves home B byte-identical")

      const installed = yield* sessionTransfer(install, { env: { HOME: b.home } })
      assert.strictEqual(installed.code, 0, installed.stderr)
      const result = JSON.parse(installed.stdout)
      for (const role of roles) {
        const fixture = Fixtures.byRole(role)
        const s = result.sessions.find((x: { source_id: string }) => x.source_id === fixture.sessionId)
        assert.isDefined(s, role)
        assert.strictEqual(s.agent, "claude")
        assert.match(s.local_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "a UUIDv7")
        const target = fixture.cwd === source.alpha ? alphaB : betaB
        const file = path.join(b.configDir, "projects", folderOf(fs.realpathSync(target)), `${s.local_id}.jsonl`)
        assert.strictEqual(s.path, file, role)
        const sourceLines = lines(path.join(Fixtures.fixtureHome, fixture.transcript))
        const installedLines = lines(file)
        assert.strictEqual(installedLines.length, sourceLines.length, role)
        const text = installedLines.join("\n")
        assert.notInclude(text, source.alpha, role)
        assert.notInclude(text, source.beta, role)
        assert.notInclude(text, fixture.sessionId, role)
        for (const [i, line] of installedLines.entries()) {
          const json = JSON.parse(line)
          if ("sessionId" in json) assert.strictEqual(json.sessionId, s.local_id, `${role} line ${i + 1}`)
          if ("cwd" in json) assert.strictEqual(json.cwd, target, `${role} line ${i + 1}`)
          // a line holding neither an id nor a path of the rules goes in byte for byte
          if (!sourceLines[i]!.includes(fixture.sessionId) && !sourceLines[i]!.includes("/tmp/sessionport-claude-src/") && !sourceLines[i]!.includes("/root")) {
            assert.strictEqual(line, sourceLines[i], `${role} line ${i + 1}`)
          }
        }
      }
      // history: the interactive session's prompts, under its new id and project
      const interactive = result.sessions.find((x: { source_id: string }) => x.source_id === Fixtures.byRole("interactive").sessionId)
      const history = lines(path.join(b.configDir, "history.jsonl")).map((l) => JSON.parse(l))
      const sourceHistory = lines(path.join(Fixtures.fixtureHome, "history.jsonl")).map((l) => JSON.parse(l))
        .filter((h) => h.sessionId === Fixtures.byRole("interactive").sessionId)
      assert.deepStrictEqual(history.map((h) => h.display), sourceHistory.map((h) => h.display))
      assert.isTrue(history.every((h) => h.sessionId === interactive.local_id && h.project === alphaB))

      // file history: each backup under the new id, named by the hash of its file's localized path
      // (Claude names a backup sha256(absolute path)[:16]@v<version>)
      const hash16 = (p: string) => createHash("sha256").update(p).digest("hex").slice(0, 16)
      const interactiveId = Fixtures.byRole("interactive").sessionId
      const tracked = lines(path.join(Fixtures.fixtureHome, Fixtures.byRole("interactive").transcript)).map((l) => JSON.parse(l))
        .filter((l) => l.type === "file-history-delta").map((l) => `${l.backup.realParentDir}/${l.trackingPath}`)
      const backups = fs.readdirSync(path.join(Fixtures.fixtureHome, "file-history", interactiveId))
      assert.isAtLeast(backups.length, 1)
      const expected = backups.map((name) => {
        const [hash, version] = name.split("@")
        const file = tracked.find((p) => hash16(p) === hash)!
        return `${hash16(file.replace(source.alpha, alphaB))}@${version}`
      })
      assert.deepStrictEqual(fs.readdirSync(path.join(b.configDir, "file-history", interactive.local_id)).sort(), expected.sort())
      const snapshots = lines(interactive.path).map((l) => JSON.parse(l)).filter((l) => l.type === "file-history-snapshot")
        .flatMap((l) => Object.values(l.snapshot.trackedFileBackups) as Array<{ backupFileName: string | null }>)
        .map((b) => b.backupFileName).filter((n) => n !== null)
      for (const name of snapshots) assert.include(expected, name)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("from P_B: resume sends the whole conversation with no source path, --continue picks it, the SDK lists and reads it, the picker shows it", () =>
    Effect.gen(function*() {
      const out = path.join(fs.mkdtempSync("/tmp/claude-pkg-"), "claude.tgz")
      const { a } = yield* exportFixtures(out)
      const b = yield* Harness.machine({ projects: ["alpha-moved", "beta-moved"] })
      const [alphaB, betaB] = b.projects as [string, string]
      const installed = yield* sessionTransfer(
        ["install", out, "--claude-home", b.configDir, "--map", `${source.alpha}=${alphaB}`, "--map", `${source.beta}=${betaB}`, "--json"],
        { env: { HOME: b.home } }
      )
      assert.strictEqual(installed.code, 0, installed.stderr)
      const localOf = (role: string) =>
        JSON.parse(installed.stdout).sessions.find((s: { source_id: string }) => s.source_id === Fixtures.byRole(role).sessionId).local_id as string

      // the SDK lists every session of P_B and reads each message the source had
      const listed = yield* SdkSessions.listSessions(b, { dir: alphaB })
      assert.deepStrictEqual(listed.map((s) => s.sessionId).sort(), [localOf("tools"), localOf("interactive")].sort())
      for (const role of ["tools", "interactive"]) {
        const mine = yield* SdkSessions.getSessionMessages(b, localOf(role), { dir: alphaB })
        const theirs = yield* SdkSessions.getSessionMessages(a, Fixtures.byRole(role).sessionId, { dir: source.alpha })
        assert.isAbove(theirs.length, 0, role)
        assert.deepStrictEqual(
          mine.map((m) => SdkSessions.messageText(m)),
          theirs.map((m) => SdkSessions.messageText(m).replaceAll(source.alpha, alphaB)),
          role
        )
      }

      // the interactive session (entrypoint cli) is in the picker of P_B
      if (Picker.available()) {
        const screen = yield* Picker.resumePicker(b.cli, { cwd: alphaB })
        const prompts = Fixtures.byRole("interactive").prompts
        assert.include(screen, prompts[prompts.length - 1]!, screen)
      }

      // resume by the new id: every turn is sent again, and no path of machine A
      const tools = Fixtures.byRole("tools")
      yield* b.server.clearRequests
      const resumed = yield* b.cli.print("marker-resume", { resume: localOf("tools"), cwd: alphaB })
      assert.strictEqual(resumed.sessionId, localOf("tools"))
      const request = (yield* b.server.requests)[0]!
      const sent = MessagesServer.conversation(request).map((m) => m.text).join("\n")
      for (const prompt of [...tools.prompts, "marker-resume"]) assert.include(sent, prompt)
      assert.include(sent, "tool_use Bash")
      assert.include(sent, "tool_use Write")
      assert.notInclude(request.text, source.alpha)
      assert.notInclude(request.text, "/tmp/sessionport-claude-src")

      // --continue in P_B (beta): the session last active there on A
      const beta = (["beta_plain", "named"] as const).map((role) => {
        const fixture = Fixtures.byRole(role)
        const stamps = lines(path.join(Fixtures.fixtureHome, fixture.transcript))
          .flatMap((l) => {
            const t = JSON.parse(l).timestamp
            return typeof t === "string" ? [Date.parse(t)] : []
          })
        return { role, fixture, last: Math.max(...stamps) }
      }).sort((x, y) => y.last - x.last)[0]!
      yield* b.server.clearRequests
      const continued = yield* b.cli.print("marker-continue", { continue: true, cwd: betaB })
      assert.strictEqual(continued.sessionId, localOf(beta.role))
      const continuedText = MessagesServer.conversation((yield* b.server.requests)[0]!).map((m) => m.text).join("\n")
      for (const prompt of beta.fixture.prompts) assert.include(continuedText, prompt)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})
