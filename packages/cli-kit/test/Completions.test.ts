import { Args, Command, Options } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { CommandTree, Completions } from "@sessionport/cli-kit"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"

// a hyphenated program and command, as both CLIs have (@effect/cli's bash script completes neither)
const program = Command.make("demo-cli").pipe(
  Command.withSubcommands([
    Command.make("export", {
      all: Options.boolean("all").pipe(Options.withDescription("Export every session.")),
      out: Options.text("out").pipe(Options.withPseudoName("PATH"), Options.withDescription("The package to write.")),
      home: Options.text("codex-home").pipe(Options.withPseudoName("DIR"), Options.withDescription("The home."), Options.optional),
      agent: Options.choice("agent", ["codex", "claude"]).pipe(Options.withDescription("This agent's sessions."), Options.repeated),
      thread: Options.text("thread").pipe(Options.withPseudoName("ID"), Options.withDescription("A session."), Options.repeated)
    }, () => Effect.void).pipe(Command.withDescription("Write a package. More words.")),
    Command.make("list-transactions", { json: Options.boolean("json") }, () => Effect.void).pipe(
      Command.withDescription("List the transactions.")
    ),
    Command.make("install", { package: Args.text({ name: "PACKAGE" }) }, () => Effect.void).pipe(
      Command.withDescription("Install a package.")
    )
  ])
)
const tree = CommandTree.fromCommand(program, { descriptions: true })

// a folder to complete in: a file, a package, a folder
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "completions-"))
fs.writeFileSync(path.join(cwd, "app.tgz"), "")
fs.writeFileSync(path.join(cwd, "notes.txt"), "")
fs.mkdirSync(path.join(cwd, "sub"))
const scripts = fs.mkdtempSync(path.join(os.tmpdir(), "completion-scripts-"))
afterAll(() => {
  fs.rmSync(cwd, { recursive: true, force: true })
  fs.rmSync(scripts, { recursive: true, force: true })
})

const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0

const script = (shell: Completions.Shell) => {
  const file = path.join(scripts, `demo-cli.${shell}`)
  fs.writeFileSync(file, Completions.script(shell, "demo-cli", tree))
  return file
}

/** What bash completes `words` (the last one being completed) to, the script sourced. */
const bash = (words: ReadonlyArray<string>): Array<string> => {
  const file = script("bash")
  const out = execFileSync("bash", [
    "-c",
    `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _demo_cli; printf '%s\\n' "\${COMPREPLY[@]}"`,
    "bash",
    file,
    ...words
  ], { cwd, encoding: "utf8" })
  return out.split("\n").filter((line) => line !== "").sort()
}

describe("Completions.script bash", () => {
  it("sourced, it registers a completion for the program", () => {
    const out = execFileSync("bash", ["-c", `source "$1" && complete -p demo-cli`, "bash", script("bash")], { encoding: "utf8" })
    expect(out.trim()).toBe("complete -o filenames -F _demo_cli demo-cli")
  })

  it("commands (hyphenated ones too), each command's options, a choice's values, files and folders where they go", () => {
    expect(bash(["demo-cli", ""])).toEqual(["export", "install", "list-transactions"])
    expect(bash(["demo-cli", "list-t"])).toEqual(["list-transactions"])
    expect(bash(["demo-cli", "list-transactions", "--j"])).toEqual(["--json"])
    expect(bash(["demo-cli", "export", "--a"])).toEqual(["--agent", "--all"])
    expect(bash(["demo-cli", "export", "--agent", ""])).toEqual(["claude", "codex"])
    expect(bash(["demo-cli", "export", "--out", ""])).toEqual(["app.tgz", "notes.txt", "sub"])
    expect(bash(["demo-cli", "export", "--codex-home", ""])).toEqual(["sub"])
    // an id: nothing to offer
    expect(bash(["demo-cli", "export", "--thread", ""])).toEqual([])
    // an argument naming a package: files
    expect(bash(["demo-cli", "install", "a"])).toEqual(["app.tgz"])
    expect(bash(["demo-cli", "--completions", ""])).toEqual(["bash", "fish", "zsh"])
  })
})

describe.skipIf(!has("fish"))("Completions.script fish", () => {
  const fish = (line: string): Array<string> =>
    execFileSync("fish", ["-c", `source $argv[1]; complete -C $argv[2]`, script("fish"), line], { cwd, encoding: "utf8" })
      .split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]!).sort()

  it("commands, options, a choice's values, files where they go", () => {
    expect(fish("demo-cli ")).toEqual(["export", "install", "list-transactions"])
    expect(fish("demo-cli export --a")).toEqual(["--agent", "--all"])
    expect(fish("demo-cli export --agent ")).toEqual(["claude", "codex"])
    expect(fish("demo-cli export --out ")).toEqual(["app.tgz", "notes.txt", "sub/"])
    expect(fish("demo-cli install ")).toEqual(["app.tgz", "notes.txt", "sub/"])
    expect(fish("demo-cli export --thread ")).toEqual([])
  })
})

describe.skipIf(!has("zsh"))("Completions.script zsh", () => {
  // zsh completes only in its line editor: an interactive zsh under zpty, compadd reporting each
  // match as <<match>> (written as escapes, so that the echoed command line does not match)
  const zsh = (line: string): Array<string> => {
    const driver = `
      zmodload zsh/zpty
      zpty z zsh -f -i
      zpty -w z "PS1=''; autoload -U compinit; compinit -u -D; source ${script("zsh")}; cd ${cwd}"
      zpty -w z 'comptest () { compadd () { builtin compadd -O hits "$@"; builtin print -l -- "\\x3c\\x3c"\${^hits}"\\x3e\\x3e" >&2; builtin compadd "$@" }; zle complete-word }; zle -N comptest; bindkey "^I" comptest'
      zpty -n -w z "$1"$'\\t'
      local all="" chunk
      integer i got quiet
      # until the matches are printed and nothing more comes (10 s at most)
      for (( i = 0; i < 100 && quiet < 3; i++ )); do
        sleep 0.1
        got=0
        while zpty -r -t z chunk 2>/dev/null; do all+=$chunk; got=1; done
        [[ $all == *"<<"* ]] && (( got == 0 )) && (( quiet++ ))
      done
      print -r -- "$all"
      zpty -d z`
    const out = execFileSync("zsh", ["-f", "-c", driver, "zsh", line], { encoding: "utf8" })
    return [...new Set([...out.matchAll(/<<([^<>\s]+)>>/g)].map((m) => m[1]!))].sort()
  }

  it("commands, options, a choice's values, files where they go", () => {
    expect(zsh("demo-cli ")).toEqual(["export", "install", "list-transactions"])
    expect(zsh("demo-cli export --a")).toEqual(["--agent", "--all"])
    expect(zsh("demo-cli export --agent ")).toEqual(["claude", "codex"])
    expect(zsh("demo-cli export --out ")).toEqual(["app.tgz", "notes.txt", "sub"])
  }, 60_000)
})
