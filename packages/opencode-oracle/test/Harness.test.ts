import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Fixtures, Harness } from "../src/index.js"

describe("Harness", () => {
  it.scoped("a machine whose alpha is the fixtures' repository, its database made by OpenCode", () =>
    Effect.gen(function*() {
      const m = yield* Harness.machine({ initDatabase: true })
      assert.isTrue(fs.existsSync(path.join(m.dataDir, "opencode.db")))
      const listed = yield* m.cli.sessionList({ cwd: m.projects[0]! })
      assert.deepStrictEqual(listed, [])
      // the project id OpenCode derives there is the fixtures' own
      const fixtures = Fixtures.load()
      assert.strictEqual(fixtures.sessions["tools"]!.projectId, "ad243cfc821ddf02ba8efc1e5d58a4550a9f65de")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
