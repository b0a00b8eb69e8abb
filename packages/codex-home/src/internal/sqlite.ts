import { CodexHomeError } from "../CodexHomeError.js"

/** @internal the SQLite result code (`SQLITE_BUSY`, `SQLITE_NOTADB`, …) carried by an error or its causes. */
export const sqliteCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

const messageOf = (error: unknown): string => {
  let current: unknown = error
  let last = String(error)
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const message = (current as { readonly message?: unknown }).message
    if (typeof message === "string" && message.length > 0) last = message
    current = (current as { readonly cause?: unknown }).cause
  }
  return last
}

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
