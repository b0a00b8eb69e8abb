// Runs a bundled CLI (dist/<name>.cjs) from V8's code cache: the first run compiles it and keeps
// the code it compiled (dist/<name>.cjs.cache, written when the process exits); later runs start
// from that code instead of compiling 3 MB of JavaScript. A cache V8 rejects (another Node, a
// rebuilt bundle) is made again; one that cannot be written (a read-only install) is skipped.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import Module, { createRequire } from "node:module"
import * as path from "node:path"
import vm from "node:vm"

/** @param {string} bundle the bundle's absolute path @param {string} name the bin's name */
export const launch = (bundle, name) => {
  if (!existsSync(bundle)) {
    console.error(`${name}: the CLI is not built yet; run \`npm run setup\` in the repository`)
    process.exit(1)
  }
  const source = readFileSync(bundle, "utf8")
  const cacheFile = `${bundle}.cache`
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    cachedData = undefined
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData })
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // after the run: the cache then holds every function the command compiled too
    process.once("exit", () => {
      try {
        const temp = `${cacheFile}.${process.pid}.tmp`
        writeFileSync(temp, script.createCachedData())
        renameSync(temp, cacheFile)
      } catch {
        // not writable: every run compiles, as without a cache
      }
    })
  }
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle))
}
