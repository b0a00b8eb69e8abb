// Bundles src/bin.ts into one ESM file (fast start). better-sqlite3 is native: left external and
// resolved from this package's node_modules at run time.
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
await build({
  entryPoints: [`${root}/src/bin.ts`],
  outfile: `${root}/dist/session-transfer.mjs`,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: "linked",
  external: ["better-sqlite3", "@parcel/watcher"],
  // CommonJS dependencies call require(); give the ESM bundle one
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning"
})
