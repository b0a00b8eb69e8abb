import { describe, expect, it } from "@effect/vitest"
import { Examples, HelpText } from "@sessionport/cli-kit"

const help = (usage: string) => ["USAGE", "", usage, "", "OPTIONS", "", "--all", "", "  Export every session.", ""].join("\n")

describe("the example at the end of a command's help", () => {
  it("a command's help ends with its example, found by the command USAGE names", () => {
    expect(HelpText.tidy("session-transfer", help("$ export [--all]"))).toBe(
      help("$ session-transfer export [--all]") + "\nEXAMPLE\n\n  $ session-transfer export --cwd ~/code/app --out app.tgz\n"
    )
    expect(HelpText.tidy("session-sync", help("$ sync [--yes] <PACKAGE>"))).toContain(
      "EXAMPLE\n\n  $ session-sync sync app.tgz --map /Users/alice/code=~/code --dry-run\n"
    )
  })

  it("coloured help gets a bold header, as the others are", () => {
    const coloured = "\u001b[0;1mUSAGE\u001b[0m\n\n$ install <PACKAGE>\n"
    expect(HelpText.tidy("session-transfer", coloured)).toBe(
      "\u001b[0;1mUSAGE\u001b[0m\n\n$ session-transfer install <PACKAGE>\n\n\u001b[0;1mEXAMPLE\u001b[0m\n\n" +
        "  $ session-transfer install app.tgz --map /Users/alice/code=~/code\n"
    )
  })

  it("the program's own help and a command without an example are left as they are", () => {
    expect(HelpText.tidy("session-sync", "USAGE\n\n$ session-sync\n")).toBe("USAGE\n\n$ session-sync\n")
    expect(HelpText.tidy("session-sync", help("$ session-sync nothing-here"))).toBe(help("$ session-sync nothing-here"))
    expect(Examples.example("session-sync", "toString")).toBeUndefined()
  })

  it("every example runs its own program and command", () => {
    for (const [program, commands] of Object.entries(Examples.EXAMPLES)) {
      for (const [command, example] of Object.entries(commands)) expect(example.split(" ").slice(0, 2)).toEqual([program, command])
    }
  })
})
