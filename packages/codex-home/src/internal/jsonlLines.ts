/**
 * @internal
 * An index file of JSON lines (`session_index.jsonl`, `history.jsonl`) without the lines of some
 * threads: every other byte as it was, lines that are not JSON and a last line without its
 * newline included.
 */
import * as fs from "node:fs"

/** @internal */
export interface Pruned {
  /** the file without the lines */
  readonly content: Uint8Array
  /** thread id (lower case) → lines taken out */
  readonly removed: ReadonlyMap<string, number>
}

const idOf = (line: Uint8Array, field: string): string | undefined => {
  try {
    const value = JSON.parse(Buffer.from(line).toString("utf8"))?.[field]
    return typeof value === "string" ? value.toLowerCase() : undefined
  } catch {
    return undefined
  }
}

/**
 * @internal
 * `file` without the lines whose `field` names one of `ids` (lower case); `undefined` when the
 * file does not exist. Throws what the read throws otherwise.
 */
export const withoutLines = (file: string, field: string, ids: ReadonlySet<string>): Pruned | undefined => {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
  // only a line that holds the field is parsed
  const needle = Buffer.from(`"${field}"`)
  const kept: Array<Uint8Array> = []
  const removed = new Map<string, number>()
  for (let start = 0; start < bytes.length;) {
    const newline = bytes.indexOf(10, start)
    const end = newline === -1 ? bytes.length : newline + 1
    const line = bytes.subarray(start, end)
    const id = line.includes(needle) ? idOf(line, field) : undefined
    if (id !== undefined && ids.has(id)) removed.set(id, (removed.get(id) ?? 0) + 1)
    else kept.push(line)
    start = end
  }
  return { content: Buffer.concat(kept), removed }
}
