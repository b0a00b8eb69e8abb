/**
 * Credentials never enter a package: `auth.json`, and any file whose name says token, secret,
 * credential or api key. Export leaves them out even when asked for; readers refuse a package
 * that carries one.
 *
 * @since 0.1.0
 */

// whole words only: `access_token.txt` and `client-secret.json` are credentials, `tokenizer.py` is not
const CREDENTIAL_NAME =
  /(^|[^a-z0-9])(tokens?|secrets?|credentials?|api[-_.]?keys?|passwords?)([^a-z0-9]|$)|api[-_.]?keys?|\.pem$|\.key$|^\.env(\.|$)|^\.netrc$|^id_(rsa|dsa|ecdsa|ed25519)/i

/**
 * True for a path (POSIX, relative) whose file name marks it as a credential.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCredentialPath = (relativePath: string): boolean => {
  const name = relativePath.split("/").pop() ?? relativePath
  return name.toLowerCase() === "auth.json" || CREDENTIAL_NAME.test(name)
}
