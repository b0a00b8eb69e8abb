import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ClaudeReader, ClaudeRecord } from "@sessionport/schema"
import { Chunk, Effect, Either, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { claudeKind, claudeTranscripts, nonEmptyLines, readWhole } from "./utils/files.js"

const readAll = (file: string) =>
  ClaudeReader.readFile(file).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray), Effect.provide(NodeContext.layer))

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")

describe("ClaudeReader.readFile", () => {
  for (const file of claudeTranscripts()) {
    it.effect(`reads ${path.relative(repoRoot, file)} back byte for byte, every line known`, () =>
      Effect.gen(function*() {
        const records = (yield* readAll(file)).map((result) => Either.getOrThrow(result))
        const text = readWhole(file)
        assert.strictEqual(records.map((r) => r.raw + (r.terminated ? "\n" : "")).join(""), text)
        const kinds = new Map<string, number>()
        for (const record of records) {
          if (record.entry._tag === "Blank") continue
          assert.strictEqual(record.entry._tag, "Known", `line ${record.lineNumber}`)
          const kind = claudeKind(ClaudeRecord.encodeEntry(record.entry))
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
        }
        const expected = new Map<string, number>()
        for (const raw of nonEmptyLines(text)) {
          const kind = claudeKind(JSON.parse(raw))
          expected.set(kind, (expected.get(kind) ?? 0) + 1)
        }
        assert.deepStrictEqual(kinds, expected)
      }))
  }

  it.effect("a torn last line, a line that is not JSON, and an unknown type", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "claude-reader-"))
      const file = path.join(dir, "s.jsonl")
      fs.writeFileSync(file, `{"type":"mode","mode":"normal","sessionId":"s"}\nnot json\n\n{"type":"later-kind"}\n{"type":"tag","ta`)
      const results = yield* readAll(file)
      assert.strictEqual(results.length, 5)
      assert.isTrue(Either.isLeft(results[1]!))
      assert.isTrue(Either.isLeft(results[4]!))
      const last = results[4]!
      if (Either.isLeft(last)) assert.isFalse(last.left.terminated)
      const lenient = yield* ClaudeReader.lenient(Stream.fromIterable(results)).pipe(Stream.runCollect)
      assert.deepStrictEqual(Chunk.toReadonlyArray(lenient).map((r) => r.entry._tag), ["Known", "Blank", "Unknown"])
      const strict = yield* ClaudeReader.strict(Stream.fromIterable(results)).pipe(Stream.runCollect, Effect.flip)
      assert.strictEqual(strict.lineNumber, 2)
      fs.rmSync(dir, { recursive: true })
    }))

  it.effect("a missing file is a TranscriptReadError naming it", () =>
    Effect.gen(function*() {
      const error = yield* readAll("/nonexistent/claude/x.jsonl").pipe(Effect.flip)
      assert.strictEqual(error._tag, "TranscriptReadError")
      assert.match(error.message, /cannot read \/nonexistent\/claude\/x\.jsonl: no such file/)
    }))
})
