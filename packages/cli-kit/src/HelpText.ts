/**
 * Help as people read it. @effect/cli renders every text option and argument with its primitive's
 * own sentence ("A user-defined piece of text.") before the description we give, and a
 * subcommand's USAGE without the program's name (`$ install …`) and a repeatable option as if it
 * were required (`--map FROM=TO...`). What the help prints is tidied (see `PlainConsole`): the
 * sentence out, the program's name in front of the command, `[--map FROM=TO]...`, and the
 * command's example (`Examples`) at the end.
 *
 * @since 0.3.0
 */
import * as Examples from "./Examples.js"

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
  return withExample(program, text
    .replace(PRIMITIVE, "\n")
    // `$ install …` → `$ session-transfer install …` (the root command already names it)
    .replace(/^((?:\u001b\[[0-9;]*m)*)\$ (?!\S*session-)(\S)/m, `$1$ ${program} $2`)
    // a repeatable option may be left out: `--map FROM=TO...` → `[--map FROM=TO]...`, in the
    // USAGE line and in the root's list of commands (`  - install --map FROM=TO... …`)
    .replace(/^((?:\u001b\[[0-9;]*m)*(?:\$ |  - ).*)$/gm, (usage) => usage.replace(/(^|\s)(--[a-z][a-z0-9-]* (?:[^\s\]|]+ \| )*[^\s\]|]+)\.\.\./g, "$1[$2]...")))
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

// the command a help is about, as its USAGE names it (`$ session-transfer export …`)
const withExample = (program: string, text: string): string => {
  const plain = text.replace(ANSI, "")
  const command = plain.split("\n").find((line) => line.startsWith(`$ ${program} `))?.split(" ")[2]
  const section = command === undefined ? "" : Examples.section(program, command, plain !== text)
  return section === "" ? text : `${text.endsWith("\n") ? text : `${text}\n`}\n${section}`
}
