/**
 * The content rules of {@link ../Credentials.ts}: secretlint's recommended rules (provider key
 * formats, private keys, npm tokens, …) and a few of ours for what they miss (PKCS#12 files, PEM
 * private keys of any size, `.npmrc` auth lines, PyPI tokens, secrets assigned in config files
 * and shell scripts). A rule answers its id, never what it matched.
 */
import type { lintSource } from "@secretlint/core"

const SECRETLINT = "@secretlint/secretlint-rule-"

/** the id of the first rule `text` (of the file at `path`) breaks */
type Lint = (path: string, text: string) => Promise<string | undefined>

/** secretlint's recommended rules, answering a finding by its short rule id (`openai`, …) */
const loadSecretlint = async (): Promise<Lint> => {
  const [core, preset] = await Promise.all([import("@secretlint/core"), import("@secretlint/secretlint-rule-preset-recommend")])
  const config: Parameters<typeof lintSource>[0]["options"]["config"] = {
    // all but filter-comments: a `secretlint-disable` comment in a skill must not hide a secret
    rules: preset.rules.filter((rule) => rule.meta.id !== `${SECRETLINT}filter-comments`).map((rule) => ({
      id: rule.meta.id,
      rule,
      // an AWS access key id alone is enough (by default the rule wants its secret key too)
      ...(rule.meta.id === `${SECRETLINT}aws` ? { options: { enableIDScanRule: true } } : {})
    }))
  }
  return async (path, text) => {
    const result = await core.lintSource({
      source: { filePath: path, content: text, contentType: "text" },
      options: { config, maskSecrets: true }
    })
    const found = result.messages.find((message) => message.type === "message")
    return found === undefined ? undefined : found.ruleId.replace(SECRETLINT, "")
  }
}

// loaded on first use: a command that checks no skill file does not pay for the rules at start-up
let secretlint: Promise<Lint> | undefined

const secretlintRule: Lint = async (path, text) => (await (secretlint ??= loadSecretlint()))(path, text)

/** DER length at `i`: [length, offset of the content] (indefinite BER length: -1) */
const derLength = (bytes: Uint8Array, i: number): [number, number] | undefined => {
  const first = bytes[i]
  if (first === undefined) return undefined
  if (first < 0x80) return [first, i + 1]
  if (first === 0x80) return [-1, i + 1]
  const count = first & 0x7f
  if (count > 4 || i + 1 + count > bytes.length) return undefined
  let length = 0
  for (let k = 0; k < count; k++) length = length * 256 + bytes[i + 1 + k]!
  return [length, i + 1 + count]
}

// 1.2.840.113549.1.7: the PKCS#7 content types a PFX's authSafe starts with
const PKCS7_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07]

/** PFX (RFC 7292): SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-…, … }, … } */
const isPkcs12 = (bytes: Uint8Array): boolean => {
  if (bytes[0] !== 0x30) return false
  const outer = derLength(bytes, 1)
  if (outer === undefined) return false
  let i = outer[1]
  if (bytes[i] !== 0x02 || bytes[i + 1] !== 0x01 || bytes[i + 2] !== 0x03) return false
  i += 3
  if (bytes[i] !== 0x30) return false
  const authSafe = derLength(bytes, i + 1)
  if (authSafe === undefined) return false
  i = authSafe[1]
  return PKCS7_OID.every((byte, k) => bytes[i + k] === byte)
}

// a PEM private key with a body (also JSON-escaped, as in a service account file): secretlint's
// rule misses small keys (an EC P-256 key's body starts `MH`, not the `MI` it looks for)
const PEM_PRIVATE_KEY =
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[ \t]*(?:\\[nr]|[\r\n])+(?:[\w-]+: [^\r\n\\]*(?:\\[nr]|[\r\n])+)*[ \t]*[A-Za-z0-9+/]{16}/

// `_authToken=…`, `_auth=…`, `_password=…` with a value that is not an `${ENV}` reference
const NPMRC_AUTH = /(?:^|[\s:'"])_(?:authToken|auth|password)[ \t]*=[ \t]*["']?(?![$"'\s])\S/m

// a PyPI API token: `pypi-` and a macaroon whose first bytes say pypi.org
const PYPI_TOKEN = /\bpypi-AgEIcHlwaS5vcmc[\w-]{16,}/

// NAME = value, NAME: value, export NAME=value, where NAME ends in a word that says secret
// (`api_key`, `OPENAI_API_KEY`, `authToken`, `db_password`; not `max_tokens`, `private_key_id`)
const ASSIGNMENT =
  /(?<![\w.-])(export[ \t]+)?(["']?)[\w.-]*?(?:api[_-]?key|apikey|secret[_-]?key|access[_-]?key|private[_-]?key|token|secret|password|passwd)\2[ \t]*(?:=(?!=)|:(?![:=]))[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s#;,'"`]*)/gi

/** files where an unquoted value is a literal (elsewhere `key = os.environ[…]` is code) */
const CONFIG_FILE =
  /(^|\/)\.(env[^/]*|envrc|npmrc|pypirc|netrc)$|\.(toml|ini|cfg|conf|properties|ya?ml|env|sh|bash|zsh|ksh|fish)$/i

/** a value that stands for a secret without being one: a reference, a template, a placeholder */
const PLACEHOLDER =
  /^[$%<[{]|\.\.\.|…|^(?:x+|\*+|your[\s_-].*|changeme|example|placeholder|redacted|null|none|nil|true|false|yes|no|on|off|\d+)$/i

/** the name of an environment variable (`OPENAI_API_KEY`), not its value */
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/

// shorter values are rarely secrets and often tokenizer symbols, flags or test strings
const MIN_SECRET_LENGTH = 8

const assignsSecret = (path: string, text: string): boolean => {
  const configFile = CONFIG_FILE.test(path)
  for (const match of text.matchAll(ASSIGNMENT)) {
    const raw = match[3] ?? ""
    const quoted = raw.startsWith("\"") || raw.startsWith("'")
    if (!quoted && match[1] === undefined && !configFile) continue
    const value = quoted ? raw.slice(1, -1) : raw
    if (value.length >= MIN_SECRET_LENGTH && !/\s/.test(value) && !PLACEHOLDER.test(value) && !ENV_NAME.test(value)) return true
  }
  return false
}

/** the first bytes git also looks at to call a file binary */
const BINARY_SNIFF = 8000

const isBinary = (head: Uint8Array): boolean => head.subarray(0, BINARY_SNIFF).includes(0)

/**
 * The id of the first content rule `head` (the first bytes of the file at package path `path`)
 * breaks, or `undefined`.
 */
export const contentRule = async (path: string, head: Uint8Array): Promise<string | undefined> => {
  if (isPkcs12(head)) return "pkcs12"
  if (isBinary(head)) return undefined
  const text = new TextDecoder("utf-8").decode(head)
  if (PEM_PRIVATE_KEY.test(text)) return "private-key"
  if (NPMRC_AUTH.test(text)) return "npmrc-auth"
  if (PYPI_TOKEN.test(text)) return "pypi-token"
  return (await secretlintRule(path, text)) ?? (assignsSecret(path, text) ? "secret-assignment" : undefined)
}
