/**
 * The one key of `--cwd` and `--map FROM`: a Windows path is read as the source machine wrote it
 * (either slash, any case, `\\?\`, dot segments, separator runs), on any host; POSIX stays
 * case-sensitive; the two styles never match each other.
 */
import { assert, describe, it } from "@effect/vitest"
import { PathMatch } from "@sessionport/localize"

const PROJ = "C:\\Users\\alice\\Documents\\proj-main"
const PROJ_KEY = "c:\\users\\alice\\documents\\proj-main"

/** A host whose resolve and realpath are recorded; `links` maps a path to its target. */
const fakeHost = (platform: "posix" | "windows", links: Record<string, string> = {}) => {
  const calls: Array<string> = []
  const host: PathMatch.Host = {
    platform,
    resolve: (path) => {
      calls.push(`resolve ${path}`)
      return platform === "posix" ? (path.startsWith("/") ? path : `/work/${path}`) : (/^[A-Za-z]:/.test(path) ? path : `D:\\work\\${path}`)
    },
    realpath: (path) => {
      calls.push(`realpath ${path}`)
      return links[path]
    }
  }
  return { host, calls }
}

describe("PathMatch.keyOf", () => {
  it("gives one key for every way of writing a Windows folder", () => {
    for (
      const written of [
        PROJ,
        "c:/users/alice/documents/proj-main/",
        "C:\\Users\\alice\\Documents\\proj-main\\\\",
        "\\\\?\\C:\\Users\\alice\\Documents\\proj-main",
        "C:\\Users\\alice\\.\\Documents\\x\\..\\proj-main",
        "C:\\\\Users//alice\\/Documents\\proj-main",
        "//?/C:/Users/alice/Documents/proj-main"
      ]
    ) assert.strictEqual(PathMatch.keyOf(written), PROJ_KEY, written)
  })

  it("keeps a drive's root and a share's, folds UNC paths", () => {
    assert.strictEqual(PathMatch.keyOf("C:\\"), "c:\\")
    assert.strictEqual(PathMatch.keyOf("c:/"), "c:\\")
    assert.strictEqual(PathMatch.keyOf("C:"), "c:\\")
    assert.strictEqual(PathMatch.keyOf("C:\\x\\..\\.."), "c:\\")
    assert.strictEqual(PathMatch.keyOf("\\\\Server\\Share\\x\\"), "\\\\server\\share\\x")
    assert.strictEqual(PathMatch.keyOf("\\\\Server\\\\Share/x"), "\\\\server\\share\\x")
    assert.strictEqual(PathMatch.keyOf("\\\\?\\UNC\\Server\\Share\\x"), "\\\\server\\share\\x")
    assert.strictEqual(PathMatch.keyOf("\\\\Server\\Share\\..\\.."), "\\\\server\\share")
  })

  it("reads POSIX paths case-sensitively, with separator runs and dot segments resolved", () => {
    assert.strictEqual(PathMatch.keyOf("/Home/a"), "/Home/a")
    assert.strictEqual(PathMatch.keyOf("/home//a/./b/../c/"), "/home/a/c")
    assert.strictEqual(PathMatch.keyOf("/"), "/")
    assert.strictEqual(PathMatch.keyOf("//"), "/")
    assert.strictEqual(PathMatch.keyOf("/a/../.."), "/")
    // a backslash is a POSIX file name's character
    assert.strictEqual(PathMatch.keyOf("/a/b\\c"), "/a/b\\c")
  })

  it("answers nothing for a path that is not absolute", () => {
    for (const written of ["", "proj-main", "Users\\alice", "./x", "~", "~/x", "\\x"]) {
      assert.strictEqual(PathMatch.keyOf(written), undefined, written)
    }
  })
})

describe("PathMatch.matches", () => {
  const on = (args: ReadonlyArray<string>) => PathMatch.folders(args, fakeHost("posix").host)

  it("a Windows cwd is matched by its folder however it is written, and by its parents", () => {
    for (
      const arg of [
        PROJ,
        "c:/users/alice/documents/proj-main/",
        "C:\\Users\\alice\\Documents\\proj-main\\\\",
        "\\\\?\\C:\\Users\\alice\\Documents\\proj-main",
        "C:\\Users\\alice\\.\\Documents\\x\\..\\proj-main",
        "C:\\Users\\alice\\Documents",
        "C:\\"
      ]
    ) assert.isTrue(PathMatch.matches(PROJ, on([arg])), arg)
    // a cwd inside the folder, written in another style than the folder
    assert.isTrue(PathMatch.matches(`${PROJ}\\sub`, on(["c:/users/alice/documents/proj-main/"])))
    assert.isTrue(PathMatch.matches("c:/users/alice/documents/proj-main/sub/", on([PROJ])))
  })

  it("matches only at a separator, in the same style and on the same drive", () => {
    assert.isFalse(PathMatch.matches(`${PROJ}X`, on([PROJ])))
    assert.isFalse(PathMatch.matches(PROJ, on([`${PROJ}X`])))
    assert.isFalse(PathMatch.matches(PROJ, on([`${PROJ}\\sub`])))
    assert.isFalse(PathMatch.matches(PROJ, on(["/c/Users/alice/Documents/proj-main"])))
    assert.isFalse(PathMatch.matches(PROJ, on(["/"])))
    assert.isFalse(PathMatch.matches(PROJ, on(["D:\\"])))
    assert.isFalse(PathMatch.matches("/c/Users/alice/Documents/proj-main", on([PROJ])))
    assert.isFalse(PathMatch.matches("/x", on(["C:\\"])))
    assert.isTrue(PathMatch.matches("\\\\server\\share\\x", on(["\\\\SERVER\\share"])))
    assert.isFalse(PathMatch.matches("\\\\server\\sharex", on(["\\\\server\\share"])))
  })

  it("POSIX: case-sensitive, at a `/` only, the root holding everything", () => {
    assert.isTrue(PathMatch.matches("/home/a", on(["/home/a/"])))
    assert.isTrue(PathMatch.matches("/home/a/b", on(["/home/a"])))
    assert.isTrue(PathMatch.matches("/home/a", on(["/"])))
    assert.isFalse(PathMatch.matches("/home/a", on(["/Home/a"])))
    assert.isFalse(PathMatch.matches("/Home/a", on(["/home/a"])))
    assert.isFalse(PathMatch.matches("/home/ab", on(["/home/a"])))
    assert.isFalse(PathMatch.matches("/home/a\\b", on(["/home/a"])))
  })

  it("a cwd that is not absolute matches nothing", () => {
    assert.isFalse(PathMatch.matches("", on(["/"])))
    assert.isFalse(PathMatch.matches("proj-main", on(["/work"])))
    assert.isFalse(PathMatch.matches("proj-main", on(["C:\\"])))
  })
})

describe("PathMatch.folders", () => {
  it("takes a Windows folder on a POSIX host as written: no resolve, no realpath", () => {
    const { calls, host } = fakeHost("posix")
    assert.deepStrictEqual(PathMatch.folders([PROJ, "c:/users/alice/documents/proj-main/"], host), [PROJ_KEY])
    assert.deepStrictEqual(calls, [])
  })

  it("takes a POSIX folder on a Windows host as written", () => {
    const { calls, host } = fakeHost("windows")
    assert.deepStrictEqual(PathMatch.folders(["/home/Alice/proj/"], host), ["/home/Alice/proj"])
    assert.deepStrictEqual(calls, [])
  })

  it("resolves this host's folders, relative ones too, and adds a link's target", () => {
    const { calls, host } = fakeHost("posix", { "/work/link": "/srv/real" })
    assert.deepStrictEqual(PathMatch.folders(["link", "/home/a/"], host), ["/work/link", "/srv/real", "/home/a"])
    assert.deepStrictEqual(calls, ["resolve link", "realpath /work/link", "resolve /home/a/", "realpath /home/a/"])
  })

  it("on a Windows host, its own folders are resolved there", () => {
    const { calls, host } = fakeHost("windows")
    assert.deepStrictEqual(PathMatch.folders(["proj", "C:/X"], host), ["d:\\work\\proj", "c:\\x"])
    assert.deepStrictEqual(calls, ["resolve proj", "realpath D:\\work\\proj", "resolve C:/X", "realpath C:/X"])
  })
})
