import { assert, describe, it } from "@effect/vitest"
import { ClaudeFileHistory } from "@sessionport/schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { nonEmptyLines, readWhole } from "./utils/files.js"

const home = path.resolve(import.meta.dirname, "..", "..", "..", "fixtures", "claude", "home")

describe("backupFileName", () => {
  it("is sha256(absolute path) in hex, its first 16 digits, @v and the version (research example)", () => {
    // real-claude-opencode-offline.md §2.2: notes-24.txt in $WORK/tm/proj-B, $WORK = /tmp/oc-work
    assert.strictEqual(ClaudeFileHistory.backupFileName("/tmp/oc-work/tm/proj-B/notes-24.txt", 2), "1c3a1aa1c8ce914d@v2")
  })

  it("names every backup of fixtures/claude after a tracked file of its session", () => {
    const dir = path.join(home, "file-history")
    let checked = 0
    for (const sessionId of fs.readdirSync(dir)) {
      const transcript = fs.readdirSync(path.join(home, "projects"))
        .map((folder) => path.join(home, "projects", folder, `${sessionId}.jsonl`))
        .find((file) => fs.existsSync(file))!
      const tracked = new Set<string>()
      for (const raw of nonEmptyLines(readWhole(transcript))) {
        const line = JSON.parse(raw)
        if (line.type === "file-history-delta") tracked.add(path.join(line.backup.realParentDir, line.trackingPath))
        if (line.type === "file-history-snapshot") {
          for (const [relative, backup] of Object.entries<any>(line.snapshot.trackedFileBackups)) {
            tracked.add(path.join(backup.realParentDir, relative))
          }
        }
      }
      for (const name of fs.readdirSync(path.join(dir, sessionId))) {
        const parsed = ClaudeFileHistory.parseBackupFileName(name)!
        const match = [...tracked].find((file) => ClaudeFileHistory.backupFileName(file, parsed.version) === name)
        assert.isDefined(match, name)
        checked++
      }
    }
    assert.isAbove(checked, 0)
  })

  it("parses names back, and nothing else", () => {
    assert.deepStrictEqual(ClaudeFileHistory.parseBackupFileName("9ed8d4c80929da0c@v12"), { pathHash: "9ed8d4c80929da0c", version: 12 })
    assert.isUndefined(ClaudeFileHistory.parseBackupFileName("9ed8d4c80929da0c"))
    assert.isUndefined(ClaudeFileHistory.parseBackupFileName("9ED8D4C80929DA0C@v1"))
    assert.isUndefined(ClaudeFileHistory.parseBackupFileName("../9ed8d4c80929da0c@v1"))
  })
})
