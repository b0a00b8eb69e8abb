/**
 * What a command line may hold, read once from an @effect/cli command tree: each command's name,
 * options (with the placeholder or choices of their value) and arguments. The usage check
 * (`UsageCheck`) and the shell completions (`Completions`) work from this plain data, not from
 * the parser: @effect/cli reports an unknown option as some other option missing, and its
 * completion scripts do not complete hyphenated commands (bash) nor option values (zsh).
 *
 * @since 0.3.0
 */
import { CliConfig, type Command, CommandDescriptor, type HelpDoc, type Usage } from "@effect/cli"
import type * as Span from "@effect/cli/HelpDoc/Span"
import { Option } from "effect"

/** @since 0.3.0 @category models */
export interface OptionInfo {
  /** `--out`, then aliases such as `-y` */
  readonly names: ReadonlyArray<string>
  /** the value it takes (`PATH`, `FROM=TO`), or undefined for a flag */
  readonly value: string | undefined
  /** the values a choice accepts (`codex`, `claude`, `opencode`), else empty */
  readonly choices: ReadonlyArray<string>
  /** may be given more than once */
  readonly repeatable: boolean
  readonly description: string
}

/** @since 0.3.0 @category models */
export interface CommandInfo {
  readonly name: string
  readonly description: string
  readonly options: ReadonlyArray<OptionInfo>
  /** the placeholders of its arguments (`PACKAGE`, `TRANSACTION_ID`) */
  readonly args: ReadonlyArray<string>
  readonly subcommands: ReadonlyArray<CommandInfo>
}

const flag = (names: ReadonlyArray<string>, description: string): OptionInfo => ({
  names,
  value: undefined,
  choices: [],
  repeatable: false,
  description
})

/**
 * The options @effect/cli takes on every command (hidden from the help: `showBuiltIns: false`).
 * `--completions` is answered by `Completions` before the parser runs.
 *
 * @since 0.3.0
 * @category constants
 */
export const BUILT_INS: ReadonlyArray<OptionInfo> = [
  flag(["--help", "-h"], "Show the help of a command."),
  flag(["--version"], "Show the version."),
  {
    names: ["--completions"],
    value: "SHELL",
    choices: ["bash", "zsh", "fish"],
    repeatable: false,
    description: "Print the completion script of a shell."
  },
  {
    names: ["--log-level"],
    value: "LEVEL",
    choices: ["all", "trace", "debug", "info", "warning", "error", "fatal", "none"],
    repeatable: false,
    description: "Log messages of this level and above."
  },
  flag(["--wizard"], "Ask for each option in turn.")
]

interface Leaf {
  readonly named: Usage.Named
  readonly repeated: boolean
}

// Usage is a tree of Concat/Optional/Repeated/Alternation around Named leaves
const leaves = (usage: Usage.Usage, repeated = false): Array<Leaf> => {
  switch (usage._tag) {
    case "Named":
      return [{ named: usage, repeated }]
    case "Optional":
      return leaves(usage.usage, repeated)
    case "Repeated":
      return leaves(usage.usage, true)
    case "Alternation":
    case "Concat":
      return [...leaves(usage.left, repeated), ...leaves(usage.right, repeated)]
    default:
      return []
  }
}

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return spanText(span.value)
  }
}

const blocks = (doc: HelpDoc.HelpDoc): Array<HelpDoc.HelpDoc> =>
  doc._tag === "Sequence" ? [...blocks(doc.left), ...blocks(doc.right)] : [doc]

// what @effect/cli adds around a description: the primitive's sentence, optional, repeatable
const BOILERPLATE = /^(A user-defined piece of text|A true or false value|One of the following|This (setting|option|argument) )/

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> =>
  blocks(doc).flatMap((block) => block._tag === "Paragraph" ? [spanText(block.value)] : [])

interface Described {
  readonly description: string
  readonly options: ReadonlyMap<string, string>
}

const described = (command: CommandDescriptor.Command<unknown>): Described => {
  const all = blocks(CommandDescriptor.getHelp(command, CliConfig.make({ showBuiltIns: false })))
  const header = all.findIndex((block) => block._tag === "Header" && spanText(block.value) === "DESCRIPTION")
  const next = all[header + 1]
  const options = new Map<string, string>()
  for (const block of all) {
    if (block._tag !== "DescriptionList") continue
    for (const [term, definition] of block.definitions) {
      const text = paragraphs(definition).find((p) => !BOILERPLATE.test(p)) ?? ""
      for (const name of spanText(term).match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? []) options.set(name, text)
    }
  }
  return { description: header !== -1 && next?._tag === "Paragraph" ? spanText(next.value) : "", options }
}

const UNDESCRIBED: Described = { description: "", options: new Map() }

const commandInfo = (
  descriptor: CommandDescriptor.Command<unknown>,
  subcommands: ReadonlyArray<CommandInfo>,
  descriptions: boolean
): CommandInfo => {
  const [self, ...rest] = leaves(CommandDescriptor.getUsage(descriptor))
  const texts = descriptions ? described(descriptor) : UNDESCRIBED
  const isOption = (leaf: Leaf) => leaf.named.names.some((name) => name.startsWith("-"))
  const options = rest.filter(isOption).map(({ named, repeated }): OptionInfo => {
    const value = Option.getOrUndefined(named.acceptedValues)
    // a choice's accepted values read `codex | claude | opencode`
    const choices = value !== undefined && value.includes(" | ") ? value.split(" | ") : []
    // the long name first (@effect/cli puts an alias first)
    const names = [...named.names].sort((a, b) => Number(b.startsWith("--")) - Number(a.startsWith("--")))
    return { names, value, choices, repeatable: repeated, description: texts.options.get(names[0]!) ?? "" }
  })
  const args = rest.filter((leaf) => !isOption(leaf)).flatMap((leaf) => leaf.named.names)
    .map((name) => name.replace(/^<(.*)>$/, "$1"))
  return { name: self?.named.names[0] ?? "", description: texts.description, options, args, subcommands }
}

/**
 * The tree of a program's root command and its subcommands (one level, as both CLIs have),
 * subcommands by name. Descriptions (left empty unless `descriptions`) are read from the help,
 * which costs a few tens of milliseconds: only completion scripts show them.
 *
 * @since 0.3.0
 * @category constructors
 */
export const fromCommand = (
  root: Command.Command<any, any, any, any>,
  options: { readonly descriptions?: boolean } = {}
): CommandInfo => {
  const descriptions = options.descriptions === true
  const subcommands = [...root.descriptor.pipe(CommandDescriptor.getSubcommands)]
    .map(([, descriptor]) => commandInfo(descriptor, [], descriptions))
    .sort((a, b) => a.name.localeCompare(b.name))
  return commandInfo(root.descriptor as CommandDescriptor.Command<unknown>, subcommands, descriptions)
}

/**
 * The option of `command` (or a built-in) that `name` names.
 *
 * @since 0.3.0
 * @category lookups
 */
export const findOption = (command: CommandInfo, name: string): OptionInfo | undefined =>
  [...command.options, ...BUILT_INS].find((option) => option.names.includes(name))
