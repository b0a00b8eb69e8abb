/**
 * The `sessionport` npm package as users get it, for tests: packed by pnpm (as it is published),
 * installed by npm (`npm install --global --prefix`) with a chosen Node: this process's, or one
 * from the npm registry's `node-<platform>-<arch>` package (binary and headers, so node-gyp builds
 * against it offline). Only better-sqlite3 and its own dependencies come from the registry.
 *
 * Cached across runs in node_modules/.cache/sessionport-packed: the downloaded Nodes, and each
 * better-sqlite3 binary an install compiled, which later installs' better-sqlite3 install script
 * (prebuild-install) takes as a local prebuild (found through a `.prebuild-installrc` above the
 * prefix). The first install for a Node compiles better-sqlite3 (a minute or more), later ones take
 * seconds. For this process's Node the workspace's own better-sqlite3 build is offered too (used
 * when npm picks the same version).
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

// import.meta.url, not .dirname: vitest.node24.config.ts imports this module, bundled
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url))
const packageDir = path.join(repoRoot, "packages", "sessionport")
const cacheDir = path.join(repoRoot, "node_modules", ".cache", "sessionport-packed")
const prebuildsDir = path.join(cacheDir, "prebuilds")

/** The registry's Nodes the packed install is tested on besides this process's (22 and 24). */
export const NODE_22 = "22.23.5"
export const NODE_24 = "24.22.3"

/** A Node to install and run with: its binary, and its headers' root for node-gyp. */
export interface NodeRuntime {
  readonly version: string
  readonly bin: string
  readonly nodedir: string | undefined
}

/**
 * Runs a command; resolves to its stdout, or rejects with its last lines of output. Async: an
 * install can take minutes, which a blocked test worker would not survive.
 */
const run = (file: string, args: ReadonlyArray<string>, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let output = ""
    child.stdout.on("data", (d) => {
      stdout += d
      output += d
    })
    child.stderr.on("data", (d) => (output += d))
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${path.basename(file)} ${args.join(" ")} failed (${code}):\n${output.split("\n").slice(-40).join("\n")}`)))
  })

/** `pnpm pack` of packages/sessionport (its prepack bundles both CLIs) into `dir`: the tarball. */
export const pack = async (dir: string): Promise<string> => {
  const pnpm = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).packageManager as string
  const tarball = path.join(dir, "sessionport.tgz")
  await run("npx", ["-y", pnpm, "pack", "--out", tarball], { cwd: packageDir, env: userEnv() })
  return tarball
}

/** This process's Node, with the headers installed next to it if there are any. */
export const thisNode = (): NodeRuntime => {
  const root = path.resolve(process.execPath, "..", "..")
  const headers = fs.existsSync(path.join(root, "include", "node", "node_version.h"))
  return { version: process.versions.node, bin: process.execPath, nodedir: headers ? root : undefined }
}

/** Where Node `version` from the registry is unpacked: its folder and its binary. */
export const registryNodePaths = (version: string) => {
  const dir = path.join(cacheDir, `node-v${version}-${process.platform}-${process.arch}`)
  return { dir, bin: path.join(dir, "bin", "node") }
}

/** Where the CLI tests on Node 24 find the packed install they run (vitest.node24.config.ts). */
export const node24Work = path.join(cacheDir, "cli-node24")

/** Node `version` from the registry's `node-<platform>-<arch>` package, unpacked once into the cache. */
export const registryNode = async (version: string): Promise<NodeRuntime> => {
  const { dir, bin } = registryNodePaths(version)
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(cacheDir, { recursive: true })
    const temp = fs.mkdtempSync(path.join(cacheDir, "node-"))
    try {
      const spec = `node-${process.platform}-${process.arch}@${version}`
      const name = (await run(process.execPath, [npmCli(), "pack", spec, "--pack-destination", temp, "--silent"], { env: userEnv() })).trim()
      fs.mkdirSync(path.join(temp, "node"))
      await run("tar", ["xzf", path.join(temp, name), "-C", path.join(temp, "node"), "--strip-components=1"])
      try {
        fs.renameSync(path.join(temp, "node"), dir)
      } catch (error) {
        // another run unpacked it first
        if (!fs.existsSync(bin)) throw error
      }
    } finally {
      fs.rmSync(temp, { recursive: true, force: true })
    }
  }
  return { version, bin, nodedir: dir }
}

/** The npm prefix {@link install} makes in `work`. */
export const prefixIn = (work: string) => path.join(work, "prefix")

/** An installed `sessionport`: its prefix and the path of each bin there. */
export interface Installed {
  readonly prefix: string
  readonly bin: (name: "session-transfer" | "session-sync") => string
}

/**
 * `npm install --global --prefix <work>/prefix <tarball>` run by `node` (its npm scripts too, so
 * better-sqlite3 is built for it), as a user's shell would: no npm_* variables from a parent pnpm.
 * Then the better-sqlite3 it built is kept as a prebuild for the next install.
 */
export const install = async (tarball: string, work: string, node: NodeRuntime): Promise<Installed> => {
  const prefix = prefixIn(work)
  fs.mkdirSync(prebuildsDir, { recursive: true })
  if (node.bin === process.execPath) seedWorkspacePrebuild()
  fs.writeFileSync(path.join(work, ".prebuild-installrc"), `local-prebuilds=${prebuildsDir}\n`)
  const env: NodeJS.ProcessEnv = {
    ...userEnv(),
    PATH: `${path.dirname(node.bin)}${path.delimiter}${process.env.PATH ?? ""}`,
    // node-gyp: every core (sqlite3.c and the binding compile side by side)
    JOBS: "max",
    ...(node.nodedir !== undefined ? { npm_config_nodedir: node.nodedir } : {})
  }
  await run(node.bin, [
    npmCli(), "install", "--global", "--prefix", prefix, tarball,
    "--allow-scripts=better-sqlite3", "--prefer-offline", "--no-audit", "--no-fund", "--no-update-notifier"
  ], { cwd: work, env })
  const abi = (await run(node.bin, ["-p", "process.versions.modules"])).trim()
  keepPrebuild(path.join(prefix, "lib", "node_modules", "sessionport", "node_modules", "better-sqlite3"), abi)
  return { prefix, bin: (name) => path.join(prefix, "bin", name) }
}

/** The environment without what a parent npm or pnpm script adds (npm_config_*, npm_package_*, …). */
const userEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))

/** npm's CLI as installed with this process's Node (bin/node, lib/node_modules/npm). */
const npmCli = () => {
  const cli = path.resolve(process.execPath, "..", "..", "lib", "node_modules", "npm", "bin", "npm-cli.js")
  if (!fs.existsSync(cli)) throw new Error(`no npm next to ${process.execPath} (looked for ${cli})`)
  return cli
}

/** prebuild-install's file name for a better-sqlite3 binary (glibc Linux, macOS; `linuxmusl` elsewhere). */
const prebuildName = (version: string, abi: string) => {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  const libc = process.platform === "linux" && report?.header?.glibcVersionRuntime === undefined ? "musl" : ""
  return `better-sqlite3-v${version}-node-v${abi}-${process.platform}${libc}-${process.arch}.tar.gz`
}

/** Keeps the better-sqlite3 binary of an installed package as a prebuild (once per version and ABI). */
const keepPrebuild = (packageDir: string, abi: string) => {
  const version = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")).version as string
  const file = path.join(prebuildsDir, prebuildName(version, abi))
  if (fs.existsSync(file) || !fs.existsSync(path.join(packageDir, "build", "Release", "better_sqlite3.node"))) return
  const temp = `${file}.${process.pid}.tmp`
  // prebuild-install's layout: build/Release/better_sqlite3.node, unpacked into the package
  const tar = spawnSync("tar", ["czf", temp, "-C", packageDir, "build/Release/better_sqlite3.node"], { stdio: "ignore" })
  if (tar.status === 0) fs.renameSync(temp, file)
  else fs.rmSync(temp, { force: true })
}

/** The workspace's own better-sqlite3 (built by `pnpm install`) as a prebuild, if it loads in this Node. */
const seedWorkspacePrebuild = () => {
  const require = createRequire(path.join(packageDir, "package.json"))
  try {
    const Database = require("better-sqlite3") as new(file: string) => { close(): void }
    new Database(":memory:").close()
  } catch {
    return
  }
  keepPrebuild(path.dirname(require.resolve("better-sqlite3/package.json")), process.versions.modules)
}
