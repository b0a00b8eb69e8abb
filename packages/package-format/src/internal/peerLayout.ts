/**
 * Where each entry of a coding-cli-session-sync archive goes: into the agent home the archive
 * came from (kept), or nowhere (dropped, with the reason reported). Pure: names in, placements
 * out. The archive holds one tool's files:
 *
 * ```
 * codex     .codex/sessions/YYYY/MM/DD/rollout-*.jsonl[.zst]      → sessions/…
 *           .codex/config.toml                                    dropped: config
 * claude    .claude/projects/<folder>/<id>.jsonl                  → projects/… (the ids the metadata names)
 *           .claude/projects/<folder>/<id>/…, file-history/<id>/… → as they are, with their session
 *           .claude/history.jsonl                                 → history.jsonl
 *           <id>.json at the root                                 dropped: unsupported_format (pre-2.x)
 * opencode  ses_*.json at the root                                → storage/session/global/<id>.json
 *           opencode/storage/{message,part,session,project,todo}/… → storage/…
 *           opencode/storage/part/<not a message>/…               dropped: bad_part_layout
 * all       metadata.json at the root                             read, never installed
 *           a name that looks like a credential                   dropped: credential:<rule>
 *           anything else under the tool's folder                 dropped: not_a_session
 * ```
 */

/** @internal */
export type PeerTool = "codex" | "claude" | "opencode"

/** @internal */
export const TOOLS: ReadonlyArray<PeerTool> = ["codex", "claude", "opencode"]

/** @internal the archive's description of itself, written last */
export const METADATA = "metadata.json"

/** The folder each tool's files sit under in the archive. */
const ROOTS: Readonly<Record<PeerTool, string>> = { codex: ".codex", claude: ".claude", opencode: "opencode" }

/** An OpenCode session file at the archive's root: `<sessionID>.json`, every id starting `ses_`. */
const ROOT_SESSION = /^(ses_[^/]+)\.json$/

/** Why an entry is not installed (reported with its path, never its content). @internal */
export type DropReason =
  | "config"
  | "not_a_session"
  | "not_selected"
  | "not_carried"
  | "unsupported_format"
  | "bad_part_layout"
  | `credential:${string}`

/** @internal what one file entry of the archive is */
export type Placement =
  /** `path`: where it goes, relative to the agent home */
  | { readonly _tag: "Keep"; readonly path: string }
  /** a Claude session's file: kept only if the session is one the archive names */
  | { readonly _tag: "OfSession"; readonly path: string; readonly session: string; readonly transcript: boolean }
  | { readonly _tag: "Drop"; readonly reason: DropReason }
  /** a `<name>.json` at the root that is not an OpenCode session: dropped, why depends on the tool */
  | { readonly _tag: "RootJson" }
  | { readonly _tag: "Metadata" }

/** @internal where an entry (file or folder, a checked name) says it is from */
export type Root =
  | { readonly _tag: "Tool"; readonly tool: PeerTool }
  | { readonly _tag: "Neutral" }
  | { readonly _tag: "Outside" }

/**
 * The tool an entry belongs to by its name: under a tool's folder, or an OpenCode session at
 * the root; `metadata.json` and another root `*.json` are neutral; anything else is outside the
 * layout.
 *
 * @internal
 */
export const rootOf = (name: string, folder: boolean): Root => {
  const head = name.split("/")[0]!
  for (const tool of TOOLS) if (head === ROOTS[tool]) return { _tag: "Tool", tool }
  if (folder || name.includes("/")) return { _tag: "Outside" }
  if (ROOT_SESSION.test(name)) return { _tag: "Tool", tool: "opencode" }
  return name.endsWith(".json") ? { _tag: "Neutral" } : { _tag: "Outside" }
}

/**
 * Whether the first file of an archive says coding-cli-session-sync made it: under a tool's
 * folder, `metadata.json`, or an OpenCode session at the root. (No sessionport package has any
 * of these at its top.)
 *
 * @internal
 */
export const isPeerName = (name: string): boolean =>
  name === METADATA || name.startsWith(".codex/") || name.startsWith(".claude/") || name.startsWith("opencode/storage/") ||
  ROOT_SESSION.test(name)

/** A folder entry a peer archive may hold: a tool's folder or one below it. @internal */
export const isPeerFolder = (name: string): boolean => rootOf(name, true)._tag === "Tool"

const ROLLOUT = /^rollout-[^/]+\.jsonl(\.zst)?$/
const DAY = /^sessions\/\d{4}\/\d{2}\/\d{2}\/([^/]+)$/
const ARCHIVED = /^archived_sessions\/([^/]+)$/

const codex = (path: string): Placement => {
  if (path === "config.toml") return { _tag: "Drop", reason: "config" }
  const rollout = DAY.exec(path)?.[1] ?? ARCHIVED.exec(path)?.[1]
  return rollout !== undefined && ROLLOUT.test(rollout) ? { _tag: "Keep", path } : { _tag: "Drop", reason: "not_a_session" }
}

const TRANSCRIPT = /^projects\/[^/]+\/([^/]+)\.jsonl$/
const SESSION_FOLDER = /^projects\/[^/]+\/([^/]+)\/./
const FILE_HISTORY = /^file-history\/([^/]+)\/./

const claude = (path: string): Placement => {
  if (path === "history.jsonl") return { _tag: "Keep", path }
  const transcript = TRANSCRIPT.exec(path)?.[1]
  if (transcript !== undefined) return { _tag: "OfSession", path, session: transcript, transcript: true }
  // `projects/<folder>/memory/…` looks like a session folder too: it is told apart once the
  // transcripts are known (a folder of no transcript is not a session's)
  const session = SESSION_FOLDER.exec(path)?.[1] ?? FILE_HISTORY.exec(path)?.[1]
  if (session !== undefined) return { _tag: "OfSession", path, session, transcript: false }
  // their todo lists: sessionport carries transcripts, session folders and file history only
  if (path.startsWith("todos/")) return { _tag: "Drop", reason: "not_carried" }
  return { _tag: "Drop", reason: "not_a_session" }
}

const STORAGE = "storage/"
/** The files OpenCode ≤ 1.1 reads from its JSON storage (`opencode-home`'s `internal/legacy.ts`). */
const STORAGE_FILES = [
  /^session\/[^/]+\/[^/]+\.json$/,
  /^message\/[^/]+\/[^/]+\.json$/,
  /^part\/msg_[^/]+\/[^/]+\.json$/,
  /^project\/[^/]+\.json$/,
  /^todo\/[^/]+\.json$/
]

const opencode = (path: string): Placement => {
  if (!path.startsWith(STORAGE)) return { _tag: "Drop", reason: "not_a_session" }
  const inStorage = path.slice(STORAGE.length)
  if (STORAGE_FILES.some((pattern) => pattern.test(inStorage))) return { _tag: "Keep", path }
  // the peer's `part/<sessionID>*` (real parts are `part/<messageID>/<partID>.json`)
  if (inStorage.startsWith("part/")) return { _tag: "Drop", reason: "bad_part_layout" }
  return { _tag: "Drop", reason: "not_a_session" }
}

/**
 * Where a file entry goes (its name checked safe, its root that of `tool`). `credential`: the
 * credential rule its name breaks, if any (such a file is never written).
 *
 * @internal
 */
export const place = (name: string, credential: string | undefined): Placement => {
  if (name === METADATA) return { _tag: "Metadata" }
  if (credential !== undefined) return { _tag: "Drop", reason: `credential:${credential}` }
  const session = ROOT_SESSION.exec(name)?.[1]
  if (session !== undefined) return { _tag: "Keep", path: `${STORAGE}session/global/${session}.json` }
  const root = rootOf(name, false)
  if (root._tag !== "Tool") return { _tag: "RootJson" }
  const path = name.slice(ROOTS[root.tool].length + 1)
  return root.tool === "codex" ? codex(path) : root.tool === "claude" ? claude(path) : opencode(path)
}

/** Why a root `<name>.json` that is no OpenCode session is not installed, for the archive's tool. @internal */
export const rootJsonReason = (tool: PeerTool): DropReason => tool === "claude" ? "unsupported_format" : "not_a_session"

/** Whether a kept OpenCode file is a real part (`part/<messageID>/<partID>.json`). @internal */
export const isPart = (path: string): boolean => path.startsWith(`${STORAGE}part/`)
