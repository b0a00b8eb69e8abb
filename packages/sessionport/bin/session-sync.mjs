#!/usr/bin/env node
// Runs the bundled CLI (dist/session-sync.cjs, see scripts/build.mjs) from V8's code cache.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const launcher = new URL("../dist/launch.mjs", import.meta.url)
if (!existsSync(launcher)) {
  console.error("session-sync: this copy of sessionport is not built; in the repository: pnpm --filter sessionport build:bin")
  process.exit(1)
}
const { launch } = await import(launcher.href)
launch(fileURLToPath(new URL("../dist/session-sync.cjs", import.meta.url)), "session-sync")
