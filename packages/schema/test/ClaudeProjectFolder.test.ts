import { assert, describe, it } from "@effect/vitest"
import { ClaudeProjectFolder } from "@sessionport/schema"
import * as fs from "node:fs"
import * as path from "node:path"

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")

describe("projectFolderName", () => {
  it("gives the folders real Claude Code 2.1.332 made (research examples)", () => {
    // /work/shared/research/real-claude-opencode-offline.md §2.2, $WORK = /tmp/oc-work
    assert.strictEqual(ClaudeProjectFolder.projectFolderName("/tmp/oc-work/mA-proj/my.proj_A"), "-tmp-oc-work-mA-proj-my-proj-A")
    assert.strictEqual(
      ClaudeProjectFolder.projectFolderName("/tmp/oc-work/enc/Ünï code dir.café~x@y+z"),
      "-tmp-oc-work-enc--n--code-dir-caf--x-y-z"
    )
  })

  it("gives the folders of fixtures/claude", () => {
    const fixtures = JSON.parse(fs.readFileSync(path.join(repoRoot, "fixtures", "claude", "fixtures.json"), "utf8")) as {
      sessions: Record<string, { transcript: string; cwd: string }>
    }
    for (const session of Object.values(fixtures.sessions)) {
      assert.strictEqual(ClaudeProjectFolder.projectFolderName(session.cwd), session.transcript.split("/")[1])
    }
  })

  it("cuts a name over 200 characters and adds the djb2 hash of the whole path (a real run)", () => {
    // a 280-character cwd; Claude Code 2.1.332 made this folder for it (claude -p in that cwd)
    let cwd = "/tmp/cc-long/"
    for (let i = 0; cwd.length < 280; i++) cwd += `long-directory-name-${String(i).padStart(2, "0")}/`
    cwd = cwd.slice(0, 280)
    assert.strictEqual(cwd.length, 280)
    const name = ClaudeProjectFolder.projectFolderName(cwd)
    assert.strictEqual(
      name,
      "-tmp-cc-long-long-directory-name-00-long-directory-name-01-long-directory-name-02-long-directory-name-03-long-directory-name-04-long-directory-name-05-long-directory-name-06-long-directory-name-07-lon-cep5g3"
    )
    assert.strictEqual(name.length, 200 + 1 + "cep5g3".length)
  })

  it("turns each UTF-16 code unit into one '-': an astral character gives two (a real run)", () => {
    assert.strictEqual(ClaudeProjectFolder.projectFolderName("/tmp/cc-astral/a😀b Ünï.café~x@y+z"), "-tmp-cc-astral-a--b--n--caf--x-y-z")
  })

  it("keeps 200 characters whole and cuts 201", () => {
    const at = "/" + "a".repeat(199)
    assert.strictEqual(ClaudeProjectFolder.projectFolderName(at), "-" + "a".repeat(199))
    const over = "/" + "a".repeat(200)
    const name = ClaudeProjectFolder.projectFolderName(over)
    assert.strictEqual(name, `-${"a".repeat(199)}-${Math.abs(ClaudeProjectFolder.djb2(over)).toString(36)}`)
    // the hash is of the path, not of the encoded name
    assert.notStrictEqual(ClaudeProjectFolder.djb2(over), ClaudeProjectFolder.djb2(over.replace("/", "-")))
  })
})

describe("djb2", () => {
  it("is h = (h << 5) - h + code, in 32-bit signed arithmetic, from 0", () => {
    assert.strictEqual(ClaudeProjectFolder.djb2(""), 0)
    assert.strictEqual(ClaudeProjectFolder.djb2("a"), 97)
    assert.strictEqual(ClaudeProjectFolder.djb2("ab"), 97 * 31 + 98)
    // Java's "hello".hashCode() and a value past 2^31 that wraps negative
    assert.strictEqual(ClaudeProjectFolder.djb2("hello"), 99162322)
    assert.strictEqual(ClaudeProjectFolder.djb2("polygenelubricants"), -2147483648)
    // UTF-16 code units: an astral character is two
    assert.strictEqual(ClaudeProjectFolder.djb2("😀"), 0xd83d * 31 + 0xde00)
  })
})

describe("transcriptFileName", () => {
  it("is <sessionId>.jsonl", () => {
    assert.strictEqual(ClaudeProjectFolder.transcriptFileName("d5320610-0000-4000-8000-000000000000"), "d5320610-0000-4000-8000-000000000000.jsonl")
  })
})
