import { assert, describe, it } from "@effect/vitest"
import { cases } from "@sessionport/codex-oracle/HostilePackages"
import { snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"
import { Effect } from "effect"
import { errorLines, sessionTransfer } from "./utils/cli.js"

// Every hostile package of the reader's suite that needs no special limits, through the CLI:
// refused with one line naming the reason, exit 1, nothing written.
const cliCases = cases.filter((c) => c.limits === undefined)

describe("session-transfer inspect refuses hostile packages", () => {
  it("covers at least 20 cases", () => {
    assert.isAtLeast(cliCases.length, 20)
  })

  for (const c of cliCases) {
    it.effect(`${c.name}`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const pkg = yield* Effect.promise(() => c.build(dir))
          const before = snapshot(dir)
          const result = yield* sessionTransfer(["inspect", pkg])
          assert.strictEqual(result.code, 1, result.stderr)
          assert.strictEqual(result.stdout, "")
          const lines = errorLines(result)
          assert.strictEqual(lines.length, 1, result.stderr)
          assert.match(lines[0]!, /^session-transfer: /)
          const json = yield* sessionTransfer(["inspect", pkg, "--json"])
          assert.strictEqual(JSON.parse(errorLines(json)[0]!).error.reason, c.reason)
          assert.deepStrictEqual(snapshot(dir), before)
        })
      ))
  }
})
