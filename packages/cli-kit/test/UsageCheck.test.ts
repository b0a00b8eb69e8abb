import { Args, Command, Options } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { CommandTree, Main, UsageCheck } from "@sessionport/cli-kit"
import { Effect } from "effect"

// a small program of the same make as the CLIs
const program = Command.make("demo").pipe(
  Command.withDescription("A demo."),
  Command.withSubcommands([
    Command.make("export", {
      all: Options.boolean("all").pipe(Options.withDescription("Export every session.")),
      includeArchived: Options.boolean("include-archived").pipe(Options.withDescription("Include archived sessions.")),
      includeSkills: Options.boolean("include-skills").pipe(Options.withDescription("Include skills.")),
      dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Change nothing.")),
      out: Options.text("out").pipe(Options.withPseudoName("PATH"), Options.withDescription("The package to write. Or a folder.")),
      agent: Options.choice("agent", ["codex", "claude"]).pipe(Options.withDescription("This agent."), Options.repeated)
    }, () => Effect.void).pipe(Command.withDescription("Write a package. Then more.")),
    Command.make("install", {
      package: Args.text({ name: "PACKAGE" }).pipe(Args.withDescription("A package.")),
      yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("Do not ask.")),
      json: Options.boolean("json").pipe(Options.withDescription("JSON out."))
    }, () => Effect.void)
  ])
)
const tree = CommandTree.fromCommand(program, { descriptions: true })
const check = (...args: ReadonlyArray<string>) => UsageCheck.check("demo", tree, args)

describe("CommandTree.fromCommand", () => {
  it("each command's options (value, choices, repeatable, description without @effect/cli's sentences) and arguments", () => {
    expect(tree.subcommands.map((c) => c.name)).toEqual(["export", "install"])
    const exportCommand = tree.subcommands[0]!
    expect(exportCommand.description).toBe("Write a package. Then more.")
    expect(exportCommand.args).toEqual([])
    expect(exportCommand.options.find((o) => o.names[0] === "--out")).toEqual({
      names: ["--out"],
      value: "PATH",
      choices: [],
      repeatable: false,
      description: "The package to write. Or a folder."
    })
    expect(exportCommand.options.find((o) => o.names[0] === "--agent")).toEqual({
      names: ["--agent"],
      value: "codex | claude",
      choices: ["codex", "claude"],
      repeatable: true,
      description: "This agent."
    })
    expect(exportCommand.options.find((o) => o.names[0] === "--all")).toMatchObject({ value: undefined, description: "Export every session." })
    const install = tree.subcommands[1]!
    expect(install.args).toEqual(["PACKAGE"])
    expect(install.options.find((o) => o.names.includes("-y"))?.names).toEqual(["--yes", "-y"])
    // read from the help only when asked (completion scripts): the usage check needs none
    expect(CommandTree.fromCommand(program).subcommands[0]!.description).toBe("")
  })
})

describe("UsageCheck.check", () => {
  it("an unknown option is named with the nearest one, not taken for another option missing", () => {
    expect(check("export", "--al", "--out", "x")).toBe("unknown option --al; did you mean --all?")
    expect(check("export", "--include-archive", "--all")).toBe("unknown option --include-archive; did you mean --include-archived?")
    // a prefix of exactly one option; case matters to the parser, so --ALL is not --all
    expect(check("export", "--dry", "--all")).toBe("unknown option --dry; did you mean --dry-run?")
    expect(check("export", "--ALL")).toBe("unknown option --ALL; did you mean --all?")
  })

  it("an option near none is refused with where to look; one given before its command says so", () => {
    expect(check("install", "pkg", "--bogus", "x")).toBe("unknown option --bogus; see demo install --help")
    // a prefix of three options, near none of them
    expect(check("export", "--include")).toBe("unknown option --include; see demo export --help")
    expect(check("--json", "install", "pkg")).toBe("unknown option --json before the command; put it after the command's name")
  })

  it("an unknown command is named with the nearest one (a swap of two letters is one edit)", () => {
    expect(check("exprot", "--all")).toBe("unknown command 'exprot'; did you mean 'export'?")
    expect(check("instal", "pkg")).toBe("unknown command 'instal'; did you mean 'install'?")
    expect(check("frobnicate")).toBe("unknown command 'frobnicate'; see demo --help")
  })

  it("known commands and options pass, whatever their values; nothing after -- is judged", () => {
    expect(check("export", "--all", "--out", "x.tgz", "--agent", "codex", "--agent", "claude")).toBeUndefined()
    // a value that looks like an option is the value's business
    expect(check("export", "--out", "--weird", "--all")).toBeUndefined()
    expect(check("install", "pkg", "-y", "--json")).toBeUndefined()
    expect(check("install", "pkg", "--", "--not-an-option")).toBeUndefined()
    // built-ins, on the program and on a command; a command's name in any case, as the parser takes it
    expect(check("--help")).toBeUndefined()
    expect(check("--completions", "bash")).toBeUndefined()
    expect(check("export", "-h")).toBeUndefined()
    expect(check("EXPORT", "--all")).toBeUndefined()
    expect(check()).toBeUndefined()
  })
})

describe("Main.helpAlias", () => {
  it("help COMMAND is COMMAND --help, help alone --help; help elsewhere is left alone", () => {
    expect(Main.helpAlias(["node", "bin", "help", "export"])).toEqual(["node", "bin", "export", "--help"])
    expect(Main.helpAlias(["node", "bin", "help"])).toEqual(["node", "bin", "--help"])
    expect(Main.helpAlias(["node", "bin", "export", "help"])).toEqual(["node", "bin", "export", "help"])
    expect(Main.helpAlias(["node", "bin", "export", "--all"])).toEqual(["node", "bin", "export", "--all"])
  })
})
