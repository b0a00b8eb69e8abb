/**
 * The folder of `projects/` Claude Code keeps a working directory's sessions in: every UTF-16
 * code unit outside `[A-Za-z0-9]` becomes `-`; a name over 200 characters is cut there and gets
 * `-` and a base-36 hash of the whole path (Claude's `djb2` over UTF-16 code units). Claude
 * resolves symbolic links in the working directory first (realpath): so does install.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 @category constants */
export const MAX_NAME = 200

/** Claude's string hash: `h = (h << 5) - h + code | 0` over UTF-16 code units. @since 0.2.0 @category hashing */
export const hash = (text: string): number => {
  let h = 0
  for (let i = 0; i < text.length; i++) h = ((h << 5) - h + text.charCodeAt(i)) | 0
  return h
}

/** @since 0.2.0 @category encoding */
export const name = (cwd: string): string => {
  const encoded = cwd.replace(/[^a-zA-Z0-9]/g, "-")
  return encoded.length <= MAX_NAME ? encoded : `${encoded.slice(0, MAX_NAME)}-${Math.abs(hash(cwd)).toString(36)}`
}
