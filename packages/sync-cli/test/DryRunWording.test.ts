/**
 * The sidecar upkeep commands under `--dry-run` say what they would do with the verb's plain
 * form ("would rebuild", not "would rebuilt"), and what they did with its past form.
 */
import { assert, describe, it } from "@effect/vitest"
import { removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { sessionSync } from "./utils/cli.js"
import { codexMachine } from "./utils/scenarios.js"

afterAll(removeTemps)

const COMMANDS = [
  ["adopt", "would adopt", "adopted"],
  ["rebuild-sidecar", "would rebuild", "rebuilt"],
  ["prune-invalid-mappings", "would prune", "pruned"],
  ["replay-transactions-sidecar", "would replay", "replayed"]
] as const

describe("sidecar upkeep wording", () => {
  it.effect("--dry-run: would adopt / rebuild / prune / replay; done: adopted / rebuilt / pruned / replayed", () =>
    Effect.gen(function*() {
      const m = codexMachine("fixture")
      for (const [command, planned, done] of COMMANDS) {
        const dry = yield* sessionSync([command, "--codex-home", m.home, "--dry-run"])
        assert.strictEqual(dry.code, 0, `${command} --dry-run: ${dry.stderr}`)
        assert.isTrue(dry.stdout.startsWith(`${planned}: `), `${command} --dry-run: ${dry.stdout}`)
        const real = yield* sessionSync([command, "--codex-home", m.home])
        assert.strictEqual(real.code, 0, `${command}: ${real.stderr}`)
        assert.isTrue(real.stdout.startsWith(`${done}: `), `${command}: ${real.stdout}`)
      }
    }), 120_000)
})
