import { assert, describe, it } from "@effect/vitest"
import { cases } from "@sessionport/codex-oracle/HostilePackages"
import { snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { everyStep } from "@sessionport/codex-oracle/Steps"
import { crashLoop } from "@sessionport/codex-oracle/CrashLoop"

afterAll(removeTemps)

/** A package of every fixture session, and a home where Codex has run (the fixture home) to install into. */
const setup = Effect.gen(function*() {
  const pkg = path.join(tempDir("pkg"), "sessions.tgz")
  const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])
  assert.strictEqual(exported.code, 0, exported.stderr)
  return pkg
})

const installArgs = (pkg: string, home: string) => [
  "install",
  pkg,
  "--codex-home",
  home,
  "--map",
  `${fixtures.source.alpha}=${path.join(home, "..", "alpha")}`
]

describe("install under kill -9", () => {
  it.effect("killed at 50 points, the next command brings the home back exactly to before", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      // real SIGKILLs the process sends itself at journal step n (SESSIONPORT_CRASH_AT): first
      // after every step until the install runs to its end, then at random points (after a step,
      // or just before its change), 50 crashes in all
      const { steps } = yield* crashLoop({
        cli: sessionTransfer,
        kind: "install",
        target: () => {
          const home = copyFixtureHome()
          return { command: installArgs(pkg, home), options: ["--codex-home", home], state: () => homeState(home) }
        }
      })
      assert.isAtLeast(steps, 10, "an install takes journal steps")
    }), 300_000)
})

describe("install on a full disk", () => {
  it.effect("ENOSPC at any step: exit 1, one line saying nothing was changed, the home exactly as before on exit", () =>
    Effect.gen(function*() {
      const pkg = yield* setup
      // SESSIONPORT_CRASH_AT=<n>:enospc: step n fails with ENOSPC, and so does every later step
      // that needs space (journal records included) for the rest of the process
      const fullAt = (n: number) =>
        Effect.gen(function*() {
          const home = copyFixtureHome()
          const before = homeState(home)
          const run = yield* sessionTransfer(installArgs(pkg, home), {
            env: { SESSIONPORT_CRASH_AT: `${n}:enospc`, TMPDIR: tempDir("tmp") }
          })
          if (run.code === 0) return false
          assert.strictEqual(run.code, 1, `step ${n}: ${run.stderr}`)
          const lines = errorLines(run)
          assert.strictEqual(lines.length, 1, `step ${n}: ${run.stderr}`)
          assert.include(lines[0], "ENOSPC", `step ${n}`)
          // no transaction yet (the lock or the first record failed), or one rolled back before exit
          if (lines[0]!.includes("transaction")) assert.include(lines[0], "nothing was changed", `step ${n}`)
          // before any next command: the failing command itself put the home back
          assert.deepStrictEqual(homeState(home), before, `disk full at step ${n}: the home as before`)
          const next = yield* sessionTransfer(["list-transactions", "--codex-home", home, "--json"])
          assert.strictEqual(next.code, 0, `step ${n}: ${next.stderr}`)
          assert.oneOf(JSON.parse(next.stdout)[0]?.status, [undefined, "failed"], `step ${n}`)
          assert.deepStrictEqual(homeState(home), before, `disk full at step ${n}: the next command changes nothing`)
          return true
        })
      assert.isAtLeast(yield* everyStep(fullAt), 10, "every step of an install was made to fail")
    }), 300_000)
})

describe("install refuses hostile packages", () => {
  it.effect("each with one line on stderr, exit 1, the home untouched", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const before = snapshot(home)
      for (const c of cases.filter((c) => c.limits === undefined)) {
        yield* withTmp((dir) =>
          Effect.gen(function*() {
            const pkg = yield* Effect.promise(() => c.build(dir))
            const result = yield* sessionTransfer(["install", pkg, "--codex-home", home])
            assert.strictEqual(result.code, 1, `${c.name}: ${result.stderr}`)
            assert.strictEqual(errorLines(result).length, 1, `${c.name}: ${result.stderr}`)
            assert.deepStrictEqual(snapshot(home), before, c.name)
          })
        )
      }
    }), 300_000)
})
