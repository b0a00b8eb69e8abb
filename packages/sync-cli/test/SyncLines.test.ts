// Lines Codex would skip (not JSON, a NUL byte) that a sync appends to a local session: appended
// as they are, with a warning naming them by their numbers in the package's rollout.
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionSync } from "./utils/cli.js"
import { appendLines, exportPackage, fixtureRecords, idOf, recordLines, sourceHome } from "./utils/scenarios.js"

afterAll(removeTemps)

describe("sync: lines Codex would skip", () => {
  it.effect("a fast-forward appending a line that is not JSON and one with a NUL: a warning with their numbers; appended as they are", () =>
    Effect.gen(function*() {
      const source = sourceHome()
      const rollout = path.join(source, fixtures.sessions.beta_cwd!.rollout)
      const nul = `{"timestamp":"2026-11-21T09:17:13.000Z","type":"event_msg","payload":{"type":"agent_message","message":"x\u0000y"}}`
      appendLines(rollout, ["this line is not JSON", nul])
      const pkg = yield* exportPackage(source, ["beta_cwd"])
      const home = copyFixtureHome()
      const n = fixtureRecords("beta_cwd")
      const run = yield* sessionSync(["sync", pkg, "--yes", "--json", "--codex-home", home, "--map", `${fixtures.source.root}=${tempDir("cwd")}`])
      assert.strictEqual(run.code, 0, run.stderr)
      const result = JSON.parse(run.stdout)
      assert.strictEqual(result.sessions[0].class, "fast_forward_import")
      assert.include(
        result.warnings,
        `session ${idOf("beta_cwd")}: 2 lines are not JSON: ${n + 1}, ${n + 2} (line ${n + 2} holds NUL bytes); Codex skips such lines; appended as they are`
      )
      const local = recordLines(path.join(home, fixtures.sessions.beta_cwd!.rollout))
      assert.deepStrictEqual(local.slice(n), ["this line is not JSON", nul])
      assert.isTrue(fs.readFileSync(path.join(home, fixtures.sessions.beta_cwd!.rollout)).includes(0))
    }), 60_000)
})
