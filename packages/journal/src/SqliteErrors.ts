/**
 * Reading better-sqlite3 failures through Effect's wrappers: the SQLite result code
 * (`SQLITE_BUSY`, `SQLITE_NOTADB`, …) and the most specific message, from an error or its causes.
 * Shared by every package that opens a Codex database.
 *
 * @since 0.1.0
 */
import { causeChain } from "./internal/files.js"

/** @since 0.1.0 @category accessors */
export const code = (error: unknown): string | undefined =>
  causeChain(error).map(({ code }) => code).find((code): code is string =>
    typeof code === "string" && code.startsWith("SQLITE_")
  )

/** @since 0.1.0 @category accessors */
export const message = (error: unknown): string =>
  causeChain(error).map(({ message }) => message).filter((message): message is string =>
    typeof message === "string" && message.length > 0
  ).at(-1) ?? (error instanceof Error ? error.message : String(error))

/** A lock held by another process: Codex is running. @since 0.1.0 @category predicates */
export const isBusy = (error: unknown): boolean => {
  const c = code(error)
  return c !== undefined && (c.startsWith("SQLITE_BUSY") || c.startsWith("SQLITE_LOCKED"))
}
