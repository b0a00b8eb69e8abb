/**
 * PEM private keys of any kind and size (PKCS#1, PKCS#8, encrypted PKCS#8, SEC1 EC keys whose
 * body starts `MH`, OpenSSH, PGP blocks; the preset's rule misses small keys and keys without an
 * END line), also when their line ends are escaped (`\n` inside a JSON or code string). The
 * range is the whole block from BEGIN to END, or to the end of the body when END was cut off
 * (a key shown in part is still a leak).
 */
import type { Range, Rule } from "./rule.js"

const BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g

// after BEGIN: line ends (real or escaped), header lines (`Proc-Type: …`), then a body
const HEAD = /[ \t]*(?:\\+[nr]|[\r\n])+(?:[\w-]+: [^\r\n\\]*(?:\\+[nr]|[\r\n])+)*[ \t]*[A-Za-z0-9+/]{16}/y

const BODY = /(?:[A-Za-z0-9+/= \t\r\n]|\\+[nrt])*/y

const END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/y

const TRAILING = /(?:[ \t\r\n]|\\+[nrt])+$/

const sticky = (pattern: RegExp, text: string, at: number): number | undefined => {
  pattern.lastIndex = at
  return pattern.test(text) ? pattern.lastIndex : undefined
}

export const privateKey: Rule = {
  name: "private-key",
  kind: "private-key",
  needs: ["PRIVATE KEY"],
  *find(text) {
    for (const match of text.matchAll(BEGIN)) {
      const start = match.index
      const head = sticky(HEAD, text, start + match[0].length)
      if (head === undefined) continue
      const body = sticky(BODY, text, head)!
      const end = sticky(END, text, body)
      const range: Range = end !== undefined
        ? [start, end]
        : [start, start + text.slice(start, body).replace(TRAILING, "").length]
      yield range
    }
  }
}
