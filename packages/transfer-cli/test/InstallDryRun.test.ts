/**
 * What `install --dry-run` shows of each session: its path rewrites first, its id swaps as one
 * line counting them, and no made-up local id (the install assigns each session its id when it
 * writes it).
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, fixtureHome, fixtures, fixtureThreads, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/** The lines of the block a session heads in the dry run (its line, then the indented ones under it). */
const blockOf = (lines: ReadonlyArray<string>, sourceId: string): Array<string> => {
  const at = lines.findIndex((line) => line.startsWith(`  ${sourceId} -> `))
  assert.isAtLeast(at, 0, `a line for ${sourceId}`)
  const block = [lines[at]!]
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith("      ")) break
    block.push(line)
  }
  return block
}

describe("install --dry-run", () => {
  it.effect("each session: its path rewrites first, its ids as one line, the new id shown as assigned at install", () =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("dry-pkg"), "sessions.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", copyFixtureHome(), "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const root = tempDir("dry-home")
      const home = path.join(root, ".codex")
      const alpha = path.join(root, "code", "alpha")
      fs.mkdirSync(home)
      fs.mkdirSync(alpha, { recursive: true })
      const dry = yield* sessionTransfer(["install", pkg, "--codex-home", home, "--map", `${fixtures.source.alpha}=${alpha}`, "--dry-run"], {
        env: { HOME: root }
      })
      assert.strictEqual(dry.code, 0, dry.stderr)
      const lines = dry.stdout.split("\n")

      // the only ids shown are the package's own: no made-up local id
      const sourceIds = new Set(fixtureThreads.map((s) => s.threadId))
      for (const id of dry.stdout.match(UUID) ?? []) assert.isTrue(sourceIds.has(id), `${id} is a session id of the package`)

      // a session of alpha: its first rewrite is its working directory on line 1, its ids come after its paths
      const main = fixtureByRole("multi_turn_tools")
      const block = blockOf(lines, main.threadId)
      assert.isTrue(block[0]!.startsWith(`  ${main.threadId} -> (new id, assigned at install)  ${alpha}  (`), block[0])
      assert.strictEqual(block[1], `      line 1 payload.cwd: ${fixtures.source.alpha} -> ${alpha}`)
      const idsAt = block.findIndex((line) => /^ {6}ids: \d+ value\(s\) rewritten to the new id\(s\)$/.test(line))
      assert.isAbove(idsAt, 1)
      assert.isTrue(block.slice(1, idsAt).every((line) => line.startsWith("      line ")), "paths before the ids")
      assert.isAtMost(block.slice(1, idsAt).length, 20)

      // a session of beta (not mapped): only its ids change, each counted (every quoted occurrence of its id in its rollout)
      const beta = fixtureByRole("beta_cwd")
      const occurrences = fs.readFileSync(path.join(fixtureHome, beta.rollout), "utf8").split(`"${beta.threadId}"`).length - 1
      assert.deepStrictEqual(blockOf(lines, beta.threadId).slice(1), [`      ids: ${occurrences} value(s) rewritten to the new id(s)`])

      // a fork names its parent by the parent's id in the package
      const fork = fixtureByRole("forked")
      assert.include(blockOf(lines, fork.threadId)[0], `fork of ${main.threadId}`)

      // the real run shows the ids it assigned, and says nothing about assigning
      const real = yield* sessionTransfer(["install", pkg, "--codex-home", home, "--map", `${fixtures.source.alpha}=${alpha}`], { env: { HOME: root } })
      assert.strictEqual(real.code, 0, real.stderr)
      assert.notInclude(real.stdout, "assigned at install")
      assert.match(blockOf(real.stdout.split("\n"), main.threadId)[0]!, new RegExp(`^  ${main.threadId} -> [0-9a-f-]{36}  `))
    }), 90_000)
})
