/**
 * Why the local Codex store could not be read (or, later, written). One tagged error with a
 * reason, printed as one line that tells the user what to do.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * - `not_found`: the Codex home folder does not exist.
 * - `not_a_directory`: the Codex home is a file.
 * - `missing_file`: a file the operation needs is gone (a rollout deleted mid-listing, no database to write).
 * - `busy`: another process (Codex) holds the state database.
 * - `read_only`: a write was asked of a store opened for reading.
 * - `unreadable`: the operating system refused a read (permissions, I/O).
 * - `bad_database`: `state_5.sqlite` is not a usable SQLite database, or a row does not decode.
 * - `bad_rollout`: a rollout file does not start with session metadata.
 *
 * @since 0.1.0
 * @category models
 */
export const CodexHomeErrorReason = Schema.Literal(
  "not_found",
  "not_a_directory",
  "missing_file",
  "busy",
  "read_only",
  "unreadable",
  "bad_database",
  "bad_rollout"
)

/** @since 0.1.0 @category models */
export type CodexHomeErrorReason = typeof CodexHomeErrorReason.Type

/** @since 0.1.0 @category errors */
export class CodexHomeError extends Schema.TaggedError<CodexHomeError>("@sessionport/codex-home/CodexHomeError")(
  "CodexHomeError",
  {
    reason: CodexHomeErrorReason,
    /** the folder or file concerned */
    path: Schema.String,
    /** what went wrong, in a few words (the OS or SQLite message) */
    detail: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  }
) {
  override get message(): string {
    const detail = this.detail === undefined ? "" : `: ${oneLine(this.detail)}`
    switch (this.reason) {
      case "not_found":
        return `Codex home ${this.path} does not exist (set --codex-home or CODEX_HOME)`
      case "not_a_directory":
        return `Codex home ${this.path} is not a folder (set --codex-home or CODEX_HOME)`
      case "missing_file":
        return `${this.path} does not exist${detail}`
      case "busy":
        return `Codex is running and holds ${this.path}; quit Codex (CLI and Desktop) and try again`
      case "read_only":
        return `${this.path} is open read-only${detail}`
      case "unreadable":
        return `cannot read ${this.path}${detail}`
      case "bad_database":
        return `${this.path} is not a usable Codex state database${detail}`
      case "bad_rollout":
        return `${this.path} is not a Codex rollout${detail}`
    }
  }
}

// OS and SQLite messages sometimes span lines; the error prints as one.
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()
