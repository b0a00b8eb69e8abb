/**
 * Tests on candidate values shared by the rules that have no fixed prefix to go by (`dotenv`,
 * `secret-assignment`, `database-url`): is this a template or a placeholder, is it random
 * enough to be a generated secret rather than a word, a path, a digest or an id.
 */

/** a value that stands for a secret without being one: a reference, a template, a placeholder */
export const PLACEHOLDER =
  /^[$%<[{]|\.\.\.|…|^(?:x+|\*+|your[\s_-].*|changeme|example|placeholder|redacted|null|none|nil|undefined|true|false|yes|no|on|off|\d+)$/i

/**
 * A reference to another value: `${VAR}`, `${VAR:-x}`, `$(cmd …`, `{{ var }}`, `%VAR%` (a value
 * that starts with `$`, `$VAR`, is a {@link PLACEHOLDER}). A `$` among other symbols is not one:
 * generated secrets have them (`u#=_m((+$k…`).
 */
const TEMPLATE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+=-][^}]*)?\}|\$\([a-z]|\{\{|%[A-Za-z_]+%/

/** the name of an environment variable (`OPENAI_API_KEY`), not its value */
export const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** hex of a digest's or an id's length: git object ids, sha1/256/512 and md5 digests */
const HEX_DIGEST = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$|^(?:[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$/

/** words that mark a value as a stand-in wherever they are in it (`AKIAIOSFODNN7EXAMPLE`, `your-api-key-here`) */
const STAND_IN = /example|dummy|placeholder|changeme|redacted|replace[_-]?me|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)/i

/** Whether `value` is a template, a reference or a stand-in rather than a literal secret. */
export const isPlaceholder = (value: string): boolean =>
  PLACEHOLDER.test(value) || TEMPLATE.test(value) || ENV_NAME.test(value) || STAND_IN.test(value)

/**
 * Whether `value` is made of words and numbers only, between any other characters
 * (`proxy-handled`, `test-key`, `sk-secret`, `?NonExpressionParenEnd`, `v2.1.0`): what code
 * and examples put where a secret goes. A secret mixes letters and digits within a word.
 */
export const isWordLike = (value: string): boolean =>
  value.split(/[^A-Za-z0-9]+/).every((word) => /^(?:[A-Za-z]*|[0-9]*)$/.test(word))

/** Shannon entropy in bits per character. */
export const entropy = (value: string): number => {
  const counts = new Map<number, number>()
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    counts.set(code, (counts.get(code) ?? 0) + 1)
  }
  let bits = 0
  for (const count of counts.values()) {
    const p = count / value.length
    bits -= p * Math.log2(p)
  }
  return bits
}

const LOWER = 1
const UPPER = 2
const DIGIT = 4

const classOf = (code: number): number =>
  code >= 97 && code <= 122 ? LOWER : code >= 65 && code <= 90 ? UPPER : code >= 48 && code <= 57 ? DIGIT : 0

/** the letter runs of a value: split at digits, symbols and case changes (`productionUsEast1` → production, Us, East) */
const LETTER_RUN = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g

// the hundred most frequent letter pairs of English text: most pairs of a word are among them,
// about one in seven pairs of random letters is
const COMMON_PAIRS = new Set(
  ("th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro " +
    "ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs " +
    "un lo wa ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id").split(" ")
)

/**
 * A letter run that reads like a word: most of its letter pairs are common in English, or
 * many are and it is pronounceable (a third to a half vowels, no cluster of four consonants).
 */
const isWordy = (run: string): boolean => {
  if (run.length < 4) return false
  const lower = run.toLowerCase()
  let common = 0
  let vowels = 0
  let cluster = 0
  let longest = 0
  for (let i = 0; i < lower.length; i++) {
    if (i > 0 && COMMON_PAIRS.has(lower.slice(i - 1, i + 1))) common++
    if ("aeiou".includes(lower[i]!)) {
      vowels++
      cluster = 0
    } else longest = Math.max(longest, ++cluster)
  }
  const pairs = common / (lower.length - 1)
  const share = vowels / lower.length
  return pairs >= 0.5 || pairs >= 0.3 && share >= 0.3 && share <= 0.6 && longest <= 3
}

/**
 * The share of a value's letters and digits that read as words: word-like letter runs, and
 * whole short segments (`max`, `v2`… between separators), numbers and digests. High in names,
 * identifiers, flags and phrases (`productionUsEast1Cluster`, `my-service-staging-2`,
 * `--max-old-space-size=4096`), low in generated strings, whose letter runs are short or
 * unpronounceable and rarely stand between separators.
 */
const wordiness = (value: string): number => {
  let alnum = 0
  let wordy = 0
  for (const [segment] of value.matchAll(/[A-Za-z0-9]+/g)) {
    alnum += segment.length
    // numbers, short words, and digests (hex of a digest's length: `node-modules-<sha256>` is a cache key)
    if (/^[0-9]+$/.test(segment) || segment.length <= 3 && /[aeiouy]/i.test(segment) || HEX_DIGEST.test(segment)) wordy += segment.length
    else for (const [run] of segment.matchAll(LETTER_RUN)) if (isWordy(run)) wordy += run.length
  }
  return wordy / Math.max(alnum, 1)
}

/** an absolute or relative path of two or more segments, or a Windows path */
const PATH = /^(?:~|\.{1,2})?\/(?:[\w.@-]+\/)+[\w.@-]*$|^[A-Za-z]:\\/

/** What {@link randomness} says of a value. */
export type Randomness = "random" | "hex" | "no"

/**
 * Whether a literal value (no quotes) looks like a generated secret: at least `minLength`
 * characters, no whitespace, not a template or placeholder, not a URL or a path, not a UUID,
 * letters and digits (or both cases) mixed, high entropy, and not made of words (see
 * `wordiness`).
 * Pure hex of a digest's length answers `hex` (a digest or a git id; a secret only where the
 * name says so).
 */
export const randomness = (value: string, minLength: number): Randomness => {
  if (value.length < minLength || value.length > 4096 || /\s/.test(value)) return "no"
  if (isPlaceholder(value) || value.includes("://") || PATH.test(value)) return "no"
  if (UUID.test(value)) return "no"
  if (HEX_DIGEST.test(value)) return "hex"
  // a digest inside a reference (`image@sha256:…`, `sha512-…` integrity) is not a secret either
  if (/(?:sha(?:1|256|384|512)|md5)[:-]/i.test(value)) return "no"
  let classes = 0
  for (let i = 0; i < value.length; i++) classes |= classOf(value.charCodeAt(i))
  // letters and digits both, or both cases
  const mixed = (classes & DIGIT) !== 0 && classes !== DIGIT || classes === (LOWER | UPPER)
  if (!mixed) return "no"
  if (entropy(value) < Math.min(3.3, Math.log2(value.length) - 0.7)) return "no"
  return wordiness(value) < 0.5 ? "random" : "no"
}
