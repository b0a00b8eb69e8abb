/**
 * Shell completion scripts (`PROGRAM --completions bash|zsh|fish`), written from the command
 * tree: commands, each command's options, the values of a choice, files and folders where an
 * option or argument names one. Ours rather than @effect/cli's: its bash script never completes
 * past a hyphenated program or command name, and its zsh one takes every option for a flag.
 *
 * @since 0.3.0
 */
import * as CommandTree from "./CommandTree.js"

/** @since 0.3.0 @category models */
export type Shell = "bash" | "zsh" | "fish"

/** @since 0.3.0 @category constants */
export const SHELLS: ReadonlyArray<Shell> = ["bash", "zsh", "fish"]

/** @since 0.3.0 @category predicates */
export const isShell = (name: string): name is Shell => (SHELLS as ReadonlyArray<string>).includes(name)

/**
 * The shell `--completions` names on this command line (the words after the program's name),
 * as given, or undefined when it is not there.
 *
 * @since 0.3.0
 * @category parsing
 */
export const requested = (args: ReadonlyArray<string>): string | undefined => {
  const end = args.indexOf("--")
  const at = args.indexOf("--completions")
  return at === -1 || (end !== -1 && at > end) ? undefined : args[at + 1] ?? ""
}

/**
 * The usage error of a shell that has no script here.
 *
 * @since 0.3.0
 * @category parsing
 */
export const unknownShell = (shell: string): string =>
  `${shell === "" ? "--completions takes a shell" : `no completions for ${JSON.stringify(shell)}`}: bash, zsh or fish`

/** What a value or an argument completes to. */
type Completion =
  | { readonly _tag: "Words"; readonly words: ReadonlyArray<string> }
  | { readonly _tag: "Files" }
  | { readonly _tag: "Folders" }
  | { readonly _tag: "Nothing" }

// a placeholder naming a folder (`DIR`) or a file or either (`PATH`, `PACKAGE`, `FILE`)
const completionOf = (placeholder: string, choices: ReadonlyArray<string> = []): Completion =>
  choices.length > 0
    ? { _tag: "Words", words: choices }
    : /\bDIR\b/.test(placeholder)
    ? { _tag: "Folders" }
    : /PATH|FILE|PACKAGE|TARGET/.test(placeholder)
    ? { _tag: "Files" }
    : { _tag: "Nothing" }

const argsCompletion = (command: CommandTree.CommandInfo): Completion =>
  command.args.map((arg) => completionOf(arg)).find((c) => c._tag !== "Nothing") ?? { _tag: "Nothing" }

// the first sentence: completion menus show one line
const summary = (text: string) => {
  const end = text.search(/\.(\s|$)/)
  return (end === -1 ? text : text.slice(0, end)).replace(/\s+/g, " ").trim()
}

// before a command: the program's options (help, version, completions)
const rootOptions = (root: CommandTree.CommandInfo) =>
  [...root.options, ...CommandTree.BUILT_INS.filter((o) => ["--help", "--version", "--completions"].includes(o.names[0]!))]

// after a command: its own, and --help
const commandOptions = (command: CommandTree.CommandInfo) =>
  [...command.options, ...CommandTree.BUILT_INS.filter((o) => o.names[0] === "--help")]

const identifier = (program: string) => `_${program.replace(/[^A-Za-z0-9]/g, "_")}`

// `reply` reads compgen's lines into COMPREPLY (a name with a space stays one)
const bashReply = (reply: string, completion: Completion): string => {
  switch (completion._tag) {
    case "Words":
      return `${reply} < <(compgen -W "${completion.words.join(" ")}" -- "$cur")`
    case "Files":
      return `${reply} < <(compgen -f -- "$cur")`
    case "Folders":
      return `${reply} < <(compgen -d -- "$cur")`
    case "Nothing":
      return "COMPREPLY=()"
  }
}

const bash = (program: string, root: CommandTree.CommandInfo): string => {
  const fn = identifier(program)
  const reply = (completion: Completion) => bashReply(`${fn}_reply`, completion)
  const names = (options: ReadonlyArray<CommandTree.OptionInfo>) => options.flatMap((o) => o.names).join(" ")
  // the value of an option: `export:--agent) …`, one branch per way of completing
  const values = new Map<string, Array<string>>()
  const addValues = (command: string, options: ReadonlyArray<CommandTree.OptionInfo>) => {
    for (const option of options) {
      if (option.value === undefined) continue
      const how = reply(completionOf(option.value, option.choices))
      values.set(how, [...(values.get(how) ?? []), ...option.names.map((name) => `${command}:${name}`)])
    }
  }
  addValues("", rootOptions(root))
  for (const command of root.subcommands) addValues(command.name, commandOptions(command))
  const commands = root.subcommands.map((c) => c.name)
  return [
    `# bash completion for ${program} (${program} --completions bash)`,
    `${fn}_reply() {`,
    `  local line`,
    `  COMPREPLY=()`,
    `  while IFS= read -r line; do COMPREPLY+=("$line"); done`,
    `}`,
    `${fn}() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" i`,
    `  for ((i = 1; i < COMP_CWORD; i++)); do`,
    `    case "\${COMP_WORDS[i]}" in`,
    `      ${commands.join("|")}) command="\${COMP_WORDS[i]}"; break ;;`,
    `    esac`,
    `  done`,
    `  case "$command:$prev" in`,
    ...[...values].map(([how, patterns]) => `    ${patterns.join("|")}) ${how}; return ;;`),
    `  esac`,
    `  local options="" args=""`,
    `  case "$command" in`,
    `    "") options="${names(rootOptions(root))}"; args=Commands ;;`,
    ...root.subcommands.map((c) => `    ${c.name}) options="${names(commandOptions(c))}"; args="${argsCompletion(c)._tag}" ;;`),
    `  esac`,
    `  if [[ "$cur" == -* ]]; then`,
    `    ${reply({ _tag: "Words", words: ["$options"] })}`,
    `  elif [[ "$args" == Commands ]]; then`,
    `    ${reply({ _tag: "Words", words: commands })}`,
    `  elif [[ "$args" == Files ]]; then`,
    `    ${reply({ _tag: "Files" })}`,
    `  elif [[ "$args" == Folders ]]; then`,
    `    ${reply({ _tag: "Folders" })}`,
    `  else`,
    `    ${reply({ _tag: "Words", words: ["$options"] })}`,
    `  fi`,
    `}`,
    `complete -o filenames -F ${fn} ${program}`,
    ``
  ].join("\n")
}

// inside '…' of zsh: a quote closes it; inside […] of an option spec: brackets and colons are syntax
const zshQuoted = (text: string) => text.replace(/'/g, "'\\''")
const zshBracketed = (text: string) => zshQuoted(text.replace(/[\\[\]:]/g, "\\$&"))

const zshValue = (placeholder: string, completion: Completion): string => {
  const message = zshQuoted(placeholder.replace(/:/g, "\\:"))
  switch (completion._tag) {
    case "Words":
      return `:${message}:(${completion.words.join(" ")})`
    case "Files":
      return `:${message}:_files`
    case "Folders":
      return `:${message}:_files -/`
    case "Nothing":
      return `:${message}: `
  }
}

const zshOption = (option: CommandTree.OptionInfo): string => {
  const description = `[${zshBracketed(summary(option.description))}]`
  const value = option.value === undefined ? "" : zshValue(option.value, completionOf(option.value, option.choices))
  const exclusive = option.names.length > 1 ? `'(${option.names.join(" ")})'` : ""
  const names = option.names.length > 1 ? `{${option.names.join(",")}}` : option.names[0]!
  return `${option.repeatable ? "'*'" : exclusive}${names}'${description}${value}'`
}

const zshArgs = (command: CommandTree.CommandInfo): Array<string> =>
  command.args.map((arg) => {
    const completion = completionOf(arg)
    return `'*${zshValue(arg, completion)}'`
  })

const zsh = (program: string, root: CommandTree.CommandInfo): string => {
  const fn = identifier(program)
  const spec = (lines: ReadonlyArray<string>) => lines.map((line) => `    ${line} \\`)
  return [
    `#compdef ${program}`,
    `# zsh completion for ${program} (${program} --completions zsh)`,
    `${fn}() {`,
    `  local curcontext="$curcontext" state line`,
    `  typeset -A opt_args`,
    `  _arguments -C \\`,
    ...spec(rootOptions(root).map(zshOption)),
    `    '1: :${fn}_commands' \\`,
    `    '*:: :->command'`,
    `  [[ $state == command ]] || return`,
    `  case $line[1] in`,
    ...root.subcommands.flatMap((c) => [
      `    ${c.name})`,
      `      _arguments \\`,
      ...spec([...commandOptions(c).map(zshOption), ...zshArgs(c)]).map((line) => `    ${line}`),
      `        && return ;;`
    ]),
    `  esac`,
    `}`,
    `${fn}_commands() {`,
    `  local -a commands=(`,
    ...root.subcommands.map((c) => `    '${zshQuoted(`${c.name}:${summary(c.description)}`)}'`),
    `  )`,
    `  _describe -t commands '${program} command' commands`,
    `}`,
    // autoloaded from $fpath (as _${program}) or sourced after compinit
    `if [[ "$funcstack[1]" == "_${program}" ]]; then`,
    `  ${fn} "$@"`,
    `else`,
    `  compdef ${fn} ${program}`,
    `fi`,
    ``
  ].join("\n")
}

// inside '…' of fish: backslashes and quotes are escaped
const fishQuoted = (text: string) => `'${text.replace(/[\\']/g, "\\$&")}'`

const fishValue = (completion: Completion): string => {
  switch (completion._tag) {
    case "Words":
      return ` -x -a ${fishQuoted(completion.words.join(" "))}`
    case "Files":
      return " -r -F"
    case "Folders":
      return ` -x -a '(__fish_complete_directories)'`
    case "Nothing":
      return " -x"
  }
}

const fishOption = (prefix: string, option: CommandTree.OptionInfo): string => {
  const names = option.names.map((name) => name.startsWith("--") ? ` -l ${name.slice(2)}` : ` -s ${name.slice(1)}`).join("")
  const value = option.value === undefined ? "" : fishValue(completionOf(option.value, option.choices))
  return `${prefix}${names}${value} -d ${fishQuoted(summary(option.description))}`
}

const fish = (program: string, root: CommandTree.CommandInfo): string => {
  const base = `complete -c ${program}`
  const atRoot = `${base} -n __fish_use_subcommand`
  const within = (command: string) => `${base} -n '__fish_seen_subcommand_from ${command}'`
  return [
    `# fish completion for ${program} (${program} --completions fish)`,
    // files only where an option or argument names one
    `${base} -f`,
    ...root.subcommands.map((c) => `${atRoot} -a ${c.name} -d ${fishQuoted(summary(c.description))}`),
    ...rootOptions(root).map((o) => fishOption(atRoot, o)),
    ...root.subcommands.flatMap((c) => {
      const args = argsCompletion(c)
      return [
        ...commandOptions(c).map((o) => fishOption(within(c.name), o)),
        ...(args._tag === "Files" ? [`${within(c.name)} -F`] : args._tag === "Folders" ? [`${within(c.name)} -a '(__fish_complete_directories)'`] : [])
      ]
    }),
    ``
  ].join("\n")
}

/**
 * The completion script of `shell` for `program`, whose commands and options `root` describes.
 *
 * @since 0.3.0
 * @category rendering
 */
export const script = (
  shell: Shell,
  program: string,
  root: CommandTree.CommandInfo
): string => {
  switch (shell) {
    case "bash":
      return bash(program, root)
    case "zsh":
      return zsh(program, root)
    case "fish":
      return fish(program, root)
  }
}
