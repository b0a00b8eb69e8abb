import { runBin } from "@sessionport/codex-oracle/Cli"
import { fileURLToPath } from "node:url"

export { type CliResult, errorLines } from "@sessionport/codex-oracle/Cli"

const bin = fileURLToPath(new URL("../../bin/session-sync.mjs", import.meta.url))
const transferBin = fileURLToPath(new URL("../../../transfer-cli/bin/session-transfer.mjs", import.meta.url))

/** Runs the bundled `session-sync` in a child process, as a user would. */
export const sessionSync = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runBin(bin, args, options)

/** Runs the bundled `session-transfer` (built by its own package's setup or `pnpm build:bin`). */
export const sessionTransfer = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runBin(transferBin, args, options)
