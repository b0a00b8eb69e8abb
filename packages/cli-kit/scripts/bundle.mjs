// Bundles a CLI package's src/bin.ts into one ESM file, dist/<name>.mjs (fast start).
// better-sqlite3 is native: left external and resolved from the package's node_modules at run time.
import { build } from "esbuild"

/** @param {string} root the CLI package's folder @param {string} name the bin's name */
export const bundle = (root, name) =>
  build({
    entryPoints: [`${root}/src/bin.ts`],
    outfile: `${root}/dist/${name}.mjs`,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: "linked",
    // no comments: some hold non-ASCII characters, which make V8 keep the whole source as a
    // two-byte string (twice the memory); names stay as they are (error tags, spans)
    minifyWhitespace: true,
    legalComments: "none",
    external: ["better-sqlite3", "@parcel/watcher"],
    // CommonJS dependencies call require(); give the ESM bundle one
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: "warning"
  })
