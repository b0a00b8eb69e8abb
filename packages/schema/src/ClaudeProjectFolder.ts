/**
 * The folder of `projects/` Claude Code keeps a working directory's transcripts in
 * (`<CLAUDE_CONFIG_DIR>/projects/<name>/<sessionId>.jsonl`): every UTF-16 code unit outside
 * `[A-Za-z0-9]` becomes `-` (an astral character, two); a name longer than 200 characters is
 * cut there and gets `-` and the base-36 absolute value of {@link djb2} of the whole path.
 *
 * Claude Code resolves symbolic links in the working directory (realpath) before it encodes it;
 * this module does no I/O: pass the resolved path. `--continue`, the `/resume` picker's current
 * project and the Agent SDK's `listSessions({dir})` find a session only in the folder of their
 * cwd (`claude --resume <id>` searches every folder).
 *
 * Facts: Claude Code 2.1.332's embedded JS
 * (`n=e.replace(/[^a-zA-Z0-9]/g,"-"); n.length<=200 ? n : n.slice(0,200)+"-"+Math.abs(hash(e)).toString(36)`),
 * checked against the folders it made.
 *
 * @since 0.2.0
 */

/**
 * The longest folder name kept whole.
 *
 * @since 0.2.0
 * @category constants
 */
export const MAX_NAME_LENGTH = 200

/**
 * Claude Code's string hash (djb2 with `* 31`, as Java's `hashCode`): `h = ((h << 5) - h +
 * charCode) | 0` over UTF-16 code units, from 0. A signed 32-bit integer.
 *
 * @since 0.2.0
 * @category hashing
 */
export const djb2 = (text: string): number => {
  let h = 0
  for (let i = 0; i < text.length; i++) h = ((h << 5) - h + text.charCodeAt(i)) | 0
  return h
}

/**
 * The folder name of a working directory (an absolute, resolved path).
 *
 * @since 0.2.0
 * @category encoding
 */
export const projectFolderName = (path: string): string => {
  const name = path.replace(/[^a-zA-Z0-9]/g, "-")
  return name.length <= MAX_NAME_LENGTH ? name : `${name.slice(0, MAX_NAME_LENGTH)}-${Math.abs(djb2(path)).toString(36)}`
}

/**
 * The transcript's file name in its project folder.
 *
 * @since 0.2.0
 * @category encoding
 */
export const transcriptFileName = (sessionId: string): string => `${sessionId}.jsonl`
