import { assert, describe, it } from "@effect/vitest"
import * as os from "node:os"
import * as PackageChoice from "../src/PackageChoice.js"
import * as Picker from "../src/Picker.js"

const session = (over: Partial<Picker.PickableSession> = {}): Picker.PickableSession => ({
  agent: "codex",
  id: "01a1fd65-3c69-71e1-99ad-153c74f724d1",
  shortId: "01a1fd65-3c",
  title: "Release checklist",
  cwd: `${os.homedir()}/code/app`,
  updatedAt: "2026-12-07T10:00:00Z",
  size: 45_056,
  ...over
})

describe("Picker", () => {
  it("filters by every word typed, in any field, any letter case", () => {
    const text = Picker.searchText(session({ status: "already here" }))
    assert.isTrue(Picker.matches("", text))
    assert.isTrue(Picker.matches("release", text))
    assert.isTrue(Picker.matches("APP  release", text))
    assert.isTrue(Picker.matches("codex 01a1fd65", text))
    assert.isTrue(Picker.matches("~/code/app", text))
    assert.isTrue(Picker.matches("already", text))
    assert.isFalse(Picker.matches("release claude", text))
    assert.isFalse(Picker.matches("checklists", text))
  })

  it("a line shows the project (the home as ~), the title, and the status on every line; the rest as a hint", () => {
    const now = new Date("2026-12-07T13:00:00Z")
    assert.deepStrictEqual(Picker.describe(session(), now), {
      label: "~/code/app › Release checklist",
      hint: "codex · 01a1fd65-3c · 3h ago · 44.0 KiB"
    })
    assert.deepStrictEqual(Picker.describe(session({ status: "new", archived: true, title: "a\u001b[2Jb" }), now), {
      label: "new          ~/code/app › a\\x1b[2Jb",
      hint: "codex · 01a1fd65-3c · 3h ago · 44.0 KiB · archived"
    })
  })
})

describe("PackageChoice", () => {
  it("an install preselects what is not here; a sync all it would change", () => {
    const statuses = ["new", "already_here", "behind", "ahead", "diverged"] as const
    assert.deepStrictEqual(statuses.filter(PackageChoice.forInstall), ["new"])
    assert.deepStrictEqual(statuses.filter(PackageChoice.forSync), ["new", "behind", "diverged"])
  })
})
