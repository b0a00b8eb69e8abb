/**
 * Where Claude Code keeps its sessions on this machine: `--claude-home`, else
 * `$CLAUDE_CONFIG_DIR`, else `~/.claude`.
 *
 * ```
 * <home>/
 *   projects/<folder of the cwd>/<session id>.jsonl     the transcript
 *   projects/<folder of the cwd>/<session id>/…         its subagents/ and other files
 *   file-history/<session id>/<hash>@v<n>               backups of edited files (rewind)
 *   history.jsonl                                       prompts, for up-arrow history
 *   sessions/<pid>.json                                 running interactive sessions
 * ```
 *
 * @since 0.2.0
 */
import { Context, Layer } from "effect"
import * as os from "node:os"
import * as Path from "node:path"

/** @since 0.2.0 @category constants */
export const PROJECTS_DIR = "projects"
/** @since 0.2.0 @category constants */
export const FILE_HISTORY_DIR = "file-history"
/** @since 0.2.0 @category constants */
export const HISTORY = "history.jsonl"
/** @since 0.2.0 @category constants */
export const RUNNING_DIR = "sessions"

/** @since 0.2.0 @category models */
export interface ClaudeHomeConfig {
  /** the CLI's `--claude-home`; wins over `CLAUDE_CONFIG_DIR` and `~/.claude` */
  readonly root?: string | undefined
}

/** @since 0.2.0 @category models */
export interface ClaudeHomeShape {
  readonly root: string
  readonly projectsDir: string
  readonly historyPath: string
  readonly fileHistoryDir: string
  readonly runningDir: string
}

/** @since 0.2.0 @category tags */
export class ClaudeHome extends Context.Tag("@sessionport/claude-home/ClaudeHome")<ClaudeHome, ClaudeHomeShape>() {}

/**
 * The home for `config` (nothing is read: a home that does not exist yet is one install creates).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (config: ClaudeHomeConfig = {}): ClaudeHomeShape => {
  const env = process.env.CLAUDE_CONFIG_DIR
  const root = Path.resolve(config.root ?? (env !== undefined && env !== "" ? env : Path.join(os.homedir(), ".claude")))
  return {
    root,
    projectsDir: Path.join(root, PROJECTS_DIR),
    historyPath: Path.join(root, HISTORY),
    fileHistoryDir: Path.join(root, FILE_HISTORY_DIR),
    runningDir: Path.join(root, RUNNING_DIR)
  }
}

/** @since 0.2.0 @category layers */
export const layer = (config: ClaudeHomeConfig = {}): Layer.Layer<ClaudeHome> => Layer.sync(ClaudeHome, () => make(config))
