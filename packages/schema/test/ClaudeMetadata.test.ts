import { assert, describe, it } from "@effect/vitest"
import { ClaudeMetadata } from "@sessionport/schema"
import { Schema } from "effect"
import { writerShapedLines } from "./utils/claudeSamples.js"
import { claudeTranscripts, nonEmptyLines, readWhole } from "./utils/files.js"

const isMetadata = Schema.is(ClaudeMetadata.MetadataLine)
const conversation = new Set(["user", "assistant", "attachment", "system", "progress"])

describe("metadata lines", () => {
  it("every real metadata line matches", () => {
    let count = 0
    for (const file of claudeTranscripts()) {
      for (const raw of nonEmptyLines(readWhole(file))) {
        const line = JSON.parse(raw)
        if (conversation.has(line.type)) continue
        assert.isTrue(isMetadata(line), raw.slice(0, 200))
        count++
      }
    }
    assert.isAbove(count, 50)
  })

  it("every type no run produced matches in the shape its writer gives it", () => {
    for (const line of writerShapedLines) if (line.type !== "progress") assert.isTrue(isMetadata(line), String(line.type))
  })

  it("file history: backups keyed by relative path, a new file's backup is null", () => {
    const snapshot = Schema.is(ClaudeMetadata.FileHistorySnapshotLine)
    const backup = { backupFileName: "dd262c05038691ef@v2", version: 2, backupTime: "t", realParentDir: "/p" }
    assert.isTrue(snapshot({ type: "file-history-snapshot", messageId: "m", snapshot: { messageId: "m", trackedFileBackups: { "a.txt": backup }, timestamp: "t" }, isSnapshotUpdate: false }))
    assert.isFalse(snapshot({ type: "file-history-snapshot", messageId: "m", snapshot: { messageId: "m", trackedFileBackups: { "a.txt": { version: 2 } }, timestamp: "t" } }))
    const delta = Schema.is(ClaudeMetadata.FileHistoryDeltaLine)
    assert.isTrue(delta({ type: "file-history-delta", messageId: "m", snapshotMessageId: "s", trackingPath: "a.txt", backup: { ...backup, backupFileName: null, version: 1 }, timestamp: "t" }))
  })

  it("last-prompt: a leaf, or null after an explicit rewind to the start", () => {
    const lastPrompt = Schema.is(ClaudeMetadata.LastPromptLine)
    assert.isTrue(lastPrompt({ type: "last-prompt", lastPrompt: "turn two", leafUuid: "l", sessionId: "s" }))
    assert.isTrue(lastPrompt({ type: "last-prompt", leafUuid: null, explicit: true, sessionId: "s" }))
    assert.isFalse(lastPrompt({ type: "last-prompt", leafUuid: 5, sessionId: "s" }))
  })
})
