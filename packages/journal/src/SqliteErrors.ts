/**
 * Reading better-sqlite3 failures through Effect's wrappers: the SQLite result code
 * (`SQLITE_BUSY`, `SQLITE_NOTADB`, …) and the most specific message, from an error or its causes.
 * Shared by every package that opens a Codex database.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category accessors */
export const code = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const found = (current as { readonly code?: unknown }).code
    if (typeof found === "string" && found.startsWith("SQLITE_")) return found
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

/** @since 0.1.0 @category accessors */
export const message = (error: unknown): string => {
  let current: unknown = error
  let last = error instanceof Error ? error.message : String(error)
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const found = (current as { readonly message?: unknown }).message
    if (typeof found === "string" && found.length > 0) last = found
    current = (current as { readonly cause?: unknown }).cause
  }
  return last
}

/** A lock held by another process: Codex is running. @since 0.1.0 @category predicates */
export const isBusy = (error: unknown): boolean => {
  const c = code(error)
  return c !== undefined && (c.startsWith("SQLITE_BUSY") || c.startsWith("SQLITE_LOCKED"))
}
