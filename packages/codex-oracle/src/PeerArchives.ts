/**
 * Archives as coding-cli-session-sync makes them, built from its documented format only (never
 * its code): `{tool}-session-{id}-{YYYYmmdd-HHMMSS}.tgz` / `{tool}-sessions-{N}-{ts}.tgz`, a
 * gzip tar of regular files (no folder entries, no `./`), in the peer's order with
 * `metadata.json` last, whose `archive.checksum_sha256` is the SHA-256 of the tar before the
 * metadata was appended (so never that of the archive, as the peer's never is).
 *
 * Presets, one per tool, from the committed fixtures of the real agents:
 * - codex: the fixture day `2026/11/21` (four rollouts and a `.jsonl.zst`) and a
 *   `.codex/config.toml` holding a canary MCP secret;
 * - claude: the fixture home's four transcripts in two projects, two of them named by the
 *   metadata, `history.jsonl`, `session-env/<id>/hook.sh`, a file-history backup, and what the
 *   peer sweeps in from `~/.claude` (`settings.json`, `statsig/`, `plugins/`, `.claude.json`,
 *   a project memory, a todo list) plus a `my_token.txt`;
 * - opencode: an OpenCode 1.1 legacy-store session (`<id>.json` at the root) in a `global`
 *   project, its messages, the peer's `part/<sessionID>_001.bin`, and `directory-readme/`.
 *
 * See `../shared/research/multitool-and-peers.md` §1.4 for the format.
 *
 * @since 0.5.0
 */
import * as fs from "node:fs"
import * as Path from "node:path"
import { fixtureByRole, fixtureHome, repoRoot } from "./Fixtures.js"
import { gzip, type RawEntry, sha256, tarOf } from "./PackageBuilders.js"

/** @since 0.5.0 @category models */
export type PeerTool = "codex" | "claude" | "opencode"

/** @since 0.5.0 @category models */
export interface PeerEntry {
  readonly name: string
  readonly content: string | Buffer
}

/** @since 0.5.0 @category constants */
export const SOURCE_HOSTNAME = "alice-laptop"
/** The local time of the export, no zone (as the peer writes it). @since 0.5.0 @category constants */
export const EXPORT_TIMESTAMP = "2026-11-21T09:30:00.123456"
const STAMP = "20261121-093000"

/** What the peer's `checksum_sha256` is: the hash of an earlier file (here the tar without metadata). */
const statedChecksum = async (entries: ReadonlyArray<RawEntry>): Promise<string> => sha256(await tarOf(entries))

/**
 * The peer's name for an archive of these sessions: one session `{tool}-session-{id}-{ts}.tgz`
 * (`/` in the id becomes `-`), several `{tool}-sessions-{N}-{ts}.tgz`.
 *
 * @since 0.5.0
 * @category naming
 */
export const archiveName = (tool: PeerTool, sessionIds: ReadonlyArray<string>): string =>
  sessionIds.length === 1 ? `${tool}-session-${sessionIds[0]!.replace(/\//g, "-")}-${STAMP}.tgz` : `${tool}-sessions-${sessionIds.length}-${STAMP}.tgz`

/**
 * `metadata.json` as `Metadata.to_dict` writes it: the first session, the archive, the
 * contents, and for several sessions their count and ids.
 *
 * @since 0.5.0
 * @category constructors
 */
export const metadataFor = (
  tool: PeerTool,
  sessionIds: ReadonlyArray<string>,
  archive: { readonly filename: string; readonly checksum: string; readonly files: number },
  contents: Record<string, unknown> = {}
): Record<string, unknown> => ({
  version: "1.0",
  tool,
  export_timestamp: EXPORT_TIMESTAMP,
  source_hostname: SOURCE_HOSTNAME,
  session: {
    id: sessionIds[0] ?? null,
    name: `session ${sessionIds[0] ?? ""}`,
    tool,
    created_at: "2026-11-21T09:17:11",
    last_modified: "2026-11-21T09:20:00"
  },
  archive: { filename: archive.filename, checksum_sha256: archive.checksum, size_bytes: 0, file_count: archive.files },
  contents: { type: sessionIds.length === 1 ? "single" : "multiple", ...contents },
  ...(sessionIds.length > 1 ? { session_count: sessionIds.length, all_session_ids: [...sessionIds] } : {})
})

/** @since 0.5.0 @category models */
export interface PeerArchiveOptions {
  /** `metadata.json` replaced by this (a string as it is), or left out (`null`) */
  readonly metadata?: Record<string, unknown> | string | null
  /** the archive's file name (default: the peer's, see {@link archiveName}) */
  readonly name?: string
}

/**
 * Writes the archive into `dir`: `entries` in order (raw entries as they are, for hostile cases),
 * then `metadata.json`; answers its path.
 *
 * @since 0.5.0
 * @category constructors
 */
export const peerArchive = async (
  dir: string,
  tool: PeerTool,
  sessionIds: ReadonlyArray<string>,
  entries: ReadonlyArray<RawEntry>,
  options: PeerArchiveOptions = {}
): Promise<string> => {
  const filename = options.name ?? archiveName(tool, sessionIds)
  const metadata = options.metadata === undefined
    ? JSON.stringify(metadataFor(tool, sessionIds, { filename, checksum: await statedChecksum(entries), files: entries.length }), null, 2)
    : options.metadata === null
    ? undefined
    : typeof options.metadata === "string"
    ? options.metadata
    : JSON.stringify(options.metadata, null, 2)
  const file = Path.join(dir, filename)
  fs.writeFileSync(file, gzip(await tarOf([...entries, ...(metadata === undefined ? [] : [{ name: "metadata.json", content: metadata }])])))
  return file
}

// -------------------------------------------------------------------------------------------------
// codex

/** The fixture day the Codex preset carries. @since 0.5.0 @category constants */
export const CODEX_DAY = "2026/11/21"
/** A secret of an MCP server in the source's `config.toml`: never installed. @since 0.5.0 @category constants */
export const CONFIG_CANARY = "sk-canary-mcp-4f1d2c9e7b"

/** The source's `config.toml`, an MCP server's secret in its `env`. @since 0.5.0 @category constants */
export const CONFIG_TOML = [
  "model = \"mock-model\"",
  "",
  "[mcp_servers.tracker]",
  "command = \"tracker-mcp\"",
  `env = { TRACKER_API_KEY = "${CONFIG_CANARY}" }`,
  ""
].join("\n")

/**
 * The peer's archive of the Codex fixture day: every file of `sessions/2026/11/21` (rollouts, one
 * compressed), then `config.toml`.
 *
 * @since 0.5.0
 * @category presets
 */
export const codexEntries = (): Array<PeerEntry> => {
  const day = Path.join(fixtureHome, "sessions", ...CODEX_DAY.split("/"))
  return [
    ...fs.readdirSync(day).sort().map((name) => ({ name: `.codex/sessions/${CODEX_DAY}/${name}`, content: fs.readFileSync(Path.join(day, name)) })),
    { name: ".codex/config.toml", content: CONFIG_TOML }
  ]
}

/** The Codex preset written into `dir`. @since 0.5.0 @category presets */
export const codexArchive = (dir: string, options: PeerArchiveOptions = {}) =>
  peerArchive(dir, "codex", [CODEX_DAY], codexEntries(), options)

/** The fixture sessions of the Codex preset's day (not archived), by role. @since 0.5.0 @category presets */
export const codexRoles = ["multi_turn_tools", "beta_cwd", "named", "zst", "forked"] as const

// -------------------------------------------------------------------------------------------------
// claude

/** The committed Claude Code home (claude-oracle's fixtures). @since 0.5.0 @category presets */
export const claudeFixtureHome = Path.join(repoRoot, "fixtures", "claude", "home")

/** A Claude fixture session as fixtures.json lists it. @since 0.5.0 @category models */
export interface ClaudeFixture {
  readonly sessionId: string
  readonly transcript: string
  readonly cwd: string
  readonly prompts: ReadonlyArray<string>
}

/** A Claude fixture session by role (`tools`, `interactive`, `beta_plain`, `named`). @since 0.5.0 @category presets */
export const claudeSession = (role: string): ClaudeFixture => {
  const sessions = (JSON.parse(fs.readFileSync(Path.join(repoRoot, "fixtures", "claude", "fixtures.json"), "utf8")) as {
    sessions: Record<string, ClaudeFixture>
  }).sessions
  const session = sessions[role]
  if (session === undefined) throw new Error(`no Claude fixture session ${role}`)
  return session
}

/** The sessions the Claude preset's metadata names; the other two transcripts ride along. @since 0.5.0 @category presets */
export const claudeSelected = ["interactive", "named"] as const
/** The transcripts the peer sweeps in without naming them. @since 0.5.0 @category presets */
export const claudeUnselected = ["tools", "beta_plain"] as const

const filesUnder = (root: string, prefix = ""): Array<string> =>
  fs.readdirSync(Path.join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`
    return entry.isDirectory() ? filesUnder(root, rel) : [rel]
  }).sort()

/**
 * The peer's archive of two Claude sessions: their `history.jsonl` lines and `session-env/`
 * folders, then every other file of the home (all transcripts, file history, `.claude.json`,
 * plugins) and the strays a real `~/.claude` holds.
 *
 * @since 0.5.0
 * @category presets
 */
export const claudeEntries = (): Array<PeerEntry> => {
  const ids = claudeSelected.map((role) => claudeSession(role).sessionId)
  const alphaFolder = claudeSession("interactive").transcript.split("/")[1]!
  const history = fs.readFileSync(Path.join(claudeFixtureHome, "history.jsonl"), "utf8").split("\n")
    .filter((line) => line.trim() !== "" && ids.includes((JSON.parse(line) as { sessionId: string }).sessionId))
  return [
    { name: ".claude/history.jsonl", content: history.map((line) => line + "\n").join("") },
    ...ids.map((id) => ({ name: `.claude/session-env/${id}/hook.sh`, content: "export PROJECT_ENV=1\n" })),
    ...filesUnder(claudeFixtureHome).filter((rel) => rel !== "history.jsonl").map((rel) => ({
      name: `.claude/${rel}`,
      content: fs.readFileSync(Path.join(claudeFixtureHome, rel))
    })),
    { name: ".claude/settings.json", content: JSON.stringify({ theme: "dark" }) + "\n" },
    { name: ".claude/statsig/x", content: "statsig cache\n" },
    { name: `.claude/projects/${alphaFolder}/memory/MEMORY.md`, content: "# memory\n" },
    { name: `.claude/todos/${ids[0]}-agent-${ids[0]}.json`, content: "[]\n" },
    { name: ".claude/my_token.txt", content: "ghp_canarycanarycanarycanarycanary0000\n" }
  ]
}

/** The Claude preset written into `dir`. @since 0.5.0 @category presets */
export const claudeArchive = (dir: string, options: PeerArchiveOptions = {}) =>
  peerArchive(dir, "claude", claudeSelected.map((role) => claudeSession(role).sessionId), claudeEntries(), options)

// -------------------------------------------------------------------------------------------------
// opencode

/** The OpenCode preset's session: a `global` one, made in a folder under `/home/alice`. @since 0.5.0 @category presets */
export const OPENCODE_SESSION = "ses_1f2e3d4c5b6aLegacyPeerAbcd"
/** Its working directory on the source machine. @since 0.5.0 @category presets */
export const OPENCODE_CWD = "/home/alice/proj-oc"
/** Its messages (user, assistant). @since 0.5.0 @category presets */
export const OPENCODE_MESSAGES = ["msg_1e2d3c4b5a69PeerUser000001", "msg_1e2d3c4b5a6aPeerAsst000001"] as const
/** Its title. @since 0.5.0 @category presets */
export const OPENCODE_TITLE = "Legacy peer session"

/** 2026-01-01T00:00:00Z */
const T = 1767225600000

/**
 * The peer's archive of one OpenCode 1.1 session: `<id>.json` at the root (the legacy session
 * file, OpenCode 1.1 fields), its messages, the peer's `part/<id>_001.bin` (real parts are
 * `part/<messageID>/<partID>.json`, which the peer never finds) and its `directory-readme/`.
 *
 * @since 0.5.0
 * @category presets
 */
export const opencodeEntries = (): Array<PeerEntry> => {
  const [user, assistant] = OPENCODE_MESSAGES
  const model = { providerID: "mock", modelID: "mock-model" }
  const session = {
    id: OPENCODE_SESSION,
    slug: "calm-river",
    version: "1.1.4",
    projectID: "global",
    directory: OPENCODE_CWD,
    title: OPENCODE_TITLE,
    time: { created: T, updated: T + 60_000 }
  }
  const messages = [
    { id: user, sessionID: OPENCODE_SESSION, role: "user", time: { created: T + 1000 }, agent: "build", model },
    {
      id: assistant,
      sessionID: OPENCODE_SESSION,
      role: "assistant",
      parentID: user,
      modelID: "mock-model",
      providerID: "mock",
      mode: "build",
      agent: "build",
      path: { cwd: OPENCODE_CWD, root: OPENCODE_CWD },
      cost: 0,
      tokens: { input: 10, output: 5, reasoning: 0, cache: { read: 0, write: 0 } },
      time: { created: T + 2000, completed: T + 3000 },
      finish: "stop"
    }
  ]
  return [
    { name: `${OPENCODE_SESSION}.json`, content: JSON.stringify(session, null, 2) },
    ...messages.map((m) => ({ name: `opencode/storage/message/${OPENCODE_SESSION}/${m.id}.json`, content: JSON.stringify(m, null, 2) })),
    { name: `opencode/storage/part/${OPENCODE_SESSION}_001.bin`, content: Buffer.from([0, 1, 2, 3]) },
    { name: `opencode/storage/directory-readme/${OPENCODE_SESSION}.json`, content: JSON.stringify({ path: OPENCODE_CWD }) }
  ]
}

/** The OpenCode preset written into `dir`. @since 0.5.0 @category presets */
export const opencodeArchive = (dir: string, options: PeerArchiveOptions = {}) =>
  peerArchive(dir, "opencode", [OPENCODE_SESSION], opencodeEntries(), options)

/** The Codex fixture session of a role (re-exported for the tests of the preset). @since 0.5.0 @category presets */
export const codexSession = fixtureByRole
