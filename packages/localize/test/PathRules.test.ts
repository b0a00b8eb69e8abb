import { assert, describe, it } from "@effect/vitest"
import { PathRules } from "@sessionport/localize"
import { Either } from "effect"

const posix = (options: Partial<PathRules.Options> = {}) =>
  PathRules.make({ maps: [], targetHome: "/home/bob", targetPlatform: "posix", ...options })
const windows = (options: Partial<PathRules.Options> = {}) =>
  PathRules.make({ maps: [], targetHome: "C:\\Users\\bob", targetPlatform: "windows", ...options })

const mapping = (text: string) => {
  const parsed = PathRules.parseMapping(text)
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right
}

describe("PathRules.parseMapping", () => {
  it("splits FROM=TO", () => {
    assert.deepStrictEqual(mapping("/Users/alice/src=/home/bob/src"), { from: "/Users/alice/src", to: "/home/bob/src" })
  })

  it("takes a Windows FROM", () => {
    assert.deepStrictEqual(mapping("C:\\Users\\a=/home/b"), { from: "C:\\Users\\a", to: "/home/b" })
    assert.deepStrictEqual(mapping("C:\\x=/y"), { from: "C:\\x", to: "/y" })
    assert.deepStrictEqual(mapping("/home/b=D:\\work"), { from: "/home/b", to: "D:\\work" })
    assert.deepStrictEqual(mapping("\\\\server\\share=/mnt/share"), { from: "\\\\server\\share", to: "/mnt/share" })
  })

  it("splits at the first = followed by an absolute path, so paths may hold =", () => {
    assert.deepStrictEqual(mapping("/srv/a=b=/srv/c"), { from: "/srv/a=b", to: "/srv/c" })
    assert.deepStrictEqual(mapping("C:\\k=v=C:\\w"), { from: "C:\\k=v", to: "C:\\w" })
  })

  it("refuses what cannot be a mapping, with a usage message", () => {
    for (const [text, detail] of [
      ["/a/b", "expected FROM=TO"],
      ["=/x", "FROM is empty"],
      ["/x=", "TO is empty"],
      ["relative=/x", "not an absolute path"],
      ["/x=relative", "not an absolute path"]
    ] as const) {
      const parsed = PathRules.parseMapping(text)
      assert.isTrue(Either.isLeft(parsed), text)
      if (Either.isLeft(parsed)) {
        assert.strictEqual(parsed.left._tag, "InvalidMapping")
        assert.include(parsed.left.message, detail)
        assert.include(parsed.left.message, text)
      }
    }
  })
})

describe("PathRules.parseMapping refuses what a path cannot hold", () => {
  it("a .. segment in FROM or TO, a control character, an empty side", () => {
    for (const [text, detail] of [
      ["/srv/a=/home/bob/../../etc", "TO holds a \"..\" segment"],
      ["/srv/a=/home/bob/..", "holds a \"..\" segment"],
      ["/srv/a/../b=/home/bob", "FROM holds a \"..\" segment"],
      ["C:\\Users\\a=D:\\x\\..\\y", "TO holds a \"..\" segment"],
      ["/srv/a=/home/bob\nrm", "TO holds a control character"],
      ["/srv/a\u001b[2J=/home/bob", "FROM holds a control character"],
      ["/srv/a=/home/\u009bbob", "TO holds a control character"],
      ["/srv/a=", "TO is empty"]
    ] as const) {
      const parsed = PathRules.parseMapping(text)
      assert.isTrue(Either.isLeft(parsed), text)
      if (Either.isLeft(parsed)) assert.include(parsed.left.message, detail, text)
    }
  })

  it("names that merely hold dots are paths like any other", () => {
    assert.deepStrictEqual(mapping("/srv/a..b=/home/bob/...x"), { from: "/srv/a..b", to: "/home/bob/...x" })
    assert.deepStrictEqual(mapping("/srv/.a=/home/bob/.b"), { from: "/srv/.a", to: "/home/bob/.b" })
  })
})

describe("PathRules.make resolves . and .. before matching", () => {
  it("a Windows path climbing out of \\Documents\\ is not localized under the target home", () => {
    const rules = posix()
    const climbing = "C:\\Users\\bob\\Documents\\..\\..\\..\\etc"
    // resolved it is C:\etc, which no rule maps: it stays as it was
    assert.strictEqual(rules.map(climbing), climbing)
    assert.strictEqual(rules.map("C:\\Users\\a\\Documents\\proj\\..\\other\\.\\x"), "/home/bob/Documents/other/x")
    assert.strictEqual(rules.map("C:/Users/a/Documents/proj/../../Documents/y"), "/home/bob/Documents/y")
  })

  it("a POSIX path is matched as resolved, and comes out resolved", () => {
    const rules = posix({ sourceHome: "/Users/alice", maps: [mapping("/srv/a=/work")] })
    for (const path of ["/Users/alice/proj/../../../etc", "/Users/alice/..", "/srv/a/../b", "/srv/a/./../../x"]) {
      assert.strictEqual(rules.map(path), path)
    }
    assert.strictEqual(rules.map("/Users/alice/./proj/../src"), "/home/bob/src")
    assert.strictEqual(rules.map("/srv/b/../a/x"), "/work/x")
    assert.strictEqual(rules.map("/../srv/a/x"), "/work/x")
    assert.strictEqual(rules.map("/Users/alice/proj/.."), "/home/bob")
    assert.strictEqual(rules.mapFileUrl("file:///Users/alice/a/../b"), "file:///home/bob/b")
  })

  it("a share's .. stays in the share; a drive's stops at its root", () => {
    const rules = posix({ maps: [mapping("\\\\nas\\share=/mnt/share"), mapping("D:\\=/mnt/d")] })
    assert.strictEqual(rules.map("\\\\nas\\share\\..\\..\\x"), "/mnt/share/x")
    assert.strictEqual(rules.map("D:\\..\\..\\x"), "/mnt/d/x")
    assert.strictEqual(rules.map("\\\\?\\D:\\a\\..\\y"), "/mnt/d/y")
  })

  it("a FROM with . segments matches the paths it names", () => {
    assert.strictEqual(posix({ sourceHome: "/Users/alice/./" }).map("/Users/alice/x"), "/home/bob/x")
  })

  it("refuses a path whose kept rest would still climb out of the target (POSIX names holding \\ on Windows)", () => {
    const rules = windows({ sourceHome: "/Users/alice" })
    const hostile = "/Users/alice/x\\..\\..\\..\\Windows"
    const error = assert.throws(() => rules.map(hostile), PathRules.PathOutsideRoot) as unknown as PathRules.PathOutsideRoot
    assert.strictEqual(error.path, hostile)
    assert.strictEqual(error.localized, "C:\\Users\\bob\\x\\..\\..\\..\\Windows")
    assert.strictEqual(error.root, "C:\\Users\\bob")
    assert.include(error.message, hostile)
    assert.throws(() => rules.mapFileUrl("file:///Users/alice/x%5C..%5C..%5Cy"), PathRules.PathOutsideRoot)
    // a name that only holds dots is fine
    assert.strictEqual(rules.map("/Users/alice/x\\..y"), "C:\\Users\\bob\\x\\..y")
  })
})

describe("PathRules.make", () => {
  it("explicit mappings: the longest matching prefix wins, whatever the order given", () => {
    const rules = posix({ maps: [mapping("/a=/x"), mapping("/a/b/c=/z"), mapping("/a/b=/y")] })
    assert.strictEqual(rules.map("/a/b/c/d"), "/z/d")
    assert.strictEqual(rules.map("/a/b/q"), "/y/q")
    assert.strictEqual(rules.map("/a/q"), "/x/q")
    assert.strictEqual(rules.map("/a"), "/x")
  })

  it("explicit mappings come before the home rule, the home rule before the Documents rule", () => {
    const rules = posix({ maps: [mapping("/Users/alice/src=/work")], sourceHome: "/Users/alice" })
    assert.strictEqual(rules.map("/Users/alice/src/app"), "/work/app")
    assert.strictEqual(rules.map("/Users/alice/notes"), "/home/bob/notes")
    assert.strictEqual(rules.map("/Users/alice"), "/home/bob")
    const win = posix({ maps: [mapping("C:\\Users\\alice\\Documents\\repo=/srv/repo")], sourceHome: "C:\\Users\\alice" })
    assert.strictEqual(win.map("C:\\Users\\alice\\Documents\\repo\\src"), "/srv/repo/src")
    assert.strictEqual(win.map("C:\\Users\\alice\\AppData\\x"), "/home/bob/AppData/x")
    assert.strictEqual(win.map("D:\\Team\\Documents\\plan"), "/home/bob/Documents/plan")
  })

  it("matches only at a path boundary", () => {
    const rules = posix({ maps: [mapping("/a/b=/x")] })
    assert.strictEqual(rules.map("/a/b"), "/x")
    assert.strictEqual(rules.map("/a/b/c"), "/x/c")
    assert.strictEqual(rules.map("/a/bc"), "/a/bc")
    assert.strictEqual(rules.map("/a"), "/a")
    const win = windows({ maps: [mapping("C:\\a\\b=D:\\x")] })
    assert.strictEqual(win.map("C:\\a\\bc"), "C:\\a\\bc")
    assert.strictEqual(win.map("C:\\a\\b\\c"), "D:\\x\\c")
  })

  it("ignores trailing separators on either side", () => {
    const rules = posix({ maps: [mapping("/a/b/=/x/")] })
    assert.strictEqual(rules.map("/a/b"), "/x")
    assert.strictEqual(rules.map("/a/b/"), "/x/")
    assert.strictEqual(rules.map("/a/b/c"), "/x/c")
    const win = posix({ maps: [mapping("C:\\a\\=/x")] })
    assert.strictEqual(win.map("C:\\a\\c"), "/x/c")
    assert.strictEqual(posix({ maps: [mapping("/=/root")] }).map("/etc/x"), "/root/etc/x")
    assert.strictEqual(posix({ maps: [mapping("/old=/")] }).map("/old/x"), "/x")
    assert.strictEqual(posix({ maps: [mapping("/old=/")] }).map("/old"), "/")
    assert.strictEqual(windows({ maps: [mapping("/old=D:\\")] }).map("/old"), "D:\\")
    assert.strictEqual(windows({ maps: [mapping("/old=D:\\")] }).map("/old/x"), "D:\\x")
  })

  it("Windows prefixes match case-insensitively, with either separator, after stripping \\\\?\\", () => {
    const rules = posix({ maps: [mapping("C:\\Users\\Alice\\Repo=/srv/repo")] })
    assert.strictEqual(rules.map("c:\\users\\alice\\repo\\Src"), "/srv/repo/Src")
    assert.strictEqual(rules.map("C:/Users/ALICE/Repo/x"), "/srv/repo/x")
    assert.strictEqual(rules.map("\\\\?\\C:\\Users\\Alice\\Repo\\x"), "/srv/repo/x")
    const long = posix({ maps: [mapping("\\\\?\\C:\\Users\\Alice=/home/a")] })
    assert.strictEqual(long.map("C:\\Users\\Alice\\x"), "/home/a/x")
    const unc = posix({ maps: [mapping("\\\\server\\share=/mnt/share")] })
    assert.strictEqual(unc.map("\\\\?\\UNC\\server\\share\\x"), "/mnt/share/x")
    assert.strictEqual(unc.map("\\\\SERVER\\Share\\y\\z"), "/mnt/share/y/z")
    // POSIX prefixes stay case-sensitive
    assert.strictEqual(posix({ maps: [mapping("/Users/a=/x")] }).map("/users/a/b"), "/users/a/b")
  })

  it("Windows source on a POSIX target: the rest gets / separators, the prefix is the target's", () => {
    const rules = posix({ sourceHome: "C:\\Users\\alice" })
    assert.strictEqual(rules.map("C:\\Users\\alice\\src\\app\\main.rs"), "/home/bob/src/app/main.rs")
  })

  it("POSIX source on a Windows target: the rest gets \\ separators, the prefix is the target's", () => {
    const rules = windows({ sourceHome: "/Users/alice", maps: [mapping("/srv/data=D:/data")] })
    assert.strictEqual(rules.map("/Users/alice/src/app"), "C:\\Users\\bob\\src\\app")
    assert.strictEqual(rules.map("/srv/data/x/y"), "D:\\data\\x\\y")
    // Windows source, Windows target: the rest stays as it was written
    assert.strictEqual(windows({ sourceHome: "C:\\Users\\alice" }).map("C:\\Users\\alice\\a/b"), "C:\\Users\\bob\\a/b")
  })

  it("the Documents rule: keeps the suffix from the first \\Documents\\ (any case) under the target home", () => {
    const rules = posix()
    assert.strictEqual(rules.map("C:\\Users\\alice\\Documents\\proj\\x"), "/home/bob/Documents/proj/x")
    assert.strictEqual(rules.map("C:\\Users\\alice\\OneDrive\\Documents\\x"), "/home/bob/Documents/x")
    assert.strictEqual(rules.map("c:\\users\\alice\\documents\\x"), "/home/bob/documents/x")
    assert.strictEqual(rules.map("C:\\Users\\alice\\Documents\\a\\Documents\\b"), "/home/bob/Documents/a/Documents/b")
    assert.strictEqual(rules.map("C:\\Users\\alice\\Documents"), "/home/bob/Documents")
    assert.strictEqual(rules.map("\\\\?\\C:\\Users\\alice\\Documents\\x"), "/home/bob/Documents/x")
    assert.strictEqual(rules.map("C:\\Users\\alice\\MyDocuments\\x"), "C:\\Users\\alice\\MyDocuments\\x")
    assert.strictEqual(windows().map("C:\\Users\\alice\\Documents\\proj\\x"), "C:\\Users\\bob\\Documents\\proj\\x")
    // a POSIX path never takes the Documents rule
    assert.strictEqual(rules.map("/Users/alice/Documents/x"), "/Users/alice/Documents/x")
  })

  it("anything unmatched comes back as the very same string", () => {
    const rules = posix({ maps: [mapping("/a=/b")], sourceHome: "/Users/alice" })
    for (const path of ["/srv/x", "C:\\Windows\\x", "relative/path", "", "~", "[trimmed for fixture]", "D:\\work\\proj"]) {
      assert.strictEqual(rules.map(path), path)
    }
    // a mapping onto itself answers the input too
    const same = "/a/x"
    assert.strictEqual(posix({ maps: [mapping("/a=/a")] }).map(same), same)
  })

  it("file URLs: the path inside is mapped and re-encoded", () => {
    const rules = posix({
      maps: [mapping("/tmp/src/alpha=/home/bob/code/alpha beta"), mapping("C:\\Users\\alice=/home/bob")]
    })
    assert.strictEqual(rules.mapFileUrl("file:///tmp/src/alpha"), "file:///home/bob/code/alpha%20beta")
    assert.strictEqual(rules.mapFileUrl("file:///tmp/src/alpha/a%20b/%C3%A9.md"), "file:///home/bob/code/alpha%20beta/a%20b/%C3%A9.md")
    assert.strictEqual(rules.mapFileUrl("file:///tmp/src/alpha/x?q=1#f"), "file:///home/bob/code/alpha%20beta/x?q=1#f")
    assert.strictEqual(rules.mapFileUrl("file://localhost/tmp/src/alpha"), "file://localhost/home/bob/code/alpha%20beta")
    assert.strictEqual(rules.mapFileUrl("file:///C:/Users/alice/Documents/r"), "file:///home/bob/Documents/r")
    assert.strictEqual(rules.mapFileUrl("file:///c:/users/ALICE/x%23y"), "file:///home/bob/x%23y")
    const unchanged = "file:///srv/other"
    assert.strictEqual(rules.mapFileUrl(unchanged), unchanged)
    for (const odd of ["https://example.com/tmp/src/alpha", "file:///tmp/src/alpha/%E0%A4%A", "not a url"]) {
      assert.strictEqual(rules.mapFileUrl(odd), odd)
    }
    const toWindows = windows({ maps: [mapping("/tmp/src=D:\\src"), mapping("/srv/share=\\\\nas\\share")] })
    assert.strictEqual(toWindows.mapFileUrl("file:///tmp/src/a%20b"), "file:///D:/src/a%20b")
    assert.strictEqual(toWindows.mapFileUrl("file:///srv/share/x"), "file://nas/share/x")
    const fromUnc = posix({ maps: [mapping("\\\\nas\\share=/mnt/share")] })
    assert.strictEqual(fromUnc.mapFileUrl("file://nas/share/x"), "file:///mnt/share/x")
  })

  it("describe lists the rules in the order they apply", () => {
    const rules = posix({ maps: [mapping("/a=/x"), mapping("/a/b=/y")], sourceHome: "/Users/alice" })
    assert.deepStrictEqual(rules.describe().map((r) => [r.rule, r.from, r.to]), [
      ["map", "/a/b", "/y"],
      ["map", "/a", "/x"],
      ["home", "/Users/alice", "/home/bob"],
      ["documents", "…\\Documents\\…", "/home/bob/Documents/…"],
      ["unchanged", "anything else", "unchanged"]
    ])
    for (const r of rules.describe()) assert.isAbove(r.text.length, 0)
  })

  it("mayChangeJson: false only when no mapped prefix, Windows path or file URL is in the JSON text", () => {
    const rules = posix({ maps: [mapping("/tmp/src/alpha=/x"), mapping("/odd \"quoted\"=/y")], sourceHome: "/Users/alice" })
    const json = (value: unknown) => JSON.stringify({ payload: { cwd: value } })
    assert.isTrue(rules.mayChangeJson(json("/tmp/src/alpha/x")))
    assert.isTrue(rules.mayChangeJson(json("/Users/alice")))
    assert.isTrue(rules.mayChangeJson(json("/odd \"quoted\"/z")))
    assert.isTrue(rules.mayChangeJson(JSON.stringify({ arguments: JSON.stringify({ workdir: "/odd \"quoted\"/z" }) })))
    assert.isTrue(rules.mayChangeJson(json("C:\\Users\\bob\\Documents\\x")))
    assert.isTrue(rules.mayChangeJson(json("C:/Users/bob/x")))
    assert.isTrue(rules.mayChangeJson(json("\\\\server\\share")))
    assert.isTrue(rules.mayChangeJson(json("file:///srv/x")))
    assert.isFalse(rules.mayChangeJson(json("/srv/other")))
    assert.isFalse(rules.mayChangeJson(json("see https://example.com/a")))
    assert.isFalse(rules.mayChangeJson(json("ratio 3:4, a/b")))
  })

  it("jsonNeedles: every text mayChangeJson accepts holds one of them; text without any is refused", () => {
    const rules = posix({ maps: [mapping("/tmp/src/alpha=/x"), mapping("/odd \"quoted\"=/y"), mapping("/ünï=/z")], sourceHome: "/Users/alice" })
    const json = (value: unknown) => JSON.stringify({ payload: { cwd: value } })
    const holdsNeedle = (text: string) => rules.jsonNeedles.some((needle) => text.includes(needle))
    const accepted = [
      json("/tmp/src/alpha/x"),
      json("/Users/alice"),
      json("/odd \"quoted\"/z"),
      JSON.stringify({ arguments: JSON.stringify({ workdir: "/odd \"quoted\"/z" }) }),
      json("/ünï/a"),
      json("C:\\Users\\bob\\Documents\\x"),
      json("C:/Users/bob/x"),
      json("\\\\server\\share"),
      json("file:///srv/x"),
      "{\"cwd\":\"\\/srv\\/x\"}"
    ]
    for (const text of accepted) {
      assert.isTrue(rules.mayChangeJson(text), text)
      assert.isTrue(holdsNeedle(text), text)
    }
    for (const text of [json("/srv/other"), json("ratio 3 to 4, a/b"), json("/tmp/src/beta")]) {
      assert.isFalse(holdsNeedle(text), text)
      assert.isFalse(rules.mayChangeJson(text), text)
    }
  })
})
