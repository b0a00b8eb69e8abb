import { SqliteErrors } from "@sessionport/journal"
import { CodexHomeError } from "../CodexHomeError.js"

/** @internal the SQLite result code carried by an error or its causes */
export const sqliteCode = SqliteErrors.code

const messageOf = SqliteErrors.message

/**
 * @internal
 * SQLite failures as one-line errors: locks held by another process are `busy` (Codex is
 * running), a file that is not a database is `bad_database`, OS refusals are `unreadable`.
 */
export const toCodexHomeError = (path: string) => (error: unknown): CodexHomeError => {
  if (error instanceof CodexHomeError) return error
  const code = sqliteCode(error)
  const detail = messageOf(error)
  if (code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))) {
    return new CodexHomeError({ reason: "busy", path, detail, cause: error })
  }
  if (
    code !== undefined &&
    (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_IOERR") ||
      code.startsWith("SQLITE_AUTH"))
  ) {
    return new CodexHomeError({ reason: "unreadable", path, detail, cause: error })
  }
  if (code !== undefined && code.startsWith("SQLITE_READONLY")) {
    return new CodexHomeError({ reason: "read_only", path, detail, cause: error })
  }
  return new CodexHomeError({ reason: "bad_database", path, detail, cause: error })
}
