import { binUnderTest, runBin } from "@sessionport/codex-oracle/Cli"
import { fileURLToPath } from "node:url"

export { type CliResult, errorLines } from "@sessionport/codex-oracle/Cli"

// the repository's bundle, or the npm package's installed in SESSIONPORT_TEST_PREFIX (see binUnderTest)
const { bin, node } = binUnderTest("session-transfer", fileURLToPath(new URL("../../bin/session-transfer.mjs", import.meta.url)))

/** Runs the bundled `session-transfer` in a child process, as a user would. */
export const sessionTransfer = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runBin(bin, args, { ...options, node })
