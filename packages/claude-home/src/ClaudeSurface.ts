/**
 * Claude Code's rewrite surface: every place in a transcript line (`projects/…/<id>.jsonl`, and
 * its subagents' transcripts) that holds a machine path or the session id, as data. Install
 * rewrites exactly these places; `docs/claude-rewrite-surface.md` lists them. Text the user or
 * the model wrote (`message.content` text, thinking, prompts, `last-prompt`) is never rewritten,
 * and signatures and encrypted content are never touched; tool inputs and results are, because
 * they are what the model is sent again on resume.
 *
 * Facts: Claude Code 2.1.332, observed in sessions it wrote (`fixtures/claude/`).
 *
 * @since 0.2.0
 */
import { Dialect } from "@sessionport/localize"
import { RewriteSurface } from "@sessionport/package-format"
import { ClaudeLine } from "@sessionport/schema"

const entry = RewriteSurface.requiredSince("2.1.332")

/**
 * The entries, in the order they apply.
 *
 * @since 0.2.0
 * @category constants
 */
export const entries: ReadonlyArray<RewriteSurface.Entry> = [
  entry("*", "sessionId", "thread-id", "every line names its session; the installed copy has a new id"),
  entry("*", "session_id", "thread-id", "the interactive CLI also writes it on message lines"),
  entry("*", "cwd", "path", "the working directory of every message line; the picker's all-projects view shows it"),
  entry("attachment", "attachment[?type=environment].snapshot.workingDirectory", "path"),
  entry("attachment", "attachment[?type=environment].snapshot.additionalWorkingDirectories", "path-list"),
  entry("attachment", "rendered[*].content", "text-with-paths", "the environment block as the model was sent it"),
  entry("attachment", "attachment[?type=prompt_snapshot].systemPrompt[*]", "text-with-paths"),
  entry("attachment", "attachment[?type=file].filename", "path", "a file attached to the turn (after /compact)"),
  entry("attachment", "attachment[?type=file].content.file.filePath", "path"),
  entry("attachment", "attachment[?type=plan_mode_exit].planFilePath", "path"),
  entry("api-request-shape", "shape.system[*].text", "text-with-paths"),
  entry("api-request-blob", "message.content[*].text", "text-with-paths"),
  entry("assistant", "message.content[*][?type=tool_use].input[*]", "text-with-paths", "tool inputs: file_path, command, path, …"),
  entry("user", "message.content[*][?type=tool_result].content", "text-with-paths", "a tool's output, as text"),
  entry("user", "message.content[*][?type=tool_result].content[*].text", "text-with-paths", "a tool's output, as blocks"),
  entry("user", "toolUseResult.filePath", "path"),
  entry("user", "toolUseResult.outputFile", "path", "a background task's output file"),
  entry("user", "toolUseResult.file.filePath", "path"),
  entry("user", "toolUseResult.content", "text-with-paths", "a Write's content as the UI shows it: the same text as its input, rewritten alike"),
  entry("user", "toolUseResult.stdout", "text-with-paths"),
  entry("user", "toolUseResult.stderr", "text-with-paths"),
  entry("file-history-snapshot", "snapshot.trackedFileBackups[*].realParentDir", "path"),
  entry("file-history-snapshot", "snapshot.trackedFileBackups[*].backupFileName", "thread-id", "named by a hash of the file's path: renamed with the backup"),
  entry("file-history-delta", "backup.realParentDir", "path"),
  entry("file-history-delta", "backup.backupFileName", "thread-id", "named by a hash of the file's path: renamed with the backup"),
  entry("relocated", "relocatedCwd", "path")
]

/**
 * Every line type Claude Code 2.1.332 writes (its loader's list, `@sessionport/schema/ClaudeLine`).
 * A line of another type is never rewritten (it passes through as it is).
 *
 * @since 0.2.0
 * @category constants
 */
export const lineTypes: ReadonlyArray<string> = ClaudeLine.lineTypes

/**
 * Claude transcripts for the rewriter.
 *
 * @since 0.2.0
 * @category constants
 */
export const dialect: Dialect.Dialect = Dialect.byLineType("claude", entries, lineTypes)
