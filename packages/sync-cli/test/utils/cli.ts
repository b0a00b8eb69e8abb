import { binUnderTest, runBin } from "@sessionport/codex-oracle/Cli"
import { tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export { type CliResult, errorLines } from "@sessionport/codex-oracle/Cli"

// the repository's bundles, or the npm package's installed in SESSIONPORT_TEST_PREFIX (see binUnderTest)
const sync = binUnderTest("session-sync", fileURLToPath(new URL("../../bin/session-sync.mjs", import.meta.url)))
const transfer = binUnderTest("session-transfer", fileURLToPath(new URL("../../../transfer-cli/bin/session-transfer.mjs", import.meta.url)))

/** Runs the bundled `session-sync` in a child process, as a user would. */
export const sessionSync = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runBin(sync.bin, args, { ...options, node: sync.node })

/** Runs the bundled `session-transfer` (built by its own package's setup or `pnpm build:bin`). */
export const sessionTransfer = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runBin(transfer.bin, args, { ...options, node: transfer.node })

/** A `.tgz` package of one generated Codex session (`thread`) of a few lines, exported by `session-transfer`. */
export const onePackage = (thread: string) =>
  Effect.gen(function*() {
    const home = tempDir("one-package-src")
    writeRollout(home, thread, new Date(Date.UTC(2026, 0, 1)), [sessionMeta({ id: thread, cwd: "/home/alice/proj" }), userMessage("hi")])
    const pkg = path.join(tempDir("one-package"), "pkg.tgz")
    const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg])
    if (exported.code !== 0) return yield* Effect.die(new Error(`export failed: ${exported.stderr}`))
    return pkg
  })
