/**
 * OpenCode runs on a database when a process holds it open: a child process with a
 * better-sqlite3 connection (WAL, as OpenCode keeps it) stands for it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Activity } from "@sessionport/opencode-home"
import { Fixtures } from "@sessionport/opencode-oracle"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve("better-sqlite3")

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
})

const copyDatabase = () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "opencode-activity-")))
  temps.push(dir)
  const database = path.join(dir, "opencode.db")
  fs.copyFileSync(path.join(Fixtures.fixtureData, "opencode.db"), database)
  return database
}

/** A process with `file` open (a connection, idle), once it is. */
const holdOpen = (file: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const script = `const D = require(${JSON.stringify(BETTER_SQLITE3)}); const db = new D(${JSON.stringify(file)});` +
      ` db.pragma("journal_mode = WAL"); db.prepare("SELECT count(*) FROM session").get();` +
      ` process.stdout.write("open\\n"); setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout!.once("data", () => resolve(child))
    child.once("exit", (code) => reject(new Error(`the holder exited (${code})`)))
  })

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGKILL")
  await exited
}

describe("OpenCode Activity", () => {
  it("no process has the database open: none; no database at all: none", () => {
    const database = copyDatabase()
    assert.deepStrictEqual(Activity.holders(database), [])
    assert.deepStrictEqual(Activity.holders(path.join(path.dirname(database), "missing.db")), [])
  })

  it("a process holding the database open is found, with its pid and command; once it ends, it is not", async () => {
    const database = copyDatabase()
    const child = await holdOpen(database)
    try {
      assert.deepStrictEqual(Activity.holders(database), [{ pid: child.pid!, command: "node" }])
    } finally {
      await stop(child)
    }
    assert.deepStrictEqual(Activity.holders(database), [])
  })

  it("found through another name of the same file (a symlinked data folder)", async () => {
    const database = copyDatabase()
    const link = path.join(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "opencode-activity-link-"))), "data")
    temps.push(path.dirname(link))
    fs.symlinkSync(path.dirname(database), link)
    // opened by its real path, asked by the link; then the other way round
    const byReal = await holdOpen(database)
    try {
      assert.deepStrictEqual(Activity.holders(path.join(link, "opencode.db")).map((h) => h.pid), [byReal.pid])
    } finally {
      await stop(byReal)
    }
    const byLink = await holdOpen(path.join(link, "opencode.db"))
    try {
      assert.deepStrictEqual(Activity.holders(database).map((h) => h.pid), [byLink.pid])
    } finally {
      await stop(byLink)
    }
  })

  it("only the database asked about: a process holding another data folder's is not found", async () => {
    const database = copyDatabase()
    const other = copyDatabase()
    const child = await holdOpen(other)
    try {
      assert.deepStrictEqual(Activity.holders(database), [])
      assert.deepStrictEqual(Activity.holders(other).map((h) => h.pid), [child.pid])
    } finally {
      await stop(child)
    }
  })
})
