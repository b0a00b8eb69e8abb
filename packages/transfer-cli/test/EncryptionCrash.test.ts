/**
 * kill -9 during the install of an encrypted package: the package is decrypted as it is read
 * (verify, then the unpacking that follows the journal's first step), so the kills land while it
 * is; the next command must bring the home back exactly as it was (the crash loop of every
 * install, on a `.tgz.age`).
 */
import { assert, describe, it } from "@effect/vitest"
import { crashLoop } from "@sessionport/codex-oracle/CrashLoop"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Encryption } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

describe("install of a .tgz.age under kill -9", () => {
  it.effect("killed at 25 points, the next command brings the home back exactly to before", () =>
    Effect.gen(function*() {
      const dir = tempDir("enc-crash")
      const { identity, recipient } = yield* Encryption.generateKeyPair
      const key = path.join(dir, "key.txt")
      fs.writeFileSync(key, `${identity}\n`, { mode: 0o600 })
      const pkg = path.join(dir, "sessions.tgz.age")
      const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg, "--encrypt-to", recipient])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const { steps } = yield* crashLoop({
        cli: sessionTransfer,
        kind: "install",
        total: 25,
        target: () => {
          const home = copyFixtureHome()
          return {
            command: ["install", pkg, "--identity", key, "--codex-home", home, "--map", `${fixtures.source.alpha}=${path.join(home, "..", "alpha")}`],
            options: ["--codex-home", home],
            state: () => homeState(home)
          }
        }
      })
      assert.isAtLeast(steps, 10, "an install takes journal steps")
    }), 600_000)
})
