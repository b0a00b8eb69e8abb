/**
 * Why a journal operation, a rollback or a recovery was refused or failed. One tagged error with
 * a reason, printed as one line (and persisted in `transaction.json` when it ends a transaction).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * - `locked`: another live sessionport process holds the journal lock.
 * - `busy`: another process (Codex) holds the SQLite database.
 * - `target_exists`: a file to create, or a row to insert, is already there.
 * - `target_missing`: a file to replace, a database, or a row to update is not there.
 * - `not_a_file`: the target is a folder, a symlink or something else than a regular file.
 * - `outside_roots`: a path outside the Codex home (and the other allowed roots).
 * - `changed_since`: a rollback found a target changed since the transaction wrote it.
 * - `already_rolled_back`: the transaction was already rolled back (or never completed and was undone).
 * - `not_found`: no such transaction.
 * - `bad_journal`: a `transaction.json` or a backup is unreadable or damaged.
 * - `invalid`: the call itself is wrong (relative path, ambiguous key, transaction not active).
 * - `unjournaled_write`: SQL changed rows the journal cannot record (a trigger writing a virtual table, writes in a read callback).
 * - `sql`: SQLite refused a statement.
 * - `io`: the operating system refused a read or write.
 * - `read_only`: the Codex home (`path`: the folder concerned) cannot be written at all: a
 *   read-only file system or mount, permissions, an immutable file (`detail` says which).
 *
 * @since 0.1.0
 * @category models
 */
export const JournalErrorReason = Schema.Literal(
  "locked",
  "busy",
  "target_exists",
  "target_missing",
  "not_a_file",
  "outside_roots",
  "changed_since",
  "changed_under",
  "already_rolled_back",
  "not_found",
  "bad_journal",
  "invalid",
  "unjournaled_write",
  "sql",
  "io",
  "read_only"
)

/** @since 0.1.0 @category models */
export type JournalErrorReason = typeof JournalErrorReason.Type

/** @since 0.1.0 @category errors */
export class JournalError extends Schema.TaggedError<JournalError>("@sessionport/journal/JournalError")(
  "JournalError",
  {
    reason: JournalErrorReason,
    /** the file, folder or database concerned (the journal folder or lock for journal-level errors) */
    path: Schema.String,
    /** the transaction concerned, when there is one */
    transaction: Schema.optional(Schema.String),
    /** what went wrong, in a few words */
    detail: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  }
) {
  override get message(): string {
    const detail = this.detail === undefined ? "" : oneLine(this.detail)
    const tx = this.transaction ?? "?"
    switch (this.reason) {
      case "locked":
        return `another sessionport process holds ${this.path} (${detail}); ` +
          "wait for it to finish, or delete the lock if that process is not sessionport"
      case "busy":
        return `another program holds ${this.path} (is the agent that keeps it running?); quit it and try again`
      case "changed_since":
        return `cannot roll back ${tx}: ${this.path} ${detail}`
      case "changed_under":
        return `${this.path} changed while sessionport was working on it${detail === "" ? "" : ` (${detail})`}; ` +
          "nothing was written to it: wait until it is no longer in use (quit the agent) and run the command again"
      case "already_rolled_back":
        return `transaction ${tx} ${detail === "" ? "was already rolled back" : detail}`
      case "not_found":
        return this.transaction === undefined
          ? `no transaction left to roll back in ${this.path}`
          : `no transaction ${this.transaction} in ${this.path}`
      case "outside_roots":
        return `${this.path} is outside the folders the journal may change${detail === "" ? "" : ` (${detail})`}`
      case "target_exists":
        return `${this.path}: ${detail === "" ? "already exists" : detail}`
      case "target_missing":
        return `${this.path}: ${detail === "" ? "does not exist" : detail}`
      case "not_a_file":
        return `${this.path} is not a regular file${detail === "" ? "" : ` (${detail})`}`
      case "bad_journal":
        return `${this.path} is not a usable journal record${detail === "" ? "" : `: ${detail}`}`
      case "read_only":
        return `${this.path} is read-only (${detail}); sessionport needs to write its journal there ` +
          "before it changes anything"
      case "invalid":
      case "unjournaled_write":
      case "sql":
      case "io":
        return detail === "" ? this.path : `${this.path}: ${detail}`
    }
  }
}

// OS and SQLite messages sometimes span lines; the error prints as one.
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()
