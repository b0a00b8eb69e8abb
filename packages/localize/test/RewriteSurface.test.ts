import { assert, describe, it } from "@effect/vitest"
import { RewriteSurface } from "@sessionport/package-format"
import * as fs from "node:fs"
import * as path from "node:path"

const doc = fs.readFileSync(path.resolve(import.meta.dirname, "../../../docs/rewrite-surface.md"), "utf8")
const rows = doc.split("\n").filter((line) => line.startsWith("| `"))

describe("RewriteSurface", () => {
  it("every entry is a row of docs/rewrite-surface.md, and every surface row is an entry", () => {
    const expected = RewriteSurface.entries.map((e) =>
      `| \`${e.type}\` | ${e.payloadType === undefined ? "any" : `\`${e.payloadType}\``} | \`${e.field}\` | ${e.holds}${
        e.whole === true ? " (whole)" : ""
      } | ${e.origin} |`
    )
    for (const row of expected) assert.isTrue(rows.some((line) => line.startsWith(row)), `docs lack ${row}`)
    const surfaceRows = rows.filter((line) => /^\| `[a-z_]+` \| (any|`[a-z_]+`) \| `payload/.test(line))
    assert.strictEqual(surfaceRows.length, expected.length, "no row without an entry")
  })

  it("every field path parses, and names one place once", () => {
    const seen = new Set<string>()
    for (const entry of RewriteSurface.entries) {
      const steps = RewriteSurface.parseField(entry.field)
      assert.deepStrictEqual(steps[0], { _tag: "Key", key: "payload" }, entry.field)
      const key = `${entry.type}/${entry.payloadType ?? "*"}/${entry.field}`
      assert.isFalse(seen.has(key), key)
      seen.add(key)
      if (entry.whole === true) assert.strictEqual(entry.holds, "text-with-cwd")
      if (steps.some((s) => s._tag === "Keys")) assert.strictEqual(entry.holds, "path", "only paths are map keys")
    }
  })

  it("parses each step", () => {
    assert.deepStrictEqual(RewriteSurface.parseField("payload[?role=user].content[*][?type=input_text].text"), [
      { _tag: "Key", key: "payload" },
      { _tag: "Where", key: "role", equals: "user" },
      { _tag: "Key", key: "content" },
      { _tag: "Each" },
      { _tag: "Where", key: "type", equals: "input_text" },
      { _tag: "Key", key: "text" }
    ])
    assert.deepStrictEqual(RewriteSurface.parseField("payload.arguments@json.workdir").map((s) => s._tag), ["Key", "Key", "Json", "Key"])
    assert.deepStrictEqual(RewriteSurface.parseField("payload.changes[~]").map((s) => s._tag), ["Key", "Key", "Keys"])
    assert.throws(() => RewriteSurface.parseField("payload..x"))
    assert.throws(() => RewriteSurface.parseField("payload[0]"))
  })

  it("holds the fields the issue requires", () => {
    const fields = new Set(RewriteSurface.entries.map((e) => `${e.type} ${e.payloadType ?? ""} ${e.field}`.replace(/ +/g, " ")))
    for (
      const required of [
        "session_meta payload.id",
        "session_meta payload.session_id",
        "session_meta payload.timestamp",
        "session_meta payload.cwd",
        "session_meta payload.forked_from_id",
        "session_meta payload.history_base.thread_id",
        "turn_context payload.cwd",
        "turn_context payload.sandbox_policy.writable_roots",
        "turn_context payload.workspace_roots",
        "turn_context payload.permission_profile.file_system.entries[*].path[?type=path].path",
        "turn_context payload.file_system_sandbox_policy.entries[*].path",
        "turn_context payload.file_system_sandbox_policy.entries[*].path[?type=path].path",
        "response_item message payload[?role=user].content[*][?type=input_text].text",
        "event_msg user_message payload.message",
        "compacted payload.replacement_history[*][?type=message][?role=user].content[*][?type=input_text].text",
        "event_msg thread_settings_applied payload.thread_settings.cwd",
        "world_state payload.state.environments.environments[*].cwd",
        "event_msg payload.thread_id",
        "event_msg item_completed payload.item[?type=CommandExecution].cwd",
        "event_msg exec_command_end payload.cwd",
        "event_msg patch_apply_end payload.changes[~]",
        "response_item function_call payload.arguments@json.workdir"
      ]
    ) assert.isTrue(fields.has(required), required)
    assert.isFalse(RewriteSurface.entries.some((e) => e.field.includes("encrypted_content") || e.field.includes("git")))
  })
})
