// Bundles a CLI package's src/bin.ts into one CommonJS file, dist/<name>.cjs, which its bin
// (bin/<name>.mjs, see launch.mjs) runs with V8's code cache: start-up is not spent compiling.
// better-sqlite3 is native: left external and resolved from the package's node_modules at run time.
import { build } from "esbuild"
import { copyFileSync } from "node:fs"

/**
 * @param {string} root the CLI package's folder @param {string} name the bin's name
 * @param {{ outDir?: string, sourcemap?: boolean }} [options] where the bundle goes (default:
 * the CLI package's dist/; the npm package `sessionport` bundles both CLIs into its own) and
 * whether a source map goes with it (default: yes)
 * @returns the esbuild metafile: what the bundle left external, for the packages it needs
 * The launcher (launch.mjs) is copied next to the bundle: a CLI package holds all it runs.
 */
export const bundle = async (root, name, { outDir = `${root}/dist`, sourcemap = true } = {}) => {
  const { metafile } = await buildBundle(root, name, outDir, sourcemap)
  copyFileSync(new URL("./launch.mjs", import.meta.url), `${outDir}/launch.mjs`)
  return metafile
}

const buildBundle = (root, name, outDir, sourcemap) =>
  build({
    entryPoints: [`${root}/src/bin.ts`],
    outfile: `${outDir}/${name}.cjs`,
    bundle: true,
    platform: "node",
    target: "node20",
    // a script, not a module: only scripts can be compiled from V8's code cache on Node 20
    format: "cjs",
    sourcemap: sourcemap ? "linked" : false,
    metafile: true,
    // no comments: some hold non-ASCII characters, which make V8 keep the whole source as a
    // two-byte string (twice the memory); names stay as they are (error tags, spans)
    minifyWhitespace: true,
    legalComments: "none",
    external: ["better-sqlite3", "@parcel/watcher"],
    // the sources' `import.meta.url` (a native module's createRequire), as a CommonJS file has it
    define: { "import.meta.url": "__sessionport_import_meta_url" },
    banner: { js: "var __sessionport_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: "warning"
  })
