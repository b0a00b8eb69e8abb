import { assert, describe, it } from "@effect/vitest"
import { Activity } from "@sessionport/claude-home"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

describe("Claude Activity", () => {
  it("a sessions/<pid>.json of a live process says Claude runs; of a dead one, not", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "claude-activity-"))
    const running = path.join(home, "sessions")
    fs.mkdirSync(running)
    assert.deepStrictEqual(Activity.running(home, running), [])
    const child = spawn("sleep", ["30"], { stdio: "ignore" })
    try {
      fs.writeFileSync(path.join(running, `${child.pid}.json`), JSON.stringify({ pid: child.pid }))
      assert.deepStrictEqual(Activity.running(home, running), [{ pid: child.pid!, via: "session-file" }])
    } finally {
      child.kill("SIGKILL")
      await new Promise((resolve) => child.on("exit", resolve))
    }
    assert.deepStrictEqual(Activity.running(home, running), [])
    fs.rmSync(home, { recursive: true, force: true })
  })
})
