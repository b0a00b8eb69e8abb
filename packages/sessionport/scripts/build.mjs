// Bundles both CLIs into dist/ (session-transfer.cjs, session-sync.cjs, launch.mjs: see cli-kit's
// bundle), the whole of what this package runs; `pnpm pack` runs it (prepack). No source maps:
// 12 MB each, and the bins do not run with --enable-source-maps.
// What a bundle leaves external is required at run time, so it must be one of this package's
// dependencies (the @sessionport/* packages are bundled, never published); the build fails if not.
import { readFileSync } from "node:fs"
import { isBuiltin } from "node:module"
import { fileURLToPath } from "node:url"
import { bundle } from "../../cli-kit/scripts/bundle.mjs"

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const manifest = JSON.parse(readFileSync(here("../package.json"), "utf8"))
// `debug` (under @secretlint/core) tries `supports-color` in a try block and does without
const OPTIONAL = new Set(["supports-color"])

const bins = { "session-transfer": "../../transfer-cli", "session-sync": "../../sync-cli" }
for (const [name, cli] of Object.entries(bins)) {
  const metafile = await bundle(here(cli), name, { outDir: here("../dist"), sourcemap: false })
  const undeclared = Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((i) => i.external && !isBuiltin(i.path))
    .map((i) => i.path.split("/").slice(0, i.path.startsWith("@") ? 2 : 1).join("/"))
    .filter((pkg) => !(pkg in (manifest.dependencies ?? {})) && !OPTIONAL.has(pkg))
  if (undeclared.length > 0) {
    throw new Error(`${name}: the bundle requires ${[...new Set(undeclared)].join(", ")} at run time: add to packages/sessionport/package.json's dependencies`)
  }
}
