/**
 * Credentials never enter a package: `auth.json`, and any file whose name says token, secret,
 * credential or api key. Export leaves them out even when asked for; readers refuse a package
 * that carries one.
 *
 * @since 0.1.0
 */

const CREDENTIAL_NAME = /(token|secret|credential|api[-_.]?key|password|\.pem$|\.key$|^\.env(\.|$)|^id_(rsa|ed25519|ecdsa))/i

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
