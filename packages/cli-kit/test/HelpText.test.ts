import { describe, expect, it } from "@effect/vitest"
import { HelpText } from "@sessionport/cli-kit"

describe("HelpText.tidy", () => {
  it("drops the primitive's sentence, names the program in USAGE, shows a repeatable option as optional", () => {
    const help = [
      "USAGE",
      "",
      "$ install --map FROM=TO... [--codex-home DIR] [--json] <PACKAGE>",
      "",
      "ARGUMENTS",
      "",
      "<PACKAGE>",
      "",
      "  A user-defined piece of text.",
      "",
      "  A session package: FILE.tgz or a folder.",
      ""
    ].join("\n")
    expect(HelpText.tidy("session-transfer", help)).toBe([
      "USAGE",
      "",
      "$ session-transfer install [--map FROM=TO]... [--codex-home DIR] [--json] <PACKAGE>",
      "",
      "ARGUMENTS",
      "",
      "<PACKAGE>",
      "",
      "  A session package: FILE.tgz or a folder.",
      "",
      // the command's example (Examples) at the end
      "EXAMPLE",
      "",
      "  $ session-transfer install app.tgz --map /Users/alice/code=~/code",
      ""
    ].join("\n"))
    // the root's USAGE names the program already; other text is left alone
    expect(HelpText.tidy("session-sync", "USAGE\n\n$ session-sync")).toBe("USAGE\n\n$ session-sync")
    expect(HelpText.tidy("session-sync", "exported 3 session(s)")).toBe("exported 3 session(s)")
  })
})

describe("HelpText.tidy, the root's list of commands", () => {
  it("a repeatable option, a choice among them too, looks optional on each command's line", () => {
    const help = [
      "USAGE",
      "",
      "$ session-transfer",
      "",
      "COMMANDS",
      "",
      "  - export --agent codex | claude | opencode... [--thread ID]... --out PATH|-",
      "  - install --map FROM=TO... <PACKAGE>"
    ].join("\n")
    const tidied = HelpText.tidy("session-transfer", help).split("\n")
    expect(tidied).toContain("  - export [--agent codex | claude | opencode]... [--thread ID]... --out PATH|-")
    expect(tidied).toContain("  - install [--map FROM=TO]... <PACKAGE>")
  })
})
