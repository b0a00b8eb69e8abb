/**
 * OpenCode's rewrite surface: every place of a session's transcript in a package (its rows as
 * JSON lines, `agents/opencode/sessions/<id>/transcript.jsonl`) that holds a machine path or an
 * id, as data. Install rewrites exactly these places; `docs/opencode-rewrite-surface.md` lists them.
 *
 * Ids (`thread-id`): the session's, its messages' and parts' ids and every reference to them.
 * The rewriter maps the session id; the installer gives every message and part a new id of
 * OpenCode's scheme (`internal/ids.ts`) on the same fields. Lineage neutralizes all of them.
 *
 * Paths: where the session ran (`session.directory`, each assistant message's `path`), what the
 * tools were given and answered (the model is sent them again on resume), patch parts' files and
 * file parts' URLs. Text the user or the model wrote (text and reasoning parts) is never
 * rewritten. `session.project_id` and `session.path` are not on the surface: install derives
 * them on the target machine, as OpenCode does.
 *
 * Facts: OpenCode 1.18.33, observed in sessions it wrote (`fixtures/opencode/`) and its source.
 *
 * @since 0.2.0
 */
import { Dialect } from "@sessionport/localize"
import { RewriteSurface } from "@sessionport/package-format"
import { OpencodeLine } from "@sessionport/schema"

const entry = RewriteSurface.requiredSince("1.18.33")

const TOOL = "data[?type=tool].state"

/**
 * The entries, in the order they apply.
 *
 * @since 0.2.0
 * @category constants
 */
export const entries: ReadonlyArray<RewriteSurface.Entry> = [
  entry("session", "id", "thread-id", "the installed copy has a new id"),
  entry("session", "parent_id", "thread-id", "a subagent session's parent, when it travels in the same package"),
  entry("session", "directory", "path", "where the session ran: OpenCode lists a project's sessions by it, and resumes there"),
  entry("session", "revert@json.messageID", "thread-id", "a pending undo points at a message"),
  entry("session", "revert@json.partID", "thread-id"),
  entry("message", "id", "thread-id"),
  entry("message", "session_id", "thread-id"),
  entry("message", "data.parentID", "thread-id", "an assistant message answers a user message"),
  entry("message", "data.path.cwd", "path", "the working directory of an assistant message"),
  entry("message", "data.path.root", "path", "the project's worktree (`/` outside git)"),
  entry("message", "data.system", "text-with-paths", "a custom system prompt an API caller gave"),
  entry("part", "id", "thread-id"),
  entry("part", "message_id", "thread-id"),
  entry("part", "session_id", "thread-id"),
  entry("part", `${TOOL}.input.filePath`, "path", "read, write, edit"),
  entry("part", `${TOOL}.input.path`, "path", "glob, grep"),
  entry("part", `${TOOL}.input.workdir`, "path", "bash"),
  entry("part", `${TOOL}.input.command`, "text-with-paths", "bash: the command line"),
  entry("part", `${TOOL}.input.description`, "text-with-paths"),
  entry("part", `${TOOL}.input.pattern`, "text-with-paths", "glob and grep patterns may be absolute"),
  entry("part", `${TOOL}.input.content`, "text-with-paths", "write: the file's text, sent again on resume"),
  entry("part", `${TOOL}.input.oldString`, "text-with-paths", "edit"),
  entry("part", `${TOOL}.input.newString`, "text-with-paths", "edit"),
  entry("part", `${TOOL}.input.patchText`, "text-with-paths", "apply_patch"),
  entry("part", `${TOOL}.input.prompt`, "text-with-paths", "task: the subagent's prompt"),
  entry("part", `${TOOL}.output`, "text-with-paths", "a tool's output, sent again on resume"),
  entry("part", `${TOOL}.error`, "text-with-paths"),
  entry("part", `${TOOL}.title`, "text-with-paths", "shown in the UI: often the file's path"),
  entry("part", `${TOOL}.metadata.filepath`, "path", "write, edit, read"),
  entry("part", `${TOOL}.metadata.output`, "text-with-paths", "bash: its output as the UI shows it"),
  entry("part", `${TOOL}.metadata.diff`, "text-with-paths", "edit: the unified diff names the file"),
  entry("part", `${TOOL}.metadata.preview`, "text-with-paths", "read"),
  entry("part", `${TOOL}.metadata.display.path`, "path", "read"),
  entry("part", `${TOOL}.metadata.loaded`, "path-list", "read: the instruction files it loaded"),
  entry("part", `${TOOL}.metadata.filediff.file`, "path", "edit"),
  entry("part", `${TOOL}.metadata.diagnostics[~]`, "path", "edit, write: diagnostics by file"),
  entry("part", `${TOOL}.metadata.files[*].filePath`, "path", "apply_patch"),
  entry("part", `${TOOL}.metadata.files[*].movePath`, "path", "apply_patch"),
  entry("part", `${TOOL}.metadata.outputPath`, "path", "bash: where a long output was saved"),
  entry("part", `${TOOL}.metadata.dir`, "path", "skill"),
  entry("part", `${TOOL}.attachments[*].url`, "file-url"),
  entry("part", "data[?type=patch].files", "path-list", "the files a step changed"),
  entry("part", "data[?type=file].url", "file-url", "an attached file"),
  entry("part", "data[?type=file].source.path", "path"),
  entry("todo", "session_id", "thread-id")
]

/**
 * The line types of a transcript: a session's rows, one per line (`@sessionport/schema/OpencodeLine`).
 *
 * @since 0.2.0
 * @category constants
 */
export const lineTypes: ReadonlyArray<string> = OpencodeLine.lineTypes

/**
 * OpenCode transcripts for the rewriter.
 *
 * @since 0.2.0
 * @category constants
 */
export const dialect: Dialect.Dialect = Dialect.byLineType("opencode", entries, lineTypes)
