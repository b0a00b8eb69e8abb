/**
 * Where everything sits inside a session package (folder or `.tgz`). Paths are POSIX,
 * relative to the package root.
 *
 * ```
 * <package>/
 *   package_manifest.json
 *   README.md  INSTALL_REMOTE.md
 *   metadata/threads.jsonl  metadata/session_index.jsonl  metadata/thread_dynamic_tools.jsonl
 *   metadata/path_localization.json
 *   sessions/                rollout files, flat, by their file name
 *   skills/                  only with --include-skills
 *   skeleton/required-directories.json
 * ```
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category constants */
export const MANIFEST = "package_manifest.json"
/** @since 0.1.0 @category constants */
export const README = "README.md"
/** @since 0.1.0 @category constants */
export const INSTALL_REMOTE = "INSTALL_REMOTE.md"
/** @since 0.1.0 @category constants */
export const THREADS = "metadata/threads.jsonl"
/** @since 0.1.0 @category constants */
export const SESSION_INDEX = "metadata/session_index.jsonl"
/** @since 0.1.0 @category constants */
export const DYNAMIC_TOOLS = "metadata/thread_dynamic_tools.jsonl"
/** @since 0.1.0 @category constants */
export const PATH_LOCALIZATION = "metadata/path_localization.json"
/** @since 0.1.0 @category constants */
export const REQUIRED_DIRECTORIES = "skeleton/required-directories.json"
/** @since 0.1.0 @category constants */
export const SESSIONS_DIR = "sessions"
/** @since 0.1.0 @category constants */
export const SKILLS_DIR = "skills"

/** The entry of a rollout: `sessions/<file name>` (flat; date folders are not kept). @since 0.1.0 @category constructors */
export const sessionEntry = (fileName: string): string => `${SESSIONS_DIR}/${fileName}`

/** @since 0.1.0 @category predicates */
export const isSessionEntry = (entry: string): boolean =>
  entry.startsWith(`${SESSIONS_DIR}/`) && !entry.slice(SESSIONS_DIR.length + 1).includes("/")

/** @since 0.1.0 @category predicates */
export const isSkillEntry = (entry: string): boolean => entry.startsWith(`${SKILLS_DIR}/`)

/** Files every package has, besides its sessions. @since 0.1.0 @category constants */
export const requiredFiles: ReadonlyArray<string> = [MANIFEST, THREADS]

/** Every file the layout defines (sessions and skills aside). @since 0.1.0 @category constants */
export const knownFiles: ReadonlyArray<string> = [
  MANIFEST,
  README,
  INSTALL_REMOTE,
  THREADS,
  SESSION_INDEX,
  DYNAMIC_TOOLS,
  PATH_LOCALIZATION,
  REQUIRED_DIRECTORIES
]
