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
 *   agents/<agent>/          sessions of agents other than Codex (only when there are some):
 *     <name>.jsonl           the agent's metadata (e.g. claude: sessions.jsonl, history.jsonl)
 *     sessions/<id>/transcript.jsonl
 *     sessions/<id>/…        the session's other files (claude: subagents/, file-history/)
 * ```
 *
 * Codex sessions keep the baseline layout above (`sessions/`, `metadata/`), so a Codex-only
 * package is exactly what it was before other agents existed.
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

/** @since 0.2.0 @category constants */
export const AGENTS_DIR = "agents"

/** The transcript of an agent's session. @since 0.2.0 @category constants */
export const TRANSCRIPT = "transcript.jsonl"

/**
 * An agent name or a session id as it may stand in an entry name: letters, digits, `_`, `-`
 * and inner dots, at most 128 characters (no separator, no `..`).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isSafeSegment = (segment: string): boolean =>
  /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(segment) && !segment.includes("..")

/** `agents/<agent>/<name>`: a metadata file of an agent. @since 0.2.0 @category constructors */
export const agentMetadataEntry = (agent: string, name: string): string => `${AGENTS_DIR}/${agent}/${name}`

/** `agents/<agent>/sessions/<id>`: the folder of an agent's session. @since 0.2.0 @category constructors */
export const agentSessionDir = (agent: string, id: string): string => `${AGENTS_DIR}/${agent}/${SESSIONS_DIR}/${id}`

/** `agents/<agent>/sessions/<id>/transcript.jsonl`. @since 0.2.0 @category constructors */
export const agentTranscriptEntry = (agent: string, id: string): string => `${agentSessionDir(agent, id)}/${TRANSCRIPT}`

/**
 * Where an entry sits in an agent's part of the layout, or `undefined` outside it (or off its shape).
 *
 * @since 0.2.0
 * @category parsing
 */
export type AgentEntry =
  | { readonly kind: "metadata"; readonly agent: string; readonly name: string }
  | { readonly kind: "transcript"; readonly agent: string; readonly id: string }
  | { readonly kind: "session-file"; readonly agent: string; readonly id: string; readonly rest: string }

/** @since 0.2.0 @category parsing */
export const parseAgentEntry = (entry: string): AgentEntry | undefined => {
  const parts = entry.split("/")
  if (parts[0] !== AGENTS_DIR || parts.length < 3 || !isSafeSegment(parts[1]!)) return undefined
  const agent = parts[1]!
  if (parts.length === 3) return /\.jsonl?$/.test(parts[2]!) ? { kind: "metadata", agent, name: parts[2]! } : undefined
  if (parts[2] !== SESSIONS_DIR || parts.length < 5 || !isSafeSegment(parts[3]!)) return undefined
  const id = parts[3]!
  if (parts.length === 5 && parts[4] === TRANSCRIPT) return { kind: "transcript", agent, id }
  return { kind: "session-file", agent, id, rest: parts.slice(4).join("/") }
}

/** Whether a folder entry belongs to an agent's part of the layout. @since 0.2.0 @category predicates */
export const isAgentFolder = (entry: string): boolean => {
  const parts = entry.split("/")
  if (parts[0] !== AGENTS_DIR) return false
  if (parts.length === 1) return true
  if (!isSafeSegment(parts[1]!)) return false
  if (parts.length === 2) return true
  if (parts[2] !== SESSIONS_DIR) return false
  return parts.length === 3 || isSafeSegment(parts[3]!)
}

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
