#!/usr/bin/env node
// Runs the bundled CLI: one esbuild file, so it starts fast (built by `pnpm build:bin`).
import { existsSync } from "node:fs"

const bundle = new URL("../dist/session-sync.mjs", import.meta.url)
if (!existsSync(bundle)) {
  console.error("session-sync: the CLI is not built yet; run `npm run setup` in the repository")
  process.exit(1)
}
await import(bundle.href)
