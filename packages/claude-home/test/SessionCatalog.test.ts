import { assert, describe, it } from "@effect/vitest"
import { Fixtures } from "@sessionport/claude-oracle"
import { ClaudeHome, SessionCatalog } from "@sessionport/claude-home"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const source = Fixtures.load().source
const id = (role: string) => Fixtures.byRole(role).sessionId
const catalog = (root: string) => SessionCatalog.layer.pipe(Layer.provide(ClaudeHome.layer({ root })))
const list = (request: Partial<SessionCatalog.ListRequest>, root = Fixtures.fixtureHome) =>
  Effect.flatMap(SessionCatalog.SessionCatalog, (c) => c.list({ ids: [], cwds: [], since: undefined, all: false, ...request })).pipe(
    Effect.provide(catalog(root))
  )

describe("Claude SessionCatalog", () => {
  it.effect("--all: every transcript, with what its lines say", () =>
    Effect.gen(function*() {
      const { sessions } = yield* list({ all: true })
      assert.deepStrictEqual(sessions.map((s) => s.id).sort(), ["tools", "interactive", "beta_plain", "named"].map(id).sort())
      for (const s of sessions) {
        const fixture = Object.values(Fixtures.load().sessions).find((f) => f.sessionId === s.id)!
        assert.strictEqual(s.cwd, fixture.cwd)
        assert.strictEqual(s.head.firstPrompt, fixture.prompts[0])
        assert.strictEqual(s.head.entrypoint, fixture.entrypoint)
        assert.strictEqual(s.size, fs.statSync(path.join(Fixtures.fixtureHome, fixture.transcript)).size)
      }
      assert.strictEqual(sessions.find((s) => s.id === id("named"))!.title, "fixture named session")
    }))

  it.effect("--cwd takes the sessions started in that folder or below it; --thread by id; unknown ids answered", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual((yield* list({ cwds: [source.alpha] })).sessions.map((s) => s.id).sort(), [id("tools"), id("interactive")].sort())
      assert.deepStrictEqual((yield* list({ cwds: [path.dirname(source.alpha)] })).sessions.length, 4)
      assert.deepStrictEqual((yield* list({ cwds: [`${source.alpha}2`] })).sessions, [])
      const byId = yield* list({ ids: [id("named").toUpperCase(), "01900000-0000-7000-8000-00000000000f"] })
      assert.deepStrictEqual(byId.sessions.map((s) => s.id), [id("named")])
      assert.deepStrictEqual(byId.unmatched, ["01900000-0000-7000-8000-00000000000f"])
    }))

  it.effect("--since: by last activity (the transcript's mtime)", () =>
    Effect.gen(function*() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "claude-catalog-"))
      fs.cpSync(Fixtures.fixtureHome, root, { recursive: true })
      const old = new Date("2020-01-01T00:00:00Z")
      for (const role of ["tools", "interactive", "beta_plain"]) fs.utimesSync(path.join(root, Fixtures.byRole(role).transcript), old, old)
      const { sessions } = yield* list({ all: true, since: new Date("2024-01-01T00:00:00Z") }, root)
      assert.deepStrictEqual(sessions.map((s) => s.id), [id("named")])
      fs.rmSync(root, { recursive: true, force: true })
    }))

  it.effect("a transcript with no working directory is unreadable, named", () =>
    Effect.gen(function*() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "claude-catalog-"))
      fs.mkdirSync(path.join(root, "projects", "-x"), { recursive: true })
      fs.writeFileSync(path.join(root, "projects", "-x", "01900000-0000-7000-8000-000000000001.jsonl"), "{\"type\":\"mode\",\"mode\":\"normal\"}\n")
      const result = yield* list({ all: true }, root)
      assert.deepStrictEqual(result.sessions, [])
      assert.deepStrictEqual(result.unreadable.map((u) => u.reason), ["no line records a working directory"])
      fs.rmSync(root, { recursive: true, force: true })
    }))
})
