import { LocalId } from "@sessionport/agent"
import * as nodeFs from "node:fs"
import type { ColumnInfo } from "../StateDb.js"

/** @internal the shared id policy (see `@sessionport/agent/LocalId`) */
export const newLocalId = LocalId.make

/** @internal the ms timestamp inside a UUIDv7 */
export const uuidv7Time = LocalId.timeOf

const pad = (n: number) => String(n).padStart(2, "0")

/**
 * @internal
 * `sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl` in this machine's local time (as
 * Codex names them), or `archived_sessions/<same name>`; POSIX separators.
 */
export const rolloutRelativePath = (id: string, startedAt: Date, archived: boolean): string => {
  const [y, m, d] = [startedAt.getFullYear(), pad(startedAt.getMonth() + 1), pad(startedAt.getDate())]
  const name = `rollout-${y}-${m}-${d}T${pad(startedAt.getHours())}-${pad(startedAt.getMinutes())}-${
    pad(startedAt.getSeconds())
  }-${id}.jsonl`
  return archived ? `archived_sessions/${name}` : `sessions/${y}/${m}/${d}/${name}`
}

/**
 * @internal
 * Every string in a JSON value that `map` changes, changed (used for the `sandbox_policy` JSON
 * text of a `threads` row, whose paths are the source machine's).
 */
export const mapJsonStrings = (value: unknown, map: (s: string) => string): unknown => {
  if (typeof value === "string") return map(value)
  if (Array.isArray(value)) return value.map((v) => mapJsonStrings(v, map))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapJsonStrings(v, map)]))
  }
  return value
}

/**
 * @internal
 * The row to insert into a table of this machine's database: the source row's values for the
 * columns this database has, the overrides, and for a NOT NULL column without a default that the
 * source lacks, a neutral value (Codex recomputes most of them on its next scan).
 */
export const rowFor = (
  columns: ReadonlyArray<ColumnInfo>,
  source: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>>,
  fallbacks: Readonly<Record<string, unknown>> = {}
): Record<string, SqlValue> => {
  const row: Record<string, SqlValue> = {}
  for (const column of columns) {
    const name = column.name
    if (name in overrides) row[name] = sqlValue(overrides[name])
    else if (name in source && source[name] !== undefined) row[name] = sqlValue(source[name])
    else if (name in fallbacks) row[name] = sqlValue(fallbacks[name])
    else if (column.notNull && !column.hasDefault) row[name] = ""
  }
  return row
}

type SqlValue = null | string | number | bigint | Uint8Array

// JSON values as SQLite stores them: booleans as 0/1, objects as JSON text
const sqlValue = (value: unknown): SqlValue =>
  value === undefined || value === null
    ? null
    : typeof value === "boolean"
    ? (value ? 1 : 0)
    : typeof value === "string" || typeof value === "number" || typeof value === "bigint" || value instanceof Uint8Array
    ? value
    : JSON.stringify(value)

/**
 * @internal
 * The byte offset just after the first `records` non-blank lines of a plain rollout followed by
 * the file `appended` (what a fast-forward adds to it in the same transaction): where a paginated
 * fork's `history_base` ends in it. Undefined when there are fewer, or the rollout is compressed.
 */
export const offsetAfterRecords = (file: string, records: number, appended?: string): number | undefined => {
  if (records === 0) return 0
  if (file.endsWith(".zst")) return undefined
  let position = 0
  let seen = 0
  let lineHasText = false
  const buffer = Buffer.allocUnsafe(1024 * 1024)
  for (const path of appended === undefined ? [file] : [file, appended]) {
    const fd = nodeFs.openSync(path, "r")
    try {
      for (;;) {
        const n = nodeFs.readSync(fd, buffer, 0, buffer.length, null)
        if (n === 0) break
        for (let i = 0; i < n; i++) {
          const byte = buffer[i]!
          if (byte === 10) {
            if (lineHasText && ++seen === records) return position + i + 1
            lineHasText = false
          } else if (byte !== 13 && byte !== 32 && byte !== 9) lineHasText = true
        }
        position += n
      }
    } finally {
      nodeFs.closeSync(fd)
    }
  }
  return undefined
}
