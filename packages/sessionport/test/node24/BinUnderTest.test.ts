/**
 * Run only by vitest.node24.config.ts: the CLI tests' runner there takes the packed install's bins
 * and the registry's Node 24, not the repository's bundles and this process's Node.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { binUnderTest } from "../../../codex-oracle/src/Cli.js"
import { NODE_24 } from "../utils/packed.js"

describe("the CLI tests on Node 24", () => {
  it("run the installed sessionport's bins with Node 24", () => {
    const prefix = process.env.SESSIONPORT_TEST_PREFIX ?? ""
    for (const name of ["session-transfer", "session-sync"]) {
      const { bin, node } = binUnderTest(name, "/the/repository/bundle")
      assert.strictEqual(bin, path.join(prefix, "bin", name))
      assert.isTrue(fs.existsSync(bin), bin)
      assert.strictEqual(execFileSync(node, ["--version"], { encoding: "utf8" }).trim(), `v${NODE_24}`)
    }
  })
})
