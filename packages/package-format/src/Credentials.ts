/**
 * Credentials never enter a package. A skill file is held back when its name says credential
 * (`auth.json`, `.npmrc`, `*token*`, keys, a `secrets/` folder, …) or its first
 * {@link CHECKED_BYTES} do (a private key, a provider's key format, an `.npmrc` auth line, a
 * PKCS#12 file, a secret assigned in a config file or script). Export leaves such files out
 * unless `--allow-file` names them (the manifest then lists them in `allowed_files`); readers
 * refuse a package carrying one it does not list. Every rule has an id, which is what is
 * reported: never the secret.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { contentRule as secretContentRule } from "./internal/secretContent.js"
import { isSkillEntry } from "./Layout.js"

/**
 * How much of a file the content rules read: its first 4 MiB (secrets sit near the top of the
 * small files that hold them; a large file is not read whole).
 *
 * @since 0.1.0
 * @category constants
 */
export const CHECKED_BYTES = 4 * 1024 ** 2

const NAME_RULES: ReadonlyArray<readonly [string, RegExp]> = [
  ["auth-json", /^auth\.json$/],
  // whole words: `access_token.txt`, `client-secret.json` and `github_pat.txt` are credentials,
  // `tokenizer.py` and `my_path.py` are not; any `*token*.txt` and `*_key.txt` are
  ["credential-name", /(^|[^a-z0-9])(tokens?|secrets?|credentials?|passwords?|pats?)([^a-z0-9]|$)|api[-_.]?keys?|token.*\.txt$|[-_.]keys?\.txt$/],
  ["key-file", /\.(pem|key|p12|pfx)$|^id_(rsa|dsa|ecdsa|ed25519)/],
  ["env-file", /^\.env(\.|$)|^\.envrc$/],
  ["auth-config-file", /^\.(netrc|npmrc|pypirc)$|^_netrc$/],
  ["service-account-file", /^service[-_]?account.*\.json$/]
]

// inside a skill: the skill's own folder name says what it is about, not what it holds
const CREDENTIAL_FOLDER = /^(credentials?|secrets?)$/

/**
 * The id of the name rule a path (POSIX, relative: a package entry) breaks, or `undefined`.
 *
 * @since 0.1.0
 * @category rules
 */
export const nameRule = (relativePath: string): string | undefined => {
  const segments = relativePath.toLowerCase().split("/")
  const name = segments.pop() ?? ""
  const named = NAME_RULES.find(([, pattern]) => pattern.test(name))
  if (named !== undefined) return named[0]
  const folders = isSkillEntry(relativePath) ? segments.slice(2) : segments
  return folders.some((folder) => CREDENTIAL_FOLDER.test(folder)) ? "credential-folder" : undefined
}

/**
 * True for a path (POSIX, relative) whose name marks it as a credential.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCredentialPath = (relativePath: string): boolean => nameRule(relativePath) !== undefined

/**
 * The id of the content rule the first bytes of a file (at most {@link CHECKED_BYTES}, at package
 * path `relativePath`) break, or `undefined`. A check that cannot run answers `check-failed`:
 * a file is better left out than leaked.
 *
 * @since 0.1.0
 * @category rules
 */
export const contentRule = (relativePath: string, head: Uint8Array): Effect.Effect<string | undefined> =>
  Effect.tryPromise(() => secretContentRule(relativePath, head.subarray(0, CHECKED_BYTES))).pipe(
    Effect.orElseSucceed(() => "check-failed"),
    Effect.withSpan("Credentials.contentRule", { attributes: { path: relativePath } })
  )
