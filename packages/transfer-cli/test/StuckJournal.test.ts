import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const DAMAGED = "0199a000-0000-7000-8000-000000000099"

/** a Codex home whose journal holds one transaction.json that is not JSON */
const damagedHome = () => {
  const home = copyFixtureHome()
  const record = path.join(home, "sessionport", "journal", DAMAGED, "transaction.json")
  fs.mkdirSync(path.dirname(record), { recursive: true })
  fs.writeFileSync(record, "{\"format\": 1, \"id\": ")
  return { home, record }
}

describe("a damaged transaction.json", () => {
  it.effect("is listed as damaged and warned of; export and install go on; rollback of it is refused with what to do", () =>
    Effect.gen(function*() {
      const { home, record } = damagedHome()
      const warning = `session-transfer: warning: ${record} is not a usable journal record: `

      const list = yield* sessionTransfer(["list-transactions", "--codex-home", home])
      assert.strictEqual(list.code, 0, list.stderr)
      assert.match(list.stdout, new RegExp(`^${DAMAGED}  \\S+  \\?\\s+damaged\\s+${record.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n$`))
      assert.strictEqual(errorLines(list).length, 1, list.stderr)
      assert.isTrue(errorLines(list)[0]!.startsWith(warning), list.stderr)

      const pkg = path.join(tempDir("pkg"), "sessions.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const target = damagedHome()
      const installed = yield* sessionTransfer([
        "install",
        pkg,
        "--codex-home",
        target.home,
        "--map",
        `${fixtures.source.alpha}=${path.join(target.home, "..", "alpha")}`
      ])
      assert.strictEqual(installed.code, 0, installed.stderr)
      assert.include(installed.stderr, `session-transfer: warning: ${target.record} is not a usable journal record: `)
      const json = yield* sessionTransfer(["list-transactions", "--codex-home", target.home, "--json"])
      assert.deepStrictEqual(
        JSON.parse(json.stdout).map((tx: any) => [tx.status, tx.kind, tx.path]),
        [["completed", "install", undefined], ["damaged", undefined, target.record]]
      )

      const refused = yield* sessionTransfer(["rollback", DAMAGED, "--codex-home", home])
      assert.strictEqual(refused.code, 1)
      assert.strictEqual(errorLines(refused).length, 1, refused.stderr)
      const line = errorLines(refused)[0]!
      assert.isTrue(line.startsWith(`session-transfer: ${record} is not a usable journal record: `), line)
      assert.include(line, "the Codex home may be half-written")
      assert.include(line, `move ${path.dirname(record)} into ${path.join(home, "sessionport", "journal", "damaged")}/`)
      assert.isTrue(fs.existsSync(record))

      const recovered = yield* sessionTransfer(["recover", "--codex-home", home])
      assert.strictEqual(recovered.code, 0, recovered.stderr)
      assert.strictEqual(recovered.stdout, "nothing to recover\n")
      assert.isTrue(errorLines(recovered)[0]!.startsWith(warning), recovered.stderr)
    }), 120_000)
})
