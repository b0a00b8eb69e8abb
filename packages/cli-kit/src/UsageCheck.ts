/**
 * An unknown command or option, named with the nearest known one, before @effect/cli parses the
 * command line: left to the parser, `export --al --out x` says `--out` is missing, and a
 * mistyped command lists every command without saying which was meant.
 *
 * @since 0.3.0
 */
import * as CommandTree from "./CommandTree.js"
import { nearest } from "./internal/nearest.js"

const longNames = (options: ReadonlyArray<CommandTree.OptionInfo>) =>
  options.flatMap((option) => option.names.filter((name) => name.startsWith("--")))

const unknownOption = (program: string, path: ReadonlyArray<string>, command: CommandTree.CommandInfo, arg: string): string => {
  const near = nearest(arg, longNames([...command.options, ...CommandTree.BUILT_INS]))
  if (near !== undefined) return `unknown option ${arg}; did you mean ${near}?`
  // a command's option given before the command (`session-transfer --json list-transactions`)
  if (command.subcommands.some((sub) => sub.options.some((option) => option.names.includes(arg)))) {
    return `unknown option ${arg} before the command; put it after the command's name`
  }
  return `unknown option ${arg}; see ${[program, ...path].join(" ")} --help`
}

const unknownCommand = (program: string, command: CommandTree.CommandInfo, arg: string): string => {
  const near = nearest(arg, command.subcommands.map((sub) => sub.name))
  return near !== undefined
    ? `unknown command '${arg}'; did you mean '${near}'?`
    : `unknown command '${arg}'; see ${program} --help`
}

/**
 * The first unknown command or option of `args` (the command line after the program's name), as
 * one line, or undefined when every command and option is known. Values, arguments and anything
 * after `--` are the parser's to judge.
 *
 * @since 0.3.0
 * @category checking
 */
export const check = (program: string, root: CommandTree.CommandInfo, args: ReadonlyArray<string>): string | undefined => {
  let command = root
  const path: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return undefined
    if (/^-./.test(arg)) {
      const option = CommandTree.findOption(command, arg)
      if (option === undefined) return unknownOption(program, path, command, arg)
      if (option.value !== undefined) i++
      continue
    }
    if (command.subcommands.length === 0 || path.length > 0) continue
    // @effect/cli takes a command's name in any case
    const sub = command.subcommands.find((sub) => sub.name.toLowerCase() === arg.toLowerCase())
    if (sub === undefined) return unknownCommand(program, command, arg)
    command = sub
    path.push(sub.name)
  }
  return undefined
}
