import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { AppServer } from "@sessionport/codex-oracle"
import { copyFixtureHome, fixtureByRole, fixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"
import { codexOn, conversation, machine, type Turn, withAppServer } from "@sessionport/codex-oracle/Harness"
import { homeState } from "@sessionport/codex-oracle/HomeState"

// The real Codex CLI is the judge: sessions it made in home A under project folder P_A are
// exported, installed into home B with --map P_A=P_B, and then Codex in home B must list them
// under P_B, show the same conversation, and continue it.

afterAll(removeTemps)

const roles = ["multi_turn_tools", "beta_cwd", "named", "zst", "forked"] as const


/** Home A as Codex sees it from its rollouts (its rows name the machine that made it). */
const sourceConversations = Effect.gen(function*() {
  const { home, root } = machine("codex-a", { fixtureRollouts: true })
  const { cli } = yield* codexOn(home, root)
  return yield* withAppServer(cli, root, (app) =>
    Effect.gen(function*() {
      const out = new Map<string, ReadonlyArray<Turn>>()
      for (const role of roles) out.set(role, yield* conversation(app, fixtureByRole(role).threadId))
      return out
    }))
})

const scenario = (codexHasRun: boolean) =>
  Effect.gen(function*() {
    const expected = yield* sourceConversations
    const { home: homeB, projects: [alphaB, betaB], root } = machine("codex-b", { projects: ["alpha-on-b", "beta-on-b"] })
    const { cli, server } = yield* codexOn(homeB, root)
    if (codexHasRun) {
      yield* cli.exec({ cwd: alphaB, prompt: "A session of B's own." })
      assert.isTrue(fs.existsSync(path.join(homeB, "state_5.sqlite")), "Codex made its database")
    }

    // export from home A, install into home B
    const pkg = path.join(tempDir("pkg"), "sessions.tgz")
    const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])
    assert.strictEqual(exported.code, 0, exported.stderr)
    const installed = yield* sessionTransfer([
      "install",
      pkg,
      "--codex-home",
      homeB,
      "--map",
      `${fixtures.source.alpha}=${alphaB}`,
      "--map",
      `${fixtures.source.beta}=${betaB}`,
      "--json"
    ], { env: { HOME: root } })
    assert.strictEqual(installed.code, 0, installed.stderr)
    const result = JSON.parse(installed.stdout)
    const localId = (role: string) => result.sessions.find((s: any) => s.source_id === fixtureByRole(role).threadId).local_id as string
    for (const s of result.sessions) assert.notStrictEqual(s.local_id, s.source_id)

    yield* withAppServer(cli, root, (app) => Effect.gen(function*() {
    // thread/list, filtered by the new project folders, lists them
    const listed = (cwd: string) =>
      app.threadList({ sourceKinds: AppServer.allSourceKinds, cwd }).pipe(Effect.map((page) => page.data))
    const inAlpha = (yield* listed(alphaB)).map((t) => t.id)
    const inBeta = yield* listed(betaB)
    assert.includeMembers(inAlpha, [localId("multi_turn_tools"), localId("forked")])
    assert.includeMembers(inBeta.map((t) => t.id), [localId("beta_cwd"), localId("named"), localId("zst")])
    assert.notInclude(inAlpha, localId("archived"))
    if (codexHasRun) {
      assert.strictEqual(inBeta.find((t) => t.id === localId("named"))?.name, fixtureByRole("named").name)
    }

    // thread/resume + thread/turns/list: the same user and agent messages as in home A
    for (const role of roles) {
      assert.deepStrictEqual(yield* conversation(app, localId(role)), expected.get(role), role)
    }
    }))

    // codex exec resume sends the whole transferred conversation, from the new folder
    yield* server.clearRequests
    const marker = `marker-${Date.now()}`
    yield* cli.resume({ cwd: alphaB, threadId: localId("multi_turn_tools"), prompt: marker })
    const sent = (yield* server.requests).map((r) => r.text).find((text) => text.includes(marker))
    assert.isDefined(sent, "Codex sent the resumed conversation")
    for (const prompt of fixtureByRole("multi_turn_tools").prompts) assert.include(sent!, JSON.stringify(prompt).slice(1, -1))
    assert.include(sent!, `<cwd>${alphaB}</cwd>`)
    assert.notInclude(sent!, fixtures.source.alpha)
  }).pipe(Effect.provide(NodeContext.layer))

describe("install, judged by the real Codex CLI", () => {
  it.scoped("into a home where Codex has run", () => scenario(true), 120_000)
  it.scoped("into a fresh home (no database: Codex builds the rows)", () => scenario(false), 120_000)

  it.effect("rollback after an install leaves the home identical to before", () =>
    Effect.gen(function*() {
      const root = tempDir("codex-b")
      const homeB = path.join(root, "home")
      fs.cpSync(fixtureHome, homeB, { recursive: true })
      const pkg = path.join(tempDir("pkg"), "sessions.tgz")
      assert.strictEqual((yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])).code, 0)
      const before = homeState(homeB)
      const installed = yield* sessionTransfer(["install", pkg, "--codex-home", homeB, "--map", `${fixtures.source.alpha}=${root}`], { env: { HOME: root } })
      assert.strictEqual(installed.code, 0, installed.stderr)
      assert.notDeepEqual(homeState(homeB), before)
      const rolledBack = yield* sessionTransfer(["rollback", "--latest", "--codex-home", homeB])
      assert.strictEqual(rolledBack.code, 0, rolledBack.stderr)
      assert.deepStrictEqual(homeState(homeB), before)
      const again = yield* sessionTransfer(["rollback", "--latest", "--codex-home", homeB])
      assert.strictEqual(again.code, 1)
    }), 60_000)
})
