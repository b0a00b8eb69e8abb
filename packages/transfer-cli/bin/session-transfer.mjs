#!/usr/bin/env node
// Runs the bundled CLI: one esbuild file, started from V8's code cache (built by `pnpm build:bin`;
// the build copies the launcher, cli-kit/scripts/launch.mjs, next to the bundle).
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const launcher = new URL("../dist/launch.mjs", import.meta.url)
if (!existsSync(launcher)) {
  console.error("session-transfer: the CLI is not built yet; run `npm run setup` in the repository")
  process.exit(1)
}
const { launch } = await import(launcher.href)
launch(fileURLToPath(new URL("../dist/session-transfer.cjs", import.meta.url)), "session-transfer")
