/**
 * Help as people read it. @effect/cli renders every text option and argument with its primitive's
 * own sentence ("A user-defined piece of text.") before the description we give, and a
 * subcommand's USAGE without the program's name (`$ install …`) and a repeatable option as if it
 * were required (`--map FROM=TO...`). What the help prints is tidied (see `PlainConsole`): the
 * sentence out, the program's name in front of the command, `[--map FROM=TO]...`.
 *
 * @since 0.3.0
 */
// the sentence on a line of its own, coloured or not
const PRIMITIVE = /\n\n[ \t]*(?:\u001b\[[0-9;]*m)*A user-defined piece of text\.(?:\u001b\[[0-9;]*m)*\n/g

/**
 * The help text tidied (anything else is returned as it is).
 *
 * @since 0.3.0
 * @category rendering
 */
export const tidy = (program: string, text: string): string => {
  if (!text.includes("USAGE")) return text
  return text
    .replace(PRIMITIVE, "\n")
    // `$ install …` → `$ session-transfer install …` (the root command already names it)
    .replace(/^((?:\u001b\[[0-9;]*m)*)\$ (?!\S*session-)(\S)/m, `$1$ ${program} $2`)
    // a repeatable option may be left out: `--map FROM=TO...` → `[--map FROM=TO]...`
    .replace(/^((?:\u001b\[[0-9;]*m)*\$ .*)$/m, (usage) => usage.replace(/(^|\s)(--[a-z][a-z0-9-]* [^\s\]]+)\.\.\./g, "$1[$2]..."))
}
