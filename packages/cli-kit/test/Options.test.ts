import { describe, expect, it } from "@effect/vitest"
import { Main, Options, PackagePath } from "@sessionport/cli-kit"
import { Either } from "effect"
import * as os from "node:os"
import * as path from "node:path"

describe("Options.parseSince", () => {
  const now = new Date("2026-12-07T12:00:00Z")
  it("an age before now, a date at the start of its local day, a date and time", () => {
    expect(Options.parseSince("7d", now)).toEqual(Either.right(new Date("2026-11-30T12:00:00Z")))
    expect(Options.parseSince("12h", now)).toEqual(Either.right(new Date("2026-12-07T00:00:00Z")))
    expect(Options.parseSince("2w", now)).toEqual(Either.right(new Date("2026-11-23T12:00:00Z")))
    expect(Options.parseSince("30m", now)).toEqual(Either.right(new Date("2026-12-07T11:30:00Z")))
    expect(Options.parseSince("2026-11-01", now)).toEqual(Either.right(new Date(2026, 10, 1)))
    expect(Options.parseSince("2026-11-01T09:30:00Z", now)).toEqual(Either.right(new Date("2026-11-01T09:30:00Z")))
  })
  it("anything else is refused, saying what it takes", () => {
    for (const text of ["7", "yesterday", "7 days", "2026-13-45", ""]) {
      const parsed = Options.parseSince(text, now)
      expect(Either.isLeft(parsed), text).toBe(true)
      if (Either.isLeft(parsed)) expect(parsed.left).toContain("7d")
    }
  })
})

describe("Options.localFolder", () => {
  it("~ and ~/… under the home, a relative path from the working directory, an absolute one as it is", () => {
    expect(Options.localFolder("~")).toBe(os.homedir())
    expect(Options.localFolder("~/code/app")).toBe(path.join(os.homedir(), "code", "app"))
    expect(Options.localFolder("work/app")).toBe(path.join(process.cwd(), "work", "app"))
    expect(Options.localFolder("/srv/app")).toBe("/srv/app")
  })
})

describe("Main.splitInlineValues", () => {
  it("--name=value as --name value, a value holding = kept whole; nothing after --", () => {
    expect(Main.splitInlineValues(["node", "bin", "install", "--map=/a=/b", "--codex-home=/h", "pkg", "--", "--x=y"])).toEqual([
      "node", "bin", "install", "--map", "/a=/b", "--codex-home", "/h", "pkg", "--", "--x=y"
    ])
    // a lone - (stdin, stdout) is not the end of the options for the parser
    expect(Main.splitInlineValues(["install", "-", "--json"])).toEqual(["install", PackagePath.STDIO_ARG, "--json"])
  })
})
