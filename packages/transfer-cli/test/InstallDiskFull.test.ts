// A real full disk: the home on a small tmpfs, filled up to leave a little room, then an install
// that runs out of it part-way (the finding: with 320-400 KB free, an install left 6 rollouts and
// an index line behind until the next command). Every run ends with the home exactly as before, or
// the install complete; a failure says, in its one line, that nothing was changed.
// Needs root (mount); CI runs as root. The ENOSPC at every journal step, injected, is in
// InstallCrash.test.ts and runs everywhere.
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, fixtureHome, fixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"

const mounts: Array<string> = []
afterAll(() => {
  for (const dir of mounts) execFileSync("umount", [dir])
  removeTemps()
})

/** a tmpfs of `bytes` at a new folder, or undefined where mounting is not permitted */
const smallDisk = (bytes: number): string | undefined => {
  const dir = tempDir("tmpfs")
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" })
  } catch {
    return undefined
  }
  mounts.push(dir)
  return dir
}

const canMount = (() => {
  const dir = smallDisk(1024 * 1024)
  return dir !== undefined
})()

/** fills `dir`'s file system up to `free` bytes left (a file written until ENOSPC, then cut back) */
const fillLeaving = (dir: string, free: number) => {
  const filler = path.join(dir, "filler")
  const chunk = Buffer.alloc(64 * 1024)
  const fd = fs.openSync(filler, "w")
  try {
    for (;;) fs.writeSync(fd, chunk)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error
  } finally {
    fs.closeSync(fd)
  }
  fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - free))
}

describe.skipIf(!canMount)("install on a really full disk (tmpfs; needs root)", () => {
  it.effect("with 0 to 1.5 MB left: exit 1 with one line saying nothing was changed and the home as before, or installed", () =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("pkg"), "sessions.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      let failed = 0
      let installed = 0
      for (const kb of [0, 16, 64, 128, 256, 320, 352, 384, 448, 512, 768, 1024, 1536]) {
        const disk = smallDisk(4 * 1024 * 1024)!
        const home = path.join(disk, "home")
        fs.cpSync(fixtureHome, home, { recursive: true })
        const alpha = path.join(disk, "alpha")
        fs.mkdirSync(alpha)
        const before = homeState(home)
        fillLeaving(disk, kb * 1024)
        const run = yield* sessionTransfer(["install", pkg, "--codex-home", home, "--map", `${fixtures.source.alpha}=${alpha}`], {
          env: { TMPDIR: tempDir("tmp") }
        })
        if (run.code === 0) {
          installed++
          continue
        }
        failed++
        assert.strictEqual(run.code, 1, `${kb} KB free: ${run.stderr}`)
        assert.strictEqual(errorLines(run).length, 1, `${kb} KB free: ${run.stderr}`)
        assert.match(run.stderr, /ENOSPC|SQLITE_FULL|disk is full|no space/i, `${kb} KB free`)
        if (run.stderr.includes("transaction")) assert.include(run.stderr, "nothing was changed", `${kb} KB free: ${run.stderr}`)
        // on exit, before any next command
        assert.deepStrictEqual(homeState(home), before, `${kb} KB free: the home as before`)
        // and the next command, with room again, finds nothing to undo
        fs.rmSync(path.join(disk, "filler"))
        const next = yield* sessionTransfer(["list-transactions", "--codex-home", home, "--json"])
        assert.strictEqual(next.code, 0, `${kb} KB free: ${next.stderr}`)
        assert.deepStrictEqual(homeState(home), before, `${kb} KB free: after the next command`)
      }
      assert.isAtLeast(failed, 3, "some installs ran out of space")
      assert.isAtLeast(installed, 1, "with room enough the install completes")
    }), 300_000)
})
