/**
 * The content rules of {@link ../Credentials.ts}: the detector of `@sessionport/secrets`, the one
 * transcripts are scanned with (secretlint's recommended rules and ours: provider key formats,
 * private keys of any size, `.npmrc` auth lines, PyPI tokens, secrets assigned in config files
 * and shell scripts, `.env` lines, …), plus PKCS#12 files. A rule answers its id, never what it
 * matched.
 */
import { RuleSet } from "@sessionport/secrets"

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

// when several rules match, the id reported is the first of these found, then the first other
// kind in the text, then the generic ones; ids these rules had before they moved to
// @sessionport/secrets are kept
const FIRST = ["private-key", "npmrc-auth", "pypi"]
const GENERIC = ["secret-assignment", "dotenv"]
const LEGACY: Readonly<Record<string, string>> = { pypi: "pypi-token" }

/** the id to report of the kinds found (in text order) */
const reported = (kinds: ReadonlyArray<string>): string | undefined => {
  const chosen = FIRST.find((kind) => kinds.includes(kind)) ?? kinds.find((kind) => !GENERIC.includes(kind)) ??
    GENERIC.find((kind) => kinds.includes(kind))
  return chosen === undefined ? undefined : LEGACY[chosen] ?? chosen
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
  // the path decides how a config file's unquoted values are read
  return reported((await RuleSet.scanText(text, path)).map((match) => match.kind))
}
