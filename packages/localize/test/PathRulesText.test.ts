import { assert, describe, it } from "@effect/vitest"
import { PathRules } from "@sessionport/localize"

const rules = PathRules.make({
  maps: [{ from: "/work/A/proj", to: "/srv/B/moved" }],
  sourceHome: "/home/alice",
  targetHome: "/home/bob",
  targetPlatform: "posix"
})

describe("PathRules.mapText", () => {
  it("maps each prefix that stands as a path, keeping what follows", () => {
    const { changes, text } = rules.mapText(
      "File created successfully at: /work/A/proj/notes-3.txt\nPrimary working directory: /work/A/proj\n(see /home/alice/.bashrc)."
    )
    assert.strictEqual(
      text,
      "File created successfully at: /srv/B/moved/notes-3.txt\nPrimary working directory: /srv/B/moved\n(see /home/bob/.bashrc)."
    )
    assert.deepStrictEqual(changes.map((c) => c.old), ["/work/A/proj", "/work/A/proj", "/home/alice"])
  })

  it("leaves longer names, other folders and URLs alone", () => {
    for (const kept of ["/work/A/proj2/x", "/work/A/proj-old", "/work/A/proj.bak", "http://host/work/A/proj/x", "/x/work/A/proj"]) {
      assert.deepStrictEqual(rules.mapText(kept), { text: kept, changes: [] })
    }
  })

  it("maps a prefix that ends a sentence or is quoted", () => {
    assert.strictEqual(rules.mapText("cd /work/A/proj.").text, "cd /srv/B/moved.")
    assert.strictEqual(rules.mapText("`/work/A/proj` and \"/work/A/proj/a b.txt\"").text, "`/srv/B/moved` and \"/srv/B/moved/a b.txt\"")
  })

  it("prefers the explicit map over the home rule", () => {
    const nested = PathRules.make({
      maps: [{ from: "/home/alice/src", to: "/opt/src" }],
      sourceHome: "/home/alice",
      targetHome: "/home/bob",
      targetPlatform: "posix"
    })
    assert.strictEqual(nested.mapText("/home/alice/src/a and /home/alice/b").text, "/opt/src/a and /home/bob/b")
  })
})
