import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { Syncthing } from "@sessionport/codex-oracle"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const ensureScript = fileURLToPath(new URL("../../../scripts/ensure-syncthing.mjs", import.meta.url))

// The pair lives for the test's scope: folders in a scoped temp dir, the instances started there.
const twoMachines = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const root = yield* fs.makeTempDirectoryScoped({ prefix: "syncthing-test-" })
  const folder = { a: Path.join(root, "A"), b: Path.join(root, "B") }
  const started = Date.now()
  const pair = yield* Syncthing.pair({ folder })
  console.log(`Syncthing.pair: both started, connected and sharing in ${Date.now() - started} ms`)
  const settle = Effect.gen(function*() {
    const t = Date.now()
    yield* pair.settle
    return Date.now() - t
  })
  return { folder, pair, settle }
})

// pids still alive (signal 0 fails for a process that is gone)
const running = (pids: ReadonlyArray<number>) =>
  pids.filter((pid) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  })

let missing: string | undefined

describe("Syncthing (two real instances on loopback)", () => {
  // a clean machine installs Debian's package here (as root); otherwise the script says how
  beforeAll(() => {
    const out = spawnSync(process.execPath, [ensureScript], { encoding: "utf8" })
    missing = Syncthing.missing() === undefined ? undefined : out.stderr.trim().split("\n").pop() ?? "syncthing missing"
  }, 900_000)
  beforeEach((ctx) => {
    if (missing !== undefined) ctx.skip(missing)
  })

  it.scoped("keeps a folder in step: A→B, B→A, and a temp-then-rename write arrives whole", () =>
    Effect.gen(function*() {
      const { folder, pair, settle } = yield* twoMachines
      assert.notStrictEqual(pair.a.deviceId, pair.b.deviceId)

      Fs.writeFileSync(Path.join(folder.a, "from-a.txt"), "written on A\n")
      console.log(`A→B settled in ${yield* settle} ms`)
      assert.strictEqual(Fs.readFileSync(Path.join(folder.b, "from-a.txt"), "utf8"), "written on A\n")

      Fs.mkdirSync(Path.join(folder.b, "outbox"))
      Fs.writeFileSync(Path.join(folder.b, "outbox", "from-b.txt"), "written on B\n")
      console.log(`B→A settled in ${yield* settle} ms`)
      assert.strictEqual(Fs.readFileSync(Path.join(folder.a, "outbox", "from-b.txt"), "utf8"), "written on B\n")

      // written in pieces under a temporary name (the watcher may ship the partial file), then renamed
      const payload = Buffer.alloc(3 * 1024 * 1024, 0)
      for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32LE(i * 2654435761 >>> 0, i)
      const tmp = Path.join(folder.a, "package.tgz.tmp")
      for (let part = 0; part < 3; part++) {
        Fs.appendFileSync(tmp, payload.subarray(part * 1024 * 1024, (part + 1) * 1024 * 1024))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 400)))
      }
      Fs.renameSync(tmp, Path.join(folder.a, "package.tgz"))
      console.log(`tmp+rename settled in ${yield* settle} ms`)
      assert.isTrue(Fs.readFileSync(Path.join(folder.b, "package.tgz")).equals(payload), "package.tgz arrives whole on B")
      assert.isFalse(Fs.existsSync(Path.join(folder.b, "package.tgz.tmp")), "the temporary name is gone on B")

      // both trees now hold the same files (apart from Syncthing's own marker)
      const files = (dir: string) =>
        (Fs.readdirSync(dir, { recursive: true }) as Array<string>).filter((f) => !f.startsWith(".stfolder")).sort()
      assert.deepStrictEqual(files(folder.a), ["from-a.txt", "outbox", Path.join("outbox", "from-b.txt"), "package.tgz"])
      assert.deepStrictEqual(files(folder.b), files(folder.a))
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.effect("leaves no process and no home behind when its scope closes, even on failure", () =>
    Effect.gen(function*() {
      const seen: Array<{ readonly pids: ReadonlyArray<number>; readonly homes: ReadonlyArray<string> }> = []
      const failed = yield* Effect.gen(function*() {
        const { pair } = yield* twoMachines
        seen.push({ pids: [pair.a.pid, pair.b.pid], homes: [pair.a.home, pair.b.home] })
        assert.deepStrictEqual(running([pair.a.pid, pair.b.pid]), [pair.a.pid, pair.b.pid])
        return yield* Effect.fail("the test body failed")
      }).pipe(Effect.scoped, Effect.flip)
      assert.strictEqual(failed, "the test body failed")
      const [{ homes, pids }] = seen as [typeof seen[number]]
      assert.deepStrictEqual(running(pids), [])
      assert.isFalse(homes.some((home) => Fs.existsSync(home)), "homes removed")
      // nor any syncthing whose home was one of ours (a forked child would show up here)
      const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      assert.isFalse(homes.some((home) => ps.includes(home)), "no syncthing of ours in ps")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
