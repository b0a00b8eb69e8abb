/**
 * `.env`-style lines, `NAME=value` (also `export NAME=value`, indented, `- NAME=value` in a
 * compose file), whose value looks generated: long, high entropy, letters and digits mixed, not
 * a word, a path, a URL, a UUID, a template or a placeholder. The name need not say secret
 * (`STRIPE=…`), but names that say what else it is (`…_ID`, `…_SHA`, `…_URL`, `…_PATH`) pass,
 * and pure hex passes unless the name says secret (a digest or a git id otherwise). The range
 * is the value.
 */
import { ENV_ANCHOR } from "../literals.js"
import { randomness } from "../text.js"
import type { Rule } from "./rule.js"

// a line starts after a line end, or after an escaped one (`\n` in JSON text inside a string:
// a tool call's arguments); an unquoted value ends at whitespace, a quote or a backslash (a `#`
// or `;` inside it is part of it, as `.env` readers and shells take it), minus a trailing `;`
const LINE =
  /(?:^|(?<=\\[nr]))[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?([A-Z][A-Z0-9_]{2,})[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|\\"([^"\\\n]*)\\"|([^\s'"`\\]+?);?(?=[\s\\]|$))/dgm

const NOT_SECRET_NAME =
  /_(?:IDS?|SHA|HASH|DIGEST|CHECKSUM|UUID|VERSION|COMMIT|REV|REF|PATH|DIR|FILE|URL|URI|HOST|PORT|NAME|REGION|ENDPOINT|EMAIL|USER|USERNAME|MODE|LEVEL|TYPE)$/

const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|AUTH|CREDENTIALS?|PRIVATE|SALT|SIGNATURE|DSN|COOKIE|SESSION)(?:_|$)/

/** the shortest value reported */
export const MIN_LENGTH = 16

export const dotenv: Rule = {
  name: "dotenv",
  kind: "dotenv",
  needs: [ENV_ANCHOR],
  *find(text) {
    for (const match of text.matchAll(LINE)) {
      const name = match[1]!
      if (NOT_SECRET_NAME.test(name)) continue
      const group = [2, 3, 4, 5].find((k) => match[k] !== undefined)!
      const range = match.indices![group]!
      const verdict = randomness(match[group]!, MIN_LENGTH)
      if (verdict === "random" || verdict === "hex" && SECRET_NAME.test(name)) yield range
    }
  }
}
