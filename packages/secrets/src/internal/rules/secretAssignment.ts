/**
 * A secret assigned to a name that says secret: `NAME = value`, `NAME: value`,
 * `export NAME=value`, `"name": "value"` (also with escaped quotes, as in JSON inside a JSON
 * string), where NAME ends in a word that says secret (`api_key`, `OPENAI_API_KEY`,
 * `authToken`, `db_password`; not `max_tokens`, `private_key_id`). The range is the value.
 *
 * A quoted value is a literal. An unquoted one is a literal in a config file or a shell
 * script (by the file's name), after `export`, and on a `NAME=value` line of a `.env` file
 * (no spaces around `=`); elsewhere (`key = os.environ[…]` is code) it counts only when it
 * looks generated (see `randomness`). Values that reference, template or stand in for a secret
 * pass, and so do values made of words only (`'proxy-handled'`, `'test-key'`: what code and
 * tests put there).
 */
import { ASSIGN_ANCHOR } from "../literals.js"
import { ENV_NAME, isPlaceholder, isWordLike, randomness } from "../text.js"
import type { Rule } from "./rule.js"

// the words a name ends in when it says secret
const SECRET_WORD = String.raw`(?:api[_-]?key|apikey|secret[_-]?key|access[_-]?key|private[_-]?key|token|secret|password|passwd)`

/** a name (a JSON key, a variable) that says secret */
export const SECRET_NAME = new RegExp(`${SECRET_WORD}$`, "i")

// the end of the name (a word that says secret), its closing quote, `=` or `:`, the value
const ASSIGNMENT = new RegExp(
  SECRET_WORD +
    String.raw`(\\?["']|)([ \t]*)(?:=(?!=)|:(?![:=]))([ \t]*)(?:"([^"\n]*)"|'([^'\n]*)'|\\"([^"\\\n]*)\\"|([^\s,'"${"`"}\\]*?);?(?=[\s,'"${"`"}\\]|$))`,
  "dgi"
)

/** files where an unquoted value is a literal (elsewhere `key = os.environ[…]` is code) */
export const CONFIG_FILE =
  /(^|\/)\.(env[^/]*|envrc|npmrc|pypirc|netrc)$|\.(toml|ini|cfg|conf|properties|ya?ml|env|sh|bash|zsh|ksh|fish)$/i

// shorter values are rarely secrets and often tokenizer symbols, flags or test strings
const MIN_SECRET_LENGTH = 8

// a value that is code: a call, an index, a type (`TArg<Secret>`), an operator (`opts?.key`,
// `a || b`), a member chain (`process.env.KEY`)
const CODE = /[()[\]{}<>]|\?\.|\|\||&&|=>|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/

const NAME_CHAR = /[\w.-]/

const isLiteral = (value: string): boolean =>
  value.length >= MIN_SECRET_LENGTH && !/\s/.test(value) && !isPlaceholder(value) && !isWordLike(value)

export const secretAssignment: Rule = {
  name: "secret-assignment",
  kind: "secret-assignment",
  needs: [ASSIGN_ANCHOR],
  *find(text, filePath) {
    const configFile = filePath !== undefined && CONFIG_FILE.test(filePath)
    for (const match of text.matchAll(ASSIGNMENT)) {
      // the name: back over name characters from the keyword
      let nameStart = match.index
      while (nameStart > 0 && NAME_CHAR.test(text[nameStart - 1]!)) nameStart--
      // not the `n` of an escaped line end (`\nDB_PASSWORD=…` in JSON text inside a string)
      if (text[nameStart - 1] === "\\" && "nrt".includes(text[nameStart]!)) nameStart++
      const quote = match[1]!
      let before = nameStart
      if (quote !== "") {
        if (text.slice(nameStart - quote.length, nameStart) !== quote) continue
        before -= quote.length
      }
      // after a line end, or an escaped one (JSON text inside a string)
      const escaped = text.lastIndexOf("\\n", before - 2)
      const lineStart = Math.max(text.lastIndexOf("\n", before - 1) + 1, escaped === -1 ? 0 : escaped + 2)
      const prefix = text.slice(lineStart, before)
      const exported = /(?:^|[\s;&|(])export[ \t]+$/.test(prefix)
      const group = [4, 5, 6, 7].find((k) => match[k] !== undefined)!
      const value = match[group]!
      const range = match.indices![group]!
      if (group !== 7) {
        if (isLiteral(value)) yield range
        continue
      }
      // `NAME=value` at the start of a line, as in a `.env` file
      const envLine = /^[ \t]*$/.test(prefix) && quote === "" && match[2] === "" && match[3] === "" &&
        text[range[0] - 1] === "="
      if (configFile || exported || envLine) {
        if (isLiteral(value) && !ENV_NAME.test(value) && !CODE.test(value)) yield range
      } else if (!CODE.test(value) && randomness(value, 16) !== "no") yield range
    }
  }
}
